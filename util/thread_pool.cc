#include "strata/thread_pool.h"

#include <cassert>

namespace strata {

ThreadPool::~ThreadPool() {
  std::vector<std::thread> threads;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (threads_.empty() && !queue_.empty()) {
      // Nobody would run the queued jobs: give them one thread.
      target_threads_ = 1;
      threads_.emplace_back(&ThreadPool::WorkerLoop, this, 0);
    }
    shutting_down_ = true;
    work_cv_.notify_all();
    threads.swap(threads_);
  }
  for (auto& t : threads) {
    t.join();
  }
}

void ThreadPool::SetBackgroundThreads(int num_threads) {
  assert(num_threads >= 0);
  std::vector<std::thread> exiting;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    target_threads_ = num_threads < 0 ? 0 : static_cast<size_t>(num_threads);
    while (threads_.size() < target_threads_) {
      threads_.emplace_back(&ThreadPool::WorkerLoop, this, threads_.size());
    }
    // Threads whose index is >= target exit after their current job; join
    // them outside the lock.
    while (threads_.size() > target_threads_) {
      exiting.push_back(std::move(threads_.back()));
      threads_.pop_back();
    }
    work_cv_.notify_all();
  }
  for (auto& t : exiting) {
    t.join();
  }
}

int ThreadPool::num_threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(target_threads_);
}

void ThreadPool::Schedule(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back(std::move(job));
  work_cv_.notify_one();
}

void ThreadPool::WaitForJobs() {
  std::unique_lock<std::mutex> lock(mutex_);
  assert(target_threads_ > 0 || queue_.empty());
  idle_cv_.wait(lock, [this] { return queue_.empty() && running_jobs_ == 0; });
}

size_t ThreadPool::queue_length() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

void ThreadPool::WorkerLoop(size_t index) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_cv_.wait(lock, [&] {
      return index >= target_threads_ || !queue_.empty() || shutting_down_;
    });
    // A shrink asks this thread to leave; at shutdown every thread drains
    // the queue first.
    if (index >= target_threads_ && !shutting_down_) {
      return;
    }
    if (queue_.empty()) {
      if (shutting_down_) {
        return;
      }
      continue;
    }
    std::function<void()> job = std::move(queue_.front());
    queue_.pop_front();
    ++running_jobs_;
    lock.unlock();
    job();
    lock.lock();
    --running_jobs_;
    if (queue_.empty() && running_jobs_ == 0) {
      idle_cv_.notify_all();
    }
  }
}

}  // namespace strata
