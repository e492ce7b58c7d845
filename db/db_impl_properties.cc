// GetProperty, live-file metadata, SetOptions and GetOptions.
#include <cinttypes>
#include <cstdio>

#include "db/db_impl.h"
#include "db/db_options.h"
#include "db/filename.h"

namespace strata {
namespace {

bool ConsumePrefix(Slice* s, const char* prefix) {
  Slice p(prefix);
  if (!s->starts_with(p)) return false;
  s->remove_prefix(p.size());
  return true;
}

}  // namespace

bool DBImpl::GetIntProperty(Slice property, uint64_t* value) {
  std::lock_guard<std::mutex> lock(mutex_);
  Slice name = property;
  if (!ConsumePrefix(&name, "rocksdb.") && !ConsumePrefix(&name, "strata.")) {
    return false;
  }
  auto v = versions_->current();
  const std::string n = name.ToString();
  if (n.rfind("num-files-at-level", 0) == 0) {
    const std::string digits = n.substr(18);
    if (digits.empty() || digits.size() > 3) return false;
    const int level = std::atoi(digits.c_str());
    if (level < 0 || level >= v->num_levels()) return false;
    *value = static_cast<uint64_t>(v->NumFiles(level));
    return true;
  }
  if (n == "estimate-num-keys") {
    uint64_t keys = mem_.mem->num_entries();
    for (const auto& m : imm_) keys += m.mem->num_entries();
    for (int level = 0; level < v->num_levels(); ++level) {
      for (const auto& f : v->files(level)) keys += f->num_entries;
    }
    *value = keys;
    return true;
  }
  if (n == "cur-size-all-mem-tables" || n == "size-all-mem-tables") {
    uint64_t bytes = mem_.mem->ApproximateMemoryUsage();
    for (const auto& m : imm_) bytes += m.mem->ApproximateMemoryUsage();
    *value = bytes;
    return true;
  }
  if (n == "cur-size-active-mem-table") {
    *value = mem_.mem->ApproximateMemoryUsage();
    return true;
  }
  if (n == "num-immutable-mem-table") {
    *value = imm_.size();
    return true;
  }
  if (n == "total-sst-files-size" || n == "live-sst-files-size" ||
      n == "estimate-live-data-size") {
    uint64_t bytes = 0;
    for (int level = 0; level < v->num_levels(); ++level) {
      bytes += v->NumLevelBytes(level);
    }
    *value = bytes;
    return true;
  }
  if (n == "num-running-compactions") {
    *value = static_cast<uint64_t>(bg_compaction_running_);
    return true;
  }
  if (n == "num-running-flushes") {
    *value = bg_flush_scheduled_ > 0 && !imm_.empty() ? 1 : 0;
    return true;
  }
  if (n == "compaction-pending") {
    *value = picker_->NeedsCompaction(*v, busy_files_) ? 1 : 0;
    return true;
  }
  if (n == "mem-table-flush-pending") {
    *value = imm_.empty() ? 0 : 1;
    return true;
  }
  if (n == "background-errors") {
    *value = bg_error_.ok() ? 0 : 1;
    return true;
  }
  if (n == "num-snapshots") {
    *value = snapshots_.size();
    return true;
  }
  if (n == "num-live-versions") {
    *value = 1;
    return true;
  }
  if (n == "block-cache-usage") {
    *value = options_.block_cache ? options_.block_cache->GetUsage() : 0;
    return true;
  }
  if (n == "block-cache-capacity") {
    *value = options_.block_cache ? options_.block_cache->GetCapacity() : 0;
    return true;
  }
  if (n == "stall-micros") {
    *value = stall_micros_;
    return true;
  }
  return false;
}

bool DBImpl::GetProperty(Slice property, std::string* value) {
  value->clear();
  Slice name = property;
  const bool strata_name = property.starts_with(Slice("strata."));
  if (!ConsumePrefix(&name, "rocksdb.") && !ConsumePrefix(&name, "strata.")) {
    return false;
  }
  uint64_t int_value = 0;
  if (GetIntProperty(property, &int_value)) {
    *value = std::to_string(int_value);
    return true;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  auto v = versions_->current();
  const std::string n = name.ToString();
  char line[512];
  if (n == "levelstats") {
    *value =
        "Level Files Size(MB)\n"
        "--------------------\n";
    for (int level = 0; level < v->num_levels(); ++level) {
      std::snprintf(line, sizeof(line), "%5d %5d %8.0f\n", level,
                    v->NumFiles(level),
                    static_cast<double>(v->NumLevelBytes(level)) / 1048576.0);
      *value += line;
    }
    return true;
  }
  if (n == "sstables") {
    *value = v->DebugString();
    return true;
  }
  if (n == "stats") {
    *value += "\n** Compaction Stats [default] **\n";
    *value += "Level    Files   Size(MB)\n";
    for (int level = 0; level < v->num_levels(); ++level) {
      if (v->NumFiles(level) == 0) continue;
      std::snprintf(line, sizeof(line), "  L%d %8d %10.1f\n", level,
                    v->NumFiles(level),
                    static_cast<double>(v->NumLevelBytes(level)) / 1048576.0);
      *value += line;
    }
    std::snprintf(line, sizeof(line),
                  "Flushes: %" PRIu64 ", %.1f MB written\n"
                  "Compactions: %" PRIu64 ", %.1f MB read, %.1f MB written\n"
                  "Stalls: %.3f s\n",
                  flush_count_,
                  static_cast<double>(flush_bytes_written_) / 1048576.0,
                  compaction_count_,
                  static_cast<double>(compaction_bytes_read_) / 1048576.0,
                  static_cast<double>(compaction_bytes_written_) / 1048576.0,
                  static_cast<double>(stall_micros_) / 1e6);
    *value += line;
    if (strata_name && statistics_ != nullptr) {
      *value += "\n** I/O by file kind and mode **\n";
      *value += statistics_->IOReport();
    }
    return true;
  }
  if (n == "io") {
    if (statistics_ == nullptr) {
      *value = "(no statistics: set Options::statistics)\n";
    } else {
      *value = statistics_->IOReport();
    }
    return true;
  }
  if (n == "options") {
    for (const auto& l : DescribeOptions(options_)) *value += l + "\n";
    return true;
  }
  return false;
}

std::vector<LiveFileMetaData> DBImpl::GetLiveFilesMetaData() {
  std::vector<LiveFileMetaData> result;
  std::lock_guard<std::mutex> lock(mutex_);
  auto v = versions_->current();
  for (int level = 0; level < v->num_levels(); ++level) {
    for (const auto& f : v->files(level)) {
      LiveFileMetaData m;
      m.name = "/" + TableFileBaseName(f->number);
      m.db_path = dbname_;
      m.level = level;
      m.file_number = f->number;
      m.size = f->file_size;
      m.smallest_key = f->smallest_user_key().ToString();
      m.largest_key = f->largest_user_key().ToString();
      m.smallest_seqno = f->smallest_seqno;
      m.largest_seqno = f->largest_seqno;
      m.num_entries = f->num_entries;
      m.num_deletions = f->num_deletions;
      result.push_back(std::move(m));
    }
  }
  return result;
}

Status DBImpl::SetOptions(
    const std::unordered_map<std::string, std::string>& new_options) {
  std::vector<std::pair<std::string, std::string>> changes(new_options.begin(),
                                                           new_options.end());
  std::sort(changes.begin(), changes.end());
  std::unique_lock<std::mutex> lock(mutex_);
  Options updated = options_;
  const uint64_t previous_wal_bytes_per_sync = options_.wal_bytes_per_sync;
  Status s = ApplyMutableOptions(changes, &updated);
  if (!s.ok()) return s;
  // The same adjustments as at Open: a single write buffer or an L0 stop
  // trigger below the compaction trigger would stop writes for good.
  options_ = SanitizeOptions(updated);
  // The picker knows the running compactions: it is replaced (with the new
  // level options) only when none runs.
  while (bg_compaction_running_ > 0 || manual_compactions_ > 0) {
    bg_cv_.wait(lock);
  }
  picker_ = std::make_unique<CompactionPicker>(PickerOptions());
  if (options_.wal_bytes_per_sync != previous_wal_bytes_per_sync &&
      wal_ != nullptr) {
    // A WAL's writer keeps the range-sync setting it was created with: the
    // change takes effect with a new WAL, as in RocksDB (spec S2). The
    // memtable stays; its WAL number stays the first of its WALs.
    WriteBatch nothing;
    Writer w(&nothing, WriteOptions());
    JoinWriteQueueAsBarrier(&w, lock);
    uint64_t number = 0;
    s = SwitchWal(lock, &number);
    LeaveWriteQueue(&w);
    if (!s.ok()) return s;
  }
  if (info_log_ != nullptr) {
    for (const auto& [name, value] : changes) {
      info_log_->Log("SetOptions: %s = %s", name.c_str(), value.c_str());
    }
  }
  MaybeScheduleBackgroundWork();
  return Status::OK();
}

Options DBImpl::GetOptions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return options_;
}

}  // namespace strata
