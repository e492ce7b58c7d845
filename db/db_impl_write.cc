// The write path: group commit to the WAL and the memtable, memtable
// switches and write stalls.
#include <algorithm>
#include <cinttypes>

#include "db/db_impl.h"
#include "db/filename.h"
#include "db/write_batch_internal.h"

namespace strata {


namespace {

// Inserts a batch's entries into a memtable, one sequence number each.
class MemTableInserter final : public WriteBatch::Handler {
 public:
  MemTableInserter(SequenceNumber first, MemTable* mem)
      : sequence_(first), mem_(mem) {}
  Status Put(Slice key, Slice value) override {
    mem_->Add(sequence_++, ValueType::kValue, key, value);
    return Status::OK();
  }
  Status Delete(Slice key) override {
    mem_->Add(sequence_++, ValueType::kDeletion, key, Slice());
    return Status::OK();
  }
  Status SingleDelete(Slice key) override {
    mem_->Add(sequence_++, ValueType::kSingleDeletion, key, Slice());
    return Status::OK();
  }
  Status DeleteRange(Slice begin_key, Slice end_key) override {
    mem_->Add(sequence_++, ValueType::kRangeDeletion, begin_key, end_key);
    return Status::OK();
  }

 private:
  SequenceNumber sequence_;
  MemTable* const mem_;
};

}  // namespace

std::shared_ptr<MemTable> DBImpl::NewMemTable() const {
  const size_t block =
      std::clamp<size_t>(options_.write_buffer_size / 8, 4 << 10, 1 << 20);
  return std::make_shared<MemTable>(block);
}

Status DBImpl::ApplyToMemTable(const WriteBatch& batch, MemTable* mem) {
  MemTableInserter inserter(WriteBatchInternal::Sequence(batch), mem);
  return batch.Iterate(&inserter);
}

Status DBImpl::Put(const WriteOptions& options, Slice key, Slice value) {
  WriteBatch batch;
  Status s = batch.Put(key, value);
  if (!s.ok()) return s;
  return Write(options, &batch);
}

Status DBImpl::Delete(const WriteOptions& options, Slice key) {
  WriteBatch batch;
  Status s = batch.Delete(key);
  if (!s.ok()) return s;
  return Write(options, &batch);
}

Status DBImpl::SingleDelete(const WriteOptions& options, Slice key) {
  WriteBatch batch;
  Status s = batch.SingleDelete(key);
  if (!s.ok()) return s;
  return Write(options, &batch);
}

Status DBImpl::DeleteRange(const WriteOptions& options, Slice begin_key,
                           Slice end_key) {
  const int order = begin_key.compare(end_key);
  if (order > 0) {
    return Status::InvalidArgument("DeleteRange: end key 0x" +
                                   end_key.ToHex() +
                                   " comes before start key 0x" +
                                   begin_key.ToHex());
  }
  if (order == 0) return Status::OK();  // An empty range deletes nothing.
  WriteBatch batch;
  Status s = batch.DeleteRange(begin_key, end_key);
  if (!s.ok()) return s;
  return Write(options, &batch);
}

Status DBImpl::Write(const WriteOptions& options, WriteBatch* batch) {
  if (read_only_) {
    return Status::NotSupported(dbname_ + ": the DB was opened read-only");
  }
  if (batch == nullptr) return Status::InvalidArgument("Write: null batch");
  Writer w(batch, options);
  std::unique_lock<std::mutex> lock(mutex_);
  if (closed_ || shutting_down_) {
    return Status::InvalidArgument(dbname_ + ": the DB is closed");
  }
  writers_.push_back(&w);
  while (!w.done && &w != writers_.front()) w.cv.wait(lock);
  if (w.done) return w.status;

  Status s = MakeRoomForWrite(lock, /*force=*/false);
  Writer* last_writer = &w;
  if (s.ok()) {
    WriteBatch* group = BuildBatchGroup(&last_writer);
    const SequenceNumber first = last_sequence_.load() + 1;
    WriteBatchInternal::SetSequence(group, first);
    const uint32_t count = WriteBatchInternal::Count(*group);
    const bool use_wal = !w.options.disable_wal;
    const bool sync = w.options.sync;
    WalWriter* wal = wal_.get();
    MemTable* mem = mem_.mem.get();
    if (!use_wal) has_unpersisted_data_ = true;
    // The front writer is the only thread touching the WAL and inserting
    // into the memtable until it publishes; others wait in writers_.
    lock.unlock();
    if (use_wal) {
      s = wal->AddRecord(WriteBatchInternal::Contents(*group));
      if (s.ok() && sync) s = wal->Sync(options_.use_fsync);
    }
    if (s.ok()) s = ApplyToMemTable(*group, mem);
    if (statistics_ != nullptr) {
      statistics_->recordTick(NUMBER_KEYS_WRITTEN, count);
      statistics_->recordTick(BYTES_WRITTEN,
                              WriteBatchInternal::ByteSize(*group));
      statistics_->recordTick(WRITE_DONE_BY_SELF);
      if (use_wal) {
        statistics_->recordTick(WRITE_WITH_WAL);
        statistics_->recordTick(WAL_FILE_BYTES,
                                WriteBatchInternal::ByteSize(*group));
        if (sync) statistics_->recordTick(WAL_FILE_SYNCED);
      }
    }
    lock.lock();
    if (s.ok()) {
      last_sequence_.store(first + count - 1);
    } else if (use_wal) {
      // The WAL's state is unknown: no later write may be acknowledged.
      SetBackgroundError(s, "WAL write");
    }
    if (group == group_batch_.get()) group_batch_->Clear();
  }

  while (true) {
    Writer* ready = writers_.front();
    writers_.pop_front();
    if (ready != &w) {
      ready->status = s;
      ready->done = true;
      ready->cv.notify_one();
    }
    if (ready == last_writer) break;
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  return s;
}

// Joins the batches queued behind the front writer that may share its WAL
// record: same sync and WAL settings (a sync write never waits for a
// non-sync group, and vice versa), up to about 1 MiB.
WriteBatch* DBImpl::BuildBatchGroup(Writer** last_writer) {
  Writer* first = writers_.front();
  WriteBatch* result = first->batch;
  size_t size = WriteBatchInternal::ByteSize(*first->batch);
  size_t max_size = 1 << 20;
  if (size <= (128 << 10)) max_size = size + (128 << 10);
  *last_writer = first;
  for (auto it = writers_.begin() + 1; it != writers_.end(); ++it) {
    Writer* w = *it;
    if (w->barrier || w->options.sync != first->options.sync ||
        w->options.disable_wal != first->options.disable_wal) {
      break;
    }
    size += WriteBatchInternal::ByteSize(*w->batch);
    if (size > max_size) break;
    if (result == first->batch) {
      if (group_batch_ == nullptr) group_batch_ = std::make_unique<WriteBatch>();
      result = group_batch_.get();
      WriteBatchInternal::Append(result, *first->batch);
    }
    WriteBatchInternal::Append(result, *w->batch);
    *last_writer = w;
    if (statistics_ != nullptr) statistics_->recordTick(WRITE_DONE_BY_OTHER);
  }
  return result;
}

int DBImpl::NumLevel0Files() const {
  return versions_->current()->NumFiles(0);
}

// Waits until the memtable has room: slows writes down at the L0 slowdown
// trigger, stops them while too many memtables wait for a flush or L0 is at
// the stop trigger, and switches to a new memtable when the current one is
// full (or `force`).
Status DBImpl::MakeRoomForWrite(std::unique_lock<std::mutex>& lock,
                                bool force) {
  bool allow_delay = !force;
  while (true) {
    if (!bg_error_.ok()) return bg_error_;
    if (shutting_down_) {
      return Status::InvalidArgument(dbname_ + ": the DB is closing");
    }
    if (allow_delay && !options_.disable_auto_compactions &&
        NumLevel0Files() >= options_.level0_slowdown_writes_trigger) {
      // Give compaction a millisecond, once per write.
      lock.unlock();
      clock_->SleepForMicros(1000);
      lock.lock();
      stall_micros_ += 1000;
      if (statistics_ != nullptr) statistics_->recordTick(STALL_MICROS, 1000);
      allow_delay = false;
      continue;
    }
    if (!force &&
        mem_.mem->ApproximateMemoryUsage() <= options_.write_buffer_size) {
      return Status::OK();
    }
    if (static_cast<int>(imm_.size()) >= options_.max_write_buffer_number - 1 ||
        (!options_.disable_auto_compactions &&
         NumLevel0Files() >= options_.level0_stop_writes_trigger)) {
      // Wait for a flush or compaction to finish.
      const uint64_t start = clock_->NowMicros();
      MaybeScheduleBackgroundWork();
      bg_cv_.wait(lock);
      const uint64_t waited = clock_->NowMicros() - start;
      stall_micros_ += waited;
      if (statistics_ != nullptr) statistics_->recordTick(STALL_MICROS, waited);
      continue;
    }
    if (mem_.mem->empty() && mem_.mem->num_range_deletes() == 0) {
      return Status::OK();  // Nothing to switch away from.
    }
    Status s = SwitchMemTable(lock);
    if (!s.ok()) return s;
    force = false;
    MaybeScheduleBackgroundWork();
  }
}

// Starts a new WAL and memtable; the old memtable waits for its flush.
Status DBImpl::SwitchMemTable(std::unique_lock<std::mutex>& lock) {
  uint64_t number = 0;
  Status s = SwitchWal(lock, &number);
  if (!s.ok()) return s;
  imm_.push_back(mem_);
  mem_.mem = NewMemTable();
  mem_.wal_number = number;
  return Status::OK();
}

Status DBImpl::SwitchWal(std::unique_lock<std::mutex>& lock,
                         uint64_t* new_number) {
  // Syncing the old WAL writes out up to a memtable's worth of bytes (tens
  // of milliseconds): done under the mutex, it stalled every Get, flush
  // and compaction install for as long. The caller owns wal_ (front of the
  // write queue); options_ is copied, as SetOptions may change it.
  const Options options = options_;
  WalWriter* const old = wal_.get();
  lock.unlock();
  std::unique_ptr<WalWriter> wal;
  uint64_t number = 0;
  Status created = NewWal(options, &wal, &number);
  Status closed;
  if (created.ok() && old != nullptr) {
    // The old WAL is synced before the new one takes writes: a write synced
    // later must find every earlier write durable too (RocksDB's sync also
    // covers the older WALs), or recovery could show it without them.
    closed = old->Sync(options.use_fsync);
    if (closed.ok()) closed = old->Close();
    if (!closed.ok()) {
      (void)wal->Close();
      (void)fs_->DeleteFile(WalFileName(dbname_, number));
    }
  }
  lock.lock();
  if (!created.ok()) {
    SetBackgroundError(created, "creating a WAL");
    return created;
  }
  if (!closed.ok()) {
    SetBackgroundError(closed, "closing a WAL");
    return closed;
  }
  wal_ = std::move(wal);
  *new_number = number;
  return Status::OK();
}

void DBImpl::JoinWriteQueueAsBarrier(Writer* w,
                                     std::unique_lock<std::mutex>& lock) {
  w->barrier = true;
  writers_.push_back(w);
  while (w != writers_.front()) w->cv.wait(lock);
}

void DBImpl::LeaveWriteQueue(Writer* w) {
  (void)w;
  writers_.pop_front();
  if (!writers_.empty()) writers_.front()->cv.notify_one();
}

Status DBImpl::SwitchMemTableForFlush() {
  std::unique_lock<std::mutex> lock(mutex_);
  WriteBatch nothing;
  Writer w(&nothing, WriteOptions());
  JoinWriteQueueAsBarrier(&w, lock);
  Status s;
  if (!mem_.mem->empty() || mem_.mem->num_range_deletes() > 0) {
    s = MakeRoomForWrite(lock, /*force=*/true);
  }
  LeaveWriteQueue(&w);
  return s;
}

Status DBImpl::FlushWAL(bool sync) {
  if (read_only_) return Status::OK();
  // Queue like a writer, so that no group commit writes the WAL meanwhile.
  std::unique_lock<std::mutex> lock(mutex_);
  WriteBatch nothing;
  Writer w(&nothing, WriteOptions());
  JoinWriteQueueAsBarrier(&w, lock);
  Status s;
  if (wal_ != nullptr) {
    WalWriter* wal = wal_.get();
    lock.unlock();
    s = wal->Flush();
    if (s.ok() && sync) s = wal->Sync(options_.use_fsync);
    lock.lock();
  }
  LeaveWriteQueue(&w);
  return s;
}

}  // namespace strata
