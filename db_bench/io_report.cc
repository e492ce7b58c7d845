#include "db_bench/io_report.h"

#include <cinttypes>
#include <cstdio>
#include <sstream>

namespace strata::bench {
namespace {

bool AnyOperation(const IOCounters& c) {
  return c.read_ops != 0 || c.write_ops != 0 || c.syncs != 0 || c.opens != 0;
}

// part / whole, or a negative value when whole is 0 (no figure).
double Fraction(uint64_t part, uint64_t whole) {
  return whole == 0 ? -1.0
                    : static_cast<double>(part) / static_cast<double>(whole);
}

void JsonFractionOrNull(double fraction, JsonWriter* json) {
  if (fraction < 0) {
    json->Null();
  } else {
    json->Double(fraction);
  }
}

std::string FormatIOLines(const IOSnapshot& io) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof(line), "%-24s %-9s %14s %10s %14s %10s %8s %7s\n",
                "file kind", "mode", "bytes read", "reads", "bytes written",
                "writes", "syncs", "opens");
  out += line;
  for (int k = 0; k < kNumFileKinds; ++k) {
    for (int m = 0; m < kNumIOModes; ++m) {
      const FileKind kind = static_cast<FileKind>(k);
      const IOMode mode = static_cast<IOMode>(m);
      const IOCounters& c = io.cell(kind, mode);
      if (!AnyOperation(c)) continue;
      std::snprintf(line, sizeof(line),
                    "%-24s %-9s %14" PRIu64 " %10" PRIu64 " %14" PRIu64
                    " %10" PRIu64 " %8" PRIu64 " %7" PRIu64 "\n",
                    FileKindName(kind), IOModeName(mode), c.bytes_read,
                    c.read_ops, c.bytes_written, c.write_ops, c.syncs, c.opens);
      out += line;
    }
  }
  const uint64_t hits = io.ticker(BLOCK_CACHE_HIT);
  const uint64_t misses = io.ticker(BLOCK_CACHE_MISS);
  const double hit_rate = Fraction(hits, hits + misses);
  std::snprintf(line, sizeof(line),
                "block cache: %" PRIu64 " hits %" PRIu64
                " misses (hit rate %.1f%%)\n",
                hits, misses, hit_rate < 0 ? 0.0 : 100.0 * hit_rate);
  out += line;
  std::snprintf(line, sizeof(line),
                "direct writes: %" PRIu64 " padding bytes, %" PRIu64
                " rewritten tail bytes\n",
                io.ticker(WRITE_PADDING_BYTES),
                io.ticker(WRITE_REWRITTEN_TAIL_BYTES));
  out += line;
  std::snprintf(line, sizeof(line),
                "readahead: %" PRIu64 " bytes, %" PRIu64 " used, %" PRIu64
                " wasted\n",
                io.ticker(READAHEAD_BYTES), io.ticker(READAHEAD_BYTES_USED),
                io.ticker(READAHEAD_BYTES_WASTED));
  out += line;
  return out;
}

std::string FormatPageCacheLines(const DirPageCache& page_cache) {
  std::string out;
  char line[200];
  for (int k = 0; k < kNumDirFileKinds; ++k) {
    const PageCacheUsage& usage = page_cache.by_kind[static_cast<size_t>(k)];
    if (usage.files == 0) continue;
    const double resident = Fraction(usage.resident_bytes, usage.file_bytes);
    std::snprintf(line, sizeof(line),
                  "page cache: %-9s %5" PRIu64 " files %14" PRIu64
                  " bytes %14" PRIu64 " resident (%.1f%%)\n",
                  DirFileKindName(static_cast<DirFileKind>(k)), usage.files,
                  usage.file_bytes, usage.resident_bytes,
                  resident < 0 ? 0.0 : 100.0 * resident);
    out += line;
  }
  if (out.empty() && page_cache.errors.empty()) {
    out = "page cache: no files\n";
  }
  for (const std::string& error : page_cache.errors) {
    out += "page cache: " + error + "\n";
  }
  return out;
}

void AppendCountersJson(const IOCounters& c, JsonWriter* json) {
  json->BeginObject();
  json->Key("bytes_read");
  json->Uint(c.bytes_read);
  json->Key("reads");
  json->Uint(c.read_ops);
  json->Key("bytes_written");
  json->Uint(c.bytes_written);
  json->Key("writes");
  json->Uint(c.write_ops);
  json->Key("syncs");
  json->Uint(c.syncs);
  json->Key("opens");
  json->Uint(c.opens);
  json->EndObject();
}

void AppendIOJson(const IOSnapshot& io, JsonWriter* json) {
  json->BeginObject();
  json->Key("files");
  json->BeginObject();
  for (int m = 0; m < kNumIOModes; ++m) {
    const IOMode mode = static_cast<IOMode>(m);
    json->Key(IOModeName(mode));
    json->BeginObject();
    for (int k = 0; k < kNumFileKinds; ++k) {
      const FileKind kind = static_cast<FileKind>(k);
      const IOCounters& c = io.cell(kind, mode);
      if (!AnyOperation(c)) continue;
      json->Key(FileKindName(kind));
      AppendCountersJson(c, json);
    }
    json->EndObject();
  }
  json->EndObject();

  json->Key("direct_writes");
  json->BeginObject();
  json->Key("padding_bytes");
  json->Uint(io.ticker(WRITE_PADDING_BYTES));
  json->Key("rewritten_tail_bytes");
  json->Uint(io.ticker(WRITE_REWRITTEN_TAIL_BYTES));
  json->EndObject();

  json->Key("readahead");
  json->BeginObject();
  json->Key("bytes");
  json->Uint(io.ticker(READAHEAD_BYTES));
  json->Key("used_bytes");
  json->Uint(io.ticker(READAHEAD_BYTES_USED));
  json->Key("wasted_bytes");
  json->Uint(io.ticker(READAHEAD_BYTES_WASTED));
  json->EndObject();

  const uint64_t hits = io.ticker(BLOCK_CACHE_HIT);
  const uint64_t misses = io.ticker(BLOCK_CACHE_MISS);
  json->Key("block_cache");
  json->BeginObject();
  json->Key("hits");
  json->Uint(hits);
  json->Key("misses");
  json->Uint(misses);
  json->Key("hit_rate");
  JsonFractionOrNull(Fraction(hits, hits + misses), json);
  json->EndObject();
  json->EndObject();
}

void AppendPageCacheJson(const DirPageCache& page_cache, JsonWriter* json) {
  json->BeginObject();
  for (int k = 0; k < kNumDirFileKinds; ++k) {
    const PageCacheUsage& usage = page_cache.by_kind[static_cast<size_t>(k)];
    json->Key(DirFileKindName(static_cast<DirFileKind>(k)));
    json->BeginObject();
    json->Key("files");
    json->Uint(usage.files);
    json->Key("file_bytes");
    json->Uint(usage.file_bytes);
    json->Key("resident_bytes");
    json->Uint(usage.resident_bytes);
    json->Key("resident_fraction");
    JsonFractionOrNull(Fraction(usage.resident_bytes, usage.file_bytes), json);
    json->EndObject();
  }
  json->Key("errors");
  json->BeginArray();
  for (const std::string& error : page_cache.errors) json->String(error);
  json->EndArray();
  json->EndObject();
}

}  // namespace

IOSnapshot TakeIOSnapshot(const Statistics& statistics) {
  IOSnapshot snapshot;
  for (int k = 0; k < kNumFileKinds; ++k) {
    for (int m = 0; m < kNumIOModes; ++m) {
      snapshot.io[static_cast<size_t>(k)][static_cast<size_t>(m)] =
          statistics.GetIOCounters(static_cast<FileKind>(k),
                                   static_cast<IOMode>(m));
    }
  }
  for (uint32_t t = 0; t < TICKER_ENUM_MAX; ++t) {
    snapshot.tickers[t] = statistics.getTickerCount(static_cast<Tickers>(t));
  }
  return snapshot;
}

IOSnapshot IOSnapshotDelta(const IOSnapshot& after, const IOSnapshot& before) {
  IOSnapshot delta;
  for (size_t k = 0; k < after.io.size(); ++k) {
    for (size_t m = 0; m < after.io[k].size(); ++m) {
      const IOCounters& a = after.io[k][m];
      const IOCounters& b = before.io[k][m];
      IOCounters& d = delta.io[k][m];
      d.bytes_read = a.bytes_read - b.bytes_read;
      d.read_ops = a.read_ops - b.read_ops;
      d.bytes_written = a.bytes_written - b.bytes_written;
      d.write_ops = a.write_ops - b.write_ops;
      d.syncs = a.syncs - b.syncs;
      d.opens = a.opens - b.opens;
    }
  }
  for (size_t t = 0; t < after.tickers.size(); ++t) {
    delta.tickers[t] = after.tickers[t] - before.tickers[t];
  }
  return delta;
}

std::string FormatIOReport(const IOReport& report) {
  std::string body;
  if (report.has_io) body += FormatIOLines(report.io);
  body += FormatPageCacheLines(report.page_cache);
  std::string out = "# strata I/O after " + report.result.name + ":\n";
  std::stringstream lines(body);
  std::string line;
  while (std::getline(lines, line)) out += "#   " + line + "\n";
  return out;
}

void AppendIOReportJson(const IOReport& report, JsonWriter* json) {
  const BenchmarkResult& r = report.result;
  json->BeginObject();
  json->Key("name");
  json->String(r.name);
  json->Key("warm_up");
  json->Bool(r.warm_up);
  json->Key("micros_per_op");
  json->Double(r.micros_per_op);
  json->Key("ops_per_sec");
  json->Double(r.ops_per_sec);
  json->Key("seconds");
  json->Double(r.seconds);
  json->Key("operations");
  json->Uint(r.operations);
  json->Key("io");
  if (report.has_io) {
    AppendIOJson(report.io, json);
  } else {
    json->Null();
  }
  json->Key("page_cache");
  AppendPageCacheJson(report.page_cache, json);
  json->EndObject();
}

std::string IOReportsToJson(const std::string& strata_version,
                            const std::string& db_path,
                            const std::vector<IOReport>& reports) {
  JsonWriter json;
  json.BeginObject();
  json.Key("strata_version");
  json.String(strata_version);
  json.Key("db_path");
  json.String(db_path);
  json.Key("benchmarks");
  json.BeginArray();
  for (const IOReport& report : reports) AppendIOReportJson(report, &json);
  json.EndArray();
  json.EndObject();
  return json.str();
}

}  // namespace strata::bench
