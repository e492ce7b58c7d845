// Executor: somewhere to run a task later, on another thread. table/ and
// env/ never create threads; where they can overlap work (a writer filling
// one buffer while the previous one is written, a table builder compressing
// blocks) they take an Executor from the caller. ThreadPool is one.
// Thread-safety: Submit may be called concurrently.
#pragma once

#include <functional>

namespace strata {

class Executor {
 public:
  virtual ~Executor() = default;
  // Runs `task` eventually, exactly once.
  virtual void Submit(std::function<void()> task) = 0;
};

}  // namespace strata
