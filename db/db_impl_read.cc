// The read path: Get, MultiGet, iterators and snapshots.
#include <algorithm>
#include <cstring>

#include "db/db_impl.h"
#include "db/db_iter.h"
#include "db/level_iterator.h"
#include "db/merging_iterator.h"
#include "db/range_tombstones.h"
#include "table/table_iterator.h"
#include "util/coding.h"

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
  view.db = this;
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

void DBImpl::UnpinReadView(ReadView* view) {
  auto drop = [view] {
    view->mem.reset();
    view->imm.clear();
    view->version.reset();
  };
  const Version* version = view->version.get();
  if (version == nullptr) return;
  std::weak_ptr<const Version> stale;  // Set when it was not current.
  if (versions_->IsCurrent(version)) {
    // The common case, kept to two loads: a current Version is also held by
    // the VersionSet, so dropping ours frees nothing. If it stopped being
    // current meanwhile, ours may have been the last reference.
    drop();
    if (versions_->IsCurrent(version)) return;
  } else {
    stale = view->version;
    drop();
  }
  // Under the mutex, no obsolete-file pass is holding the Version for a
  // moment (counting its tables as live), so `stale` has its final answer:
  // still held by another reader, which cleans up in turn, or gone.
  std::unique_lock<std::mutex> lock(mutex_);
  if (shutting_down_) return;  // Close has run: nothing may change on disk.
  if (!stale.expired()) return;
  DeleteObsoleteFiles(lock);
}

TableReadOptions DBImpl::UserTableReadOptions(
    const ReadOptions& options) const {
  TableReadOptions t;
  t.verify_checksums = options.verify_checksums;
  t.fill_cache = options.fill_cache;
  t.readahead_bytes = options.readahead_size;
  if (options.background_readahead) {
    t.readahead_executor = &user_readahead_pool_;
  }
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

// An internal key (user key, sequence, type) in a buffer on the stack
// when it fits: Get builds two, and user keys are usually short.
class StackInternalKey {
 public:
  StackInternalKey(Slice user_key, uint64_t trailer) {
    const size_t size = user_key.size() + kInternalKeyTrailerSize;
    char* dst = inline_;
    if (size > sizeof(inline_)) {
      heap_.resize(size);
      dst = heap_.data();
    }
    std::memcpy(dst, user_key.data(), user_key.size());
    EncodeFixed64(dst + user_key.size(), trailer);
    key_ = Slice(dst, size);
  }
  StackInternalKey(const StackInternalKey&) = delete;
  StackInternalKey& operator=(const StackInternalKey&) = delete;

  Slice key() const { return key_; }

 private:
  char inline_[96];
  std::string heap_;  // When the key does not fit inline_.
  Slice key_;
};

bool InFileRange(const FileMetaData& f, Slice user_key) {
  return user_key.compare(f.smallest_user_key()) >= 0 &&
         user_key.compare(f.largest_user_key()) <= 0;
}

// The answer a table's entry for the key (`found_key`, the newest version
// visible at the read sequence) gives, with range tombstones up to
// max_covering hiding it. Counts the level hit.
Status AnswerFromTableEntry(Slice found_key, SequenceNumber max_covering,
                            int level, const TableReader& table,
                            Statistics* statistics) {
  ParsedInternalKey parsed;
  STRATA_RETURN_IF_ERROR(ParseInternalKey(found_key, &parsed));
  if (statistics != nullptr) {
    statistics->recordTick(level == 0   ? GET_HIT_L0
                           : level == 1 ? GET_HIT_L1
                                        : GET_HIT_L2_AND_UP);
  }
  if (parsed.sequence < max_covering) return Status::NotFound();
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
          table.file().path());
  }
}

// Looks `key` up in the memtables newest first; true when one of them
// settled it (*s is then the answer). Raises *max_covering to the range
// tombstones seen.
bool GetFromMemTables(const MemTable& mem,
                      const std::vector<std::shared_ptr<MemTable>>& imm,
                      SequenceNumber sequence, Slice key, std::string* value,
                      SequenceNumber* max_covering, Status* s) {
  SequenceNumber found_seq = 0;
  for (size_t i = 0; i <= imm.size(); ++i) {
    const MemTable& m = i == 0 ? mem : *imm[i - 1];
    switch (m.Get(key, sequence, value, &found_seq, max_covering)) {
      case MemTable::GetResult::kFound:
        *s = Status::OK();
        return true;
      case MemTable::GetResult::kDeleted:
        *s = Status::NotFound();
        return true;
      case MemTable::GetResult::kNotPresent:
        break;
    }
  }
  *s = Status::NotFound();
  return false;
}

// One key of a MultiGet that the memtables did not settle.
struct PendingKey {
  size_t index = 0;  // Into the caller's keys, values and statuses.
  Slice user_key;
  std::string lookup;  // Internal key at the read sequence.
  SequenceNumber max_covering = 0;
  bool done = false;
  std::string found_key;  // TableReader::MultiGet's output.
};

// MultiGet's walk of the tree: the keys of `pending` are looked up level by
// level, newest file first, with one TableReader::MultiGet per file for the
// keys that file may hold, each key following GetFromTables' rules. Writes
// the answers of the keys it settles into (*values)[index] and
// (*statuses)[index]; undecided keys are left NotFound.
class TableMultiGetter {
 public:
  TableMultiGetter(TableCache* table_cache, Statistics* statistics,
                   const TableReadOptions& read_options,
                   SequenceNumber sequence, std::vector<std::string>* values,
                   std::vector<Status>* statuses)
      : table_cache_(table_cache),
        statistics_(statistics),
        read_options_(read_options),
        sequence_(sequence),
        values_(values),
        statuses_(statuses) {}

  void Run(const Version& version, std::vector<PendingKey>* pending) {
    std::vector<PendingKey*> group;
    std::vector<std::pair<size_t, PendingKey*>> by_file;
    for (int level = 0; level < version.num_levels(); ++level) {
      const auto& files = version.files(level);
      if (files.empty()) continue;
      if (level == 0) {
        // Every overlapping L0 file, newest first; a key leaves the batch
        // once a file settles it.
        for (const auto& f : files) {
          group.clear();
          for (PendingKey& k : *pending) {
            if (!k.done && InFileRange(*f, k.user_key)) group.push_back(&k);
          }
          if (!group.empty()) Probe(*f, level, group);
        }
        continue;
      }
      // At most one file per key; group the keys by it.
      by_file.clear();
      for (PendingKey& k : *pending) {
        if (k.done) continue;
        const int index = version.FindFile(level, k.lookup);
        if (index < 0 || static_cast<size_t>(index) >= files.size()) continue;
        if (!InFileRange(*files[index], k.user_key)) continue;
        by_file.emplace_back(static_cast<size_t>(index), &k);
      }
      std::stable_sort(
          by_file.begin(), by_file.end(),
          [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < by_file.size();) {
        group.clear();
        const size_t file = by_file[i].first;
        for (; i < by_file.size() && by_file[i].first == file; ++i) {
          group.push_back(by_file[i].second);
        }
        Probe(*files[file], level, group);
      }
    }
  }

 private:
  void Settle(PendingKey* k, Status s) {
    (*statuses_)[k->index] = std::move(s);
    k->done = true;
  }

  // GetFromTables' step for one file, for every key of `group`.
  void Probe(const FileMetaData& f, int level,
             const std::vector<PendingKey*>& group) {
    std::shared_ptr<const TableReader> table;
    Status s = table_cache_->FindTable(
        TableFileRef{f.number, f.file_size, f.global_seqno}, &table);
    if (!s.ok()) {
      for (PendingKey* k : group) Settle(k, s);
      return;
    }
    requests_.resize(group.size());
    for (size_t i = 0; i < group.size(); ++i) {
      PendingKey& k = *group[i];
      if (f.num_range_deletions > 0) {
        k.max_covering = std::max(
            k.max_covering,
            MaxCoveringIn(table->range_tombstones(), k.user_key, sequence_));
      }
      TableGetRequest& r = requests_[i];
      r.lookup_key = k.lookup;
      r.internal_key = &k.found_key;
      r.value = &(*values_)[k.index];
    }
    table->MultiGet(read_options_, requests_.data(), requests_.size());
    for (size_t i = 0; i < group.size(); ++i) {
      PendingKey& k = *group[i];
      const TableGetRequest& r = requests_[i];
      if (!r.status.ok()) {
        Settle(&k, r.status);
      } else if (r.found) {
        Settle(&k, AnswerFromTableEntry(k.found_key, k.max_covering, level,
                                        *table, statistics_));
      } else if (k.max_covering > 0) {
        // A tombstone here hides every older version below.
        Settle(&k, Status::NotFound());
      }
    }
  }

  TableCache* const table_cache_;
  Statistics* const statistics_;
  const TableReadOptions read_options_;
  const SequenceNumber sequence_;
  std::vector<std::string>* const values_;
  std::vector<Status>* const statuses_;
  std::vector<TableGetRequest> requests_;  // Reused from file to file.
};

}  // namespace

// Looks through the tree's files newest first. *decided is set when a file
// settled the answer (value found, or deleted).
Status DBImpl::GetFromTables(const ReadOptions& options,
                             const Version& version, Slice user_key,
                             SequenceNumber sequence,
                             SequenceNumber* max_covering, std::string* value,
                             bool* decided) {
  *decided = false;
  const StackInternalKey lookup_key(
      user_key, PackSequenceAndType(sequence, kValueTypeForSeek));
  const Slice lookup = lookup_key.key();
  const TableReadOptions read_options = UserTableReadOptions(options);
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
      if (!InFileRange(f, user_key)) continue;
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
      uint64_t found_trailer = 0;
      s = table->Get(read_options, lookup, &found, nullptr, value,
                     &found_trailer);
      if (!s.ok()) return s;
      if (found) {
        *decided = true;
        // The entry's user key is user_key: only its trailer was copied.
        const StackInternalKey found_key(user_key, found_trailer);
        return AnswerFromTableEntry(found_key.key(), *max_covering, level,
                                    *table, statistics_.get());
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
  Status s;
  bool decided = GetFromMemTables(*view.mem, view.imm, view.sequence, key,
                                  value, &max_covering, &s);
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

// Memtables first, key by key; then the keys they did not settle walk the
// tree together (TableMultiGetter), so that each file's block reads for the
// batch go out as one MultiRead. Every key gets Get's answer.
std::vector<Status> DBImpl::MultiGet(const ReadOptions& options,
                                     const std::vector<Slice>& keys,
                                     std::vector<std::string>* values) {
  values->assign(keys.size(), std::string());
  std::vector<Status> statuses(keys.size());
  ReadView view = PinReadView(options);
  Statistics* const stats = statistics_.get();
  std::vector<PendingKey> pending;
  uint64_t memtable_hits = 0;
  if (keys.size() == 1) {
    // A batch of one is a Get, without the batch's bookkeeping.
    SequenceNumber max_covering = 0;
    bool decided = GetFromMemTables(*view.mem, view.imm, view.sequence, keys[0],
                                    &(*values)[0], &max_covering, &statuses[0]);
    if (decided) {
      ++memtable_hits;
    } else {
      statuses[0] =
          GetFromTables(options, *view.version, keys[0], view.sequence,
                        &max_covering, &(*values)[0], &decided);
    }
  }
  for (size_t i = 0; keys.size() > 1 && i < keys.size(); ++i) {
    SequenceNumber max_covering = 0;
    if (GetFromMemTables(*view.mem, view.imm, view.sequence, keys[i],
                         &(*values)[i], &max_covering, &statuses[i])) {
      ++memtable_hits;
      continue;
    }
    PendingKey k;
    k.index = i;
    k.user_key = keys[i];
    k.lookup = MakeInternalKey(keys[i], view.sequence, kValueTypeForSeek);
    k.max_covering = max_covering;
    pending.push_back(std::move(k));
  }
  if (!pending.empty()) {
    TableMultiGetter getter(table_cache_.get(), stats,
                            UserTableReadOptions(options), view.sequence,
                            values, &statuses);
    getter.Run(*view.version, &pending);
  }
  uint64_t bytes_read = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].ok()) {
      bytes_read += (*values)[i].size();
    } else {
      (*values)[i].clear();
    }
  }
  if (stats != nullptr) {
    stats->recordTick(MEMTABLE_HIT, memtable_hits);
    stats->recordTick(MEMTABLE_MISS, keys.size() - memtable_hits);
    stats->recordTick(NUMBER_MULTIGET_CALLS);
    stats->recordTick(NUMBER_MULTIGET_KEYS_READ, keys.size());
    stats->recordTick(NUMBER_MULTIGET_BYTES_READ, bytes_read);
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
  // The iterator pins the memtables and the Version it reads (it must not
  // outlive the DB, whose table cache its tables come from).
  auto pinned = std::make_shared<ReadView>(std::move(view));
  iter_options.cleanup = [pinned]() mutable { pinned.reset(); };
  const SequenceNumber sequence = pinned->sequence;
  std::shared_ptr<const RangeTombstoneSet> shared_tombstones;
  if (!tombstones->empty()) shared_tombstones = std::move(tombstones);
  return NewDBIterator(NewMergingIterator(std::move(children)), sequence,
                       std::move(shared_tombstones), iter_options);
}

}  // namespace strata
