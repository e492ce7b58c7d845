#include "strata/statistics.h"

#include <cinttypes>
#include <cstdio>

namespace strata {
namespace {

struct TickerNameEntry {
  Tickers ticker;
  const char* name;
};

// RocksDB 7.8.3's names where RocksDB has the counter.
constexpr TickerNameEntry kTickerNames[] = {
    {BLOCK_CACHE_MISS, "rocksdb.block.cache.miss"},
    {BLOCK_CACHE_HIT, "rocksdb.block.cache.hit"},
    {BLOCK_CACHE_ADD, "rocksdb.block.cache.add"},
    {BLOCK_CACHE_ADD_FAILURES, "rocksdb.block.cache.add.failures"},
    {BLOCK_CACHE_DATA_MISS, "rocksdb.block.cache.data.miss"},
    {BLOCK_CACHE_DATA_HIT, "rocksdb.block.cache.data.hit"},
    {BLOCK_CACHE_BYTES_READ, "rocksdb.block.cache.bytes.read"},
    {BLOCK_CACHE_BYTES_WRITE, "rocksdb.block.cache.bytes.write"},
    {BLOOM_FILTER_USEFUL, "rocksdb.bloom.filter.useful"},
    {BLOOM_FILTER_FULL_POSITIVE, "rocksdb.bloom.filter.full.positive"},
    {BLOOM_FILTER_FULL_TRUE_POSITIVE,
     "rocksdb.bloom.filter.full.true.positive"},
    {MEMTABLE_HIT, "rocksdb.memtable.hit"},
    {MEMTABLE_MISS, "rocksdb.memtable.miss"},
    {GET_HIT_L0, "rocksdb.l0.hit"},
    {GET_HIT_L1, "rocksdb.l1.hit"},
    {GET_HIT_L2_AND_UP, "rocksdb.l2andup.hit"},
    {NUMBER_KEYS_WRITTEN, "rocksdb.number.keys.written"},
    {NUMBER_KEYS_READ, "rocksdb.number.keys.read"},
    {NUMBER_KEYS_UPDATED, "rocksdb.number.keys.updated"},
    {BYTES_WRITTEN, "rocksdb.bytes.written"},
    {BYTES_READ, "rocksdb.bytes.read"},
    {NUMBER_DB_SEEK, "rocksdb.number.db.seek"},
    {NUMBER_DB_NEXT, "rocksdb.number.db.next"},
    {NUMBER_DB_PREV, "rocksdb.number.db.prev"},
    {NUMBER_DB_SEEK_FOUND, "rocksdb.number.db.seek.found"},
    {NUMBER_DB_NEXT_FOUND, "rocksdb.number.db.next.found"},
    {NUMBER_DB_PREV_FOUND, "rocksdb.number.db.prev.found"},
    {ITER_BYTES_READ, "rocksdb.db.iter.bytes.read"},
    {NO_FILE_OPENS, "rocksdb.no.file.opens"},
    {STALL_MICROS, "rocksdb.stall.micros"},
    {WAL_FILE_SYNCED, "rocksdb.wal.synced"},
    {WAL_FILE_BYTES, "rocksdb.wal.bytes"},
    {WRITE_DONE_BY_SELF, "rocksdb.write.self"},
    {WRITE_DONE_BY_OTHER, "rocksdb.write.other"},
    {WRITE_WITH_WAL, "rocksdb.write.wal"},
    {COMPACT_READ_BYTES, "rocksdb.compact.read.bytes"},
    {COMPACT_WRITE_BYTES, "rocksdb.compact.write.bytes"},
    {FLUSH_WRITE_BYTES, "rocksdb.flush.write.bytes"},
    {COMPACTION_KEY_DROP_NEWER_ENTRY, "rocksdb.compaction.key.drop.new"},
    {COMPACTION_KEY_DROP_OBSOLETE, "rocksdb.compaction.key.drop.obsolete"},
    {COMPACTION_KEY_DROP_RANGE_DEL, "rocksdb.compaction.key.drop.range_del"},
    {NUMBER_MULTIGET_CALLS, "rocksdb.number.multiget.get"},
    {NUMBER_MULTIGET_KEYS_READ, "rocksdb.number.multiget.keys.read"},
    {NUMBER_MULTIGET_BYTES_READ, "rocksdb.number.multiget.bytes.read"},
    {DIRECT_IO_FALLBACK, "strata.direct_io.fallback"},
    {WRITE_PADDING_BYTES, "strata.write.padding.bytes"},
    {WRITE_REWRITTEN_TAIL_BYTES, "strata.write.rewritten.tail.bytes"},
    {READAHEAD_BYTES, "strata.readahead.bytes"},
    {READAHEAD_BYTES_USED, "strata.readahead.bytes.used"},
    {READAHEAD_BYTES_WASTED, "strata.readahead.bytes.wasted"},
};
static_assert(sizeof(kTickerNames) / sizeof(kTickerNames[0]) ==
                  TICKER_ENUM_MAX,
              "every ticker needs a name");

constexpr bool TickerNamesInOrder() {
  for (uint32_t i = 0; i < TICKER_ENUM_MAX; ++i) {
    if (kTickerNames[i].ticker != i) return false;
  }
  return true;
}
static_assert(TickerNamesInOrder(), "kTickerNames must follow enum order");

}  // namespace

const char* TickerName(Tickers ticker) {
  if (ticker >= TICKER_ENUM_MAX) return "unknown";
  return kTickerNames[ticker].name;
}

Statistics::Statistics() { Reset(); }

uint64_t Statistics::getTickerCount(Tickers ticker) const {
  if (ticker >= TICKER_ENUM_MAX) return 0;
  return tickers_[ticker].load(std::memory_order_relaxed);
}

void Statistics::recordTick(Tickers ticker, uint64_t count) {
  if (ticker >= TICKER_ENUM_MAX) return;
  tickers_[ticker].fetch_add(count, std::memory_order_relaxed);
}

void Statistics::setTickerCount(Tickers ticker, uint64_t count) {
  if (ticker >= TICKER_ENUM_MAX) return;
  tickers_[ticker].store(count, std::memory_order_relaxed);
}

void Statistics::RecordRead(FileKind kind, IOMode mode, uint64_t bytes) {
  auto& c = io_[static_cast<int>(kind)][static_cast<int>(mode)];
  c.bytes_read.fetch_add(bytes, std::memory_order_relaxed);
  c.read_ops.fetch_add(1, std::memory_order_relaxed);
}

void Statistics::RecordWrite(FileKind kind, IOMode mode, uint64_t bytes) {
  auto& c = io_[static_cast<int>(kind)][static_cast<int>(mode)];
  c.bytes_written.fetch_add(bytes, std::memory_order_relaxed);
  c.write_ops.fetch_add(1, std::memory_order_relaxed);
}

void Statistics::RecordSync(FileKind kind, IOMode mode) {
  io_[static_cast<int>(kind)][static_cast<int>(mode)].syncs.fetch_add(
      1, std::memory_order_relaxed);
}

void Statistics::RecordOpen(FileKind kind, IOMode mode) {
  io_[static_cast<int>(kind)][static_cast<int>(mode)].opens.fetch_add(
      1, std::memory_order_relaxed);
}

IOCounters Statistics::GetIOCounters(FileKind kind, IOMode mode) const {
  const auto& c = io_[static_cast<int>(kind)][static_cast<int>(mode)];
  IOCounters out;
  out.bytes_read = c.bytes_read.load(std::memory_order_relaxed);
  out.read_ops = c.read_ops.load(std::memory_order_relaxed);
  out.bytes_written = c.bytes_written.load(std::memory_order_relaxed);
  out.write_ops = c.write_ops.load(std::memory_order_relaxed);
  out.syncs = c.syncs.load(std::memory_order_relaxed);
  out.opens = c.opens.load(std::memory_order_relaxed);
  return out;
}

void Statistics::Reset() {
  for (auto& t : tickers_) t.store(0, std::memory_order_relaxed);
  for (auto& per_kind : io_) {
    for (auto& c : per_kind) {
      c.bytes_read.store(0, std::memory_order_relaxed);
      c.read_ops.store(0, std::memory_order_relaxed);
      c.bytes_written.store(0, std::memory_order_relaxed);
      c.write_ops.store(0, std::memory_order_relaxed);
      c.syncs.store(0, std::memory_order_relaxed);
      c.opens.store(0, std::memory_order_relaxed);
    }
  }
}

std::string Statistics::IOReport() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "%-24s %-9s %14s %10s %14s %10s %8s %7s\n",
                "file kind", "mode", "bytes read", "reads", "bytes written",
                "writes", "syncs", "opens");
  out += line;
  for (int k = 0; k < kNumFileKinds; ++k) {
    for (int m = 0; m < kNumIOModes; ++m) {
      IOCounters c = GetIOCounters(static_cast<FileKind>(k),
                                   static_cast<IOMode>(m));
      if (c.read_ops == 0 && c.write_ops == 0 && c.syncs == 0 &&
          c.opens == 0) {
        continue;
      }
      std::snprintf(line, sizeof(line),
                    "%-24s %-9s %14" PRIu64 " %10" PRIu64 " %14" PRIu64
                    " %10" PRIu64 " %8" PRIu64 " %7" PRIu64 "\n",
                    FileKindName(static_cast<FileKind>(k)),
                    IOModeName(static_cast<IOMode>(m)), c.bytes_read,
                    c.read_ops, c.bytes_written, c.write_ops, c.syncs,
                    c.opens);
      out += line;
    }
  }
  return out;
}

std::string Statistics::ToString() const {
  std::string out;
  char line[256];
  for (uint32_t i = 0; i < TICKER_ENUM_MAX; ++i) {
    std::snprintf(line, sizeof(line), "%s COUNT : %" PRIu64 "\n",
                  kTickerNames[i].name, getTickerCount(static_cast<Tickers>(i)));
    out += line;
  }
  out += IOReport();
  return out;
}

std::shared_ptr<Statistics> CreateDBStatistics() {
  return std::make_shared<Statistics>();
}

}  // namespace strata
