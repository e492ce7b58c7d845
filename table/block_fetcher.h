// ReadBlockContents: fetches one stored block by handle, checks its trailer
// and decompresses it (../shared/spec/sst-format.md sections 5 and 6).
//
// The read goes through the prefetch buffer when one is given (table open,
// iterator readahead, compaction readahead), else straight through the
// RandomAccessFileReader; neither path knows whether the file is direct.
// Errors: a block that ends past the file, a short read, a checksum mismatch
// or a bad compressed payload is Corruption "<file> @ <offset>+<size>:
// <detail>"; an unknown or unsupported compression type is NotSupported
// naming it. Data that fails its checksum is never returned.
// Thread-safety: safe to call concurrently with distinct prefetch buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "env/file_prefetch_buffer.h"
#include "env/random_access_file_reader.h"
#include "strata/memory_allocator.h"
#include "strata/status.h"
#include "table/block.h"
#include "table/block_handle.h"
#include "util/aligned_buffer.h"
#include "util/checksum.h"

namespace strata {

struct BlockFetchOptions {
  uint32_t format_version = 5;
  ChecksumType checksum_type = ChecksumType::kCRC32c;
  uint64_t file_size = 0;
  bool verify_checksum = true;
  // Filter, properties, metaindex and range-deletion blocks are never
  // compressed: a compressed one is Corruption.
  bool allow_compressed = true;
  // Set for blocks bound for a block cache, to the cache's allocator (which
  // may itself be null: heap memory). Such a block gets its memory there:
  // buffered reads go straight into it, decompression writes into it, and
  // a block read from mmap, a prefetch buffer or a direct read is copied
  // into it. (A direct read's aligned hull is never kept for a cache: 8-12
  // KiB held for a 4 KiB block charged as 4 KiB.) Must outlive the call
  // only; the block keeps the allocator alive.
  const std::shared_ptr<MemoryAllocator>* cache_allocator = nullptr;
};

Status ReadBlockContents(const RandomAccessFileReader& file,
                         FilePrefetchBuffer* prefetch,
                         const BlockFetchOptions& options,
                         const BlockHandle& handle, BlockContents* contents);

// ReadBlockContents without a prefetch buffer, for a block needed only
// briefly (a Get that keeps no block): buffered and mmap reads land in
// *buffer, grown as needed and reused from call to call, and an
// uncompressed block borrows *buffer (or the mapping) instead of getting
// memory of its own. *contents is then valid until *buffer is used again
// or destroyed. A direct read lands in *buffer too (its aligned hull, the
// buffer realigned as the file needs). Compressed blocks own their
// decompressed bytes as with ReadBlockContents.
// Thread-safety: as ReadBlockContents; *buffer must not be shared.
Status ReadBlockContentsTransient(const RandomAccessFileReader& file,
                                  const BlockFetchOptions& options,
                                  const BlockHandle& handle,
                                  AlignedBuffer* buffer,
                                  BlockContents* contents);

// The checks and decoding of ReadBlockContents for a block whose bytes were
// read elsewhere (a batched MultiRead): `raw` is what the read returned for
// handle.size() + kBlockTrailerSize bytes at handle.offset() (shorter means
// a truncated read, which is Corruption). Uncompressed contents are copied
// out of `raw`, so raw's memory may be reused afterwards.
Status DecodeBlockContents(std::string_view path,
                           const BlockFetchOptions& options,
                           const BlockHandle& handle, Slice raw,
                           BlockContents* contents);

// Corruption unless the block and its trailer lie inside the file.
Status CheckBlockExtent(std::string_view path, const BlockFetchOptions& options,
                        const BlockHandle& handle);

// Checks a block trailer: the checksum of stored || type_byte against the
// one stored after it. `block_with_trailer` holds handle.size() + 5 bytes.
Status VerifyBlockChecksum(ChecksumType type, Slice block_with_trailer,
                           std::string_view path, uint64_t offset);

}  // namespace strata
