#include "db_bench/stats.h"

#include <time.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace strata::bench {
namespace {

const char* OpTypeName(OpType type) {
  switch (type) {
    case OpType::kRead:
      return "read";
    case OpType::kWrite:
      return "write";
    case OpType::kDelete:
      return "delete";
    case OpType::kSeek:
      return "seek";
    case OpType::kUpdate:
      return "update";
    case OpType::kCrc:
      return "crc";
    case OpType::kHash:
      return "hash";
    case OpType::kCompress:
      return "compress";
    case OpType::kUncompress:
      return "";  // RocksDB 7.8.3 names it so.
    case OpType::kOthers:
      return "op";
    case OpType::kCount:
      break;
  }
  return "op";
}

// RocksDB's progress schedule: every 100 ops up to 1000, then every 500,
// 1000, 5000, 10000, 50000 and finally 100000 ops.
uint64_t NextReport(uint64_t current) {
  if (current < 1000) return current + 100;
  if (current < 5000) return current + 500;
  if (current < 10000) return current + 1000;
  if (current < 50000) return current + 5000;
  if (current < 100000) return current + 10000;
  if (current < 500000) return current + 50000;
  return current + 100000;
}

double Average(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

// Half-width of the 95% confidence interval of the mean (normal
// approximation, sample standard deviation).
double Confidence95(const std::vector<double>& v) {
  const double avg = Average(v);
  double squares = 0;
  for (double x : v) squares += (x - avg) * (x - avg);
  const double stddev = std::sqrt(squares / static_cast<double>(v.size() - 1));
  return 1.96 * stddev / std::sqrt(static_cast<double>(v.size()));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

uint64_t NowMicros() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 +
         static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

void Stats::Start() {
  start_ = NowMicros();
  finish_ = start_;
  last_op_finish_ = start_;
  next_report_ = 100;
  done_ = 0;
  bytes_ = 0;
  seconds_ = 0;
  message_.clear();
  for (Histogram& h : hist_) h.Clear();
  hist_used_.fill(false);
}

void Stats::Stop() {
  finish_ = NowMicros();
  seconds_ = (finish_ - start_) * 1e-6;
}

void Stats::FinishedOps(int64_t ops, OpType type) {
  if (options_.histogram) {
    const uint64_t now = NowMicros();
    const size_t i = static_cast<size_t>(type);
    hist_[i].Add(now - last_op_finish_);
    hist_used_[i] = true;
    last_op_finish_ = now;
  }
  done_ += static_cast<uint64_t>(ops);
  if (done_ >= next_report_ && options_.progress_reports) {
    next_report_ = NextReport(next_report_);
    std::fprintf(stderr, "... finished %" PRIu64 " ops%30s\r", done_, "");
    std::fflush(stderr);
  }
}

void Stats::AddMessage(const std::string& message) {
  if (message.empty()) return;
  if (!message_.empty()) message_ += ' ';
  message_ += message;
}

void Stats::Merge(const Stats& other) {
  if (other.exclude_from_merge_) return;
  for (size_t i = 0; i < hist_.size(); ++i) {
    if (!other.hist_used_[i]) continue;
    hist_[i].Merge(other.hist_[i]);
    hist_used_[i] = true;
  }
  done_ += other.done_;
  bytes_ += other.bytes_;
  seconds_ += other.seconds_;
  start_ = std::min(start_, other.start_);
  finish_ = std::max(finish_, other.finish_);
  // One thread's message stands for all, as in RocksDB.
  if (message_.empty()) message_ = other.message_;
}

void Stats::Report(const std::string& name) const {
  const double elapsed = ElapsedSeconds();
  std::string extra;
  if (bytes_ > 0) {
    char rate[100];
    std::snprintf(rate, sizeof(rate), "%6.1f MB/s",
                  (static_cast<double>(bytes_) / 1048576.0) / elapsed);
    extra = rate;
  }
  if (!message_.empty()) {
    if (!extra.empty()) extra += ' ';
    extra += message_;
  }
  std::fprintf(stdout,
               "%-12s : %11.3f micros/op %ld ops/sec %.3f seconds %" PRIu64
               " operations;%s%s\n",
               name.c_str(), MicrosPerOp(), static_cast<long>(OpsPerSec()),
               elapsed, ReportedOps(), extra.empty() ? "" : " ", extra.c_str());
  if (options_.histogram) {
    for (size_t i = 0; i < hist_.size(); ++i) {
      if (!hist_used_[i]) continue;
      std::fprintf(stdout, "Microseconds per %s:\n%s\n",
                   OpTypeName(static_cast<OpType>(i)),
                   hist_[i].ToString().c_str());
    }
  }
  std::fflush(stdout);
}

void CombinedStats::Add(const Stats& stats) {
  const double elapsed = stats.ElapsedSeconds();
  const double ops = static_cast<double>(std::max<uint64_t>(stats.done(), 1));
  ops_per_sec_.push_back(ops / elapsed);
  if (stats.bytes() > 0) {
    mb_per_sec_.push_back(static_cast<double>(stats.bytes()) / 1048576.0 /
                          elapsed);
  }
}

void CombinedStats::Report(const std::string& name) const {
  if (ops_per_sec_.size() < 2) return;
  const int runs = static_cast<int>(ops_per_sec_.size());
  if (mb_per_sec_.size() == ops_per_sec_.size()) {
    std::fprintf(stdout,
                 "%s [AVG %d runs] : %d (\xC2\xB1 %d) ops/sec; %6.1f "
                 "(\xC2\xB1 %.1f) MB/sec\n",
                 name.c_str(), runs, static_cast<int>(Average(ops_per_sec_)),
                 static_cast<int>(Confidence95(ops_per_sec_)),
                 Average(mb_per_sec_), Confidence95(mb_per_sec_));
  } else {
    std::fprintf(stdout, "%s [AVG %d runs] : %d (\xC2\xB1 %d) ops/sec\n",
                 name.c_str(), runs, static_cast<int>(Average(ops_per_sec_)),
                 static_cast<int>(Confidence95(ops_per_sec_)));
  }
}

void CombinedStats::ReportFinal(const std::string& name) const {
  if (ops_per_sec_.size() < 2) return;
  const int runs = static_cast<int>(ops_per_sec_.size());
  if (mb_per_sec_.size() == ops_per_sec_.size()) {
    std::fprintf(stdout,
                 "%s [AVG    %d runs] : %d (\xC2\xB1 %d) ops/sec; %6.1f "
                 "(\xC2\xB1 %.1f) MB/sec\n"
                 "%s [MEDIAN %d runs] : %d ops/sec; %6.1f MB/sec\n",
                 name.c_str(), runs, static_cast<int>(Average(ops_per_sec_)),
                 static_cast<int>(Confidence95(ops_per_sec_)),
                 Average(mb_per_sec_), Confidence95(mb_per_sec_), name.c_str(),
                 runs, static_cast<int>(Median(ops_per_sec_)),
                 Median(mb_per_sec_));
  } else {
    std::fprintf(stdout,
                 "%s [AVG    %d runs] : %d (\xC2\xB1 %d) ops/sec\n"
                 "%s [MEDIAN %d runs] : %d ops/sec\n",
                 name.c_str(), runs, static_cast<int>(Average(ops_per_sec_)),
                 static_cast<int>(Confidence95(ops_per_sec_)), name.c_str(),
                 runs, static_cast<int>(Median(ops_per_sec_)));
  }
}

}  // namespace strata::bench
