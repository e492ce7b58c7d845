// Background work: flushes, compactions, manual CompactRange, background
// errors and Resume.
#include <algorithm>
#include <cinttypes>

#include "db/compaction_iterator.h"
#include "db/db_impl.h"
#include "db/db_options.h"
#include "db/filename.h"
#include "db/merging_iterator.h"
#include "db/range_tombstones.h"
#include "table/table_iterator.h"

namespace strata {

TableOutputContext DBImpl::OutputContext() const {
  TableOutputContext c;
  c.dbname = dbname_;
  c.options = std::make_shared<const Options>(options_);
  c.fs = fs_;
  c.statistics = statistics_.get();
  c.db_id = versions_->db_id();
  c.db_session_id = session_id_;
  c.creation_time = clock_->NowMicros() / 1000000;
  c.compression_executor = compression_pool_.get();
  c.write_executor = table_write_pool_.get();
  return c;
}

void DBImpl::SetBackgroundError(const Status& s, const char* what) {
  if (s.ok() || !bg_error_.ok()) return;
  bg_error_ = s;
  if (info_log_ != nullptr) {
    info_log_->Log("Background error in %s: %s", what, s.ToString().c_str());
  }
  bg_cv_.notify_all();
}

void DBImpl::MaybeScheduleBackgroundWork() {
  if (read_only_ || shutting_down_ || !bg_error_.ok()) return;
  ThreadPool* pool = env_->thread_pool();
  if (pool->num_threads() < options_.max_background_jobs) {
    pool->SetBackgroundThreads(options_.max_background_jobs);
  }
  if (!imm_.empty() && bg_flush_scheduled_ == 0) {
    ++bg_flush_scheduled_;
    pool->Schedule([this] { BackgroundFlush(); });
  }
  if (options_.disable_auto_compactions) return;
  const int max_compactions = std::max(1, options_.max_background_jobs - 1);
  if (bg_compaction_scheduled_ < max_compactions &&
      picker_->NeedsCompaction(*versions_->current(), busy_files_)) {
    ++bg_compaction_scheduled_;
    pool->Schedule([this] { BackgroundCompaction(); });
  }
}

void DBImpl::BackgroundFlush() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!imm_.empty() && bg_error_.ok()) {
    Status s = FlushOldestMemTable(lock);
    if (!s.ok()) {
      SetBackgroundError(s, "flush");
      break;
    }
  }
  --bg_flush_scheduled_;
  MaybeScheduleBackgroundWork();
  bg_cv_.notify_all();
}

Status DBImpl::WriteLevel0Table(
    const std::vector<std::shared_ptr<MemTable>>& mems,
    std::vector<SequenceNumber> snapshots, uint64_t number,
    const TableOutputContext& context, FileMetaData* meta, bool* wrote) {
  *wrote = false;
  std::vector<std::unique_ptr<InternalIterator>> children;
  RangeTombstoneSet tombstones;
  std::vector<RangeTombstone> all_tombstones;
  for (const auto& mem : mems) {
    children.push_back(mem->NewIterator());
    for (auto& t : mem->GetRangeTombstones()) {
      tombstones.Add(t);
      all_tombstones.push_back(std::move(t));
    }
  }
  tombstones.Finish();
  auto input = NewMergingIterator(std::move(children));
  CompactionIterator iter(input.get(), &tombstones, std::move(snapshots),
                          nullptr, /*bottommost=*/false, statistics_.get());
  iter.SeekToFirst();
  if (!iter.Valid() && all_tombstones.empty()) return iter.status();

  std::unique_ptr<TableOutput> out;
  Status s = TableOutput::Open(context, FileKind::kTableFlush, number, &out);
  if (!s.ok()) return s;
  for (; s.ok() && iter.Valid(); iter.Next()) {
    s = out->Add(iter.key(), iter.value());
  }
  if (s.ok()) s = iter.status();
  for (size_t i = 0; s.ok() && i < all_tombstones.size(); ++i) {
    s = out->AddRangeTombstone(all_tombstones[i]);
  }
  if (!s.ok()) {
    out->Abandon();
    return s;
  }
  s = out->Finish(meta);
  if (s.ok()) {
    s = VerifyNewTable(context, *meta, context.options->paranoid_file_checks);
  }
  if (!s.ok()) {
    (void)fs_->DeleteFile(TableFileName(dbname_, number));
    return s;
  }
  if (statistics_ != nullptr) {
    statistics_->recordTick(FLUSH_WRITE_BYTES, meta->file_size);
  }
  *wrote = true;
  return Status::OK();
}

Status DBImpl::FlushOldestMemTable(std::unique_lock<std::mutex>& lock) {
  MemTableRef target = imm_.front();
  std::vector<SequenceNumber> snapshots = SnapshotSequences();
  // The number is reserved while the lock is held, so obsolete-file
  // cleanup leaves the file alone while it is written.
  const uint64_t number = versions_->NewFileNumber();
  pending_outputs_.insert(number);
  const TableOutputContext context = OutputContext();
  lock.unlock();
  FileMetaData meta;
  bool wrote = false;
  const uint64_t start = clock_->NowMicros();
  Status s = WriteLevel0Table({target.mem}, std::move(snapshots), number,
                              context, &meta, &wrote);
  lock.lock();
  if (!s.ok()) {
    pending_outputs_.erase(number);
    return s;
  }

  VersionEdit edit;
  if (wrote) edit.AddFile(0, meta);
  // Every WAL before the next memtable's is now redundant.
  const uint64_t next_wal =
      imm_.size() > 1 ? imm_[1].wal_number : mem_.wal_number;
  edit.set_log_number(next_wal);
  edit.set_last_sequence(last_sequence_.load());
  s = versions_->LogAndApply(&edit);
  pending_outputs_.erase(number);
  if (!s.ok()) return s;
  imm_.pop_front();
  ++flush_count_;
  flush_bytes_written_ += wrote ? meta.file_size : 0;
  if (info_log_ != nullptr) {
    info_log_->Log("Flush: table #%" PRIu64 " (%" PRIu64 " bytes, %" PRIu64
                   " entries) in %" PRIu64 " us",
                   wrote ? meta.number : 0, wrote ? meta.file_size : 0,
                   wrote ? meta.num_entries : 0, clock_->NowMicros() - start);
  }
  DeleteObsoleteFiles(lock);
  bg_cv_.notify_all();
  return Status::OK();
}

Status DBImpl::Flush(const FlushOptions& options) {
  if (read_only_) {
    return Status::NotSupported(dbname_ + ": the DB was opened read-only");
  }
  Status s = SwitchMemTableForFlush();
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> lock(mutex_);
  MaybeScheduleBackgroundWork();
  if (!options.wait) return Status::OK();
  while (!imm_.empty() && bg_error_.ok()) bg_cv_.wait(lock);
  return bg_error_;
}

void DBImpl::BackgroundCompaction() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!shutting_down_ && bg_error_.ok() && !options_.disable_auto_compactions) {
    auto compaction =
        picker_->PickCompaction(*versions_->current(), busy_files_);
    if (compaction != nullptr) {
      Status s = RunCompaction(lock, std::move(compaction),
                               /*caller_waits=*/false);
      if (!s.ok()) SetBackgroundError(s, "compaction");
    }
  }
  --bg_compaction_scheduled_;
  MaybeScheduleBackgroundWork();
  bg_cv_.notify_all();
}

Status DBImpl::RunCompaction(std::unique_lock<std::mutex>& lock,
                             std::unique_ptr<Compaction> c,
                             bool caller_waits) {
  const std::vector<uint64_t> inputs = c->InputFileNumbers();
  for (uint64_t n : inputs) busy_files_.insert(n);
  ++bg_compaction_running_;
  const uint64_t start = clock_->NowMicros();
  Status s;
  VersionEdit edit;
  c->AddInputDeletions(&edit);
  std::vector<FileMetaData> outputs;
  if (c->IsTrivialMove()) {
    const auto& f = c->inputs(0)[0];
    edit.AddFile(c->output_level(), *f);
    outputs.push_back(*f);
  } else {
    std::vector<SequenceNumber> snapshots = SnapshotSequences();
    const TableOutputContext context = OutputContext();
    lock.unlock();
    s = DoCompactionWork(*c, std::move(snapshots), context, caller_waits,
                         &outputs);
    lock.lock();
    if (s.ok()) {
      for (const auto& out : outputs) edit.AddFile(c->output_level(), out);
    }
  }
  bool edit_failed = false;
  if (s.ok()) {
    edit.set_last_sequence(last_sequence_.load());
    s = versions_->LogAndApply(&edit);
    edit_failed = !s.ok();
  }
  for (const auto& out : outputs) pending_outputs_.erase(out.number);
  for (uint64_t n : inputs) busy_files_.erase(n);
  picker_->ReleaseCompaction(c.get());
  --bg_compaction_running_;
  if (s.ok()) {
    ++compaction_count_;
    if (!c->IsTrivialMove()) {
      compaction_bytes_read_ += c->TotalInputBytes();
      for (const auto& out : outputs) {
        compaction_bytes_written_ += out.file_size;
      }
    }
    if (info_log_ != nullptr) {
      info_log_->Log("Compaction %s -> %zu files in %" PRIu64 " us%s",
                     c->DebugString().c_str(), outputs.size(),
                     clock_->NowMicros() - start,
                     c->IsTrivialMove() ? " (trivial move)" : "");
    }
  } else if (!c->IsTrivialMove() && !edit_failed) {
    // (After a failed edit the outputs stay: the edit may be durable.
    // DeleteObsoleteFiles removes them once a new MANIFEST is written.)
    for (const auto& out : outputs) {
      (void)fs_->DeleteFile(TableFileName(dbname_, out.number));
    }
  }
  // The compaction holds its input files' metadata: while it lives they
  // count as live, and nothing would delete them before the next flush or
  // compaction (or ever, after the last one).
  c.reset();
  DeleteObsoleteFiles(lock);
  bg_cv_.notify_all();
  return s;
}

Status DBImpl::DoCompactionWork(const Compaction& c,
                                std::vector<SequenceNumber> snapshots,
                                const TableOutputContext& context,
                                bool caller_waits,
                                std::vector<FileMetaData>* outputs) {
  // Inputs get their own readers: background I/O mode, compaction
  // readahead, nothing put in the block cache.
  TableReadOptions read_options;
  read_options.for_compaction = true;
  read_options.compaction_readahead_bytes =
      EffectiveCompactionReadahead(*context.options);
  read_options.fill_cache = false;
  read_options.verify_checksums = true;
  read_options.readahead_executor = &readahead_pool_;
  // A compaction someone waits for has its inputs decompressed on the
  // readahead threads, ahead of the merge: a manual zstd compaction spends
  // about a fifth of its time decompressing.
  read_options.decode_ahead_bytes =
      caller_waits ? kCompactionDecodeAheadBytes : 0;
  std::vector<std::unique_ptr<InternalIterator>> children;
  RangeTombstoneSet tombstones;
  std::vector<RangeTombstone> all_tombstones;
  uint64_t input_bytes = 0;
  for (int which = 0; which < 2; ++which) {
    for (const auto& f : c.inputs(which)) {
      std::unique_ptr<TableReader> reader;
      Status s = table_cache_->OpenBackgroundReader(
          FileKind::kTableCompactionInput, TableFileName(dbname_, f->number),
          f->file_size, f->global_seqno, &reader);
      if (!s.ok()) return s;
      input_bytes += f->file_size;
      for (const auto& t : reader->range_tombstones()) {
        tombstones.Add(t);
        all_tombstones.push_back(t);
      }
      std::shared_ptr<const TableReader> owner(std::move(reader));
      children.push_back(
          WrapTableIterator(owner->NewIterator(read_options), owner));
    }
  }
  tombstones.Finish();
  auto input = NewMergingIterator(std::move(children));
  CompactionIterator iter(
      input.get(), &tombstones, snapshots,
      [&c](Slice user_key) {
        return !c.KeyNotExistsBeyondOutputLevel(user_key);
      },
      c.bottommost() && c.output_level() > 0, statistics_.get());

  // Tombstones no reader can need any more are dropped at the bottom.
  std::vector<RangeTombstone> kept_tombstones;
  for (auto& t : all_tombstones) {
    const bool droppable = c.bottommost() && (snapshots.empty() ||
                                              t.sequence <= snapshots.front());
    if (!droppable) kept_tombstones.push_back(std::move(t));
  }
  // With tombstones to keep, everything goes to one output, whose range
  // covers them (so no two files of a level ever overlap).
  const uint64_t max_file_size =
      kept_tombstones.empty() ? c.max_output_file_size() : UINT64_MAX;

  std::unique_ptr<TableOutput> out;
  Status s;
  std::string last_user_key;
  auto finish_output = [&]() -> Status {
    FileMetaData meta;
    Status fs = out->Finish(&meta);
    if (fs.ok()) {
      fs = VerifyNewTable(context, meta, context.options->paranoid_file_checks);
    }
    out.reset();
    if (fs.ok()) {
      if (statistics_ != nullptr) {
        statistics_->recordTick(COMPACT_WRITE_BYTES, meta.file_size);
      }
      outputs->push_back(std::move(meta));
    }
    return fs;
  };
  std::vector<uint64_t> opened;  // Every output number taken.
  auto open_output = [&]() -> Status {
    uint64_t number;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      number = versions_->NewFileNumber();
      pending_outputs_.insert(number);
    }
    opened.push_back(number);
    return TableOutput::Open(context, FileKind::kTableCompactionOutput, number,
                             &out);
  };

  for (iter.SeekToFirst(); s.ok() && iter.Valid(); iter.Next()) {
    const Slice key = iter.key();
    const Slice user_key = ExtractUserKey(key);
    // Cut only between user keys, so a key's versions stay in one file.
    if (out != nullptr && out->file_size() >= max_file_size &&
        user_key.compare(Slice(last_user_key)) != 0) {
      s = finish_output();
      if (!s.ok()) break;
    }
    if (out == nullptr) {
      s = open_output();
      if (!s.ok()) break;
    }
    s = out->Add(key, iter.value());
    last_user_key.assign(user_key.data(), user_key.size());
  }
  if (s.ok()) s = iter.status();
  if (s.ok() && !kept_tombstones.empty()) {
    if (out == nullptr) s = open_output();
    for (size_t i = 0; s.ok() && i < kept_tombstones.size(); ++i) {
      s = out->AddRangeTombstone(kept_tombstones[i]);
    }
  }
  if (s.ok() && out != nullptr) s = finish_output();
  if (out != nullptr) out->Abandon();
  if (!s.ok()) {
    // The number of an output that did not finish (a failed write, sync or
    // check) is released, so that obsolete-file cleanup deletes whatever
    // is left of it; finished outputs are RunCompaction's to release.
    std::lock_guard<std::mutex> lock(mutex_);
    for (uint64_t number : opened) {
      bool finished = false;
      for (const auto& f : *outputs) finished = finished || f.number == number;
      if (!finished) pending_outputs_.erase(number);
    }
  }
  if (statistics_ != nullptr) {
    statistics_->recordTick(COMPACT_READ_BYTES, input_bytes);
  }
  return s;
}

Status DBImpl::CompactRange(const CompactRangeOptions& /*options*/,
                            const Slice* begin, const Slice* end) {
  if (read_only_) {
    return Status::NotSupported(dbname_ + ": the DB was opened read-only");
  }
  Status s = Flush(FlushOptions());
  if (!s.ok()) return s;
  std::unique_lock<std::mutex> lock(mutex_);
  ++manual_compactions_;
  // The deepest level holding a file in the range.
  int last_level = 0;
  {
    auto v = versions_->current();
    for (int level = 0; level < v->num_levels(); ++level) {
      Version::FileList files;
      v->GetOverlappingInputs(level, begin, end, &files);
      if (!files.empty()) last_level = level;
    }
  }
  // Every level above the deepest one holding data is compacted into the
  // next; data only in L0 goes to L1 (as RocksDB does). The deepest level
  // is not rewritten in place.
  const int levels_to_compact = std::max(last_level, 1);
  for (int level = 0; level < levels_to_compact && s.ok(); ++level) {
    while (bg_error_.ok() && !shutting_down_) {
      bool conflict = false;
      auto c =
          picker_->PickManualCompaction(*versions_->current(), level, level + 1,
                                        begin, end, busy_files_, &conflict);
      if (c == nullptr) {
        if (!conflict) break;  // Nothing left in this level's range.
        bg_cv_.wait(lock);     // A background compaction holds the files.
        continue;
      }
      s = RunCompaction(lock, std::move(c), /*caller_waits=*/true);
      if (!s.ok()) {
        SetBackgroundError(s, "manual compaction");
        break;
      }
    }
    if (s.ok()) s = bg_error_;
  }
  --manual_compactions_;
  MaybeScheduleBackgroundWork();
  bg_cv_.notify_all();
  return s;
}

Status DBImpl::WaitForCompact() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (bg_error_.ok() &&
         (!imm_.empty() || bg_flush_scheduled_ > 0 ||
          bg_compaction_scheduled_ > 0 ||
          (!options_.disable_auto_compactions &&
           picker_->NeedsCompaction(*versions_->current(), busy_files_)))) {
    MaybeScheduleBackgroundWork();
    bg_cv_.wait(lock);
  }
  return bg_error_;
}

Status DBImpl::Resume() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (bg_error_.ok()) return Status::OK();
  if (info_log_ != nullptr) {
    info_log_->Log("Resume after: %s", bg_error_.ToString().c_str());
  }
  // A failed WAL write leaves the WAL in an unknown state, and its writer
  // keeps failing: close it (ignoring that error) and start a new one. The
  // memtable whose acknowledged entries it holds is flushed before Resume
  // returns. Queued as a writer, so no group commit uses the WAL meanwhile.
  WriteBatch nothing;
  Writer w(&nothing, WriteOptions());
  JoinWriteQueueAsBarrier(&w, lock);
  Status s;
  if (wal_ != nullptr) {
    (void)wal_->Sync(options_.use_fsync);  // Best effort; see above.
    (void)wal_->Close();
    wal_.reset();
    const Status saved = bg_error_;
    bg_error_ = Status::OK();  // SwitchMemTable records its own errors.
    s = SwitchMemTable(lock);
    if (!s.ok() && bg_error_.ok()) bg_error_ = saved;
  }
  LeaveWriteQueue(&w);
  if (!s.ok()) return s;
  bg_error_ = Status::OK();
  MaybeScheduleBackgroundWork();
  while (bg_error_.ok() && (!imm_.empty() || bg_flush_scheduled_ > 0)) {
    bg_cv_.wait(lock);
  }
  return bg_error_;
}

}  // namespace strata
