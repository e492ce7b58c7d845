// TableIterator: every point entry of a table, in internal-key order,
// forward and backward (an index iterator over data-block iterators).
//
// Data blocks are read through the iterator's own FilePrefetchBuffer:
// automatic readahead for user scans (8 KiB doubling to 256 KiB after two
// sequential block reads), a fixed readahead when TableReadOptions asks for
// one, or compaction-style chunks. In automatic mode a block that does not
// follow the previously loaded one (the first after a seek, every block of
// a backward scan) and is not in the buffer is read directly, not through the buffer, which would
// read it alone anyway and then copy it. Range tombstones are not returned (see
// TableReader::range_tombstones()).
// The buffer's readahead goes to the table's statistics when the iterator is
// destroyed (TableReader::RecordReadahead). A compaction scan from
// SeekToFirst with TableReadOptions::decode_ahead_bytes takes its blocks
// from a DecodeAhead pipeline instead, which reads them the same way on the
// readahead executor.
//
// Lifetime: key() and value() stay valid until the iterator moves.
// Errors: the iterator turns invalid and status() says why (Corruption names
// file and block). Not thread-safe; borrows the TableReader.
#pragma once

#include <memory>
#include <optional>

#include "env/file_prefetch_buffer.h"
#include "strata/status.h"
#include "table/block.h"
#include "table/block_iter.h"
#include "table/table_reader.h"

namespace strata {

class DecodeAhead;

// The FilePrefetchBuffer options a table scan with `options` reads through.
FilePrefetchBufferOptions TableIteratorPrefetchOptions(
    const TableReadOptions& options);

class TableIterator {
 public:
  TableIterator(const TableReader* table, const TableReadOptions& options);
  ~TableIterator();
  TableIterator(const TableIterator&) = delete;
  TableIterator& operator=(const TableIterator&) = delete;

  bool Valid() const;
  void SeekToFirst();
  void SeekToLast();
  // First entry >= target (an internal key).
  void Seek(Slice target);
  // Last entry <= target (an internal key).
  void SeekForPrev(Slice target);
  // REQUIRES: Valid().
  void Next();
  void Prev();
  Slice key() const { return data_iter_->key(); }
  Slice value() const { return data_iter_->value(); }
  Status status() const;

 private:
  // Loads the data block the index iterator points at; false (with status_
  // set, or the index exhausted) if there is none.
  bool LoadDataBlock();
  // Moves to the next (previous) non-empty block when the data iterator ran
  // off its block.
  void SkipEmptyBlocksForward();
  void SkipEmptyBlocksBackward();

  const TableReader* const table_;
  const TableReadOptions options_;
  BlockIter index_iter_;
  FilePrefetchBuffer prefetch_;
  const bool auto_readahead_;  // prefetch_ is in ReadaheadMode::kAuto.
  BlockHandle loaded_handle_;
  BlockRef block_;  // Pinned in the block cache or owned.
  // Blocks decoded ahead of a forward scan from SeekToFirst (compaction
  // reads with options_.decode_ahead_bytes); dropped on any other move.
  std::unique_ptr<DecodeAhead> decode_ahead_;
  // Rebuilt in place for every block: no allocation per block.
  std::optional<BlockIter> data_iter_;
  Status status_;
};

}  // namespace strata
