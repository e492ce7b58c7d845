#include "table/table_reader.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <map>

#include "table/block_iter.h"
#include "table/meta_index.h"
#include "table/table_builder.h"
#include "table/table_iterator.h"
#include "util/aligned_buffer.h"
#include "util/coding.h"

namespace strata {

TableReader::TableReader(const TableReaderOptions& options,
                         std::unique_ptr<RandomAccessFileReader> file,
                         uint64_t file_size)
    : file_(std::move(file)),
      file_size_(file_size),
      options_(options),
      cache_id_(options.block_cache ? options.block_cache->NewId() : 0) {}

Slice TableReader::CacheKey(uint64_t offset, char* buf) const {
  EncodeFixed64(buf, cache_id_);
  const char* end = EncodeVarint64(buf + 8, offset);
  return Slice(buf, static_cast<size_t>(end - buf));
}

void TableReader::RecordCacheInsert(bool inserted, size_t charge) const {
  if (options_.statistics == nullptr) return;
  if (inserted) {
    options_.statistics->recordTick(BLOCK_CACHE_ADD);
    options_.statistics->recordTick(BLOCK_CACHE_BYTES_WRITE, charge);
  } else {
    options_.statistics->recordTick(BLOCK_CACHE_ADD_FAILURES);
  }
}

void TableReader::SetIndexBlock(std::unique_ptr<Block> block) {
  if (options_.block_cache && options_.cache_index_and_filter_blocks) {
    const size_t charge = block->ApproximateMemoryUsage();
    CacheHandle handle;
    char key[kMaxCacheKeyLength];
    // A refusal (strict capacity, cache full) leaves the block with us.
    const bool inserted =
        options_.block_cache
            ->Insert(CacheKey(footer_.index_handle.offset(), key), &block,
                     charge, Cache::Priority::kHigh, &handle)
            .ok();
    RecordCacheInsert(inserted, charge);
    if (inserted) {
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
    const size_t charge = sizeof(Filter) + filter->bytes.MemoryUsage() +
                          sizeof(FilterBlockReader);
    CacheHandle handle;
    char key[kMaxCacheKeyLength];
    // The key uses the offset of the filter block, so it cannot collide with
    // a data block's.
    const bool inserted = options_.block_cache
                              ->Insert(CacheKey(filter_offset_, key), &filter,
                                       charge, Cache::Priority::kHigh, &handle)
                              .ok();
    RecordCacheInsert(inserted, charge);
    if (inserted) {
      filter_pin_ = std::move(handle);
      return;
    }
  }
  owned_filter_ = std::move(filter);
}

bool TableReader::LookupDataBlock(Cache* cache, Slice key,
                                  BlockRef* block) const {
  CacheHandle hit = cache->Lookup(key);
  const Block* cached = hit.value<Block>();
  if (cached != nullptr) {
    if (Statistics* stats = options_.statistics) {
      stats->recordTick(BLOCK_CACHE_HIT);
      stats->recordTick(BLOCK_CACHE_DATA_HIT);
      stats->recordTick(BLOCK_CACHE_BYTES_READ,
                        cached->ApproximateMemoryUsage());
    }
    block->Pin(std::move(hit));
    return true;
  }
  if (Statistics* stats = options_.statistics) {
    stats->recordTick(BLOCK_CACHE_MISS);
    stats->recordTick(BLOCK_CACHE_DATA_MISS);
  }
  return false;
}

void TableReader::KeepDataBlock(const TableReadOptions& options, Cache* cache,
                                Slice key, std::unique_ptr<Block> parsed,
                                BlockRef* block) const {
  if (cache != nullptr && options.fill_cache) {
    const size_t charge = parsed->ApproximateMemoryUsage();
    CacheHandle pinned;
    const bool inserted =
        cache->Insert(key, &parsed, charge, Cache::Priority::kLow, &pinned)
            .ok();
    RecordCacheInsert(inserted, charge);
    if (inserted) {
      block->Pin(std::move(pinned));
      return;
    }
    // Refused (strict capacity): use the block uncached.
  }
  block->Own(std::move(parsed));
}

Status TableReader::ReadDataBlock(const TableReadOptions& options,
                                  FilePrefetchBuffer* prefetch,
                                  const BlockHandle& handle,
                                  BlockRef* block) const {
  Cache* cache = options_.block_cache.get();
  char key_buf[kMaxCacheKeyLength];
  Slice key;
  if (cache != nullptr) {
    key = CacheKey(handle.offset(), key_buf);
    if (LookupDataBlock(cache, key, block)) {
      return Status::OK();
    }
  }
  return ReadAndKeepDataBlock(options, prefetch, handle, key, block);
}

Status TableReader::ReadAndKeepDataBlock(const TableReadOptions& options,
                                         FilePrefetchBuffer* prefetch,
                                         const BlockHandle& handle,
                                         Slice cache_key,
                                         BlockRef* block) const {
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(ReadBlockContents(
      *file_, prefetch, DataBlockFetchOptions(options), handle, &contents));
  std::unique_ptr<Block> parsed;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(
      Block::Create(std::move(contents), &parsed), file_->path(), handle));
  KeepDataBlock(options, options_.block_cache.get(), cache_key,
                std::move(parsed), block);
  return Status::OK();
}

Status TableReader::ReadDataBlockForGet(const TableReadOptions& options,
                                        const BlockHandle& handle,
                                        BlockRef* kept,
                                        std::optional<Block>* transient,
                                        const Block** block,
                                        bool* block_is_hot) const {
  Cache* cache = options_.block_cache.get();
  char key_buf[kMaxCacheKeyLength];
  if (cache != nullptr &&
      LookupDataBlock(cache, CacheKey(handle.offset(), key_buf), kept)) {
    *block = kept->get();
    *block_is_hot = false;
    return Status::OK();
  }
  // The CPU has just touched every byte if it verified the checksum or a
  // buffered read copied them; a mapping or a direct read (DMA) may leave
  // them cold.
  *block_is_hot =
      options.verify_checksums || file_->mode() == IOMode::kBuffered;
  const bool keep = cache != nullptr && options.fill_cache;
  if (keep || handle.size() > kMaxTransientBlockBytes) {
    STRATA_RETURN_IF_ERROR(ReadAndKeepDataBlock(
        options, nullptr, handle,
        cache != nullptr ? CacheKey(handle.offset(), key_buf) : Slice(), kept));
    *block = kept->get();
    return Status::OK();
  }
  // One buffer per thread: a Get uses it from the read until it has copied
  // the value out, and never runs another Get meanwhile, so concurrent Gets
  // (on other threads) never share one.
  thread_local AlignedBuffer buffer(alignof(std::max_align_t));
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(
      ReadBlockContentsTransient(*file_, FetchOptions(options.verify_checksums),
                                 handle, &buffer, &contents));
  STRATA_RETURN_IF_ERROR(
      AddBlockLocation(Block::CreateInPlace(std::move(contents), transient),
                       file_->path(), handle));
  *block = &transient->value();
  return Status::OK();
}

void TableReader::RecordReadahead(const FilePrefetchBuffer& prefetch) const {
  Statistics* stats = options_.statistics;
  if (stats == nullptr) return;
  const FilePrefetchBufferCounters c = prefetch.FinalCounters();
  if (c.prefetched_bytes == 0) return;
  const uint64_t wasted = std::min(c.discarded_bytes, c.prefetched_bytes);
  stats->recordTick(READAHEAD_BYTES, c.prefetched_bytes);
  stats->recordTick(READAHEAD_BYTES_USED, c.prefetched_bytes - wasted);
  stats->recordTick(READAHEAD_BYTES_WASTED, wasted);
}

TableReader::~TableReader() = default;

BlockIterOptions TableReader::IndexIterOptions() const {
  return BlockIterOptions::IndexBlock(
      properties_.index_key_is_user_key != 0,
      properties_.index_value_is_delta_encoded != 0);
}

BlockFetchOptions TableReader::DataBlockFetchOptions(
    const TableReadOptions& options) const {
  BlockFetchOptions fetch = FetchOptions(options.verify_checksums);
  if (const Cache* cache = options_.block_cache.get();
      cache != nullptr && options.fill_cache) {
    // The blocks go into the cache: their memory comes from its allocator.
    fetch.cache_allocator = &cache->memory_allocator();
  }
  return fetch;
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
  // Every Get and Seek binary-searches the index; a dense array of key
  // prefixes makes that search touch a few cache lines instead of two per
  // probe. A malformed restart entry leaves the block without one, and the
  // search reports it when it gets there.
  std::vector<uint64_t> prefixes;
  bool one_entry_per_restart = false;
  const BlockIterOptions index_options = t->IndexIterOptions();
  if (BuildRestartKeyPrefixes(*index_block, index_options, &prefixes,
                              &one_entry_per_restart)
          .ok()) {
    index_block->SetRestartKeyPrefixes(
        std::move(prefixes),
        index_options.key_order == BlockKeyOrder::kInternalKey,
        one_entry_per_restart);
  }
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

bool TableReader::FilterMayMatch(Slice user_key) const {
  if (filter_ == nullptr) return true;
  const bool may_match = filter_->KeyMayMatch(user_key);
  RecordTick(may_match ? BLOOM_FILTER_FULL_POSITIVE : BLOOM_FILTER_USEFUL);
  return may_match;
}

Status TableReader::GetFromBlock(const Block& block, bool block_is_hot,
                                 const BlockHandle& handle, Slice lookup_key,
                                 bool* found, std::string* internal_key,
                                 std::string* value, uint64_t* trailer,
                                 bool* next_block) const {
  *next_block = false;
  BlockIter data(&block,
                 BlockIterOptions::DataBlock(global_seqno_, block_is_hot));
  const bool may_exist = data.SeekForGet(lookup_key);
  STRATA_RETURN_IF_ERROR(
      AddBlockLocation(data.status(), file_->path(), handle));
  if (!may_exist) {
    return Status::OK();
  }
  if (data.Valid()) {
    if (ExtractUserKey(data.key()) == ExtractUserKey(lookup_key)) {
      *found = true;
      if (internal_key != nullptr) {
        internal_key->assign(data.key().data(), data.key().size());
      }
      if (trailer != nullptr) *trailer = ExtractTrailer(data.key());
      value->assign(data.value().data(), data.value().size());
    }
    return Status::OK();
  }
  // Not in this block: the key may start the next one.
  *next_block = true;
  return Status::OK();
}

Status TableReader::Get(const TableReadOptions& options, Slice lookup_key,
                        bool* found, std::string* internal_key,
                        std::string* value, uint64_t* trailer) const {
  *found = false;
  const Slice user_key = ExtractUserKey(lookup_key);
  if (!FilterMayMatch(user_key)) {
    return Status::OK();
  }
  BlockIter index(index_block_.get(), IndexIterOptions());
  index.Seek(properties_.index_key_is_user_key ? user_key : lookup_key);
  for (; index.Valid(); index.Next()) {
    BlockRef kept;
    std::optional<Block> transient;
    const Block* block = nullptr;
    bool block_is_hot = false;
    STRATA_RETURN_IF_ERROR(ReadDataBlockForGet(
        options, index.handle(), &kept, &transient, &block, &block_is_hot));
    bool next_block = false;
    STRATA_RETURN_IF_ERROR(GetFromBlock(*block, block_is_hot, index.handle(),
                                        lookup_key, found, internal_key, value,
                                        trailer, &next_block));
    if (!next_block) {
      if (*found && filter_ != nullptr) {
        RecordTick(BLOOM_FILTER_FULL_TRUE_POSITIVE);
      }
      return Status::OK();
    }
  }
  return AddBlockLocation(index.status(), file_->path(),
                          footer_.index_handle);
}

void TableReader::MultiGet(const TableReadOptions& options,
                           TableGetRequest* requests,
                           size_t num_requests) const {
  if (num_requests == 1) {
    // A batch of one is a Get: no bookkeeping, and a read whose buffer the
    // block keeps.
    TableGetRequest& r = requests[0];
    r.status = Get(options, r.lookup_key, &r.found, r.internal_key, r.value);
    return;
  }
  // A key still being looked for: the index entry (data block) it is at,
  // as the number of entries it has moved past since its index seek.
  struct Lookup {
    TableGetRequest* request = nullptr;
    size_t blocks_passed = 0;
    BlockHandle handle;
    size_t slot = 0;  // Into `slots`.
  };
  // One distinct data block of a round.
  struct Slot {
    BlockHandle handle;
    BlockRef block;
    Status status;
  };
  const std::string& path = file_->path();
  std::vector<Lookup> active;
  active.reserve(num_requests);
  for (size_t i = 0; i < num_requests; ++i) {
    TableGetRequest& r = requests[i];
    r.found = false;
    r.status = Status::OK();
    if (FilterMayMatch(ExtractUserKey(r.lookup_key))) {
      active.push_back(Lookup{&r, 0, BlockHandle(), 0});
    }
  }
  Cache* cache = options_.block_cache.get();
  const BlockFetchOptions fetch = DataBlockFetchOptions(options);
  std::vector<Slot> slots;
  std::vector<ReadRequest> reads;
  std::vector<size_t> read_slots;
  while (!active.empty()) {
    // Find each key's data block through the index, as Get does.
    size_t kept = 0;
    for (Lookup& l : active) {
      const Slice lookup_key = l.request->lookup_key;
      BlockIter index(index_block_.get(), IndexIterOptions());
      index.Seek(properties_.index_key_is_user_key ? ExtractUserKey(lookup_key)
                                                   : lookup_key);
      for (size_t i = 0; i < l.blocks_passed && index.Valid(); ++i) {
        index.Next();
      }
      if (!index.Valid()) {
        l.request->status =
            AddBlockLocation(index.status(), path, footer_.index_handle);
        continue;
      }
      l.handle = index.handle();
      active[kept++] = l;
    }
    active.resize(kept);
    if (active.empty()) break;

    // Distinct blocks in file order, each served from the cache or queued
    // for the batch read.
    std::sort(active.begin(), active.end(),
              [](const Lookup& a, const Lookup& b) {
                return a.handle.offset() != b.handle.offset()
                           ? a.handle.offset() < b.handle.offset()
                           : a.handle.size() < b.handle.size();
              });
    slots.clear();
    reads.clear();
    read_slots.clear();
    for (Lookup& l : active) {
      if (slots.empty() || slots.back().handle != l.handle) {
        slots.emplace_back();
        slots.back().handle = l.handle;
      }
      l.slot = slots.size() - 1;
    }
    char key_buf[kMaxCacheKeyLength];
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& slot = slots[i];
      if (cache != nullptr &&
          LookupDataBlock(cache, CacheKey(slot.handle.offset(), key_buf),
                          &slot.block)) {
        continue;
      }
      slot.status = CheckBlockExtent(path, fetch, slot.handle);
      if (!slot.status.ok()) continue;
      ReadRequest read;
      read.offset = slot.handle.offset();
      read.len = static_cast<size_t>(slot.handle.size() + kBlockTrailerSize);
      reads.push_back(read);
      read_slots.push_back(i);
    }
    auto keep = [&](Slot* slot, BlockContents contents) {
      std::unique_ptr<Block> parsed;
      slot->status = AddBlockLocation(
          Block::Create(std::move(contents), &parsed), path, slot->handle);
      if (!slot->status.ok()) return;
      KeepDataBlock(
          options, cache,
          cache != nullptr ? CacheKey(slot->handle.offset(), key_buf) : Slice(),
          std::move(parsed), &slot->block);
    };
    if (reads.size() == 1) {
      // A single block: a plain read, whose buffer the block keeps.
      Slot& slot = slots[read_slots[0]];
      BlockContents contents;
      slot.status =
          ReadBlockContents(*file_, nullptr, fetch, slot.handle, &contents);
      if (slot.status.ok()) keep(&slot, std::move(contents));
    } else if (!reads.empty()) {
      AlignedMemory buffer;
      const IOStatus batch =
          file_->MultiRead(reads.data(), reads.size(), &buffer);
      for (size_t r = 0; r < reads.size(); ++r) {
        Slot& slot = slots[read_slots[r]];
        if (!batch.ok() || !reads[r].status.ok()) {
          slot.status = !batch.ok() ? Status(batch) : Status(reads[r].status);
          continue;
        }
        BlockContents contents;
        slot.status = DecodeBlockContents(path, fetch, slot.handle,
                                          reads[r].result, &contents);
        if (slot.status.ok()) keep(&slot, std::move(contents));
      }
    }

    // Answer each key from its block; those that may continue into the
    // next block go round again.
    kept = 0;
    for (Lookup& l : active) {
      Slot& slot = slots[l.slot];
      TableGetRequest& r = *l.request;
      if (!slot.status.ok()) {
        r.status = slot.status;
        continue;
      }
      bool next_block = false;
      r.status = GetFromBlock(*slot.block.get(), /*block_is_hot=*/false,
                              slot.handle, r.lookup_key, &r.found,
                              r.internal_key, r.value, nullptr, &next_block);
      if (r.status.ok() && next_block) {
        ++l.blocks_passed;
        active[kept++] = l;
      } else if (r.status.ok() && r.found && filter_ != nullptr) {
        RecordTick(BLOOM_FILTER_FULL_TRUE_POSITIVE);
      }
    }
    active.resize(kept);
  }
}

std::unique_ptr<TableIterator> TableReader::NewIterator(
    const TableReadOptions& options) const {
  return std::make_unique<TableIterator>(this, options);
}

Status TableReader::VerifyChecksum(size_t readahead_bytes,
                                   Executor* readahead_executor) const {
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
  prefetch_options.executor = readahead_executor;
  FilePrefetchBuffer prefetch(file_.get(), prefetch_options);
  BlockIter index(index_block_.get(), IndexIterOptions());
  for (index.SeekToFirst(); index.Valid(); index.Next()) {
    BlockContents contents;
    Status s =
        ReadBlockContents(*file_, &prefetch, fetch, index.handle(), &contents);
    if (!s.ok()) {
      RecordReadahead(prefetch);
      return s;
    }
  }
  RecordReadahead(prefetch);
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
