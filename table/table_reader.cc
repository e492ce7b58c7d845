#include "table/table_reader.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "table/block_iter.h"
#include "table/meta_index.h"
#include "table/table_builder.h"
#include "table/table_iterator.h"
#include "util/coding.h"

namespace strata {

TableReader::TableReader(const TableReaderOptions& options,
                         std::unique_ptr<RandomAccessFileReader> file,
                         uint64_t file_size)
    : file_(std::move(file)),
      file_size_(file_size),
      options_(options),
      cache_id_(options.block_cache ? options.block_cache->NewId() : 0) {}

std::string TableReader::CacheKey(uint64_t offset) const {
  std::string key;
  PutFixed64(&key, cache_id_);
  PutVarint64(&key, offset);
  return key;
}

void TableReader::SetIndexBlock(std::unique_ptr<Block> block) {
  if (options_.block_cache && options_.cache_index_and_filter_blocks) {
    const size_t charge = block->size();
    CacheHandle handle;
    // A refusal (strict capacity, cache full) leaves the block with us.
    if (options_.block_cache
            ->Insert(CacheKey(footer_.index_handle.offset()), &block, charge,
                     Cache::Priority::kHigh, &handle)
            .ok()) {
      index_block_.Pin(std::move(handle));
      return;
    }
  }
  index_block_.Own(std::move(block));
}

void TableReader::SetFilter(BlockContents bytes) {
  auto filter = std::make_unique<Filter>();
  filter->bytes = std::move(bytes);
  filter->reader = std::make_unique<FilterBlockReader>(filter->bytes.data());
  filter_ = filter->reader.get();
  if (options_.block_cache && options_.cache_index_and_filter_blocks) {
    const size_t charge = filter->bytes.data().size();
    CacheHandle handle;
    // The key uses the offset of the filter block, so it cannot collide with
    // a data block's.
    if (options_.block_cache
            ->Insert(CacheKey(filter_offset_), &filter, charge,
                     Cache::Priority::kHigh, &handle)
            .ok()) {
      filter_pin_ = std::move(handle);
      return;
    }
  }
  owned_filter_ = std::move(filter);
}

Status TableReader::ReadDataBlock(const TableReadOptions& options,
                                  FilePrefetchBuffer* prefetch,
                                  const BlockHandle& handle,
                                  BlockRef* block) const {
  Cache* cache = options_.block_cache.get();
  std::string key;
  if (cache != nullptr) {
    key = CacheKey(handle.offset());
    CacheHandle hit = cache->Lookup(key);
    Statistics* stats = options_.statistics;
    if (hit && hit.value<Block>() != nullptr) {
      if (stats != nullptr) {
        stats->recordTick(BLOCK_CACHE_HIT);
        stats->recordTick(BLOCK_CACHE_DATA_HIT);
        stats->recordTick(BLOCK_CACHE_BYTES_READ, hit.value<Block>()->size());
      }
      block->Pin(std::move(hit));
      return Status::OK();
    }
    if (stats != nullptr) {
      stats->recordTick(BLOCK_CACHE_MISS);
      stats->recordTick(BLOCK_CACHE_DATA_MISS);
    }
  }
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(ReadBlockContents(
      *file_, prefetch, FetchOptions(options.verify_checksums), handle,
      &contents));
  std::unique_ptr<Block> parsed;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(
      Block::Create(std::move(contents), &parsed), file_->path(), handle));
  if (cache != nullptr && options.fill_cache) {
    const size_t charge = parsed->size();
    CacheHandle pinned;
    if (cache->Insert(key, &parsed, charge, Cache::Priority::kLow, &pinned)
            .ok()) {
      if (options_.statistics != nullptr) {
        options_.statistics->recordTick(BLOCK_CACHE_ADD);
        options_.statistics->recordTick(BLOCK_CACHE_BYTES_WRITE, charge);
      }
      block->Pin(std::move(pinned));
      return Status::OK();
    }
    if (options_.statistics != nullptr) {
      options_.statistics->recordTick(BLOCK_CACHE_ADD_FAILURES);
    }
    // Refused (strict capacity): use the block uncached.
  }
  block->Own(std::move(parsed));
  return Status::OK();
}

TableReader::~TableReader() = default;

BlockIterOptions TableReader::IndexIterOptions() const {
  return BlockIterOptions::IndexBlock(
      properties_.index_key_is_user_key != 0,
      properties_.index_value_is_delta_encoded != 0);
}

BlockFetchOptions TableReader::FetchOptions(bool verify_checksum) const {
  BlockFetchOptions o;
  o.format_version = footer_.format_version;
  o.checksum_type = footer_.checksum_type;
  o.file_size = file_size_;
  o.verify_checksum = verify_checksum;
  return o;
}

Status TableReader::Open(const TableReaderOptions& options,
                         std::unique_ptr<RandomAccessFileReader> file,
                         uint64_t file_size,
                         std::unique_ptr<TableReader>* result) {
  std::unique_ptr<TableReader> t(
      new TableReader(options, std::move(file), file_size));
  const std::string& path = t->file_->path();
  if (file_size < Footer::kMinEncodedLength) {
    return Status::Corruption(path, 0, file_size,
                              "file too short (" + std::to_string(file_size) +
                                  " bytes) to be an SST");
  }
  // One read of the tail: the footer and, usually, every meta block.
  FilePrefetchBufferOptions tail_options;
  tail_options.mode = ReadaheadMode::kExplicit;
  FilePrefetchBuffer tail(t->file_.get(), tail_options);
  STRATA_RETURN_IF_ERROR(
      tail.PrefetchTail(file_size, options.tail_prefetch_bytes));

  const size_t footer_len =
      static_cast<size_t>(std::min<uint64_t>(Footer::kMaxEncodedLength,
                                             file_size));
  Slice footer_bytes;
  STRATA_RETURN_IF_ERROR(
      tail.Read(file_size - footer_len, footer_len, &footer_bytes));
  STRATA_RETURN_IF_ERROR(
      Footer::DecodeFrom(footer_bytes, path, file_size, &t->footer_));

  // Meta blocks are never compressed; their checksums are always verified.
  BlockFetchOptions meta_fetch = t->FetchOptions(/*verify_checksum=*/true);
  meta_fetch.allow_compressed = false;
  BlockContents metaindex_contents;
  STRATA_RETURN_IF_ERROR(ReadBlockContents(*t->file_, &tail, meta_fetch,
                                           t->footer_.metaindex_handle,
                                           &metaindex_contents));
  std::unique_ptr<Block> metaindex;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(
      Block::Create(std::move(metaindex_contents), &metaindex), path,
      t->footer_.metaindex_handle));
  std::map<std::string, BlockHandle> meta;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(ReadMetaIndex(*metaindex, &meta),
                                          path, t->footer_.metaindex_handle));
  for (const auto& [name, handle] : meta) {
    t->meta_handles_.push_back(handle);
  }

  // Properties (treated as required: ingestion and scans need them).
  auto props = meta.find(std::string(kPropertiesBlockName));
  if (props == meta.end()) {
    props = meta.find(std::string(kLegacyPropertiesBlockName));
  }
  if (props == meta.end()) {
    return Status::Corruption(path, t->footer_.metaindex_handle.offset(),
                              t->footer_.metaindex_handle.size(),
                              "metaindex has no rocksdb.properties block");
  }
  STRATA_RETURN_IF_ERROR(t->ReadProperties(&tail, props->second));
  if (options.global_seqno != kDisableGlobalSequenceNumber) {
    t->global_seqno_ = options.global_seqno;
  }

  auto range_del = meta.find(std::string(kRangeDelBlockName));
  if (range_del != meta.end()) {
    STRATA_RETURN_IF_ERROR(t->ReadRangeTombstones(&tail, range_del->second));
  }

  // Index: compressible like data blocks.
  BlockContents index_contents;
  STRATA_RETURN_IF_ERROR(ReadBlockContents(*t->file_, &tail,
                                           t->FetchOptions(true),
                                           t->footer_.index_handle,
                                           &index_contents));
  std::unique_ptr<Block> index_block;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(
      Block::Create(std::move(index_contents), &index_block), path,
      t->footer_.index_handle));
  t->SetIndexBlock(std::move(index_block));

  // Full filter, when the file has one and whole-key filtering was on.
  auto filter = meta.find(kFullFilterBlockName);
  if (filter != meta.end() && t->properties_.whole_key_filtering) {
    BlockContents filter_contents;
    STRATA_RETURN_IF_ERROR(ReadBlockContents(
        *t->file_, &tail, meta_fetch, filter->second, &filter_contents));
    t->filter_offset_ = filter->second.offset();
    t->SetFilter(std::move(filter_contents));
  }
  *result = std::move(t);
  return Status::OK();
}

Status TableReader::ReadProperties(FilePrefetchBuffer* tail,
                                   const BlockHandle& handle) {
  const std::string& path = file_->path();
  // Read without verification first: an ingested copy may carry a global
  // sequence number written in place after the checksum was computed
  // (section 17 step 3), so the check below allows for that.
  BlockFetchOptions fetch = FetchOptions(/*verify_checksum=*/false);
  fetch.allow_compressed = false;
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(
      ReadBlockContents(*file_, tail, fetch, handle, &contents));
  std::unique_ptr<Block> block;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(
      Block::Create(std::move(contents), &block), path, handle));
  BlockIter it(block.get(), BlockIterOptions::MetaBlock(false));
  std::string previous;
  size_t global_seqno_offset = 0;
  bool has_global_seqno = false;
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    const Slice name = it.key();
    if (!previous.empty() && Slice(previous).compare(name) >= 0) {
      return Status::Corruption(path, handle.offset(), handle.size(),
                                "properties unsorted: " + name.ToString() +
                                    " after " + previous);
    }
    previous = name.ToString();
    Status s = DecodeTableProperty(name, it.value(), &properties_);
    if (!s.ok()) {
      return Status::Corruption(path, handle.offset(), handle.size(),
                                s.message());
    }
    if (name == Slice(property_names::kGlobalSeqno)) {
      has_global_seqno = true;
      global_seqno_offset = static_cast<size_t>(it.value().data() -
                                                block->data().data());
    }
  }
  STRATA_RETURN_IF_ERROR(AddBlockLocation(it.status(), path, handle));

  properties_handle_ = handle;
  if (has_global_seqno) {
    global_seqno_offset_ = global_seqno_offset;
  }
  // Now the checksum, over the stored bytes plus the trailer.
  Slice raw;
  STRATA_RETURN_IF_ERROR(
      tail->Read(handle.offset(), handle.size() + kBlockTrailerSize, &raw));
  STRATA_RETURN_IF_ERROR(CheckPropertiesChecksum(raw));

  if (has_global_seqno && !properties_.is_external) {
    return Status::Corruption(path, handle.offset(), handle.size(),
                              "rocksdb.external_sst_file.global_seqno without "
                              "rocksdb.external_sst_file.version");
  }
  if (properties_.is_external && properties_.external_sst_file_version >= 2) {
    // The one value the properties checksum lets differ (ingestion writes
    // it in place), so it is checked here instead.
    if (properties_.external_sst_file_global_seqno > kMaxSequenceNumber) {
      return Status::Corruption(
          path, handle.offset(), handle.size(),
          "rocksdb.external_sst_file.global_seqno " +
              std::to_string(properties_.external_sst_file_global_seqno) +
              " exceeds the largest sequence number " +
              std::to_string(kMaxSequenceNumber));
    }
    global_seqno_ = properties_.external_sst_file_global_seqno;
  }
  return Status::OK();
}

Status TableReader::CheckPropertiesChecksum(Slice raw) const {
  const std::string& path = file_->path();
  Status s = VerifyBlockChecksum(footer_.checksum_type, raw, path,
                                 properties_handle_.offset());
  if (s.ok() || global_seqno_offset_ == kNoGlobalSeqnoOffset ||
      global_seqno_offset_ + 8 > properties_handle_.size()) {
    return s;
  }
  // Ingestion may have written the global sequence number into a copy of
  // the file after the checksum was computed: check again with it zeroed.
  std::string copy = raw.ToString();
  std::memset(copy.data() + global_seqno_offset_, 0, 8);
  return VerifyBlockChecksum(footer_.checksum_type, copy, path,
                             properties_handle_.offset());
}

Status TableReader::ReadRangeTombstones(FilePrefetchBuffer* tail,
                                        const BlockHandle& handle) {
  const std::string& path = file_->path();
  BlockFetchOptions fetch = FetchOptions(/*verify_checksum=*/true);
  fetch.allow_compressed = false;
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(
      ReadBlockContents(*file_, tail, fetch, handle, &contents));
  std::unique_ptr<Block> block;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(
      Block::Create(std::move(contents), &block), path, handle));
  BlockIter it(block.get(), BlockIterOptions::DataBlock(global_seqno_));
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    ParsedInternalKey parsed;
    Status s = ParseInternalKey(it.key(), &parsed);
    if (!s.ok() || parsed.type != ValueType::kRangeDeletion) {
      return Status::Corruption(path, handle.offset(), handle.size(),
                                "bad range tombstone key 0x" +
                                    it.key().ToHex());
    }
    range_tombstones_.push_back(RangeTombstone{
        parsed.user_key.ToString(), it.value().ToString(), parsed.sequence});
  }
  return AddBlockLocation(it.status(), path, handle);
}

bool TableReader::KeyMayMatch(Slice user_key) const {
  return filter_ == nullptr || filter_->KeyMayMatch(user_key);
}

Status TableReader::Get(const TableReadOptions& options, Slice lookup_key,
                        bool* found, std::string* internal_key,
                        std::string* value) const {
  *found = false;
  const Slice user_key = ExtractUserKey(lookup_key);
  if (!KeyMayMatch(user_key)) {
    return Status::OK();
  }
  BlockIter index(index_block_.get(), IndexIterOptions());
  index.Seek(properties_.index_key_is_user_key ? user_key : lookup_key);
  for (; index.Valid(); index.Next()) {
    BlockRef block;
    STRATA_RETURN_IF_ERROR(
        ReadDataBlock(options, nullptr, index.handle(), &block));
    BlockIter data(block.get(), BlockIterOptions::DataBlock(global_seqno_));
    const bool may_exist = data.SeekForGet(lookup_key);
    STRATA_RETURN_IF_ERROR(
        AddBlockLocation(data.status(), file_->path(), index.handle()));
    if (!may_exist) {
      return Status::OK();
    }
    if (data.Valid()) {
      if (ExtractUserKey(data.key()) == user_key) {
        *found = true;
        internal_key->assign(data.key().data(), data.key().size());
        value->assign(data.value().data(), data.value().size());
      }
      return Status::OK();
    }
    // Not in this block: the key may start the next one.
  }
  return AddBlockLocation(index.status(), file_->path(),
                          footer_.index_handle);
}

std::unique_ptr<TableIterator> TableReader::NewIterator(
    const TableReadOptions& options) const {
  return std::make_unique<TableIterator>(this, options);
}

Status TableReader::VerifyChecksum(size_t readahead_bytes) const {
  BlockFetchOptions fetch = FetchOptions(/*verify_checksum=*/true);
  fetch.allow_compressed = true;
  for (const BlockHandle& handle : meta_handles_) {
    if (handle == properties_handle_) {
      Slice raw;
      AlignedMemory owned;
      STRATA_RETURN_IF_ERROR(file_->Read(
          handle.offset(), handle.size() + kBlockTrailerSize, &raw, &owned));
      STRATA_RETURN_IF_ERROR(CheckPropertiesChecksum(raw));
      continue;
    }
    BlockContents contents;
    STRATA_RETURN_IF_ERROR(
        ReadBlockContents(*file_, nullptr, fetch, handle, &contents));
  }
  FilePrefetchBufferOptions prefetch_options;
  prefetch_options.mode = ReadaheadMode::kCompaction;
  prefetch_options.readahead_bytes = readahead_bytes;
  FilePrefetchBuffer prefetch(file_.get(), prefetch_options);
  BlockIter index(index_block_.get(), IndexIterOptions());
  for (index.SeekToFirst(); index.Valid(); index.Next()) {
    BlockContents contents;
    STRATA_RETURN_IF_ERROR(ReadBlockContents(*file_, &prefetch, fetch,
                                             index.handle(), &contents));
  }
  return AddBlockLocation(index.status(), file_->path(),
                          footer_.index_handle);
}

uint64_t TableReader::ApproximateOffsetOf(Slice internal_key) const {
  BlockIter index(index_block_.get(), IndexIterOptions());
  index.Seek(properties_.index_key_is_user_key ? ExtractUserKey(internal_key)
                                               : internal_key);
  if (index.Valid()) {
    return index.handle().offset();
  }
  return properties_.data_size;
}

}  // namespace strata
