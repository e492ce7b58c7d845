#include "table/table_builder.h"

#include <algorithm>
#include <climits>

#include "table/footer.h"
#include "table/internal_key.h"
#include "table/meta_index.h"
#include "util/coding.h"

namespace strata {

namespace {

IndexBuilderOptions MakeIndexOptions(const TableBuilderOptions& o) {
  IndexBuilderOptions io;
  io.format_version = o.format_version;
  io.restart_interval = o.index_block_restart_interval;
  io.block_align = o.block_align;
  return io;
}

// Compresses `raw` into *stored as `options` ask and returns the type to
// store it with: the compression type, or kNoCompression when the block is
// to be stored raw. Stored compressed only if that saves at least 12.5%
// (section 6); a compressor failure (the type was checked at construction,
// so only a library error) also stores it raw, as RocksDB does, so the table
// stays readable and correct.
CompressionType CompressForStorage(const TableBuilderOptions& options,
                                   Compressor* compressor, Slice raw,
                                   std::string* stored) {
  if (options.compression == CompressionType::kNoCompression ||
      raw.size() >= kCompressionSizeLimit) {
    return CompressionType::kNoCompression;
  }
  Status s =
      compressor->Compress(options.compression, options.compression_level,
                           options.format_version, raw, stored);
  if (s.ok() && GoodCompressionRatio(stored->size(), raw.size())) {
    return options.compression;
  }
  return CompressionType::kNoCompression;
}

std::string KeyForMessage(Slice internal_key) {
  ParsedInternalKey parsed;
  if (ParseInternalKey(internal_key, &parsed).ok()) {
    return parsed.DebugString();
  }
  return "0x" + internal_key.ToHex();
}

}  // namespace

TableBuilderOptions TableBuilderOptionsFor(const TableOptions& t) {
  TableBuilderOptions bo;
  bo.format_version = t.format_version;
  bo.checksum_type = t.checksum;
  bo.compression = t.compression;
  bo.compression_level = t.compression_level;
  bo.block_size = t.block_size;
  bo.block_size_deviation = t.block_size_deviation;
  bo.block_restart_interval = t.block_restart_interval;
  bo.index_block_restart_interval = t.index_block_restart_interval;
  bo.bloom_bits_per_key = t.bloom_bits_per_key;
  bo.block_align = t.block_align;
  return bo;
}

TableBuilder::TableBuilder(const TableBuilderOptions& options,
                           WritableFileWriter* file)
    : options_(options),
      file_(file),
      data_block_(options.block_restart_interval, /*use_delta_encoding=*/true,
                  /*use_value_delta_encoding=*/false,
                  options.data_block_index_type,
                  options.data_block_hash_table_util_ratio),
      flush_policy_(FlushBlockPolicyOptions{options.block_size,
                                            options.block_size_deviation,
                                            options.block_align},
                    data_block_),
      range_del_block_(/*restart_interval=*/1),
      index_builder_(MakeIndexOptions(options)),
      props_(options.identity) {
  const std::string where = " (table " + file->path() + ")";
  if (options.format_version < 2 || options.format_version > 5) {
    status_ = Status::InvalidArgument("format_version " +
                                      std::to_string(options.format_version) +
                                      " cannot be written; use 2 to 5" + where);
  } else if (!CompressionTypeSupported(options.compression)) {
    status_ = Status::NotSupported(
        "compression " + std::string(CompressionTypeName(options.compression)) +
        " is not supported by this build" + where);
  } else if (options.block_restart_interval < 1 ||
             options.index_block_restart_interval < 1) {
    status_ = Status::InvalidArgument(
        "block_restart_interval and index_block_restart_interval must be "
        ">= 1" +
        where);
  } else if (options.block_align &&
             options.compression != CompressionType::kNoCompression) {
    status_ = Status::InvalidArgument(
        "block_align requires compression none, got " +
        std::string(CompressionTypeName(options.compression)) + where);
  } else if (options.block_align &&
             (options.block_size == 0 ||
              (options.block_size & (options.block_size - 1)) != 0)) {
    status_ = Status::InvalidArgument(
        "block_align requires a power-of-two block_size, got " +
        std::to_string(options.block_size) + where);
  } else if (options.block_size_deviation < 0 ||
             options.block_size_deviation > 100) {
    status_ = Status::InvalidArgument(
        "block_size_deviation must be within [0, 100], got " +
        std::to_string(options.block_size_deviation) + where);
  }
  if (options.bloom_bits_per_key > 0 && props_.whole_key_filtering) {
    filter_builder_ = NewBloomFilterBlockBuilder(options.bloom_bits_per_key,
                                                 options.format_version);
  }
  // What the builder computes starts from zero, whatever the caller passed.
  props_.data_size = props_.index_size = props_.filter_size = 0;
  props_.raw_key_size = props_.raw_value_size = 0;
  props_.num_data_blocks = props_.num_entries = props_.num_filter_entries = 0;
  props_.num_deletions = props_.num_merge_operands = 0;
  props_.num_range_deletions = 0;
  props_.format_version = 0;  // Always 0 for block-based tables.
  props_.compression_name =
      std::string(CompressionTypeName(options.compression));
  props_.compression_options =
      CompressionOptionsString(options.compression_level);
  props_.filter_policy_name = filter_builder_ ? "bloomfilter" : "";
}

TableBuilder::~TableBuilder() {
  // Executor tasks point into pending blocks: let them finish first.
  for (auto& b : pending_blocks_) b->done.wait();
}

Status TableBuilder::Fail(Status s) {
  if (status_.ok()) {
    status_ = s;
  }
  return s;
}

Status TableBuilder::Add(Slice internal_key, Slice value) {
  if (!status_.ok()) return status_;
  if (finished_) return Status::InvalidArgument("Add after Finish");
  if (internal_key.size() < kInternalKeyTrailerSize) {
    return Fail(Status::InvalidArgument(
        "internal key shorter than 8 bytes: 0x" + internal_key.ToHex() +
        " (table " + file_->path() + ")"));
  }
  if (options_.check_key_order &&
      props_.num_entries - props_.num_range_deletions > 0 &&
      InternalKeyComparator::Compare(last_key_, internal_key) >= 0) {
    return Fail(Status::InvalidArgument(
        "keys out of order in table " + file_->path() + ": " +
        KeyForMessage(internal_key) + " after " + KeyForMessage(last_key_)));
  }

  // Cut the open block by the rule of section 8.
  if (flush_policy_.ShouldCut(internal_key, value)) {
    STRATA_RETURN_IF_ERROR(FlushDataBlock(&internal_key));
  }
  if (filter_builder_) {
    filter_builder_->AddKey(ExtractUserKey(internal_key));
  }
  data_block_.Add(internal_key, value);
  last_key_.assign(internal_key.data(), internal_key.size());

  ++props_.num_entries;
  props_.raw_key_size += internal_key.size();
  props_.raw_value_size += value.size();
  switch (static_cast<ValueType>(ExtractValueTypeByte(internal_key))) {
    case ValueType::kDeletion:
    case ValueType::kSingleDeletion:
    case ValueType::kDeletionWithTimestamp:
      ++props_.num_deletions;
      break;
    case ValueType::kMerge:
      ++props_.num_merge_operands;
      break;
    default:
      break;
  }
  return Status::OK();
}

Status TableBuilder::AddRangeTombstone(Slice begin_user_key, Slice end_user_key,
                                       uint64_t sequence) {
  if (!status_.ok()) return status_;
  if (finished_) return Status::InvalidArgument("Add after Finish");
  const std::string key =
      MakeInternalKey(begin_user_key, sequence, ValueType::kRangeDeletion);
  range_del_block_.Add(key, end_user_key);
  ++props_.num_entries;
  ++props_.num_range_deletions;
  ++props_.num_deletions;
  props_.raw_key_size += key.size();
  props_.raw_value_size += end_user_key.size();
  return Status::OK();
}

Status TableBuilder::FlushDataBlock(const Slice* next_key) {
  if (data_block_.empty()) return Status::OK();
  auto block = std::make_unique<PendingBlock>();
  block->raw = data_block_.Finish().ToString();
  data_block_.Reset();
  block->last_key = last_key_;
  if (next_key != nullptr) {
    block->next_key = next_key->ToString();
    block->has_next_key = true;
  }
  const bool parallel = options_.executor != nullptr &&
                        options_.parallel_threads > 1 &&
                        options_.compression != CompressionType::kNoCompression;
  if (!parallel) {
    return WriteDataBlock(block.get());
  }
  // Compress on the executor. The task owns nothing: the block lives in
  // pending_blocks_ until its future is ready and it has been written.
  auto promise = std::make_shared<std::promise<void>>();
  block->done = promise->get_future();
  PendingBlock* raw_block = block.get();
  const TableBuilderOptions* options = &options_;
  options_.executor->Submit([raw_block, options, promise] {
    // One context per executor thread, reused across blocks and tables.
    thread_local Compressor compressor;
    raw_block->type = CompressForStorage(*options, &compressor, raw_block->raw,
                                         &raw_block->stored);
    promise->set_value();
  });
  pending_blocks_.push_back(std::move(block));
  const size_t max_in_flight =
      kBlocksInFlightPerThread * static_cast<size_t>(options_.parallel_threads);
  // At the limit, wait for the oldest block only: the others keep the
  // executor busy while it is written.
  return DrainPendingBlocks(pending_blocks_.size() >= max_in_flight
                                ? pending_blocks_.size() - max_in_flight + 1
                                : 0);
}

Status TableBuilder::DrainPendingBlocks(size_t must_write) {
  while (!pending_blocks_.empty()) {
    PendingBlock* front = pending_blocks_.front().get();
    if (must_write == 0 && front->done.wait_for(std::chrono::seconds(0)) !=
                               std::future_status::ready) {
      break;
    }
    front->done.wait();
    Status s = WriteDataBlock(front);
    pending_blocks_.pop_front();
    if (!s.ok()) {
      // Let the remaining tasks finish before their blocks go away.
      for (auto& b : pending_blocks_) b->done.wait();
      pending_blocks_.clear();
      return s;
    }
    if (must_write > 0) --must_write;
  }
  return Status::OK();
}

Status TableBuilder::WriteDataBlock(PendingBlock* block) {
  BlockHandle handle;
  if (block->done.valid()) {
    // Compressed (or judged not worth it) on the executor.
    STRATA_RETURN_IF_ERROR(
        block->type == CompressionType::kNoCompression
            ? WriteRawBlock(block->raw, CompressionType::kNoCompression,
                            &handle)
            : WriteRawBlock(block->stored, block->type, &handle));
  } else {
    STRATA_RETURN_IF_ERROR(
        WriteBlock(block->raw, /*compressible=*/true, &handle));
  }
  STRATA_RETURN_IF_ERROR(PadDataBlock(handle));
  ++props_.num_data_blocks;
  props_.data_size = offset_;
  const Slice next(block->next_key);
  Status s = index_builder_.AddIndexEntry(
      block->last_key, block->has_next_key ? &next : nullptr, handle);
  if (!s.ok()) return Fail(s);
  return Status::OK();
}

Status TableBuilder::PadDataBlock(const BlockHandle& handle) {
  if (!options_.block_align) return Status::OK();
  // The unit is the smaller of block_size and a 4 KiB page, as in RocksDB.
  constexpr uint64_t kPage = 4096;
  const uint64_t unit = std::min<uint64_t>(options_.block_size, kPage);
  const uint64_t used = (handle.size() + kBlockTrailerSize) & (unit - 1);
  if (used == 0) return Status::OK();
  static const std::string kZeros(kPage, '\0');
  const uint64_t pad = unit - used;
  Status s = file_->Append(Slice(kZeros.data(), pad));
  if (!s.ok()) return Fail(s);
  offset_ += pad;
  return Status::OK();
}

Status TableBuilder::WriteBlock(Slice raw, bool compressible,
                                BlockHandle* handle) {
  const CompressionType type =
      compressible
          ? CompressForStorage(options_, &compressor_, raw, &compressed_)
          : CompressionType::kNoCompression;
  return type == CompressionType::kNoCompression
             ? WriteRawBlock(raw, CompressionType::kNoCompression, handle)
             : WriteRawBlock(compressed_, type, handle);
}

Status TableBuilder::WriteRawBlock(Slice stored, CompressionType type,
                                   BlockHandle* handle) {
  char trailer[kBlockTrailerSize];
  trailer[0] = static_cast<char>(type);
  EncodeFixed32(trailer + 1,
                ComputeBlockChecksum(options_.checksum_type, stored.data(),
                                     stored.size(), trailer[0]));
  Status s = file_->Append(stored);
  if (s.ok()) s = file_->Append(Slice(trailer, kBlockTrailerSize));
  if (!s.ok()) return Fail(s);
  *handle = BlockHandle(offset_, stored.size());
  offset_ += stored.size() + kBlockTrailerSize;
  return Status::OK();
}

Status TableBuilder::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return Status::InvalidArgument("Finish called twice");
  finished_ = true;
  STRATA_RETURN_IF_ERROR(FlushDataBlock(nullptr));
  STRATA_RETURN_IF_ERROR(DrainPendingBlocks(pending_blocks_.size()));

  MetaIndexBuilder metaindex;
  // Filter (never compressed; none if no key was added).
  if (filter_builder_ && filter_builder_->num_entries() > 0) {
    props_.num_filter_entries = filter_builder_->num_entries();
    const Slice filter = filter_builder_->Finish();
    props_.filter_size = filter.size();
    BlockHandle handle;
    STRATA_RETURN_IF_ERROR(
        WriteRawBlock(filter, CompressionType::kNoCompression, &handle));
    metaindex.Add(kFullFilterBlockName, handle);
  }
  // With a filter configured but no key added (a file of range tombstones
  // only), RocksDB writes no filter block yet keeps rocksdb.filter.policy.

  // Index (compressible, like data blocks).
  BlockHandle index_handle;
  const Slice index = index_builder_.Finish();
  props_.index_size = index.size() + kBlockTrailerSize;
  props_.index_key_is_user_key = index_builder_.index_key_is_user_key();
  props_.index_value_is_delta_encoded =
      index_builder_.index_value_is_delta_encoded();
  STRATA_RETURN_IF_ERROR(
      WriteBlock(index, /*compressible=*/true, &index_handle));

  // Range deletions, in call order.
  if (props_.num_range_deletions > 0) {
    BlockHandle handle;
    STRATA_RETURN_IF_ERROR(WriteRawBlock(
        range_del_block_.Finish(), CompressionType::kNoCompression, &handle));
    metaindex.Add(kRangeDelBlockName, handle);
  }

  // Properties: one restart, every name prefix-compressed against the last.
  {
    BlockBuilder properties(/*restart_interval=*/INT_MAX);
    for (const auto& [name, value] : EncodeTableProperties(props_)) {
      properties.Add(name, value);
    }
    BlockHandle handle;
    STRATA_RETURN_IF_ERROR(WriteRawBlock(
        properties.Finish(), CompressionType::kNoCompression, &handle));
    metaindex.Add(kPropertiesBlockName, handle);
  }

  Footer footer;
  footer.format_version = options_.format_version;
  footer.checksum_type = options_.checksum_type;
  footer.index_handle = index_handle;
  STRATA_RETURN_IF_ERROR(WriteRawBlock(metaindex.Finish(),
                                       CompressionType::kNoCompression,
                                       &footer.metaindex_handle));
  std::string encoded;
  Status s = footer.EncodeTo(&encoded);
  if (s.ok()) s = file_->Append(encoded);
  if (!s.ok()) return Fail(s);
  offset_ += encoded.size();
  return Status::OK();
}

void TableBuilder::Abandon() {
  finished_ = true;
  for (auto& b : pending_blocks_) b->done.wait();
  pending_blocks_.clear();
}

}  // namespace strata
