// WalWriter: appends logical records to a write-ahead log or a MANIFEST in
// the block format of db/wal_format.h (RocksDB 7.8.3's legacy log format).
//
// Protocol: AddRecord* with Flush/Sync in between as needed, then Close().
// Close() is required (the WritableFileWriter asserts it in debug builds).
//
// Durability: by default every AddRecord hands the record to the OS before
// returning (WritableFileWriter::Flush), so a process crash does not lose
// it; with manual_flush the caller decides when to Flush(). Only Sync()
// makes records survive power loss.
//
// Errors: the first error poisons the writer. Every later AddRecord, Flush
// and Sync returns that first error unchanged (it names the file and the
// offset); Close() closes the file and also returns it.
//
// Ownership: owns the WritableFileWriter, which must be a buffered
// (non-direct) file: the DB guarantees that for WALs and MANIFESTs.
// Thread-safety: not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "db/wal_format.h"
#include "env/writable_file_writer.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class WalWriter {
 public:
  // Writes records to `file` from its start. `log_number` only labels the
  // log for the caller. REQUIRES: nothing was appended to `file` yet.
  WalWriter(std::unique_ptr<WritableFileWriter> file, uint64_t log_number,
            bool manual_flush = false);
  ~WalWriter() = default;
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  // Appends `record` (any size, possibly empty) as one or more fragments,
  // then flushes to the OS unless manual_flush.
  IOStatus AddRecord(Slice record);
  // Hands everything appended so far to the OS.
  IOStatus Flush();
  // Flushes, then fdatasync (use_fsync false) or fsync (true).
  IOStatus Sync(bool use_fsync);
  // Flushes and closes the file (without syncing: call Sync() first).
  // Calling it twice returns the first result.
  IOStatus Close();

  uint64_t log_number() const { return log_number_; }
  // Bytes appended to the file so far (headers, trailers and payloads).
  uint64_t file_size() const { return file_->size(); }
  WritableFileWriter* file() { return file_.get(); }

 private:
  // Appends one fragment: header, then `n` payload bytes at `data`.
  IOStatus EmitFragment(WalRecordType type, const char* data, size_t n);
  // Remembers the first error; returns it.
  IOStatus Poison(IOStatus s);

  std::unique_ptr<WritableFileWriter> file_;
  const uint64_t log_number_;
  const bool manual_flush_;
  // Position inside the current block: file_->size() % kWalBlockSize.
  size_t block_offset_ = 0;
  // crc32c of each type byte, the start of every fragment's checksum.
  uint32_t type_crc_[kMaxWalRecordType + 1];
  IOStatus first_error_;
  bool closed_ = false;
  IOStatus close_status_;
};

}  // namespace strata
