#include "env/io_recorder.h"

#include <cstdint>
#include <utility>

namespace strata {

const char* FileOpName(FileOp op) {
  switch (op) {
    case FileOp::kOpenWritable:
      return "open_writable";
    case FileOp::kOpenRandomAccess:
      return "open_random_access";
    case FileOp::kOpenSequential:
      return "open_sequential";
    case FileOp::kOpenDirectory:
      return "open_directory";
    case FileOp::kRead:
      return "read";
    case FileOp::kSkip:
      return "skip";
    case FileOp::kPrefetch:
      return "prefetch";
    case FileOp::kHint:
      return "hint";
    case FileOp::kWrite:
      return "write";
    case FileOp::kTruncate:
      return "truncate";
    case FileOp::kFlush:
      return "flush";
    case FileOp::kSync:
      return "sync";
    case FileOp::kFsync:
      return "fsync";
    case FileOp::kRangeSync:
      return "range_sync";
    case FileOp::kAllocate:
      return "allocate";
    case FileOp::kInvalidateCache:
      return "invalidate_cache";
    case FileOp::kClose:
      return "close";
    case FileOp::kDirFsync:
      return "dir_fsync";
    case FileOp::kDelete:
      return "delete";
    case FileOp::kRename:
      return "rename";
    case FileOp::kLink:
      return "link";
    case FileOp::kCreateDir:
      return "create_dir";
    case FileOp::kCreateDirIfMissing:
      return "create_dir_if_missing";
    case FileOp::kDeleteDir:
      return "delete_dir";
    case FileOp::kGetChildren:
      return "get_children";
    case FileOp::kFileExists:
      return "file_exists";
    case FileOp::kGetFileSize:
      return "get_file_size";
    case FileOp::kLock:
      return "lock";
    case FileOp::kUnlock:
      return "unlock";
  }
  return "unknown";
}

size_t BufferAlignment(const void* buffer) {
  const uintptr_t address = reinterpret_cast<uintptr_t>(buffer);
  if (address == 0) {
    return 0;
  }
  // The lowest set bit of the address is the largest power of two that
  // divides it.
  const uintptr_t lowest_bit = address & (~address + 1);
  return lowest_bit > kMaxRecordedAlignment ? kMaxRecordedAlignment
                                            : static_cast<size_t>(lowest_bit);
}

std::string IORecord::ToString() const {
  std::string s = "#" + std::to_string(seq) + " " + FileOpName(op);
  if (op == FileOp::kWrite) {
    s += append ? "(append)" : "(positional)";
  }
  s += " " + path;
  if (!target.empty()) {
    s += " -> " + target;
  }
  s += std::string(" ") + FileKindName(kind) + " " + IOModeName(mode);
  s += " offset=" + std::to_string(offset) + " len=" + std::to_string(length) +
       " result=" + std::to_string(result_length) +
       " buf_align=" + std::to_string(buffer_alignment) + " " +
       status.ToString();
  if (fault_rule_id != 0) {
    s += " [rule " + std::to_string(fault_rule_id) + "]";
  }
  return s;
}

void IORecorder::Add(IORecord record) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!enabled_) {
    return;
  }
  record.seq = next_seq_++;
  record.thread = std::this_thread::get_id();
  records_.push_back(std::move(record));
}

std::vector<IORecord> IORecorder::Records() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_;
}

std::vector<IORecord> IORecorder::Records(const Predicate& pred) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<IORecord> result;
  for (const IORecord& r : records_) {
    if (pred(r)) {
      result.push_back(r);
    }
  }
  return result;
}

size_t IORecorder::Count(const Predicate& pred) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const IORecord& r : records_) {
    if (pred(r)) {
      ++n;
    }
  }
  return n;
}

size_t IORecorder::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return records_.size();
}

IOTotals IORecorder::Totals(FileOp op, FileKind kind, IOMode mode) const {
  return Totals([op, kind, mode](const IORecord& r) {
    return r.op == op && r.kind == kind && r.mode == mode;
  });
}

IOTotals IORecorder::Totals(const Predicate& pred) const {
  std::lock_guard<std::mutex> lock(mutex_);
  IOTotals totals;
  for (const IORecord& r : records_) {
    if (!pred(r)) {
      continue;
    }
    ++totals.ops;
    if (!r.status.ok()) {
      ++totals.failed_ops;
    }
    totals.requested_bytes += r.length;
    totals.result_bytes += r.result_length;
  }
  return totals;
}

void IORecorder::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  records_.clear();
}

void IORecorder::set_enabled(bool enabled) {
  std::lock_guard<std::mutex> lock(mutex_);
  enabled_ = enabled;
}

bool IORecorder::enabled() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return enabled_;
}

std::string IORecorder::Dump(const Predicate& pred) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const IORecord& r : records_) {
    if (!pred || pred(r)) {
      out += r.ToString();
      out += '\n';
    }
  }
  return out;
}

}  // namespace strata
