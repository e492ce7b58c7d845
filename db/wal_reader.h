// WalReader: reads the logical records of a write-ahead log or a MANIFEST
// written in the block format of db/wal_format.h (RocksDB 7.8.3's legacy
// log format), from the start of the file to its end.
//
// Corruption (a checksum mismatch, a fragment longer than its block, an
// unknown record type, a MIDDLE or LAST without a FIRST, a FIRST/MIDDLE
// chain broken by something other than its LAST) is never returned as data:
// the bad bytes are dropped and reported to the Reporter with a Corruption
// status naming the file, the offset, the byte count and the problem. After
// a bad fragment the reader drops the rest of its block and continues with
// the next one, dropping fragments until a FULL or FIRST starts a record,
// so later good records still come back.
//
// A torn tail is not corruption: a header or payload cut off by the end of
// the file, a FIRST/MIDDLE chain with no LAST before the end, or zero
// padding (a block remainder of zeros that preallocation or an interrupted
// write leaves) at the end. ReadRecord then returns false and tail_torn()
// says so; the DB decides what that means under its recovery mode and may
// truncate the file at end_of_good_data(). Zero padding followed by more
// records is skipped silently, as RocksDB does.
//
// An I/O error ends reading: ReadRecord returns false and status() holds the
// error.
//
// Ownership: owns the SequentialFileReader; the Reporter is borrowed and
// must outlive the reader (it may be null: corruption is then dropped
// silently). Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "db/wal_format.h"
#include "env/sequential_file_reader.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class WalReader {
 public:
  // Told about every range of the file that was dropped as corrupt.
  class Reporter {
   public:
    virtual ~Reporter() = default;
    // `bytes_dropped` bytes starting at file offset `offset` were skipped.
    // `status` is a Corruption: "<path> @ <offset>+<bytes_dropped>:
    // <problem>".
    virtual void Corruption(uint64_t offset, uint64_t bytes_dropped,
                            const Status& status) = 0;
  };

  // Reads `file` from its current position, which must be the start of the
  // file. With verify_checksums false, checksums are not compared (the
  // structure is still checked).
  WalReader(std::unique_ptr<SequentialFileReader> file, Reporter* reporter,
            bool verify_checksums = true);
  ~WalReader() = default;
  WalReader(const WalReader&) = delete;
  WalReader& operator=(const WalReader&) = delete;

  // Reads the next complete logical record into *record and returns true.
  // *record points into *scratch or into the reader's block buffer and
  // stays valid until the next ReadRecord call or until *scratch changes.
  // Returns false at the end of the file (see tail_torn()) or on an I/O
  // error (see status()); later calls return false again.
  bool ReadRecord(Slice* record, std::string* scratch);

  // After ReadRecord returned false at the end: whether bytes follow the
  // last complete record (or dropped range) that do not form a complete
  // record, and how many.
  bool tail_torn() const { return tail_torn_; }
  uint64_t torn_tail_bytes() const { return torn_tail_bytes_; }
  // File offset of the first fragment header of the last returned record.
  uint64_t last_record_offset() const { return last_record_offset_; }
  // File offset just past the last returned record (0 before the first).
  uint64_t end_of_good_data() const { return end_of_good_data_; }
  // OK, or the I/O error that stopped reading.
  const Status& status() const { return status_; }
  const std::string& path() const { return file_->path(); }

 private:
  enum class FragmentResult { kFragment, kBad, kEof, kIOError };
  // A fragment (or the rest of a block) to drop: where, how long, why.
  struct BadRange {
    uint64_t offset = 0;
    uint64_t size = 0;
    std::string problem;
  };

  // The next physical fragment. kBad fills *bad (not yet reported); kEof
  // leaves any incomplete bytes unconsumed.
  FragmentResult ReadFragment(Slice* fragment, uint8_t* type,
                              uint64_t* fragment_offset, BadRange* bad);
  // Reads the next block into the buffer.
  IOStatus ReadBlock();
  // File offset of the first unread byte of the buffer.
  uint64_t buffer_offset() const { return buffer_end_offset_ - buffer_.size(); }
  // Reports [offset, offset + size) as dropped and marks it consumed.
  void Drop(uint64_t offset, uint64_t size, const std::string& problem);

  std::unique_ptr<SequentialFileReader> file_;
  Reporter* const reporter_;
  const bool verify_checksums_;
  std::unique_ptr<char[]> block_;  // kWalBlockSize bytes.
  Slice buffer_;                   // The unread part of the current block.
  uint64_t block_start_offset_ = 0;
  uint64_t buffer_end_offset_ = 0;  // File offset just past the block read.
  bool eof_ = false;                // The last block read was short.
  // File offset just past the last returned record or dropped range.
  uint64_t consumed_end_ = 0;
  uint64_t last_record_offset_ = 0;
  uint64_t end_of_good_data_ = 0;
  bool tail_torn_ = false;
  uint64_t torn_tail_bytes_ = 0;
  Status status_;
};

}  // namespace strata
