// DecodeAhead: a table's data blocks read, checksum-verified and
// decompressed in file order ahead of a forward scan, on an executor, so a
// compaction's merge-and-compress thread does not also decompress its
// inputs. On two cores a zstd compaction spends about a fifth of its time
// decompressing.
//
// One producer at a time walks the index from the first data block and
// queues blocks until they hold options.decode_ahead_bytes decoded bytes (at
// least one block), or the error reading one, after which it stops. It runs as
// an executor task, rescheduled by the consumer whenever the queue falls to
// half; when the queue is empty and no task is running (none scheduled, or the
// executor has not started it yet), the consumer produces the block itself, so
// a busy executor never makes a scan slower than reading inline. Blocks are
// read through a FilePrefetchBuffer with the caller's TableReadOptions
// (readahead mode and size, checksums, its own background chunk reads on the
// same executor).
//
// Thread-safety: Take and the destructor are called by one consumer thread.
// The destructor waits for a running producer; tasks that start later find
// the pipeline closed and do nothing. Borrows the TableReader, which must
// outlive this object.
#pragma once

#include <cstddef>
#include <memory>

#include "strata/status.h"
#include "table/block_handle.h"
#include "table/table_reader.h"

namespace strata {

class DecodeAhead {
 public:
  // REQUIRES: options.readahead_executor != nullptr.
  DecodeAhead(const TableReader* table, const TableReadOptions& options);
  ~DecodeAhead();
  DecodeAhead(const DecodeAhead&) = delete;
  DecodeAhead& operator=(const DecodeAhead&) = delete;

  enum class Result {
    kBlock,     // *block holds the block at `handle`.
    kError,     // *status says why the block at `handle` cannot be read.
    kMismatch,  // The next block in file order is not at `handle`.
    kEnd,       // No block left (the index is exhausted).
  };
  // Takes the next block in file order, which the caller expects at
  // `handle`. After kError, kMismatch or kEnd the pipeline is spent: every
  // later call returns kMismatch.
  Result Take(const BlockHandle& handle, BlockRef* block, Status* status);

  // Items (blocks, or the end of the index or an error in place of one)
  // produced by executor tasks and by the consumer itself, so far.
  size_t blocks_produced_ahead() const;
  size_t blocks_produced_inline() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace strata
