#include "table/block_handle.h"

#include <algorithm>
#include <cassert>
#include <limits>

#include "util/coding.h"

namespace strata {

void BlockHandle::EncodeTo(std::string* dst) const {
  PutVarint64(dst, offset_);
  PutVarint64(dst, size_);
}

std::string BlockHandle::Encode() const {
  std::string s;
  EncodeTo(&s);
  return s;
}

Status BlockHandle::DecodeFrom(Slice* input) {
  const Slice original = *input;
  if (GetVarint64(input, &offset_) && GetVarint64(input, &size_)) {
    return Status::OK();
  }
  offset_ = 0;
  size_ = 0;
  const Slice shown(original.data(),
                    std::min(original.size(), kMaxEncodedLength));
  return Status::Corruption(
      "bad block handle: truncated or overlong varint in " +
      (shown.empty() ? std::string("(no bytes)") : shown.ToHex()));
}

std::string BlockHandle::ToString() const {
  return "(" + std::to_string(offset_) + ", " + std::to_string(size_) + ")";
}

void EncodeHandleSizeDelta(const BlockHandle& handle,
                           const BlockHandle& previous, std::string* dst) {
  assert(handle.offset() == previous.end_offset_with_trailer());
  PutVarsignedint64(dst, static_cast<int64_t>(handle.size() - previous.size()));
}

Status DecodeHandleSizeDelta(Slice* input, const BlockHandle& previous,
                             BlockHandle* handle) {
  int64_t delta = 0;
  if (!GetVarsignedint64(input, &delta)) {
    return Status::Corruption(
        "bad delta-encoded index value: truncated or overlong varint");
  }
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (previous.offset() > kMax - kBlockTrailerSize - previous.size()) {
    return Status::Corruption(
        "bad delta-encoded index value: previous handle " +
        previous.ToString() + " ends beyond 2^64");
  }
  const uint64_t size = previous.size() + static_cast<uint64_t>(delta);
  // Unsigned wrap-around detects both a negative result and an overflow.
  if ((delta < 0 && size > previous.size()) ||
      (delta > 0 && size < previous.size())) {
    return Status::Corruption("bad delta-encoded index value: size delta " +
                              std::to_string(delta) + " against size " +
                              std::to_string(previous.size()) +
                              " is out of range");
  }
  *handle = BlockHandle(previous.end_offset_with_trailer(), size);
  return Status::OK();
}

}  // namespace strata
