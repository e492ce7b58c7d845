// DBImpl: the store behind strata::DB.
//
// Concurrency model (LevelDB's, kept simple): one mutex (mutex_) guards the
// memtable list, the WAL, the VersionSet, snapshots and background state.
// Writers queue up; the writer at the front commits a group of batches to
// the WAL and the memtable with the mutex released (it is the only thread
// that inserts into the memtable), then publishes the new last sequence
// number. Readers take the mutex only to pin the memtables and the current
// Version (shared_ptrs), then read without it. Flush and compaction run on
// the Env's thread pool; a compaction runs with the mutex released, and the
// files it reads are marked busy so no other compaction takes them.
//
// Files: see strata/db.h. Which file is opened how: db/db_options.h
// (FileOptionsFor), the only place that decides it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "db/compaction.h"
#include "db/compaction_picker.h"
#include "db/info_log.h"
#include "db/memtable.h"
#include "db/table_cache.h"
#include "db/table_output.h"
#include "db/version_set.h"
#include "db/wal_writer.h"
#include "strata/db.h"
#include "strata/statistics.h"
#include "strata/thread_pool.h"
#include "strata/write_batch.h"

namespace strata {

class DBImpl final : public DB {
 public:
  DBImpl(const Options& sanitized_options, const std::string& dbname,
         bool read_only);
  ~DBImpl() override;

  // Everything Open does after option validation and the probe.
  Status OpenImpl();

  Status Put(const WriteOptions& options, Slice key, Slice value) override;
  Status Delete(const WriteOptions& options, Slice key) override;
  Status SingleDelete(const WriteOptions& options, Slice key) override;
  Status DeleteRange(const WriteOptions& options, Slice begin_key,
                     Slice end_key) override;
  Status Write(const WriteOptions& options, WriteBatch* batch) override;

  Status Get(const ReadOptions& options, Slice key,
             std::string* value) override;
  std::vector<Status> MultiGet(const ReadOptions& options,
                               const std::vector<Slice>& keys,
                               std::vector<std::string>* values) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;

  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;

  Status Flush(const FlushOptions& options) override;
  Status FlushWAL(bool sync) override;
  Status CompactRange(const CompactRangeOptions& options, const Slice* begin,
                      const Slice* end) override;
  Status WaitForCompact() override;
  Status IngestExternalFile(const std::vector<std::string>& paths,
                            const IngestExternalFileOptions& options) override;

  bool GetProperty(Slice property, std::string* value) override;
  bool GetIntProperty(Slice property, uint64_t* value) override;
  std::vector<LiveFileMetaData> GetLiveFilesMetaData() override;

  Status SetOptions(
      const std::unordered_map<std::string, std::string>& new_options) override;
  Options GetOptions() const override;
  Status Resume() override;
  Status Close() override;

  // Set by Open when direct I/O fell back to buffered (direct_io_fallback).
  void set_fallback_warning(std::string warning) {
    fallback_warning_ = std::move(warning);
  }

 private:
  // A thread waiting in the write queue (writers_).
  struct Writer {
    Writer(WriteBatch* b, const WriteOptions& o) : batch(b), options(o) {}
    WriteBatch* batch;
    const WriteOptions options;
    // Never joined to another writer's group: queued by Flush, FlushWAL and
    // ingestion to hold writes off.
    bool barrier = false;
    bool done = false;
    Status status;
    std::condition_variable cv;
  };
  class SnapshotImpl;
  // A memtable and the WAL that holds its entries.
  struct MemTableRef {
    std::shared_ptr<MemTable> mem;
    uint64_t wal_number = 0;
  };
  // What a read pins: memtables and the tree as of one moment. Move-only;
  // letting go of it (the destructor) goes through UnpinReadView, so that
  // no Get, MultiGet or iterator can forget to.
  struct ReadView {
    ReadView() = default;
    ReadView(ReadView&& other) noexcept
        : db(std::exchange(other.db, nullptr)),
          mem(std::move(other.mem)),
          imm(std::move(other.imm)),
          version(std::move(other.version)),
          sequence(other.sequence) {}
    ReadView& operator=(ReadView&&) = delete;
    ~ReadView() {
      if (db != nullptr) db->UnpinReadView(this);
    }

    DBImpl* db = nullptr;  // Set by PinReadView.
    std::shared_ptr<MemTable> mem;
    std::vector<std::shared_ptr<MemTable>> imm;  // Newest first.
    std::shared_ptr<const Version> version;
    SequenceNumber sequence = 0;
  };

  // ---- Open / recovery (db_impl_open.cc) ---------------------------------
  Status RecoverWals(std::vector<uint64_t> wal_numbers, VersionEdit* edit,
                     SequenceNumber* max_sequence);
  Status ReplayWal(uint64_t number, std::shared_ptr<MemTable>* mem,
                   VersionEdit* edit, SequenceNumber* max_sequence,
                   bool* stop_replay);
  // Creates the next WAL with `options`' WAL settings (a copy, so that it
  // may run without the mutex while SetOptions changes options_).
  Status NewWal(const Options& options, std::unique_ptr<WalWriter>* wal,
                uint64_t* number);
  // Deletes files no Version, pending output or live WAL needs.
  void DeleteObsoleteFiles(std::unique_lock<std::mutex>& lock);
  Status CloseImpl();

  // ---- Writes (db_impl_write.cc) ------------------------------------------
  Status MakeRoomForWrite(std::unique_lock<std::mutex>& lock, bool force);
  WriteBatch* BuildBatchGroup(Writer** last_writer);
  Status SwitchMemTable(std::unique_lock<std::mutex>& lock);
  // Starts a new WAL (syncing and closing the current one) for the writes
  // that follow; the memtable stays. Creating the WAL and syncing the old
  // one run with the mutex released: reads, flushes and compactions go on
  // meanwhile. REQUIRES: lock holds mutex_ (held again on return), no
  // group commit running (front of the write queue, or inside
  // MakeRoomForWrite), so that nothing else touches wal_.
  Status SwitchWal(std::unique_lock<std::mutex>& lock, uint64_t* new_number);
  // Waits until `w` is at the front of the write queue; while it stays
  // there no write runs. REQUIRES: lock holds mutex_.
  void JoinWriteQueueAsBarrier(Writer* w, std::unique_lock<std::mutex>& lock);
  // REQUIRES: mutex_ held and `w` at the front.
  void LeaveWriteQueue(Writer* w);
  // Flush: switches a non-empty memtable, queued like a writer so that no
  // group commit is inserting into it.
  Status SwitchMemTableForFlush();
  Status ApplyToMemTable(const WriteBatch& batch, MemTable* mem);
  // A memtable whose arena blocks are an eighth of write_buffer_size
  // (between 4 KiB and 1 MiB).
  std::shared_ptr<MemTable> NewMemTable() const;

  // ---- Reads (db_impl_read.cc) --------------------------------------------
  ReadView PinReadView(const ReadOptions& options);
  // Drops the view's pins (~ReadView: every Get, MultiGet and iterator
  // ends with it). When that lets go of the last reference to a Version that is no longer
  // current, the tables only that Version kept become obsolete, and they are
  // deleted here rather than left for the next flush, compaction or Open
  // (a long scan over an old Version would otherwise hold their disk space
  // for as long as no write comes).
  void UnpinReadView(ReadView* view);
  Status GetFromView(const ReadOptions& options, const ReadView& view,
                     Slice key, std::string* value);
  Status GetFromTables(const ReadOptions& options, const Version& version,
                       Slice user_key, SequenceNumber sequence,
                       SequenceNumber* max_covering, std::string* value,
                       bool* decided);
  TableReadOptions UserTableReadOptions(const ReadOptions& options) const;
  std::vector<SequenceNumber> SnapshotSequences();

  // ---- Background work (db_impl_background.cc) ----------------------------
  void MaybeScheduleBackgroundWork();
  void BackgroundFlush();
  void BackgroundCompaction();
  // Writes the oldest immutable memtable to L0.
  Status FlushOldestMemTable(std::unique_lock<std::mutex>& lock);
  // Writes `mems` (oldest first) into one L0 table; fills *meta (empty
  // number = nothing written).
  Status WriteLevel0Table(const std::vector<std::shared_ptr<MemTable>>& mems,
                          std::vector<SequenceNumber> snapshots,
                          uint64_t number, const TableOutputContext& context,
                          FileMetaData* meta, bool* wrote);
  // `caller_waits`: a manual compaction (CompactRange), whose caller waits
  // for it; it also decompresses its inputs ahead on the readahead threads.
  // A background compaction keeps to its one thread, leaving the other
  // cores to the foreground.
  Status RunCompaction(std::unique_lock<std::mutex>& lock,
                       std::unique_ptr<Compaction> compaction,
                       bool caller_waits);
  Status DoCompactionWork(const Compaction& compaction,
                          std::vector<SequenceNumber> snapshots,
                          const TableOutputContext& context, bool caller_waits,
                          std::vector<FileMetaData>* outputs);
  void SetBackgroundError(const Status& s, const char* what);
  // REQUIRES: mutex_ held (copies the options).
  TableOutputContext OutputContext() const;
  CompactionOptions PickerOptions() const;
  int NumLevel0Files() const;

  // ---- Immutable after construction ---------------------------------------
  const std::string dbname_;
  const bool read_only_;
  Env* const env_;
  Clock* const clock_;
  std::shared_ptr<Statistics> statistics_;
  // Threads that compress flush and compaction output blocks; null unless
  // compression_parallel_threads > 1 with compression. Declared early so
  // it outlives every job (jobs end in Close()).
  std::unique_ptr<ThreadPool> compression_pool_;
  // Reads the next readahead chunk of each compaction input while the
  // compaction consumes the current one (FilePrefetchBuffer's background
  // readahead), and for a manual compaction reads and decompresses each
  // input's blocks ahead of the merge (DecodeAhead, up to
  // kCompactionDecodeAheadBytes per input).
  ThreadPool readahead_pool_;
  static constexpr int kReadaheadThreads = 2;
  static constexpr size_t kCompactionDecodeAheadBytes = 256 << 10;
  // The same for user iterators (ReadOptions::background_readahead), apart
  // so that a scan's next chunk never waits behind compaction reads. Mutable:
  // const read paths hand it to their iterators.
  mutable ThreadPool user_readahead_pool_;
  // Writes full flush and compaction output buffers (one per running job at
  // most); null unless background_table_writes.
  std::unique_ptr<ThreadPool> table_write_pool_;
  std::unique_ptr<FileSystem> stats_fs_;  // Counts I/O when statistics_.
  FileSystem* fs_ = nullptr;              // stats_fs_ or the Env's.
  std::string session_id_;
  std::string fallback_warning_;

  // ---- Guarded by mutex_ ---------------------------------------------------
  mutable std::mutex mutex_;
  std::condition_variable bg_cv_;  // Background state changed.
  Options options_;                // Mutable parts change via SetOptions.
  std::unique_ptr<InfoLog> info_log_;
  std::unique_ptr<FileLock> db_lock_;
  std::unique_ptr<TableCache> table_cache_;
  std::unique_ptr<VersionSet> versions_;
  std::unique_ptr<CompactionPicker> picker_;

  std::deque<Writer*> writers_;
  std::unique_ptr<WriteBatch> group_batch_;
  MemTableRef mem_;
  std::deque<MemTableRef> imm_;  // Oldest first.
  std::unique_ptr<WalWriter> wal_;
  bool has_unpersisted_data_ = false;  // Writes made with disable_wal.
  // Last sequence number visible to readers.
  std::atomic<SequenceNumber> last_sequence_{0};

  std::multiset<SequenceNumber> snapshots_;

  int bg_flush_scheduled_ = 0;
  int bg_compaction_scheduled_ = 0;
  int bg_compaction_running_ = 0;
  int manual_compactions_ = 0;
  std::set<uint64_t> busy_files_;       // Inputs of running compactions.
  std::set<uint64_t> pending_outputs_;  // Files being written.
  Status bg_error_;
  bool shutting_down_ = false;
  bool closed_ = false;
  Status close_status_;

  // Counters for GetProperty("rocksdb.stats").
  uint64_t flush_count_ = 0;
  uint64_t compaction_count_ = 0;
  uint64_t compaction_bytes_read_ = 0;
  uint64_t compaction_bytes_written_ = 0;
  uint64_t flush_bytes_written_ = 0;
  uint64_t stall_micros_ = 0;
};

}  // namespace strata
