// ThreadPool: runs jobs on background threads, first in, first out.
//
// It starts with no threads: jobs scheduled before SetBackgroundThreads()
// wait in the queue. Only db/ sizes the pool (table/ and env/ never create
// threads).
// Thread-safety: every method may be called concurrently, from jobs too
// (except WaitForJobs and the destructor, which must not be called from a
// job of the same pool).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "strata/executor.h"

namespace strata {

class ThreadPool final : public Executor {
 public:
  ThreadPool() = default;
  // Runs every queued job, then joins the threads. Jobs still queued with no
  // threads to run them are run on a temporary thread first.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Grows or shrinks the pool to `num_threads` (>= 0). Shrinking lets the
  // surplus threads finish their current job and exit.
  void SetBackgroundThreads(int num_threads);
  int num_threads() const;

  void Schedule(std::function<void()> job);
  void Submit(std::function<void()> task) override { Schedule(std::move(task)); }

  // Blocks until the queue is empty and no job is running.
  // REQUIRES: num_threads() > 0 or the queue is empty (else it would wait
  // forever; asserted in debug builds).
  void WaitForJobs();

  size_t queue_length() const;

 private:
  void WorkerLoop(size_t index);

  mutable std::mutex mutex_;
  std::condition_variable work_cv_;  // Signals new jobs and shrinking.
  std::condition_variable idle_cv_;  // Signals "queue empty, none running".
  std::deque<std::function<void()>> queue_;  // Guarded by mutex_.
  std::vector<std::thread> threads_;         // Guarded by mutex_.
  size_t target_threads_ = 0;                // Guarded by mutex_.
  size_t running_jobs_ = 0;                  // Guarded by mutex_.
  bool shutting_down_ = false;               // Guarded by mutex_.
};

}  // namespace strata
