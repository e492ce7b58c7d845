#include "table/table_iterator.h"

#include "table/decode_ahead.h"
#include "table/internal_key.h"

namespace strata {

FilePrefetchBufferOptions TableIteratorPrefetchOptions(
    const TableReadOptions& o) {
  FilePrefetchBufferOptions p;
  if (o.for_compaction) {
    p.mode = ReadaheadMode::kCompaction;
    p.readahead_bytes = o.compaction_readahead_bytes;
  } else if (o.readahead_bytes > 0) {
    p.mode = ReadaheadMode::kExplicit;
    p.readahead_bytes = o.readahead_bytes;
  } else {
    p.mode = ReadaheadMode::kAuto;
  }
  p.executor = o.readahead_executor;
  return p;
}

TableIterator::TableIterator(const TableReader* table,
                             const TableReadOptions& options)
    : table_(table),
      options_(options),
      index_iter_(&table->index_block(), table->IndexIterOptions()),
      prefetch_(&table->file(), TableIteratorPrefetchOptions(options)),
      auto_readahead_(TableIteratorPrefetchOptions(options).mode ==
                      ReadaheadMode::kAuto) {}

TableIterator::~TableIterator() {
  decode_ahead_.reset();  // Settles its readahead while the table lives.
  table_->RecordReadahead(prefetch_);
}

bool TableIterator::Valid() const {
  return status_.ok() && data_iter_.has_value() && data_iter_->Valid();
}

Status TableIterator::status() const {
  if (!status_.ok()) return status_;
  if (!index_iter_.status().ok()) {
    return AddBlockLocation(index_iter_.status(), table_->file().path(),
                            table_->footer().index_handle);
  }
  if (data_iter_.has_value() && !data_iter_->status().ok()) {
    return AddBlockLocation(data_iter_->status(), table_->file().path(),
                            loaded_handle_);
  }
  return Status::OK();
}

bool TableIterator::LoadDataBlock() {
  if (!index_iter_.Valid()) {
    data_iter_.reset();
    return false;
  }
  const BlockHandle handle = index_iter_.handle();
  if (decode_ahead_ != nullptr && (!block_ || handle != loaded_handle_)) {
    BlockRef decoded;
    Status s;
    switch (decode_ahead_->Take(handle, &decoded, &s)) {
      case DecodeAhead::Result::kBlock:
        data_iter_.reset();
        block_ = std::move(decoded);
        loaded_handle_ = handle;
        break;
      case DecodeAhead::Result::kError:
        data_iter_.reset();
        block_.Reset();
        status_ = s;
        return false;
      case DecodeAhead::Result::kMismatch:
      case DecodeAhead::Result::kEnd:
        decode_ahead_.reset();  // Read this block and the rest inline.
        break;
    }
  }
  if (!block_ || handle != loaded_handle_) {
    // A block that does not follow the previous one (the first after a
    // seek) and not already buffered is read without the prefetch buffer:
    // in auto mode the buffer would read it alone anyway, then copy it out;
    // a plain read hands its memory to the block. Readahead still starts once reads run
    // sequentially, one block later than if the buffer had seen this one.
    const bool follows = block_ && handle.offset() ==
                                       loaded_handle_.end_offset_with_trailer();
    const bool buffered =
        handle.offset() >= prefetch_.buffer_offset() &&
        handle.end_offset_with_trailer() <=
            prefetch_.buffer_offset() + prefetch_.buffer_size();
    FilePrefetchBuffer* prefetch =
        auto_readahead_ && !follows && !buffered ? nullptr : &prefetch_;
    data_iter_.reset();
    block_.Reset();
    Status s = table_->ReadDataBlock(options_, prefetch, handle, &block_);
    if (!s.ok()) {
      status_ = s;
      return false;
    }
    loaded_handle_ = handle;
  }
  data_iter_.emplace(block_.get(),
                     BlockIterOptions::DataBlock(table_->global_seqno()));
  return true;
}

void TableIterator::SkipEmptyBlocksForward() {
  while (status_.ok() && (!data_iter_.has_value() || !data_iter_->Valid())) {
    if (data_iter_.has_value() && !data_iter_->status().ok()) return;
    if (!index_iter_.Valid()) {
      data_iter_.reset();
      return;
    }
    index_iter_.Next();
    if (!LoadDataBlock()) return;
    data_iter_->SeekToFirst();
  }
}

void TableIterator::SkipEmptyBlocksBackward() {
  while (status_.ok() && (!data_iter_.has_value() || !data_iter_->Valid())) {
    if (data_iter_.has_value() && !data_iter_->status().ok()) return;
    if (!index_iter_.Valid()) {
      data_iter_.reset();
      return;
    }
    index_iter_.Prev();
    if (!LoadDataBlock()) return;
    data_iter_->SeekToLast();
  }
}

void TableIterator::SeekToFirst() {
  status_ = Status::OK();
  decode_ahead_.reset();
  if (options_.for_compaction && options_.decode_ahead_bytes > 0 &&
      options_.readahead_executor != nullptr) {
    // A fresh pipeline from the first block, even if one block is loaded.
    data_iter_.reset();
    block_.Reset();
    decode_ahead_ = std::make_unique<DecodeAhead>(table_, options_);
  }
  index_iter_.SeekToFirst();
  if (!LoadDataBlock()) return;
  data_iter_->SeekToFirst();
  SkipEmptyBlocksForward();
}

void TableIterator::SeekToLast() {
  status_ = Status::OK();
  decode_ahead_.reset();
  index_iter_.SeekToLast();
  if (!LoadDataBlock()) return;
  data_iter_->SeekToLast();
  SkipEmptyBlocksBackward();
}

void TableIterator::Seek(Slice target) {
  status_ = Status::OK();
  decode_ahead_.reset();
  index_iter_.Seek(table_->properties().index_key_is_user_key
                       ? ExtractUserKey(target)
                       : target);
  if (!LoadDataBlock()) return;
  data_iter_->Seek(target);
  SkipEmptyBlocksForward();
}

void TableIterator::SeekForPrev(Slice target) {
  Seek(target);
  if (!status_.ok()) return;
  if (!Valid()) {
    if (!status().ok()) return;
    SeekToLast();
    return;
  }
  // Seek found the first entry >= target; step back past any > target.
  while (Valid() && InternalKeyComparator::Compare(key(), target) > 0) {
    Prev();
  }
}

void TableIterator::Next() {
  data_iter_->Next();
  SkipEmptyBlocksForward();
}

void TableIterator::Prev() {
  data_iter_->Prev();
  SkipEmptyBlocksBackward();
}

}  // namespace strata
