#include "table/block_fetcher.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "util/coding.h"
#include "util/compression.h"

namespace strata {

namespace {

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

}  // namespace

Status VerifyBlockChecksum(ChecksumType type, Slice block_with_trailer,
                           std::string_view path, uint64_t offset) {
  const size_t size = block_with_trailer.size() - kBlockTrailerSize;
  const char* data = block_with_trailer.data();
  const uint32_t stored = DecodeFixed32(data + size + 1);
  const uint32_t computed = ComputeBlockChecksum(type, data, size, data[size]);
  if (stored == computed) {
    return Status::OK();
  }
  return Status::Corruption(path, offset, size,
                            "block checksum mismatch: stored " + Hex32(stored) +
                                ", computed " + Hex32(computed) + " (" +
                                std::string(ChecksumTypeName(type)) + ")");
}

Status CheckBlockExtent(std::string_view path, const BlockFetchOptions& options,
                        const BlockHandle& handle) {
  const uint64_t n = handle.size() + kBlockTrailerSize;
  if (handle.offset() > options.file_size ||
      n > options.file_size - handle.offset()) {
    return Status::Corruption(path, handle.offset(), handle.size(),
                              "block extends past the end of the file (" +
                                  std::to_string(options.file_size) +
                                  " bytes)");
  }
  return Status::OK();
}

namespace {

// What an uncompressed block's contents hold.
enum class RawBlockUse : uint8_t {
  kCopy,    // A copy (raw's buffer is reused).
  kOwn,     // The RawBuffer raw lies in, where it may (else a copy).
  kBorrow,  // raw itself (it outlives the contents).
};

// The buffer a read left a block in, for contents that may take it over.
struct RawBuffer {
  // The read's own buffer; a direct read's is the block's aligned hull.
  AlignedMemory aligned;
  bool aligned_is_hull = false;
  // Cache memory the read went straight into; raw starts it.
  AllocatedMemory allocated;
};

// The allocator a block's own memory comes from, or null for a string.
const MemoryAllocator* AllocatorOf(const BlockFetchOptions& options) {
  return options.cache_allocator != nullptr ? options.cache_allocator->get()
                                            : nullptr;
}

// Decompresses into memory from an allocator.
class AllocatorOutput final : public UncompressedOutput {
 public:
  explicit AllocatorOutput(const std::shared_ptr<MemoryAllocator>* allocator)
      : allocator_(allocator) {}
  char* Reserve(size_t size) override {
    memory_ = AllocatedMemory(*allocator_, size);
    return memory_.data();
  }
  AllocatedMemory Take() { return std::move(memory_); }

 private:
  const std::shared_ptr<MemoryAllocator>* allocator_;
  AllocatedMemory memory_;
};

// Checks and decodes `raw` (the stored block and its trailer); `use` says
// what an uncompressed block's contents hold.
Status DecodeRawBlock(std::string_view path, const BlockFetchOptions& options,
                      const BlockHandle& handle, Slice raw, RawBlockUse use,
                      RawBuffer* buffer, BlockContents* contents) {
  const uint64_t n = handle.size() + kBlockTrailerSize;
  if (raw.size() != n) {
    return Status::Corruption(path, handle.offset(), handle.size(),
                              "truncated block read: expected " +
                                  std::to_string(n) + " bytes, got " +
                                  std::to_string(raw.size()));
  }
  if (options.verify_checksum) {
    STRATA_RETURN_IF_ERROR(
        VerifyBlockChecksum(options.checksum_type, raw, path, handle.offset()));
  }
  const uint8_t type_byte = static_cast<uint8_t>(raw[handle.size()]);
  const Slice stored(raw.data(), handle.size());
  if (type_byte == 0) {
    const bool for_cache = options.cache_allocator != nullptr;
    if (use == RawBlockUse::kBorrow) {
      *contents = BlockContents::Borrow(stored);
    } else if (use == RawBlockUse::kOwn && buffer->allocated.data() != nullptr) {
      // Zero copy: the read went straight into cache memory.
      *contents =
          BlockContents::Own(std::move(buffer->allocated), handle.size());
    } else if (use == RawBlockUse::kOwn && buffer->aligned != nullptr &&
               !(for_cache && buffer->aligned_is_hull)) {
      // Zero copy: the block lives in the reader's buffer. (Not a direct
      // read's hull bound for a cache: 8-12 KiB held for a 4 KiB block
      // whose charge is 4 KiB.)
      const size_t at = static_cast<size_t>(raw.data() - buffer->aligned.get());
      *contents =
          BlockContents::Own(std::move(buffer->aligned), at, handle.size());
    } else if (AllocatorOf(options) != nullptr) {
      // A copy, in cache memory.
      AllocatedMemory copy(*options.cache_allocator, stored.size());
      if (!stored.empty()) {
        std::memcpy(copy.data(), stored.data(), stored.size());
      }
      *contents = BlockContents::Own(std::move(copy), stored.size());
    } else {
      *contents = BlockContents::Own(stored.ToString());
    }
    return Status::OK();
  }
  CompressionType type;
  if (!CompressionTypeFromByte(type_byte, &type)) {
    return Status::Corruption(
        path, handle.offset(), handle.size(),
        "unknown compression type byte " + std::to_string(type_byte));
  }
  if (!options.allow_compressed) {
    return Status::Corruption(path, handle.offset(), handle.size(),
                              "block of a kind that is never compressed has "
                              "compression type " +
                                  std::string(CompressionTypeName(type)));
  }
  if (!CompressionTypeSupported(type)) {
    return Status::NotSupported(
        std::string(path) + " @ " + std::to_string(handle.offset()) +
        ": compression " + std::string(CompressionTypeName(type)) +
        " is not supported by this build");
  }
  // One decompression context per thread, reused: creating one per block
  // (ZSTD_createDCtx probes the CPU) cost half of a warm zstd Get.
  thread_local Decompressor decompressor;
  std::string out;
  AllocatorOutput allocated(options.cache_allocator);
  Status s = AllocatorOf(options) != nullptr
                 ? decompressor.Uncompress(type, options.format_version,
                                           stored, &allocated)
                 : decompressor.Uncompress(type, options.format_version,
                                           stored, &out);
  if (!s.ok()) {
    return Status::Corruption(path, handle.offset(), handle.size(),
                              "cannot uncompress " +
                                  std::string(CompressionTypeName(type)) +
                                  " block: " + std::string(s.message()));
  }
  if (AllocatorOf(options) != nullptr) {
    AllocatedMemory memory = allocated.Take();
    const size_t size = memory.size();
    *contents = BlockContents::Own(std::move(memory), size);
  } else {
    *contents = BlockContents::Own(std::move(out));
  }
  return Status::OK();
}

}  // namespace

Status DecodeBlockContents(std::string_view path,
                           const BlockFetchOptions& options,
                           const BlockHandle& handle, Slice raw,
                           BlockContents* contents) {
  return DecodeRawBlock(path, options, handle, raw, RawBlockUse::kCopy, nullptr,
                        contents);
}

Status ReadBlockContents(const RandomAccessFileReader& file,
                         FilePrefetchBuffer* prefetch,
                         const BlockFetchOptions& options,
                         const BlockHandle& handle, BlockContents* contents) {
  const std::string& path = file.path();
  STRATA_RETURN_IF_ERROR(CheckBlockExtent(path, options, handle));
  const uint64_t n = handle.size() + kBlockTrailerSize;
  Slice raw;
  RawBuffer buffer;
  Status s;
  if (prefetch != nullptr) {
    s = prefetch->Read(handle.offset(), n, &raw);
  } else if (AllocatorOf(options) != nullptr &&
             file.mode() == IOMode::kBuffered) {
    // Bound for a cache: read straight into its memory.
    buffer.allocated = AllocatedMemory(*options.cache_allocator, n);
    s = file.Read(handle.offset(), n, &raw, buffer.allocated.data());
  } else {
    s = file.Read(handle.offset(), n, &raw, &buffer.aligned);
    buffer.aligned_is_hull = file.use_direct_io();
  }
  if (!s.ok()) {
    return s;
  }
  return DecodeRawBlock(
      path, options, handle, raw,
      prefetch != nullptr ? RawBlockUse::kCopy : RawBlockUse::kOwn, &buffer,
      contents);
}

Status ReadBlockContentsTransient(const RandomAccessFileReader& file,
                                  const BlockFetchOptions& options,
                                  const BlockHandle& handle,
                                  AlignedBuffer* buffer,
                                  BlockContents* contents) {
  const std::string& path = file.path();
  STRATA_RETURN_IF_ERROR(CheckBlockExtent(path, options, handle));
  const size_t n = static_cast<size_t>(handle.size() + kBlockTrailerSize);
  Slice raw;
  STRATA_RETURN_IF_ERROR(file.ReadInto(handle.offset(), n, &raw, buffer));
  return DecodeRawBlock(path, options, handle, raw, RawBlockUse::kBorrow,
                        nullptr, contents);
}

}  // namespace strata
