#include "db/db_options.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>

namespace strata {

Status ValidateOptions(const Options& o) {
  if (o.allow_mmap_reads && o.use_direct_reads) {
    return Status::NotSupported(kMmapReadsDirectReadsMessage);
  }
  if (o.allow_mmap_reads && o.use_direct_io_for_flush_and_compaction) {
    return Status::NotSupported(kMmapReadsDirectWritesMessage);
  }
  if (o.allow_mmap_writes && o.use_direct_io_for_flush_and_compaction) {
    return Status::NotSupported(kMmapWritesDirectWritesMessage);
  }
  if (o.use_direct_io_for_flush_and_compaction &&
      o.writable_file_max_buffer_size == 0) {
    return Status::InvalidArgument(kDirectWritesZeroBufferMessage);
  }
  if (o.env == nullptr) return Status::InvalidArgument("Options.env is null");
  if (o.num_levels < 2) {
    return Status::InvalidArgument("num_levels must be at least 2, not " +
                                   std::to_string(o.num_levels));
  }
  if (o.write_buffer_size == 0) {
    return Status::InvalidArgument("write_buffer_size must be > 0");
  }
  if (o.max_write_buffer_number < 1) {
    return Status::InvalidArgument("max_write_buffer_number must be >= 1");
  }
  if (o.level0_file_num_compaction_trigger < 1) {
    return Status::InvalidArgument(
        "level0_file_num_compaction_trigger must be >= 1");
  }
  if (o.max_bytes_for_level_base == 0) {
    return Status::InvalidArgument("max_bytes_for_level_base must be > 0");
  }
  if (!(o.max_bytes_for_level_multiplier > 0)) {
    return Status::InvalidArgument(
        "max_bytes_for_level_multiplier must be > 0");
  }
  if (o.target_file_size_base == 0) {
    return Status::InvalidArgument("target_file_size_base must be > 0");
  }
  if (o.target_file_size_multiplier < 1) {
    return Status::InvalidArgument("target_file_size_multiplier must be >= 1");
  }
  if (o.table_options.format_version < 2 ||
      o.table_options.format_version > 5) {
    return Status::NotSupported(
        "format_version " + std::to_string(o.table_options.format_version) +
        " (strata writes format_version 2 to 5)");
  }
  return Status::OK();
}

Options SanitizeOptions(const Options& in) {
  Options o = in;
  if (o.block_cache == nullptr) o.block_cache = NewLRUCache(32 << 20);
  if (o.max_background_jobs < 1) o.max_background_jobs = 1;
  if (o.compression_parallel_threads < 1) o.compression_parallel_threads = 1;
  if (o.max_write_buffer_number < 2) o.max_write_buffer_number = 2;
  if (o.level0_slowdown_writes_trigger < o.level0_file_num_compaction_trigger) {
    o.level0_slowdown_writes_trigger = o.level0_file_num_compaction_trigger;
  }
  if (o.level0_stop_writes_trigger < o.level0_slowdown_writes_trigger) {
    o.level0_stop_writes_trigger = o.level0_slowdown_writes_trigger;
  }
  return o;
}

size_t EffectiveCompactionReadahead(const Options& options) {
  return options.compaction_readahead_size == 0
             ? kDefaultCompactionReadaheadBytes
             : options.compaction_readahead_size;
}

FileOptions FileOptionsFor(FileKind kind, const Options& o) {
  FileOptions f;
  f.kind = kind;
  const bool background_direct = o.use_direct_io_for_flush_and_compaction;
  switch (kind) {
    case FileKind::kTableFlush:
    case FileKind::kTableCompactionOutput:
      f.use_direct_writes = background_direct;
      f.use_mmap_writes = !background_direct && o.allow_mmap_writes;
      f.bytes_per_sync = o.bytes_per_sync;
      break;
    case FileKind::kTableCompactionInput:
    case FileKind::kTableVerify:
      f.use_direct_reads = background_direct;
      break;
    case FileKind::kTableUserRead:
      f.use_direct_reads = o.use_direct_reads;
      f.use_mmap_reads = !o.use_direct_reads && o.allow_mmap_reads;
      break;
    case FileKind::kTableExternal:
      f.use_direct_reads = background_direct;
      f.use_direct_writes = background_direct;
      f.bytes_per_sync = o.bytes_per_sync;
      break;
    case FileKind::kWal:
      f.bytes_per_sync = o.wal_bytes_per_sync;
      break;
    case FileKind::kManifest:
    case FileKind::kCurrent:
    case FileKind::kInfoLog:
    case FileKind::kLock:
    case FileKind::kTemp:
    case FileKind::kOther:
      break;
  }
  return f;
}

namespace {

const char* CompressionName(CompressionType type) {
  switch (type) {
    case CompressionType::kNoCompression:
      return "NoCompression";
    case CompressionType::kSnappyCompression:
      return "Snappy";
    case CompressionType::kZlibCompression:
      return "Zlib";
    case CompressionType::kBZip2Compression:
      return "BZip2";
    case CompressionType::kLZ4Compression:
      return "LZ4";
    case CompressionType::kLZ4HCCompression:
      return "LZ4HC";
    case CompressionType::kXpressCompression:
      return "Xpress";
    case CompressionType::kZSTD:
      return "ZSTD";
    case CompressionType::kZSTDNotFinalCompression:
      return "ZSTDNotFinal";
  }
  return "unknown";
}

const char* ChecksumName(ChecksumType type) {
  switch (type) {
    case ChecksumType::kNoChecksum:
      return "kNoChecksum";
    case ChecksumType::kCRC32c:
      return "kCRC32c";
    case ChecksumType::kxxHash:
      return "kxxHash";
    case ChecksumType::kxxHash64:
      return "kxxHash64";
    case ChecksumType::kXXH3:
      return "kXXH3";
  }
  return "unknown";
}

const char* RecoveryModeName(WALRecoveryMode mode) {
  switch (mode) {
    case WALRecoveryMode::kTolerateCorruptedTailRecords:
      return "kTolerateCorruptedTailRecords";
    case WALRecoveryMode::kAbsoluteConsistency:
      return "kAbsoluteConsistency";
    case WALRecoveryMode::kPointInTimeRecovery:
      return "kPointInTimeRecovery";
    case WALRecoveryMode::kSkipAnyCorruptedRecords:
      return "kSkipAnyCorruptedRecords";
  }
  return "unknown";
}

}  // namespace

std::vector<std::string> DescribeOptions(const Options& o) {
  std::vector<std::string> lines;
  auto add = [&lines](const char* name, const std::string& value) {
    lines.push_back(std::string("Options.") + name + ": " + value);
  };
  auto num = [](uint64_t v) { return std::to_string(v); };
  auto flag = [](bool v) { return std::string(v ? "1" : "0"); };
  add("create_if_missing", flag(o.create_if_missing));
  add("error_if_exists", flag(o.error_if_exists));
  add("use_direct_reads", flag(o.use_direct_reads));
  add("use_direct_io_for_flush_and_compaction",
      flag(o.use_direct_io_for_flush_and_compaction));
  add("allow_mmap_reads", flag(o.allow_mmap_reads));
  add("allow_mmap_writes", flag(o.allow_mmap_writes));
  add("direct_io_fallback", flag(o.direct_io_fallback));
  add("compaction_readahead_size", num(EffectiveCompactionReadahead(o)));
  add("writable_file_max_buffer_size", num(o.writable_file_max_buffer_size));
  add("bytes_per_sync", num(o.bytes_per_sync));
  add("wal_bytes_per_sync", num(o.wal_bytes_per_sync));
  add("use_fsync", flag(o.use_fsync));
  add("manual_wal_flush", flag(o.manual_wal_flush));
  add("wal_recovery_mode", RecoveryModeName(o.wal_recovery_mode));
  add("max_background_jobs", num(o.max_background_jobs));
  add("compression_opts.parallel_threads", num(o.compression_parallel_threads));
  add("background_table_writes", flag(o.background_table_writes));
  add("avoid_flush_during_shutdown", flag(o.avoid_flush_during_shutdown));
  add("write_buffer_size", num(o.write_buffer_size));
  add("max_write_buffer_number", num(o.max_write_buffer_number));
  add("level0_file_num_compaction_trigger",
      num(o.level0_file_num_compaction_trigger));
  add("level0_slowdown_writes_trigger", num(o.level0_slowdown_writes_trigger));
  add("level0_stop_writes_trigger", num(o.level0_stop_writes_trigger));
  add("max_bytes_for_level_base", num(o.max_bytes_for_level_base));
  add("max_bytes_for_level_multiplier",
      std::to_string(o.max_bytes_for_level_multiplier));
  add("target_file_size_base", num(o.target_file_size_base));
  add("target_file_size_multiplier", num(o.target_file_size_multiplier));
  add("max_compaction_bytes", num(o.max_compaction_bytes));
  add("num_levels", num(o.num_levels));
  add("disable_auto_compactions", flag(o.disable_auto_compactions));
  add("format_version", num(o.table_options.format_version));
  add("checksum", ChecksumName(o.table_options.checksum));
  add("compression", CompressionName(o.table_options.compression));
  add("compression_opts.level", std::to_string(o.table_options.compression_level));
  add("block_size", num(o.table_options.block_size));
  add("block_restart_interval", num(o.table_options.block_restart_interval));
  add("bloom_bits_per_key", std::to_string(o.table_options.bloom_bits_per_key));
  add("block_align", flag(o.table_options.block_align));
  add("block_cache_capacity",
      num(o.block_cache ? o.block_cache->GetCapacity() : 0));
  add("cache_index_and_filter_blocks", flag(o.cache_index_and_filter_blocks));
  add("max_auto_readahead_size", num(o.max_auto_readahead_size));
  add("initial_auto_readahead_size", num(o.initial_auto_readahead_size));
  add("paranoid_file_checks", flag(o.paranoid_file_checks));
  return lines;
}

namespace {

bool ParseUint(const std::string& s, uint64_t* v) {
  if (s.empty() || s[0] == '-') return false;
  errno = 0;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end != s.c_str() + s.size()) return false;
  *v = x;
  return true;
}

bool ParseBool(const std::string& s, bool* v) {
  if (s == "true" || s == "1") {
    *v = true;
    return true;
  }
  if (s == "false" || s == "0") {
    *v = false;
    return true;
  }
  return false;
}

}  // namespace

Status ApplyMutableOptions(
    const std::vector<std::pair<std::string, std::string>>& changes,
    Options* options) {
  Options o = *options;
  using Setter = std::function<bool(const std::string&, Options*)>;
  auto u64 = [](auto member) -> Setter {
    return [member](const std::string& s, Options* opt) {
      uint64_t v;
      if (!ParseUint(s, &v)) return false;
      opt->*member = static_cast<std::remove_reference_t<decltype(opt->*member)>>(v);
      return true;
    };
  };
  auto i32 = [](int Options::*member) -> Setter {
    return [member](const std::string& s, Options* opt) {
      uint64_t v;
      if (!ParseUint(s, &v) || v > INT32_MAX) return false;
      opt->*member = static_cast<int>(v);
      return true;
    };
  };
  const std::map<std::string, Setter> setters = {
      {"compaction_readahead_size", u64(&Options::compaction_readahead_size)},
      {"writable_file_max_buffer_size",
       u64(&Options::writable_file_max_buffer_size)},
      {"bytes_per_sync", u64(&Options::bytes_per_sync)},
      {"wal_bytes_per_sync", u64(&Options::wal_bytes_per_sync)},
      {"write_buffer_size", u64(&Options::write_buffer_size)},
      {"max_write_buffer_number", i32(&Options::max_write_buffer_number)},
      {"level0_file_num_compaction_trigger",
       i32(&Options::level0_file_num_compaction_trigger)},
      {"level0_slowdown_writes_trigger",
       i32(&Options::level0_slowdown_writes_trigger)},
      {"level0_stop_writes_trigger", i32(&Options::level0_stop_writes_trigger)},
      {"max_bytes_for_level_base", u64(&Options::max_bytes_for_level_base)},
      {"max_bytes_for_level_multiplier",
       [](const std::string& s, Options* opt) {
         char* end = nullptr;
         const double v = std::strtod(s.c_str(), &end);
         if (s.empty() || end != s.c_str() + s.size()) return false;
         opt->max_bytes_for_level_multiplier = v;
         return true;
       }},
      {"target_file_size_base", u64(&Options::target_file_size_base)},
      {"target_file_size_multiplier",
       i32(&Options::target_file_size_multiplier)},
      {"max_compaction_bytes", u64(&Options::max_compaction_bytes)},
      {"max_background_jobs", i32(&Options::max_background_jobs)},
      {"disable_auto_compactions",
       [](const std::string& s, Options* opt) {
         return ParseBool(s, &opt->disable_auto_compactions);
       }},
  };
  for (const auto& [name, value] : changes) {
    auto it = setters.find(name);
    if (it == setters.end()) {
      return Status::InvalidArgument("SetOptions: '" + name +
                                     "' is not a mutable option");
    }
    if (!it->second(value, &o)) {
      return Status::InvalidArgument("SetOptions: bad value '" + value +
                                     "' for " + name);
    }
  }
  Status s = ValidateOptions(o);
  if (!s.ok()) return s;
  *options = o;
  return Status::OK();
}

}  // namespace strata
