// The read path: Get, MultiGet, iterators and snapshots.
#include <algorithm>

#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/level_iterator.h"
#include "db/merging_iterator.h"
#include "db/range_tombstones.h"
#include "table/table_iterator.h"

namespace strata {

class DBImpl::SnapshotImpl final : public Snapshot {
 public:
  explicit SnapshotImpl(SequenceNumber seq) : sequence_(seq) {}
  ~SnapshotImpl() override = default;
  uint64_t GetSequenceNumber() const override { return sequence_; }

 private:
  const SequenceNumber sequence_;
};

const Snapshot* DBImpl::GetSnapshot() {
  std::lock_guard<std::mutex> lock(mutex_);
  const SequenceNumber seq = last_sequence_.load();
  snapshots_.insert(seq);
  return new SnapshotImpl(seq);
}

void DBImpl::ReleaseSnapshot(const Snapshot* snapshot) {
  if (snapshot == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = snapshots_.find(snapshot->GetSequenceNumber());
    if (it != snapshots_.end()) snapshots_.erase(it);
  }
  delete static_cast<const SnapshotImpl*>(snapshot);
}

std::vector<SequenceNumber> DBImpl::SnapshotSequences() {
  return std::vector<SequenceNumber>(snapshots_.begin(), snapshots_.end());
}

DBImpl::ReadView DBImpl::PinReadView(const ReadOptions& options) {
  ReadView view;
  std::lock_guard<std::mutex> lock(mutex_);
  view.mem = mem_.mem;
  view.imm.reserve(imm_.size());
  for (auto it = imm_.rbegin(); it != imm_.rend(); ++it) {
    view.imm.push_back(it->mem);
  }
  view.version = versions_->current();
  view.sequence = options.snapshot != nullptr
                      ? options.snapshot->GetSequenceNumber()
                      : last_sequence_.load();
  return view;
}

TableReadOptions DBImpl::UserTableReadOptions(
    const ReadOptions& options) const {
  TableReadOptions t;
  t.verify_checksums = options.verify_checksums;
  t.fill_cache = options.fill_cache;
  t.readahead_bytes = options.readahead_size;
  return t;
}

namespace {

// Largest sequence number (<= read_seq) of a tombstone in `tombstones`
// covering user_key; 0 if none.
SequenceNumber MaxCoveringIn(const std::vector<RangeTombstone>& tombstones,
                             Slice user_key, SequenceNumber read_seq) {
  SequenceNumber best = 0;
  for (const auto& t : tombstones) {
    if (t.sequence <= read_seq && t.sequence > best &&
        user_key.compare(Slice(t.begin_user_key)) >= 0 &&
        user_key.compare(Slice(t.end_user_key)) < 0) {
      best = t.sequence;
    }
  }
  return best;
}

}  // namespace

// Looks through the tree's files newest first. *decided is set when a file
// settled the answer (value found, or deleted).
Status DBImpl::GetFromTables(const ReadOptions& options,
                             const Version& version, Slice user_key,
                             SequenceNumber sequence,
                             SequenceNumber* max_covering, std::string* value,
                             bool* decided) {
  *decided = false;
  const std::string lookup =
      MakeInternalKey(user_key, sequence, kValueTypeForSeek);
  const TableReadOptions read_options = UserTableReadOptions(options);
  std::string found_key;
  for (int level = 0; level < version.num_levels(); ++level) {
    const auto& files = version.files(level);
    if (files.empty()) continue;
    size_t begin = 0, end = files.size();
    if (level > 0) {
      const int index = version.FindFile(level, lookup);
      if (index < 0 || static_cast<size_t>(index) >= files.size()) continue;
      begin = static_cast<size_t>(index);
      end = begin + 1;
    }
    for (size_t i = begin; i < end; ++i) {
      const FileMetaData& f = *files[i];
      if (user_key.compare(f.smallest_user_key()) < 0 ||
          user_key.compare(f.largest_user_key()) > 0) {
        continue;
      }
      std::shared_ptr<const TableReader> table;
      Status s = table_cache_->FindTable(
          TableFileRef{f.number, f.file_size, f.global_seqno}, &table);
      if (!s.ok()) return s;
      if (f.num_range_deletions > 0) {
        *max_covering = std::max(
            *max_covering,
            MaxCoveringIn(table->range_tombstones(), user_key, sequence));
      }
      bool found = false;
      s = table->Get(read_options, lookup, &found, &found_key, value);
      if (!s.ok()) return s;
      if (found) {
        ParsedInternalKey parsed;
        s = ParseInternalKey(found_key, &parsed);
        if (!s.ok()) return s;
        if (statistics_ != nullptr) {
          statistics_->recordTick(level == 0   ? GET_HIT_L0
                                  : level == 1 ? GET_HIT_L1
                                               : GET_HIT_L2_AND_UP);
        }
        *decided = true;
        if (parsed.sequence < *max_covering) return Status::NotFound();
        switch (parsed.type) {
          case ValueType::kValue:
            return Status::OK();
          case ValueType::kDeletion:
          case ValueType::kSingleDeletion:
            return Status::NotFound();
          default:
            return Status::NotSupported(
                std::string("Get of an entry of type ") +
                ValueTypeName(static_cast<uint8_t>(parsed.type)) + " in " +
                table->file().path());
        }
      }
      if (*max_covering > 0) {
        // A tombstone here hides every older version below.
        *decided = true;
        return Status::NotFound();
      }
    }
  }
  return Status::NotFound();
}

Status DBImpl::GetFromView(const ReadOptions& options, const ReadView& view,
                           Slice key, std::string* value) {
  SequenceNumber max_covering = 0;
  SequenceNumber found_seq = 0;
  auto from_mem = [&](const MemTable& mem, bool* decided) -> Status {
    *decided = true;
    switch (mem.Get(key, view.sequence, value, &found_seq, &max_covering)) {
      case MemTable::GetResult::kFound:
        return Status::OK();
      case MemTable::GetResult::kDeleted:
        return Status::NotFound();
      case MemTable::GetResult::kNotPresent:
        break;
    }
    *decided = false;
    return Status::NotFound();
  };
  bool decided = false;
  Status s = from_mem(*view.mem, &decided);
  for (size_t i = 0; !decided && i < view.imm.size(); ++i) {
    s = from_mem(*view.imm[i], &decided);
  }
  if (statistics_ != nullptr) {
    statistics_->recordTick(decided ? MEMTABLE_HIT : MEMTABLE_MISS);
  }
  if (!decided) {
    s = GetFromTables(options, *view.version, key, view.sequence,
                      &max_covering, value, &decided);
  }
  if (statistics_ != nullptr) {
    statistics_->recordTick(NUMBER_KEYS_READ);
    if (s.ok()) statistics_->recordTick(BYTES_READ, value->size());
  }
  return s;
}

Status DBImpl::Get(const ReadOptions& options, Slice key,
                   std::string* value) {
  value->clear();
  ReadView view = PinReadView(options);
  Status s = GetFromView(options, view, key, value);
  if (!s.ok()) value->clear();
  return s;
}

std::vector<Status> DBImpl::MultiGet(const ReadOptions& options,
                                     const std::vector<Slice>& keys,
                                     std::vector<std::string>* values) {
  values->assign(keys.size(), std::string());
  std::vector<Status> statuses(keys.size());
  ReadView view = PinReadView(options);
  for (size_t i = 0; i < keys.size(); ++i) {
    statuses[i] = GetFromView(options, view, keys[i], &(*values)[i]);
    if (!statuses[i].ok()) (*values)[i].clear();
  }
  if (statistics_ != nullptr) {
    statistics_->recordTick(NUMBER_MULTIGET_CALLS);
    statistics_->recordTick(NUMBER_MULTIGET_KEYS_READ, keys.size());
  }
  return statuses;
}

std::unique_ptr<Iterator> DBImpl::NewIterator(const ReadOptions& options) {
  ReadView view = PinReadView(options);
  const TableReadOptions read_options = UserTableReadOptions(options);
  std::vector<std::unique_ptr<InternalIterator>> children;
  auto tombstones = std::make_shared<RangeTombstoneSet>();
  Status error;

  auto add_mem = [&](const std::shared_ptr<MemTable>& mem) {
    children.push_back(mem->NewIterator());
    if (mem->num_range_deletes() > 0) {
      for (const auto& t : mem->GetRangeTombstones()) tombstones->Add(t);
    }
  };
  add_mem(view.mem);
  for (const auto& mem : view.imm) add_mem(mem);

  const Version& version = *view.version;
  for (int level = 0; level < version.num_levels(); ++level) {
    const auto& files = version.files(level);
    for (const auto& f : files) {
      if (f->num_range_deletions == 0) continue;
      std::shared_ptr<const TableReader> table;
      Status s = table_cache_->FindTable(
          TableFileRef{f->number, f->file_size, f->global_seqno}, &table);
      if (!s.ok()) {
        error = s;
        break;
      }
      for (const auto& t : table->range_tombstones()) tombstones->Add(t);
    }
    if (files.empty()) continue;
    if (level == 0) {
      for (const auto& f : files) {
        children.push_back(table_cache_->NewIterator(
            read_options,
            TableFileRef{f->number, f->file_size, f->global_seqno}));
      }
      continue;
    }
    std::vector<LevelFileRange> ranges;
    ranges.reserve(files.size());
    for (const auto& f : files) ranges.push_back({f->smallest, f->largest});
    // The opener captures the file list by value (shared_ptrs keep it
    // valid) and the table cache, which lives as long as the DB.
    TableCache* cache = table_cache_.get();
    auto level_files = files;
    children.push_back(NewLevelIterator(
        std::move(ranges),
        [cache, level_files, read_options](size_t index) {
          const FileMetaData& f = *level_files[index];
          return cache->NewIterator(
              read_options,
              TableFileRef{f.number, f.file_size, f.global_seqno});
        }));
  }
  if (!error.ok()) {
    children.clear();
    children.push_back(NewEmptyInternalIterator(error));
  }
  tombstones->Finish();

  DBIterOptions iter_options;
  if (options.iterate_lower_bound != nullptr) {
    iter_options.lower_bound = options.iterate_lower_bound->ToString();
  }
  if (options.iterate_upper_bound != nullptr) {
    iter_options.upper_bound = options.iterate_upper_bound->ToString();
  }
  // The iterator pins the memtables and the Version it reads.
  auto pinned = std::make_shared<ReadView>(std::move(view));
  iter_options.cleanup = [pinned]() mutable { pinned.reset(); };
  const SequenceNumber sequence = pinned->sequence;
  std::shared_ptr<const RangeTombstoneSet> shared_tombstones;
  if (!tombstones->empty()) shared_tombstones = std::move(tombstones);
  return NewDBIterator(NewMergingIterator(std::move(children)), sequence,
                       std::move(shared_tombstones), iter_options);
}

}  // namespace strata
