// HeldExecutor: an Executor that keeps its tasks until the test runs them,
// so a test decides exactly when background work (a writer's drain, a
// readahead chunk) happens, on the test's own thread.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "strata/executor.h"

namespace strata::test {

class HeldExecutor : public Executor {
 public:
  void Submit(std::function<void()> task) override {
    tasks_.push_back(std::move(task));
    ++submitted_;
  }
  // Tasks submitted so far, run or not.
  size_t submitted() const { return submitted_; }
  // Runs the held tasks in submission order, including any they submit.
  void RunAll() {
    while (!tasks_.empty()) {
      std::function<void()> task = std::move(tasks_.front());
      tasks_.erase(tasks_.begin());
      task();
    }
  }

 private:
  std::vector<std::function<void()>> tasks_;
  size_t submitted_ = 0;
};

}  // namespace strata::test
