#include "util/checksum.h"

#include <cassert>

#include "util/crc32c.h"
#include "util/xxhash.h"

namespace strata {

namespace {

struct ChecksumNames {
  ChecksumType type;
  std::string_view short_name;
  std::string_view enum_name;
  std::string_view number;
};

constexpr ChecksumNames kChecksumNames[] = {
    {ChecksumType::kNoChecksum, "none", "kNoChecksum", "0"},
    {ChecksumType::kCRC32c, "crc32c", "kCRC32c", "1"},
    {ChecksumType::kxxHash, "xxhash", "kxxHash", "2"},
    {ChecksumType::kxxHash64, "xxhash64", "kxxHash64", "3"},
    {ChecksumType::kXXH3, "xxh3", "kXXH3", "4"},
};

const ChecksumNames* Find(ChecksumType type) {
  for (const ChecksumNames& n : kChecksumNames) {
    if (n.type == type) return &n;
  }
  return nullptr;
}

uint32_t Lower32(uint64_t v) { return static_cast<uint32_t>(v); }

// kXXH3 hashes all but the last byte and folds that byte in afterwards, so
// a block's checksum needs no second pass or copy. XOR makes this its own
// inverse.
uint32_t FoldInLastByte(uint32_t checksum, char last_byte) {
  return checksum ^
         (uint32_t{static_cast<uint8_t>(last_byte)} * kXXH3LastByteMultiplier);
}

}  // namespace

bool ChecksumTypeFromByte(uint8_t byte, ChecksumType* type) {
  if (byte > static_cast<uint8_t>(ChecksumType::kXXH3)) return false;
  *type = static_cast<ChecksumType>(byte);
  return true;
}

std::string_view ChecksumTypeName(ChecksumType type) {
  const ChecksumNames* n = Find(type);
  return n != nullptr ? n->short_name : "unknown";
}

std::string_view ChecksumTypeEnumName(ChecksumType type) {
  const ChecksumNames* n = Find(type);
  return n != nullptr ? n->enum_name : "unknown";
}

bool ParseChecksumType(std::string_view text, ChecksumType* type) {
  for (const ChecksumNames& n : kChecksumNames) {
    if (text == n.short_name || text == n.enum_name || text == n.number) {
      *type = n.type;
      return true;
    }
  }
  return false;
}

uint32_t ComputeBlockChecksum(ChecksumType type, const char* data, size_t n,
                              char last_byte) {
  switch (type) {
    case ChecksumType::kNoChecksum:
      return 0;
    case ChecksumType::kCRC32c:
      return crc32c::Mask(
          crc32c::Extend(crc32c::Value(data, n), &last_byte, 1));
    case ChecksumType::kxxHash:
      return XxHash32Concat(data, n, &last_byte, 1, /*seed=*/0);
    case ChecksumType::kxxHash64:
      return Lower32(XxHash64Concat(data, n, &last_byte, 1, /*seed=*/0));
    case ChecksumType::kXXH3:
      return FoldInLastByte(Lower32(XxHash3_64(data, n)), last_byte);
  }
  assert(false && "ChecksumType outside the enum");
  return 0;
}

uint32_t ComputeBuiltinChecksum(ChecksumType type, const char* data, size_t n) {
  switch (type) {
    case ChecksumType::kNoChecksum:
      return 0;
    case ChecksumType::kCRC32c:
      return crc32c::Mask(crc32c::Value(data, n));
    case ChecksumType::kxxHash:
      return XxHash32(data, n, /*seed=*/0);
    case ChecksumType::kxxHash64:
      return Lower32(XxHash64(data, n, /*seed=*/0));
    case ChecksumType::kXXH3:
      // RocksDB defines the empty case as 0; it never occurs for a block,
      // whose type byte is always there.
      if (n == 0) return 0;
      return ComputeBlockChecksum(type, data, n - 1, data[n - 1]);
  }
  assert(false && "ChecksumType outside the enum");
  return 0;
}

}  // namespace strata
