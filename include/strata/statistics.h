// Statistics: counters of what the store did, shared by every DB opened with
// the same Options::statistics.
//
// Tickers carry RocksDB 7.8.3's names where RocksDB has one
// ("rocksdb.block.cache.miss"), so scripts reading db_bench --statistics keep
// working; strata's own start with "strata.". On top of the tickers, every
// byte the store moves is counted per file kind (WAL, MANIFEST, SST written by
// flush, SST read by a user, ...) and per I/O mode (buffered, direct, mmap):
// that is how a user sees where direct I/O was used.
//
// Thread-safety: every method may be called concurrently (relaxed atomics;
// a reader sees each counter's latest value, not a consistent cut).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "strata/file_system.h"

namespace strata {

enum Tickers : uint32_t {
  BLOCK_CACHE_MISS = 0,
  BLOCK_CACHE_HIT,
  BLOCK_CACHE_ADD,
  BLOCK_CACHE_ADD_FAILURES,
  BLOCK_CACHE_DATA_MISS,
  BLOCK_CACHE_DATA_HIT,
  BLOCK_CACHE_BYTES_READ,
  BLOCK_CACHE_BYTES_WRITE,
  BLOOM_FILTER_USEFUL,
  BLOOM_FILTER_FULL_POSITIVE,
  BLOOM_FILTER_FULL_TRUE_POSITIVE,
  MEMTABLE_HIT,
  MEMTABLE_MISS,
  GET_HIT_L0,
  GET_HIT_L1,
  GET_HIT_L2_AND_UP,
  NUMBER_KEYS_WRITTEN,
  NUMBER_KEYS_READ,
  NUMBER_KEYS_UPDATED,
  BYTES_WRITTEN,
  BYTES_READ,
  NUMBER_DB_SEEK,
  NUMBER_DB_NEXT,
  NUMBER_DB_PREV,
  NUMBER_DB_SEEK_FOUND,
  NUMBER_DB_NEXT_FOUND,
  NUMBER_DB_PREV_FOUND,
  ITER_BYTES_READ,
  NO_FILE_OPENS,
  STALL_MICROS,
  WAL_FILE_SYNCED,
  WAL_FILE_BYTES,
  WRITE_DONE_BY_SELF,
  WRITE_DONE_BY_OTHER,
  WRITE_WITH_WAL,
  COMPACT_READ_BYTES,
  COMPACT_WRITE_BYTES,
  FLUSH_WRITE_BYTES,
  COMPACTION_KEY_DROP_NEWER_ENTRY,
  COMPACTION_KEY_DROP_OBSOLETE,
  COMPACTION_KEY_DROP_RANGE_DEL,
  NUMBER_MULTIGET_CALLS,
  NUMBER_MULTIGET_KEYS_READ,
  NUMBER_MULTIGET_BYTES_READ,
  // strata only.
  DIRECT_IO_FALLBACK,          // Opens that fell back to buffered I/O.
  WRITE_PADDING_BYTES,         // Zero padding written by direct writers.
  WRITE_REWRITTEN_TAIL_BYTES,  // Carried-over tails written again.
  READAHEAD_BYTES,             // Bytes read ahead by prefetch buffers.
  READAHEAD_BYTES_USED,        // ... of which served to readers.
  READAHEAD_BYTES_WASTED,      // ... of which never used.
  TICKER_ENUM_MAX
};

// "rocksdb.block.cache.miss", "strata.direct_io.fallback", ...
const char* TickerName(Tickers ticker);

// Bytes and operations of one (file kind, I/O mode) cell. Bytes are what
// crossed the file-system interface: padding and rewritten tails included
// for direct writes, whole aligned ranges for direct reads.
struct IOCounters {
  uint64_t bytes_read = 0;
  uint64_t read_ops = 0;
  uint64_t bytes_written = 0;
  uint64_t write_ops = 0;
  uint64_t syncs = 0;
  uint64_t opens = 0;
};

inline constexpr int kNumIOModes = static_cast<int>(IOMode::kUncached) + 1;

class Statistics {
 public:
  Statistics();
  Statistics(const Statistics&) = delete;
  Statistics& operator=(const Statistics&) = delete;

  uint64_t getTickerCount(Tickers ticker) const;
  void recordTick(Tickers ticker, uint64_t count = 1);
  void setTickerCount(Tickers ticker, uint64_t count);

  void RecordRead(FileKind kind, IOMode mode, uint64_t bytes);
  void RecordWrite(FileKind kind, IOMode mode, uint64_t bytes);
  void RecordSync(FileKind kind, IOMode mode);
  void RecordOpen(FileKind kind, IOMode mode);
  IOCounters GetIOCounters(FileKind kind, IOMode mode) const;

  // Clears every counter.
  void Reset();
  // One "name COUNT : value" line per ticker (db_bench --statistics), then
  // the I/O table.
  std::string ToString() const;
  // The per-kind, per-mode table: one line per non-empty cell.
  std::string IOReport() const;

 private:
  struct AtomicIOCounters {
    std::atomic<uint64_t> bytes_read{0}, read_ops{0}, bytes_written{0},
        write_ops{0}, syncs{0}, opens{0};
  };
  std::array<std::atomic<uint64_t>, TICKER_ENUM_MAX> tickers_;
  std::array<std::array<AtomicIOCounters, kNumIOModes>, kNumFileKinds> io_;
};

std::shared_ptr<Statistics> CreateDBStatistics();

}  // namespace strata
