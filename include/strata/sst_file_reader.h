// SstFileReader: reads one SST file written by strata or RocksDB (format
// versions 2 to 5).
//
// NewIterator() shows what a user of the data sees: one entry per user key
// (its newest version), deletions and range-deleted keys hidden. Get() looks
// one key up, using the bloom filter. NewRawIterator() shows every stored
// entry with its sequence number and type (keys are internal keys: user key
// followed by the 8-byte trailer; see ParseRawKey).
//
// Errors: a damaged file is Corruption naming the file and the block offset;
// data that fails its checksum is never returned.
// Thread-safety: Get, VerifyChecksum and const methods may be called
// concurrently; iterators are not thread-safe and must not outlive the
// reader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/cache.h"
#include "strata/file_system.h"
#include "strata/iterator.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "strata/table_properties.h"

namespace strata {

struct SstFileReaderOptions {
  bool use_direct_reads = false;
  // Serve reads from a mapping of the file. Together with use_direct_reads:
  // NotSupported.
  bool allow_mmap_reads = false;
  FileSystem* file_system = nullptr;  // Null means Env::Default()'s.
  // Data blocks are cached here (null: none). With direct reads this is the
  // only cache between the reader and the device.
  std::shared_ptr<Cache> block_cache;
  // Charge the index and filter blocks to block_cache (pinned while the
  // reader is open) instead of holding them outside it.
  bool cache_index_and_filter_blocks = false;
  // Scans and VerifyChecksum read the next readahead chunk on a thread of
  // the reader's own while the current one is consumed (auto readahead once
  // it has started, and VerifyChecksum's; not explicit readahead_size).
  bool background_readahead = true;
};

struct SstReadOptions {
  bool verify_checksums = true;
  // Insert blocks read from the file into the block cache.
  bool fill_cache = true;
  // 0 = automatic readahead on sequential scans (8 KiB doubling to 256 KiB);
  // > 0 = this much readahead on every block miss.
  uint64_t readahead_size = 0;
  // Iterators only: keys < lower_bound and >= upper_bound are not shown.
  // The Slices must outlive the iterator.
  const Slice* lower_bound = nullptr;
  const Slice* upper_bound = nullptr;
};

// A raw entry's decoded internal key.
struct RawKey {
  Slice user_key;
  uint64_t sequence = 0;
  uint8_t type = 0;  // 0 Deletion, 1 Put, 2 Merge, 7 SingleDeletion, ...
};
// False if `internal_key` is shorter than 8 bytes.
bool ParseRawKey(Slice internal_key, RawKey* key);

class SstFileReader {
 public:
  explicit SstFileReader(const SstFileReaderOptions& options);
  ~SstFileReader();
  SstFileReader(const SstFileReader&) = delete;
  SstFileReader& operator=(const SstFileReader&) = delete;

  Status Open(const std::string& path);

  std::unique_ptr<Iterator> NewIterator(const SstReadOptions& options) const;
  std::unique_ptr<Iterator> NewRawIterator(const SstReadOptions& options) const;

  // The newest value of `user_key`; NotFound if absent, deleted or covered
  // by a range deletion.
  Status Get(const SstReadOptions& options, Slice user_key,
             std::string* value) const;

  // Reads every block and checks its checksum, with `readahead_size`
  // readahead (0 means 2 MiB).
  Status VerifyChecksum(uint64_t readahead_size = 0) const;
  // Counts the entries and compares with the properties.
  Status VerifyNumEntries() const;

  // REQUIRES: Open() succeeded.
  const TableProperties& GetTableProperties() const;
  // Approximate byte offset in the file where `user_key` would be.
  uint64_t ApproximateOffsetOf(Slice user_key) const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace strata
