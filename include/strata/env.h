// Env: what the store needs from its surroundings, in one object: a
// FileSystem, a Clock and a ThreadPool for background jobs.
//
// Tests build an Env over an in-memory FileSystem and a ManualClock, so no
// test touches the disk unless it means to and no test sleeps.
//
// Ownership: an Env borrows its FileSystem and Clock (they must outlive it)
// and owns its ThreadPool, which starts with no threads; db/ sizes it.
// Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "strata/file_system.h"
#include "strata/thread_pool.h"

namespace strata {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, microseconds since the Unix epoch.
  virtual uint64_t NowMicros() const = 0;
  // Monotonic time for measuring intervals, nanoseconds from an arbitrary
  // origin.
  virtual uint64_t NowNanos() const = 0;
  // Waits. A ManualClock only moves its time forward.
  virtual void SleepForMicros(uint64_t micros) = 0;
};

// The operating system's clocks (CLOCK_REALTIME and CLOCK_MONOTONIC).
// A process-wide object; never deleted.
Clock* SystemClock();

// A clock whose time moves only when told: Advance, Set, or SleepForMicros
// (which advances instead of waiting). NowNanos() is NowMicros() * 1000.
class ManualClock : public Clock {
 public:
  explicit ManualClock(uint64_t start_micros = 0);
  uint64_t NowMicros() const override;
  uint64_t NowNanos() const override;
  void SleepForMicros(uint64_t micros) override { Advance(micros); }
  void Advance(uint64_t micros);
  // REQUIRES: micros >= NowMicros() (time never goes back).
  void Set(uint64_t micros);

 private:
  std::atomic<uint64_t> now_micros_;
};

class Env {
 public:
  // Borrows `fs` and `clock`; both must outlive the Env.
  Env(FileSystem* fs, Clock* clock);
  ~Env();  // Waits for queued background jobs, then joins the threads.
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // The real file system (env/posix_file_system.h) and SystemClock().
  // Created on first use, never deleted.
  static Env* Default();

  FileSystem* file_system() const { return fs_; }
  Clock* clock() const { return clock_; }
  ThreadPool* thread_pool() { return &thread_pool_; }

 private:
  FileSystem* const fs_;
  Clock* const clock_;
  ThreadPool thread_pool_;
};

}  // namespace strata
