// BlockHandle: where a block sits in an SST file, and the encodings of
// handles used by index and metaindex values
// (../shared/spec/sst-format.md sections 1, 5 and 9.3).
//
// A handle is (offset, size): the file offset of the block's first byte and
// the length of the stored block, excluding its 5-byte trailer. It is encoded
// as varint64 offset, varint64 size (at most 20 bytes). (0, 0) is the null
// handle ("absent").
//
// Thread-safety: a value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// Every stored block is followed by a compression-type byte and a fixed32
// checksum (spec section 5).
inline constexpr size_t kBlockTrailerSize = 5;

class BlockHandle {
 public:
  static constexpr size_t kMaxEncodedLength = 20;  // Two 10-byte varint64s.

  constexpr BlockHandle() = default;  // The null handle.
  constexpr BlockHandle(uint64_t offset, uint64_t size)
      : offset_(offset), size_(size) {}

  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  void set_size(uint64_t size) { size_ = size; }
  bool IsNull() const { return offset_ == 0 && size_ == 0; }

  // Offset of the byte after this block's trailer, i.e. where the next block
  // starts when blocks are contiguous.
  uint64_t end_offset_with_trailer() const {
    return offset_ + size_ + kBlockTrailerSize;
  }

  void EncodeTo(std::string* dst) const;
  std::string Encode() const;
  // Consumes a handle from the front of *input. On a truncated or overlong
  // varint returns Corruption ("bad block handle: ...") and leaves *this
  // null; *input is then unspecified.
  Status DecodeFrom(Slice* input);

  // "(offset, size)" in decimal, for messages.
  std::string ToString() const;

  friend bool operator==(const BlockHandle& a, const BlockHandle& b) {
    return a.offset_ == b.offset_ && a.size_ == b.size_;
  }
  friend bool operator!=(const BlockHandle& a, const BlockHandle& b) {
    return !(a == b);
  }

 private:
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// Index values with delta encoding (format_version >= 4, spec section 9.3):
// an entry whose key shares bytes with the previous key stores only
// zig-zag varint64(size - previous.size); its offset is implied as
// previous.end_offset_with_trailer().
//
// REQUIRES: handle.offset() == previous.end_offset_with_trailer().
void EncodeHandleSizeDelta(const BlockHandle& handle,
                           const BlockHandle& previous, std::string* dst);
// Consumes the delta from the front of *input and rebuilds the handle.
// Returns Corruption for a bad varint, a size that would be negative, or an
// offset or size that does not fit in 64 bits.
Status DecodeHandleSizeDelta(Slice* input, const BlockHandle& previous,
                             BlockHandle* handle);

}  // namespace strata
