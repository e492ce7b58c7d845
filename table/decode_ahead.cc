#include "table/decode_ahead.h"

#include <cassert>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include "env/file_prefetch_buffer.h"
#include "strata/executor.h"
#include "table/block.h"
#include "table/block_iter.h"
#include "table/table_iterator.h"

namespace strata {

// Producer side (index, prefetch): touched only by whoever holds
// `producing` (a task or the consumer), handed over under `mu`.
struct DecodeAhead::State {
  State(const TableReader* t, const TableReadOptions& o)
      : table(t), options(o), budget_bytes(o.decode_ahead_bytes) {
    index.emplace(&t->index_block(), t->IndexIterOptions());
    index->SeekToFirst();
    prefetch.emplace(&t->file(), TableIteratorPrefetchOptions(o));
  }

  struct Item {
    BlockHandle handle;
    BlockRef block;
    Status status;
    bool end = false;  // The index is exhausted (no handle, no block).
    size_t bytes = 0;
  };

  // Reads the block the index points at and moves past it. REQUIRES: the
  // caller holds `producing`.
  Item ProduceOne() {
    Item item;
    if (!index->Valid()) {
      // An index error is the consumer's own index iterator's to report: it
      // reads the same block, so it stops where this one did.
      item.end = true;
      return item;
    }
    item.handle = index->handle();
    item.status =
        table->ReadDataBlock(options, &*prefetch, item.handle, &item.block);
    if (item.status.ok()) item.bytes = item.block.get()->size();
    index->Next();
    return item;
  }

  // Queues `item`; after the end or an error nothing more is produced.
  // REQUIRES: mu held.
  void Push(Item item) {
    if (item.end || !item.status.ok()) finished = true;
    queued_bytes += item.bytes;
    queue.push_back(std::move(item));
    cv.notify_all();
  }

  // True when a task should be scheduled now. REQUIRES: mu held; the caller
  // submits one after unlocking (an executor may run it inline).
  bool WantTask() {
    if (closed || finished || producing || task_pending) return false;
    if (queued_bytes > budget_bytes / 2) return false;
    task_pending = true;
    return true;
  }

  static void RunTask(const std::shared_ptr<State>& s) {
    std::unique_lock<std::mutex> lock(s->mu);
    s->task_pending = false;
    if (s->closed || s->producing) return;
    s->producing = true;
    while (!s->closed && !s->finished &&
           (s->queue.empty() || s->queued_bytes < s->budget_bytes)) {
      lock.unlock();
      Item item = s->ProduceOne();
      lock.lock();
      ++s->produced_ahead;
      s->Push(std::move(item));
    }
    s->producing = false;
    s->cv.notify_all();
  }

  static void Submit(const std::shared_ptr<State>& s) {
    Executor* executor = s->options.readahead_executor;
    std::weak_ptr<State> weak = s;
    // The task holds the state only while it runs: one queued behind other
    // work after the pipeline closed finds it gone or closed.
    executor->Submit([weak] {
      if (std::shared_ptr<State> live = weak.lock()) RunTask(live);
    });
  }

  const TableReader* const table;
  const TableReadOptions options;
  const size_t budget_bytes;
  std::optional<BlockIter> index;
  std::optional<FilePrefetchBuffer> prefetch;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> queue;
  size_t queued_bytes = 0;
  bool producing = false;
  bool task_pending = false;
  bool finished = false;  // The end or an error has been queued.
  bool closed = false;
  bool spent = false;  // Consumer side: nothing more to take.
  size_t produced_ahead = 0;
  size_t produced_inline = 0;
};

DecodeAhead::DecodeAhead(const TableReader* table,
                         const TableReadOptions& options)
    : state_(std::make_shared<State>(table, options)) {
  assert(options.readahead_executor != nullptr);
  bool submit = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    submit = state_->WantTask();
  }
  if (submit) State::Submit(state_);
}

DecodeAhead::~DecodeAhead() {
  State& s = *state_;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    s.closed = true;
    s.cv.wait(lock, [&] { return !s.producing; });
    s.producing = true;  // Ours for good: no task produces after closing.
  }
  // The table is still alive: settle the readahead (a chunk read in flight
  // finishes first) and count it.
  s.table->RecordReadahead(*s.prefetch);
  s.prefetch.reset();
  s.index.reset();
  std::lock_guard<std::mutex> lock(s.mu);
  s.queue.clear();
}

DecodeAhead::Result DecodeAhead::Take(const BlockHandle& handle,
                                      BlockRef* block, Status* status) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.spent) return Result::kMismatch;
  State::Item item;
  for (;;) {
    if (!s.queue.empty()) {
      item = std::move(s.queue.front());
      s.queue.pop_front();
      s.queued_bytes -= item.bytes;
      break;
    }
    if (s.finished) {  // Its last item was taken already.
      s.spent = true;
      return Result::kMismatch;
    }
    if (!s.producing) {
      // No task is producing (none is due, or the executor has not started
      // it): read the block here rather than wait.
      s.producing = true;
      lock.unlock();
      item = s.ProduceOne();
      lock.lock();
      s.producing = false;
      ++s.produced_inline;
      if (item.end || !item.status.ok()) s.finished = true;
      s.cv.notify_all();
      break;
    }
    s.cv.wait(lock);
  }
  const bool submit = s.WantTask();
  lock.unlock();
  if (submit) State::Submit(state_);

  if (item.end) {
    s.spent = true;  // Only the consumer reads `spent`.
    return Result::kEnd;
  }
  if (item.handle != handle) {
    s.spent = true;
    return Result::kMismatch;
  }
  if (!item.status.ok()) {
    s.spent = true;
    *status = std::move(item.status);
    return Result::kError;
  }
  *block = std::move(item.block);
  return Result::kBlock;
}

size_t DecodeAhead::blocks_produced_ahead() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->produced_ahead;
}

size_t DecodeAhead::blocks_produced_inline() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->produced_inline;
}

}  // namespace strata
