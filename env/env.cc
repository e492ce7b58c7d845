// Env, the clocks, and the small shared pieces of include/strata/file_system.h.
// Env::Default() lives in env/posix_file_system.cc, beside the file system it
// returns.
#include "strata/env.h"

#include <time.h>

#include <cassert>

namespace strata {

namespace {

class OsClock final : public Clock {
 public:
  uint64_t NowMicros() const override { return Read(CLOCK_REALTIME) / 1000; }
  uint64_t NowNanos() const override { return Read(CLOCK_MONOTONIC); }
  void SleepForMicros(uint64_t micros) override {
    timespec ts{static_cast<time_t>(micros / 1000000),
                static_cast<long>((micros % 1000000) * 1000)};
    while (nanosleep(&ts, &ts) != 0) {
      // EINTR: sleep for the remainder.
    }
  }

 private:
  static uint64_t Read(clockid_t id) {
    timespec ts;
    clock_gettime(id, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u +
           static_cast<uint64_t>(ts.tv_nsec);
  }
};

}  // namespace

Clock* SystemClock() {
  static OsClock* clock = new OsClock();  // Never deleted: used at exit too.
  return clock;
}

ManualClock::ManualClock(uint64_t start_micros) : now_micros_(start_micros) {}

uint64_t ManualClock::NowMicros() const {
  return now_micros_.load(std::memory_order_acquire);
}

uint64_t ManualClock::NowNanos() const { return NowMicros() * 1000; }

void ManualClock::Advance(uint64_t micros) {
  now_micros_.fetch_add(micros, std::memory_order_acq_rel);
}

void ManualClock::Set(uint64_t micros) {
  assert(micros >= NowMicros());
  now_micros_.store(micros, std::memory_order_release);
}

Env::Env(FileSystem* fs, Clock* clock) : fs_(fs), clock_(clock) {}

Env::~Env() = default;  // ThreadPool's destructor drains and joins.

const char* FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kTableFlush:
      return "table_flush";
    case FileKind::kTableCompactionOutput:
      return "table_compaction_output";
    case FileKind::kTableCompactionInput:
      return "table_compaction_input";
    case FileKind::kTableVerify:
      return "table_verify";
    case FileKind::kTableUserRead:
      return "table_user_read";
    case FileKind::kTableExternal:
      return "table_external";
    case FileKind::kWal:
      return "wal";
    case FileKind::kManifest:
      return "manifest";
    case FileKind::kCurrent:
      return "current";
    case FileKind::kInfoLog:
      return "info_log";
    case FileKind::kLock:
      return "lock";
    case FileKind::kTemp:
      return "temp";
    case FileKind::kOther:
      return "other";
  }
  return "unknown";
}

const char* IOModeName(IOMode mode) {
  switch (mode) {
    case IOMode::kBuffered:
      return "buffered";
    case IOMode::kDirect:
      return "direct";
    case IOMode::kMmap:
      return "mmap";
    case IOMode::kUncached:
      return "uncached";
  }
  return "unknown";
}

IOStatus RandomAccessFile::MultiRead(ReadRequest* requests,
                                     size_t num_requests) const {
  for (size_t i = 0; i < num_requests; ++i) {
    ReadRequest& r = requests[i];
    r.status = Read(r.offset, r.len, &r.result, r.scratch);
  }
  return IOStatus::OK();
}

}  // namespace strata
