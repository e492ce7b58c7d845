// TableCache: the open TableReaders that serve user reads (Get, MultiGet,
// iterators), one per live SST, opened on first use with the user-read I/O
// mode (FileOptionsFor(kTableUserRead)) and the DB's block cache.
//
// Background work never uses these readers: compaction inputs and the check
// read of a new table get their own short-lived readers from
// OpenBackgroundReader (direct iff use_direct_io_for_flush_and_compaction,
// never filling the block cache), so a compaction's reads never change how
// user reads of the same file behave (spec "Our decisions").
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "db/internal_iterator.h"
#include "strata/options.h"
#include "strata/statistics.h"
#include "table/table_reader.h"

namespace strata {

// What the cache needs to know about a live SST.
struct TableFileRef {
  uint64_t number = 0;
  uint64_t file_size = 0;
  // For ingested files: the sequence number every key reads with.
  SequenceNumber global_seqno = kDisableGlobalSequenceNumber;
};

class TableCache {
 public:
  // `options` must be sanitized (block_cache set); the cache keeps a copy
  // (only options that never change after Open matter here).
  TableCache(const std::string& dbname, const Options& options,
             FileSystem* fs, Statistics* statistics);

  // The user-read reader of `file`, opening it if needed.
  Status FindTable(const TableFileRef& file,
                   std::shared_ptr<const TableReader>* reader);

  // An iterator over `file`'s point entries; keeps the reader alive.
  std::unique_ptr<InternalIterator> NewIterator(
      const TableReadOptions& options, const TableFileRef& file);

  // Drops the reader of a deleted file.
  void Evict(uint64_t number);
  // Drops every reader (Close).
  void EvictAll();

  // A private reader of `file` for background work: kind is
  // kTableCompactionInput, kTableVerify or kTableExternal; no block cache.
  Status OpenBackgroundReader(FileKind kind, const std::string& path,
                              uint64_t file_size, SequenceNumber global_seqno,
                              std::unique_ptr<TableReader>* reader) const;

  size_t num_open_tables() const;

 private:
  const std::string dbname_;
  const Options options_;
  FileSystem* const fs_;
  Statistics* const statistics_;
  mutable std::mutex mutex_;
  std::map<uint64_t, std::shared_ptr<const TableReader>> tables_;
};

// Opens the table at `path` with the I/O mode FileOptionsFor(kind, options)
// gives, through a reader configured by `table_options`.
Status OpenTable(FileSystem* fs, const std::string& path, FileKind kind,
                 const Options& options, uint64_t file_size,
                 const TableReaderOptions& table_options,
                 std::unique_ptr<TableReader>* reader);

// Adapts a TableIterator to InternalIterator; `owner` (may be null) is kept
// alive as long as the iterator.
std::unique_ptr<InternalIterator> WrapTableIterator(
    std::unique_ptr<TableIterator> iter, std::shared_ptr<const void> owner);

}  // namespace strata
