#include "matrix/matrix_evidence.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace strata::matrix {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kMaxFailuresPerCheck = 3;

uint64_t RoundUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

bool IsSstKind(FileKind kind) {
  return kind == FileKind::kTableFlush ||
         kind == FileKind::kTableCompactionOutput ||
         kind == FileKind::kTableCompactionInput ||
         kind == FileKind::kTableVerify || kind == FileKind::kTableUserRead ||
         kind == FileKind::kTableExternal;
}

bool IsOpen(FileOp op) {
  return op == FileOp::kOpenWritable || op == FileOp::kOpenRandomAccess ||
         op == FileOp::kOpenSequential;
}

const char* ShortKind(FileKind kind) {
  switch (kind) {
    case FileKind::kTableFlush:
      return "flush";
    case FileKind::kTableCompactionOutput:
      return "c_out";
    case FileKind::kTableCompactionInput:
      return "c_in";
    case FileKind::kTableVerify:
      return "verify";
    case FileKind::kTableUserRead:
      return "user";
    case FileKind::kTableExternal:
      return "ext";
    case FileKind::kWal:
      return "wal";
    case FileKind::kManifest:
      return "manifest";
    case FileKind::kCurrent:
      return "current";
    case FileKind::kInfoLog:
      return "log";
    case FileKind::kLock:
      return "lock";
    case FileKind::kTemp:
      return "temp";
    case FileKind::kOther:
      return "other";
  }
  return "?";
}

char ShortMode(IOMode mode) {
  switch (mode) {
    case IOMode::kBuffered:
      return 'B';
    case IOMode::kDirect:
      return 'D';
    case IOMode::kMmap:
      return 'M';
    case IOMode::kUncached:
      return 'U';
  }
  return '?';
}

// Collects failures of one check, keeping the first few in full.
class CheckLog {
 public:
  CheckLog(RowResult* result, std::string check)
      : result_(result), check_(std::move(check)) {}
  ~CheckLog() {
    if (count_ > kMaxFailuresPerCheck) {
      result_->Fail(check_ + ": " +
                    std::to_string(count_ - kMaxFailuresPerCheck) + " more");
    }
  }
  void Fail(const std::string& what) {
    if (++count_ <= kMaxFailuresPerCheck) result_->Fail(check_ + ": " + what);
  }

 private:
  RowResult* const result_;
  const std::string check_;
  size_t count_ = 0;
};

// The mode each kind must use for `op` (reads, writes, opens); false if
// any mode is fine (the direct-I/O probe, files of no kind).
bool ExpectedMode(const EvidenceInput& in, FileKind kind, FileOp op,
                  IOMode* mode) {
  const bool write = op == FileOp::kWrite || op == FileOp::kOpenWritable;
  switch (kind) {
    case FileKind::kTableFlush:
    case FileKind::kTableCompactionOutput:
      *mode = in.direct_flush  ? IOMode::kDirect
              : in.mmap_writes ? IOMode::kMmap
                               : IOMode::kBuffered;
      return true;
    case FileKind::kTableCompactionInput:
    case FileKind::kTableVerify:
      *mode = in.direct_flush ? IOMode::kDirect : IOMode::kBuffered;
      return true;
    case FileKind::kTableUserRead:
      *mode = in.direct_reads ? IOMode::kDirect
              : in.mmap_reads ? IOMode::kMmap
                              : IOMode::kBuffered;
      return true;
    case FileKind::kTableExternal:
      if (write) {
        *mode = in.sst_writer_direct ? IOMode::kDirect : IOMode::kBuffered;
      } else {
        *mode = in.direct_flush ? IOMode::kDirect : IOMode::kBuffered;
      }
      return true;
    case FileKind::kWal:
    case FileKind::kManifest:
    case FileKind::kCurrent:
    case FileKind::kInfoLog:
    case FileKind::kLock:
      *mode = IOMode::kBuffered;
      return true;
    case FileKind::kTemp:
    case FileKind::kOther:
      return false;
  }
  return false;
}

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1 << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1fM", bytes / 1048576.0);
  } else if (bytes >= 10240) {
    std::snprintf(buf, sizeof(buf), "%lluK",
                  static_cast<unsigned long long>(bytes >> 10));
  } else {
    std::snprintf(buf, sizeof(buf), "%llu",
                  static_cast<unsigned long long>(bytes));
  }
  return buf;
}

std::map<std::string, uint64_t> FileSizesFromRecords(
    const std::vector<IORecord>& records) {
  std::map<std::string, uint64_t> extent, truncated, stat_size;
  std::vector<std::pair<std::string, std::string>> links;
  for (const IORecord& r : records) {
    if (!r.ok()) continue;
    switch (r.op) {
      case FileOp::kWrite:
        extent[r.path] = std::max(extent[r.path], r.offset + r.result_length);
        break;
      case FileOp::kOpenWritable:
        extent[r.path] = 0;
        truncated.erase(r.path);
        break;
      case FileOp::kTruncate:
        truncated[r.path] = r.offset;
        break;
      case FileOp::kGetFileSize:
        stat_size[r.path] = r.result_length;
        break;
      case FileOp::kLink:
      case FileOp::kRename:
        links.emplace_back(r.path, r.target);
        break;
      default:
        break;
    }
  }
  std::map<std::string, uint64_t> sizes = extent;
  for (const auto& [path, size] : truncated) sizes[path] = size;
  for (const auto& [path, size] : stat_size) sizes[path] = size;
  for (const auto& [source, target] : links) {
    auto it = sizes.find(source);
    if (it != sizes.end() && !sizes.count(target)) sizes[target] = it->second;
  }
  return sizes;
}

uint64_t TouchedPageBytes(const std::vector<IORecord>& records,
                          const std::string& path, uint64_t file_size) {
  std::set<std::string> names = {path};
  for (const IORecord& r : records) {
    if ((r.op == FileOp::kLink || r.op == FileOp::kRename) && r.ok()) {
      if (names.count(r.path)) names.insert(r.target);
      if (names.count(r.target)) names.insert(r.path);
    }
  }
  std::set<uint64_t> pages;
  for (const IORecord& r : records) {
    if (!r.ok() || !names.count(r.path) || r.mode == IOMode::kDirect) continue;
    if (r.op != FileOp::kRead && r.op != FileOp::kWrite) continue;
    const uint64_t len = r.op == FileOp::kRead ? r.result_length : r.length;
    if (len == 0) continue;
    for (uint64_t p = r.offset / kPage; p <= (r.offset + len - 1) / kPage;
         ++p) {
      pages.insert(p);
    }
  }
  return std::min<uint64_t>(pages.size() * kPage, file_size);
}

void CheckIOEvidence(const EvidenceInput& in,
                     const std::vector<IORecord>& records,
                     const Statistics& stats, RowResult* result) {
  // 1. Every read, write and open of each kind in its mode; the kinds the
  //    workload must have produced are there.
  {
    CheckLog log(result, "mode");
    std::map<std::pair<FileKind, FileOp>, uint64_t> seen;
    for (const IORecord& r : records) {
      if (!r.ok()) continue;
      if (r.op != FileOp::kRead && r.op != FileOp::kWrite && !IsOpen(r.op)) {
        continue;
      }
      ++seen[{r.kind, r.op}];
      IOMode expected;
      if (ExpectedMode(in, r.kind, r.op, &expected) && r.mode != expected) {
        log.Fail(std::string("expected ") + IOModeName(expected) + ": " +
                 r.ToString());
      }
    }
    const std::pair<FileKind, FileOp> required[] = {
        {FileKind::kTableFlush, FileOp::kWrite},
        {FileKind::kTableCompactionOutput, FileOp::kWrite},
        {FileKind::kTableCompactionInput, FileOp::kRead},
        {FileKind::kTableVerify, FileOp::kRead},
        {FileKind::kTableUserRead, FileOp::kRead},
        {FileKind::kTableExternal, FileOp::kWrite},
        {FileKind::kTableExternal, FileOp::kRead},
        {FileKind::kWal, FileOp::kWrite},
        {FileKind::kWal, FileOp::kRead},
        {FileKind::kManifest, FileOp::kWrite},
        {FileKind::kManifest, FileOp::kRead},
        {FileKind::kCurrent, FileOp::kWrite},
        {FileKind::kInfoLog, FileOp::kWrite},
    };
    for (const auto& [kind, op] : required) {
      if (!seen.count({kind, op})) {
        log.Fail(std::string("the workload produced no ") + FileOpName(op) +
                 " of " + FileKindName(kind));
      }
    }
  }

  // 2. Direct operations are aligned in offset, length and buffer.
  {
    CheckLog log(result, "alignment");
    for (const IORecord& r : records) {
      if (r.mode != IOMode::kDirect || !r.ok()) continue;
      if (r.op != FileOp::kRead && r.op != FileOp::kWrite) continue;
      if (r.offset % in.offset_alignment != 0 ||
          r.length % in.offset_alignment != 0 ||
          r.buffer_alignment < in.memory_alignment) {
        log.Fail("not aligned to " + std::to_string(in.offset_alignment) + "/" +
                 std::to_string(in.memory_alignment) + ": " + r.ToString());
      }
    }
  }

  const std::map<std::string, uint64_t> sizes = FileSizesFromRecords(records);

  // 3. Compaction input reads come in readahead chunks.
  {
    CheckLog log(result, "compaction readahead");
    const uint64_t readahead =
        in.compaction_readahead == 0 ? (2 << 20) : in.compaction_readahead;
    const uint64_t align = in.direct_flush ? in.offset_alignment : kPage;
    const uint64_t chunk = RoundUp(readahead, align);
    // A block (block_size plus the entry that overfilled it, and its
    // trailer) is read whole when it does not fit in a chunk.
    const uint64_t largest_block_read =
        RoundUp(in.block_size + in.max_entry_bytes + 64, align) + align;
    std::set<uint64_t> lengths;
    bool eof_only = true;
    for (const IORecord& r : records) {
      if (r.kind != FileKind::kTableCompactionInput || r.op != FileOp::kRead ||
          !r.ok()) {
        continue;
      }
      auto size_it = sizes.find(r.path);
      if (size_it == sizes.end()) {
        log.Fail("size of " + r.path + " unknown");
        continue;
      }
      if (r.offset + r.length >= size_it->second) continue;  // File end.
      eof_only = false;
      lengths.insert(r.length);
      if (r.length == chunk) continue;
      if (r.length > chunk && chunk < largest_block_read &&
          r.length <= largest_block_read) {
        continue;
      }
      log.Fail("expected " + std::to_string(chunk) + "-byte reads (file of " +
               std::to_string(size_it->second) + " bytes): " + r.ToString());
    }
    std::string seen;
    for (uint64_t l : lengths) {
      seen += (seen.empty() ? "" : ",") + std::to_string(l);
    }
    result->readahead_sizes =
        eof_only ? "whole files (" + std::to_string(chunk) + ")" : seen;
  }

  // 4. SSTs are durable before the MANIFEST moves on; direct ones close with
  //    truncate then fsync.
  {
    CheckLog log(result, "durability");
    std::map<std::string, uint64_t> last_write, synced_at;
    std::map<std::string, std::vector<const IORecord*>> tail_ops;
    std::set<std::string> direct_written;
    for (const IORecord& r : records) {
      if (!r.ok()) continue;
      const bool sst_write_kind = r.kind == FileKind::kTableFlush ||
                                  r.kind == FileKind::kTableCompactionOutput ||
                                  r.kind == FileKind::kTableExternal;
      if (sst_write_kind &&
          (r.op == FileOp::kWrite || r.op == FileOp::kTruncate)) {
        last_write[r.path] = r.seq;
        synced_at.erase(r.path);
        if (r.mode == IOMode::kDirect) direct_written.insert(r.path);
      }
      if (sst_write_kind &&
          (r.op == FileOp::kWrite || r.op == FileOp::kTruncate ||
           r.op == FileOp::kFsync || r.op == FileOp::kSync)) {
        tail_ops[r.path].push_back(&r);
      }
      if (sst_write_kind && (r.op == FileOp::kFsync || r.op == FileOp::kSync) &&
          last_write.count(r.path) && !synced_at.count(r.path)) {
        synced_at[r.path] = r.seq;
      }
      if (r.kind == FileKind::kManifest && r.op == FileOp::kWrite) {
        for (const auto& [path, seq] : last_write) {
          if (!synced_at.count(path)) {
            log.Fail(path + " (last written at #" + std::to_string(seq) +
                     ") not synced before MANIFEST write #" +
                     std::to_string(r.seq));
          }
        }
      }
    }
    for (const std::string& path : direct_written) {
      const auto& ops = tail_ops[path];
      const size_t n = ops.size();
      if (n < 2 || ops[n - 2]->op != FileOp::kTruncate ||
          ops[n - 1]->op != FileOp::kFsync) {
        log.Fail(path + ": a direct SST must end with truncate, fsync; ends " +
                 (n > 0 ? ops[n - 1]->ToString() : std::string("empty")));
        continue;
      }
      auto size_it = sizes.find(path);
      if (size_it != sizes.end() && ops[n - 2]->offset != size_it->second) {
        log.Fail(path + ": truncated to " + std::to_string(ops[n - 2]->offset) +
                 " but read as " + std::to_string(size_it->second) + " bytes");
      }
    }
  }

  // 5. bytes_per_sync: buffered SSTs written by flush and compaction
  //    range-sync (4 KiB-aligned ranges, the last 1 MiB left alone) once
  //    they pass 1 MiB + bytes_per_sync; mmap-written ones may too; direct
  //    ones, and any with bytes_per_sync 0, never do.
  {
    CheckLog log(result, "bytes_per_sync");
    std::map<std::string, IOMode> writer_mode;
    std::map<std::string, uint64_t> range_syncs;
    for (const IORecord& r : records) {
      const bool background = r.kind == FileKind::kTableFlush ||
                              r.kind == FileKind::kTableCompactionOutput;
      if (!r.ok() || !IsSstKind(r.kind)) continue;
      if (r.op == FileOp::kWrite && background) writer_mode[r.path] = r.mode;
      if (r.op != FileOp::kRangeSync) continue;
      ++range_syncs[r.path];
      auto size_it = sizes.find(r.path);
      if (!background || r.mode == IOMode::kDirect || in.bytes_per_sync == 0) {
        log.Fail("unexpected range sync: " + r.ToString());
      } else if (r.offset % kPage != 0 || r.length % kPage != 0 ||
                 (size_it != sizes.end() &&
                  r.offset + r.length + (1 << 20) > size_it->second)) {
        log.Fail("range sync not page-aligned or within the last 1 MiB: " +
                 r.ToString());
      }
    }
    for (const auto& [path, mode] : writer_mode) {
      auto size_it = sizes.find(path);
      if (mode != IOMode::kBuffered || in.bytes_per_sync == 0 ||
          size_it == sizes.end()) {
        continue;
      }
      if (size_it->second >= (1 << 20) + in.bytes_per_sync + kPage &&
          range_syncs[path] == 0) {
        log.Fail(path + " (" + std::to_string(size_it->second) +
                 " bytes, buffered) was never range-synced with "
                 "bytes_per_sync " +
                 std::to_string(in.bytes_per_sync));
      }
    }
  }

  // 6. Statistics agree with the recorder; byte summaries.
  {
    CheckLog log(result, "statistics");
    std::string writes, reads;
    for (int k = 0; k < kNumFileKinds; ++k) {
      const FileKind kind = static_cast<FileKind>(k);
      for (int m = 0; m < kNumIOModes; ++m) {
        const IOMode mode = static_cast<IOMode>(m);
        uint64_t written = 0, read = 0;
        for (const IORecord& r : records) {
          if (r.kind != kind || r.mode != mode || !r.ok()) continue;
          if (r.op == FileOp::kWrite) written += r.length;
          if (r.op == FileOp::kRead) read += r.result_length;
        }
        const std::string cell =
            std::string(ShortKind(kind)) + ":" + ShortMode(mode) + "=";
        if (written > 0)
          writes += (writes.empty() ? "" : " ") + cell + HumanBytes(written);
        if (read > 0)
          reads += (reads.empty() ? "" : " ") + cell + HumanBytes(read);
        // SstFileWriter has no Statistics: its writes are the recorder's
        // alone.
        if ((!IsSstKind(kind) && kind != FileKind::kWal) ||
            kind == FileKind::kTableExternal) {
          continue;
        }
        const IOCounters c = stats.GetIOCounters(kind, mode);
        if (c.bytes_written != written || c.bytes_read != read) {
          log.Fail(std::string(FileKindName(kind)) + " " + IOModeName(mode) +
                   ": statistics say written " +
                   std::to_string(c.bytes_written) + " read " +
                   std::to_string(c.bytes_read) + ", recorder " +
                   std::to_string(written) + " / " + std::to_string(read));
        }
      }
    }
    result->write_bytes = writes;
    result->read_bytes = reads;
    result->padding_bytes = stats.getTickerCount(WRITE_PADDING_BYTES);
    result->rewritten_tail_bytes =
        stats.getTickerCount(WRITE_REWRITTEN_TAIL_BYTES);
    if (!in.direct_flush && !in.sst_writer_direct &&
        result->padding_bytes != 0) {
      log.Fail("padding counted without a direct writer: " +
               std::to_string(result->padding_bytes));
    }
  }
}

}  // namespace strata::matrix
