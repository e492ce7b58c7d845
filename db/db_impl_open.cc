// DB::Open, recovery, obsolete-file cleanup, Close and DestroyDB.
#include <algorithm>
#include <cinttypes>

#include "db/db_impl.h"
#include "db/db_options.h"
#include "db/direct_io_probe.h"
#include "db/filename.h"
#include "db/wal_reader.h"
#include "db/write_batch_internal.h"
#include "env/sequential_file_reader.h"
#include "env/statistics_file_system.h"
#include "table/table_properties.h"

namespace strata {
namespace {

// Collects WAL damage for the recovery-mode decision.
class WalReporter final : public WalReader::Reporter {
 public:
  void Corruption(uint64_t offset, uint64_t bytes_dropped,
                  const Status& status) override {
    if (first_.ok()) {
      first_ = status;
      first_offset_ = offset;
    }
    dropped_bytes_ += bytes_dropped;
    ++count_;
  }
  Status first_;
  uint64_t first_offset_ = 0;
  uint64_t dropped_bytes_ = 0;
  int count_ = 0;
};

// The directory holding `path` ("/" for "/db", "." for "db").
std::string ParentDir(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  const size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

Status OpenDB(const Options& options, const std::string& path, bool read_only,
              std::unique_ptr<DB>* result) {
  result->reset();
  Status s = ValidateOptions(options);
  if (!s.ok()) return s;
  Options sanitized = SanitizeOptions(options);
  FileSystem* fs = sanitized.env->file_system();

  std::string fallback_warning;
  const bool wants_direct = sanitized.use_direct_reads ||
                            sanitized.use_direct_io_for_flush_and_compaction;
  bool created_dir = false;
  if (!read_only) {
    if (!fs->FileExists(path).ok()) {
      if (!sanitized.create_if_missing) {
        return Status::InvalidArgument(
            path + ": does not exist (create_if_missing is false)");
      }
      IOStatus io = fs->CreateDirIfMissing(path);
      if (!io.ok()) return io;
      created_dir = true;
      // The new directory's own entry must be durable, or power loss takes
      // the whole DB, synced writes included, with it.
      io = SyncDir(fs, ParentDir(path));
      if (!io.ok()) {
        (void)fs->DeleteDir(path);
        return io;
      }
    }
    if (wants_direct) {
      // Through the statistics like every other file of the store, so the
      // probe's direct write and read show up in the I/O counters.
      std::unique_ptr<FileSystem> counted;
      if (sanitized.statistics != nullptr) {
        counted = NewStatisticsFileSystem(fs, sanitized.statistics.get());
      }
      s = ProbeDirectIO(counted != nullptr ? counted.get() : fs, path);
      if (!s.ok()) {
        if (!sanitized.direct_io_fallback) {
          if (created_dir) (void)fs->DeleteDir(path);
          return s;
        }
        fallback_warning = "direct I/O refused, falling back to buffered I/O (" +
                           s.ToString() + ")";
        sanitized.use_direct_reads = false;
        sanitized.use_direct_io_for_flush_and_compaction = false;
        if (sanitized.statistics != nullptr) {
          sanitized.statistics->recordTick(DIRECT_IO_FALLBACK);
        }
      }
    }
  }
  auto impl = std::make_unique<DBImpl>(sanitized, path, read_only);
  if (!fallback_warning.empty()) impl->set_fallback_warning(fallback_warning);
  s = impl->OpenImpl();
  if (!s.ok()) return s;
  *result = std::move(impl);
  return Status::OK();
}

}  // namespace

Status DB::Open(const Options& options, const std::string& path,
                std::unique_ptr<DB>* db) {
  return OpenDB(options, path, /*read_only=*/false, db);
}

Status DB::OpenForReadOnly(const Options& options, const std::string& path,
                           std::unique_ptr<DB>* db) {
  return OpenDB(options, path, /*read_only=*/true, db);
}

Status DestroyDB(const std::string& path, const Options& options) {
  FileSystem* fs = options.env->file_system();
  std::vector<std::string> names;
  IOStatus io = fs->GetChildren(path, &names);
  if (!io.ok()) {
    return io.IsNotFound() ? Status::OK() : Status(io);
  }
  std::unique_ptr<FileLock> lock;
  io = fs->LockFile(LockFileName(path), &lock);
  if (!io.ok()) return io;
  Status result;
  for (const auto& name : names) {
    uint64_t number;
    DBFileType type;
    if (!ParseFileName(name, &number, &type) || type == DBFileType::kLock) {
      continue;
    }
    IOStatus d = fs->DeleteFile(path + "/" + name);
    if (!d.ok() && result.ok()) result = d;
  }
  (void)fs->UnlockFile(std::move(lock));
  (void)fs->DeleteFile(LockFileName(path));
  (void)fs->DeleteDir(path);  // Fails (ignored) if other files remain.
  return result;
}

DBImpl::DBImpl(const Options& options, const std::string& dbname,
               bool read_only)
    : dbname_(dbname),
      read_only_(read_only),
      env_(options.env),
      clock_(options.env->clock()),
      statistics_(options.statistics),
      session_id_(NewDbSessionId()),
      options_(options) {
  fs_ = env_->file_system();
  if (statistics_ != nullptr) {
    stats_fs_ = NewStatisticsFileSystem(fs_, statistics_.get());
    fs_ = stats_fs_.get();
  }
  table_cache_ = std::make_unique<TableCache>(dbname_, options_, fs_,
                                              statistics_.get());
  readahead_pool_.SetBackgroundThreads(kReadaheadThreads);
  user_readahead_pool_.SetBackgroundThreads(kReadaheadThreads);
  if (options_.background_table_writes) {
    table_write_pool_ = std::make_unique<ThreadPool>();
    table_write_pool_->SetBackgroundThreads(
        std::max(1, options_.max_background_jobs));
  }
  if (options_.compression_parallel_threads > 1 &&
      options_.table_options.compression != CompressionType::kNoCompression) {
    compression_pool_ = std::make_unique<ThreadPool>();
    compression_pool_->SetBackgroundThreads(
        options_.compression_parallel_threads);
  }
  picker_ = std::make_unique<CompactionPicker>(PickerOptions());
}

DBImpl::~DBImpl() { (void)Close(); }

CompactionOptions DBImpl::PickerOptions() const {
  CompactionOptions c;
  c.num_levels = options_.num_levels;
  c.level0_file_num_compaction_trigger =
      options_.level0_file_num_compaction_trigger;
  c.max_bytes_for_level_base = options_.max_bytes_for_level_base;
  c.max_bytes_for_level_multiplier = options_.max_bytes_for_level_multiplier;
  c.target_file_size_base = options_.target_file_size_base;
  c.target_file_size_multiplier = options_.target_file_size_multiplier;
  c.max_compaction_bytes = options_.max_compaction_bytes;
  return c;
}

Status DBImpl::OpenImpl() {
  std::unique_lock<std::mutex> lock(mutex_);
  Status s;
  if (!read_only_) {
    std::unique_ptr<FileLock> file_lock;
    IOStatus io = fs_->LockFile(LockFileName(dbname_), &file_lock);
    if (!io.ok()) return io;
    db_lock_ = std::move(file_lock);
    s = InfoLog::Open(fs_, clock_, dbname_, &info_log_);
    if (!s.ok()) return s;
    info_log_->Log("strata: opening %s (session %s)", dbname_.c_str(),
                   session_id_.c_str());
    for (const std::string& line : DescribeOptions(options_)) {
      info_log_->Log("%s", line.c_str());
    }
    if (!fallback_warning_.empty()) {
      info_log_->Log("WARNING: %s", fallback_warning_.c_str());
    }
  }
  versions_ = std::make_unique<VersionSet>(dbname_, &options_, fs_,
                                           info_log_.get());
  const bool exists = fs_->FileExists(CurrentFileName(dbname_)).ok();
  if (!exists) {
    if (read_only_ || !options_.create_if_missing) {
      return Status::InvalidArgument(
          dbname_ + ": no DB here (CURRENT is missing) and " +
          (read_only_ ? "a read-only open creates nothing"
                      : "create_if_missing is false"));
    }
    s = versions_->CreateNew(NewDbSessionId());
    if (!s.ok()) return s;
  } else if (options_.error_if_exists) {
    return Status::InvalidArgument(dbname_ +
                                   ": exists (error_if_exists is true)");
  }
  s = versions_->Recover();
  if (!s.ok()) return s;

  // WALs to replay: those at or after the MANIFEST's log number.
  std::vector<std::string> names;
  IOStatus io = fs_->GetChildren(dbname_, &names);
  if (!io.ok()) return io;
  std::vector<uint64_t> wals;
  for (const auto& name : names) {
    uint64_t number;
    DBFileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    versions_->MarkFileNumberUsed(number);
    if (type == DBFileType::kWal && (number >= versions_->log_number() ||
                                     number == versions_->prev_log_number())) {
      wals.push_back(number);
    }
  }
  std::sort(wals.begin(), wals.end());
  VersionEdit edit;
  SequenceNumber max_sequence = versions_->last_sequence();
  lock.unlock();
  s = RecoverWals(wals, &edit, &max_sequence);
  lock.lock();
  if (!s.ok()) return s;
  versions_->set_last_sequence(max_sequence);
  last_sequence_.store(max_sequence);
  if (mem_.mem == nullptr) mem_.mem = NewMemTable();

  if (read_only_) {
    return Status::OK();
  }
  uint64_t wal_number = 0;
  s = NewWal(options_, &wal_, &wal_number);
  if (!s.ok()) return s;
  mem_.wal_number = wal_number;
  edit.set_log_number(wal_number);
  edit.set_last_sequence(max_sequence);
  s = versions_->LogAndApply(&edit);
  if (!s.ok()) return s;
  DeleteObsoleteFiles(lock);
  info_log_->Log("Opened: %s", versions_->current()->DebugString().c_str());
  MaybeScheduleBackgroundWork();
  return Status::OK();
}

Status DBImpl::NewWal(const Options& options, std::unique_ptr<WalWriter>* wal,
                      uint64_t* number) {
  *number = versions_->NewFileNumber();
  const std::string path = WalFileName(dbname_, *number);
  std::unique_ptr<WritableFile> file;
  IOStatus io = fs_->NewWritableFile(
      path, FileOptionsFor(FileKind::kWal, options), &file);
  if (!io.ok()) return io;
  WritableFileWriterOptions wo;
  wo.max_buffer_bytes = options.writable_file_max_buffer_size;
  wo.bytes_per_sync = options.wal_bytes_per_sync;
  std::unique_ptr<WritableFileWriter> writer;
  Status s = WritableFileWriter::Create(std::move(file), wo, &writer);
  if (!s.ok()) return s;
  *wal = std::make_unique<WalWriter>(std::move(writer), *number,
                                     options.manual_wal_flush);
  // A synced write must survive power loss: the WAL's directory entry
  // has to be durable before the first one is acknowledged.
  io = SyncDir(fs_, dbname_);
  if (!io.ok()) {
    (void)(*wal)->Close();
    wal->reset();
    (void)fs_->DeleteFile(path);
    return io;
  }
  return Status::OK();
}

Status DBImpl::RecoverWals(std::vector<uint64_t> wal_numbers,
                           VersionEdit* edit, SequenceNumber* max_sequence) {
  auto mem = NewMemTable();
  bool stop = false;
  for (uint64_t number : wal_numbers) {
    if (stop) {
      if (info_log_ != nullptr) {
        info_log_->Log("WAL %06" PRIu64 " skipped (point-in-time recovery)",
                       number);
      }
      continue;
    }
    Status s = ReplayWal(number, &mem, edit, max_sequence, &stop);
    if (!s.ok()) return s;
  }
  if (mem->empty() && mem->num_range_deletes() == 0) return Status::OK();
  if (read_only_) {
    mem_.mem = mem;
    return Status::OK();
  }
  // The recovered entries go to L0 with the flush I/O mode, so the old WALs
  // can be deleted once the edit is durable.
  FileMetaData meta;
  bool wrote = false;
  Status s = WriteLevel0Table({mem}, {}, versions_->NewFileNumber(),
                              OutputContext(), &meta, &wrote);
  if (!s.ok()) return s;
  if (wrote) edit->AddFile(0, meta);
  return Status::OK();
}

Status DBImpl::ReplayWal(uint64_t number, std::shared_ptr<MemTable>* mem,
                         VersionEdit* edit, SequenceNumber* max_sequence,
                         bool* stop_replay) {
  const std::string path = WalFileName(dbname_, number);
  std::unique_ptr<SequentialFile> file;
  IOStatus io = fs_->NewSequentialFile(
      path, FileOptionsFor(FileKind::kWal, options_), &file);
  if (!io.ok()) return io;
  std::unique_ptr<SequentialFileReader> reader;
  Status s = SequentialFileReader::Create(std::move(file), &reader);
  if (!s.ok()) return s;
  WalReporter reporter;
  WalReader wal(std::move(reader), &reporter, /*verify_checksums=*/true);
  const WALRecoveryMode mode = options_.wal_recovery_mode;

  Slice record;
  std::string scratch;
  WriteBatch batch;
  uint64_t records = 0;
  while (wal.ReadRecord(&record, &scratch)) {
    if (reporter.count_ > 0 && mode != WALRecoveryMode::kSkipAnyCorruptedRecords) {
      // Damage followed by good records: not a torn tail.
      if (mode == WALRecoveryMode::kPointInTimeRecovery) {
        *stop_replay = true;
        break;
      }
      return Status::Corruption(
          path + ": damaged record at offset " +
          std::to_string(reporter.first_offset_) +
          " followed by good records: " + reporter.first_.ToString());
    }
    s = WriteBatchInternal::SetContents(&batch, record);
    if (!s.ok()) {
      return Status::Corruption(path + ": record at offset " +
                                std::to_string(wal.last_record_offset()) +
                                ": " + s.ToString());
    }
    const SequenceNumber first = WriteBatchInternal::Sequence(batch);
    s = ApplyToMemTable(batch, mem->get());
    if (!s.ok()) {
      return Status::Corruption(path + ": record at offset " +
                                std::to_string(wal.last_record_offset()) +
                                ": " + s.ToString());
    }
    const uint32_t count = WriteBatchInternal::Count(batch);
    if (count > 0) {
      *max_sequence = std::max(*max_sequence, first + count - 1);
    }
    ++records;
    if (!read_only_ &&
        (*mem)->ApproximateMemoryUsage() > options_.write_buffer_size) {
      FileMetaData meta;
      bool wrote = false;
      s = WriteLevel0Table({*mem}, {}, versions_->NewFileNumber(),
                           OutputContext(), &meta, &wrote);
      if (!s.ok()) return s;
      if (wrote) edit->AddFile(0, meta);
      *mem = NewMemTable();
    }
  }
  if (!wal.status().ok()) return wal.status();
  if (reporter.count_ > 0) {
    // Damage with no good record after it. It is still damage, not a torn
    // tail (the reader reports a torn tail through tail_torn(), below): a
    // bad fragment makes the reader drop the rest of its 32 KiB block, so
    // good records after it in the same block never show up here.
    switch (mode) {
      case WALRecoveryMode::kAbsoluteConsistency:
      case WALRecoveryMode::kTolerateCorruptedTailRecords:
        return Status::Corruption(path + ": damaged record at offset " +
                                  std::to_string(reporter.first_offset_) +
                                  ": " + reporter.first_.ToString());
      case WALRecoveryMode::kSkipAnyCorruptedRecords:
        if (info_log_ != nullptr) {
          info_log_->Log("%s: dropped %" PRIu64
                         " damaged bytes at the tail: %s",
                         path.c_str(), reporter.dropped_bytes_,
                         reporter.first_.ToString().c_str());
        }
        break;
      case WALRecoveryMode::kPointInTimeRecovery:
        *stop_replay = true;
        break;
    }
  }
  if (wal.tail_torn()) {
    if (mode == WALRecoveryMode::kAbsoluteConsistency) {
      return Status::Corruption(path + ": record torn at offset " +
                                std::to_string(wal.end_of_good_data()) +
                                " (" + std::to_string(wal.torn_tail_bytes()) +
                                " bytes) under kAbsoluteConsistency");
    }
    if (info_log_ != nullptr) {
      info_log_->Log("%s: dropped a torn tail of %" PRIu64
                     " bytes at offset %" PRIu64,
                     path.c_str(), wal.torn_tail_bytes(),
                     wal.end_of_good_data());
    }
    if (mode == WALRecoveryMode::kPointInTimeRecovery) *stop_replay = true;
  }
  if (info_log_ != nullptr) {
    info_log_->Log("Recovered %" PRIu64 " records from WAL %06" PRIu64,
                   records, number);
  }
  return Status::OK();
}

void DBImpl::DeleteObsoleteFiles(std::unique_lock<std::mutex>& lock) {
  if (read_only_) return;
  // Tables of every Version still held by anyone (iterators, reads,
  // compactions) stay.
  std::set<uint64_t> live;
  versions_->AddLiveFiles(&live);
  std::vector<std::string> names;
  if (!fs_->GetChildren(dbname_, &names).ok()) return;
  const uint64_t log_number = versions_->log_number();
  const uint64_t prev_log = versions_->prev_log_number();
  const uint64_t manifest = versions_->manifest_number();
  std::vector<std::pair<std::string, uint64_t>> to_delete;
  std::vector<uint64_t> evict;
  for (const auto& name : names) {
    uint64_t number;
    DBFileType type;
    if (!ParseFileName(name, &number, &type)) continue;
    bool keep = true;
    switch (type) {
      case DBFileType::kWal:
        keep = number >= log_number || number == prev_log ||
               number == mem_.wal_number;
        break;
      case DBFileType::kManifest:
        keep = number >= manifest;
        break;
      case DBFileType::kTable: {
        keep = pending_outputs_.count(number) > 0 ||
               versions_->edit_in_doubt() || live.count(number) > 0;
        if (!keep) evict.push_back(number);
        break;
      }
      case DBFileType::kTemp:
        keep = pending_outputs_.count(number) > 0;
        break;
      case DBFileType::kCurrent:
      case DBFileType::kLock:
      case DBFileType::kInfoLog:
        break;
    }
    if (!keep) to_delete.emplace_back(dbname_ + "/" + name, number);
  }
  // Deleting needs no lock: the files are unreachable.
  lock.unlock();
  for (uint64_t number : evict) table_cache_->Evict(number);
  for (const auto& [path, number] : to_delete) {
    IOStatus s = fs_->DeleteFile(path);
    if (info_log_ != nullptr) {
      info_log_->Log("Delete %s: %s", path.c_str(), s.ToString().c_str());
    }
  }
  lock.lock();
}

Status DBImpl::Close() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_) return close_status_;
  lock.unlock();
  Status s = CloseImpl();
  lock.lock();
  closed_ = true;
  close_status_ = s;
  return s;
}

Status DBImpl::CloseImpl() {
  Status result;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!read_only_ && versions_ != nullptr && bg_error_.ok() &&
      !options_.avoid_flush_during_shutdown && has_unpersisted_data_ &&
      mem_.mem != nullptr && !mem_.mem->empty()) {
    lock.unlock();
    FlushOptions fo;
    result = Flush(fo);
    lock.lock();
  }
  shutting_down_ = true;
  while (bg_flush_scheduled_ > 0 || bg_compaction_scheduled_ > 0 ||
         manual_compactions_ > 0) {
    bg_cv_.wait(lock);
  }
  if (wal_ != nullptr) {
    Status s = wal_->Close();
    if (result.ok()) result = s;
    wal_.reset();
  }
  if (versions_ != nullptr) {
    Status s = versions_->Close();
    if (result.ok()) result = s;
  }
  table_cache_->EvictAll();
  if (info_log_ != nullptr) {
    info_log_->Log("Closed");
    info_log_->Close();
  }
  if (db_lock_ != nullptr) {
    (void)fs_->UnlockFile(std::move(db_lock_));
  }
  return result;
}

}  // namespace strata
