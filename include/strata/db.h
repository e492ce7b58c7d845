// DB: a persistent, ordered key-value store of SST files (memtable, WAL,
// MANIFEST, flush and leveled compaction), RocksDB-style, with one column
// family and the bytewise key order.
//
// Files in the DB directory: NNNNNN.log (WAL), NNNNNN.sst, MANIFEST-NNNNNN,
// CURRENT (names the live MANIFEST), LOCK, LOG (every option after
// sanitization, and events). How each is opened (buffered, direct, mmap) is
// decided by the I/O options alone (strata/options.h).
//
// Thread-safety: every method may be called concurrently. Iterators and
// snapshots are used by one thread at a time and must be released before
// the DB is closed or destroyed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "strata/iterator.h"
#include "strata/options.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class WriteBatch;  // strata/write_batch.h

// A consistent read view (DB::GetSnapshot); released with
// DB::ReleaseSnapshot.
class Snapshot {
 public:
  virtual uint64_t GetSequenceNumber() const = 0;

 protected:
  virtual ~Snapshot() = default;
};

// One live SST (DB::GetLiveFilesMetaData).
struct LiveFileMetaData {
  std::string name;  // "/000012.sst"-style, relative to the DB directory.
  std::string db_path;
  int level = 0;
  uint64_t file_number = 0;
  uint64_t size = 0;
  std::string smallest_key, largest_key;  // User keys.
  uint64_t smallest_seqno = 0, largest_seqno = 0;
  uint64_t num_entries = 0, num_deletions = 0;
};

class DB {
 public:
  // Opens (creating with options.create_if_missing) the DB in `path`.
  // Validates the options first (the exact RocksDB texts for the conflicts
  // RocksDB also rejects), then, if a direct option is on, probes every data
  // directory with an aligned direct write and read before creating any
  // file; then recovers the MANIFEST and replays the WAL.
  static Status Open(const Options& options, const std::string& path,
                     std::unique_ptr<DB>* db);
  // Read-only: no LOCK, no WAL, no flush or compaction, no file is written;
  // WAL contents are replayed into memory. Writes return NotSupported.
  static Status OpenForReadOnly(const Options& options, const std::string& path,
                                std::unique_ptr<DB>* db);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the DB if Close() was not called (ignoring its status).
  virtual ~DB() = default;

  virtual Status Put(const WriteOptions& options, Slice key, Slice value) = 0;
  virtual Status Delete(const WriteOptions& options, Slice key) = 0;
  virtual Status SingleDelete(const WriteOptions& options, Slice key) = 0;
  // Deletes every key in [begin_key, end_key).
  virtual Status DeleteRange(const WriteOptions& options, Slice begin_key,
                             Slice end_key) = 0;
  // Applies the batch atomically (all or nothing, also across a crash).
  virtual Status Write(const WriteOptions& options, WriteBatch* batch) = 0;

  // NotFound if the key has no visible value.
  virtual Status Get(const ReadOptions& options, Slice key,
                     std::string* value) = 0;
  // One status per key; block reads of one file are batched into one
  // MultiRead.
  virtual std::vector<Status> MultiGet(const ReadOptions& options,
                                       const std::vector<Slice>& keys,
                                       std::vector<std::string>* values) = 0;
  virtual std::unique_ptr<Iterator> NewIterator(
      const ReadOptions& options) = 0;

  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Writes the memtable to an L0 SST.
  virtual Status Flush(const FlushOptions& options) = 0;
  // Writes the WAL's buffered bytes to the OS (manual_wal_flush), and syncs
  // them with `sync`.
  virtual Status FlushWAL(bool sync) = 0;
  // Compacts every level's files overlapping [begin, end] (null = unbounded)
  // down to the last level holding data; waits for the result.
  virtual Status CompactRange(const CompactRangeOptions& options,
                              const Slice* begin, const Slice* end) = 0;
  // Waits until no flush or compaction is running or needed.
  virtual Status WaitForCompact() = 0;

  // Adds SST files written by SstFileWriter (strata's or RocksDB's): see
  // IngestExternalFileOptions. Each file's keys must not overlap the other
  // files of the call.
  virtual Status IngestExternalFile(
      const std::vector<std::string>& paths,
      const IngestExternalFileOptions& options) = 0;

  // "rocksdb.stats", "rocksdb.levelstats", "rocksdb.sstables",
  // "rocksdb.num-files-at-level<N>", "rocksdb.estimate-num-keys", ...
  // and "strata.stats", "strata.levelstats", "strata.sstables",
  // "strata.io" (bytes per file kind and I/O mode). False if unknown.
  virtual bool GetProperty(Slice property, std::string* value) = 0;
  virtual bool GetIntProperty(Slice property, uint64_t* value) = 0;
  virtual std::vector<LiveFileMetaData> GetLiveFilesMetaData() = 0;

  // Changes mutable options by RocksDB name ("write_buffer_size",
  // "compaction_readahead_size", ...). Immutable or unknown names, or bad
  // values: InvalidArgument naming them; nothing is changed then.
  virtual Status SetOptions(
      const std::unordered_map<std::string, std::string>& new_options) = 0;
  // A copy of the options in effect (after sanitization and SetOptions).
  virtual Options GetOptions() const = 0;

  // After a background error (a failed flush or compaction), retries it;
  // OK once the DB accepts writes again.
  virtual Status Resume() = 0;
  // Flushes (unless avoid_flush_during_shutdown), waits for background
  // work, closes every file. Later calls fail; calling it twice is OK.
  virtual Status Close() = 0;
};

// Deletes the DB's files and its directory (if then empty).
Status DestroyDB(const std::string& path, const Options& options);

}  // namespace strata
