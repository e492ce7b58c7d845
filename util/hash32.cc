#include "util/hash32.h"

#include "util/coding.h"

namespace strata {

uint32_t Hash32(const char* data, size_t n, uint32_t seed) {
  constexpr uint32_t kMul = 0xc6a4a793u;
  constexpr int kShift = 24;
  // The length enters as a 32-bit value: RocksDB multiplies a size_t by the
  // 32-bit constant and keeps the low 32 bits.
  uint32_t h = seed ^ (static_cast<uint32_t>(n) * kMul);

  const char* p = data;
  const char* const limit = data + n;
  while (limit - p >= 4) {
    h += DecodeFixed32(p);
    h *= kMul;
    h ^= (h >> 16);
    p += 4;
  }

  // Format quirk: RocksDB adds the tail bytes as *signed* chars converted to
  // uint32, so 0x80..0xff contribute 0xffffff80..0xffffffff. The shifts are
  // done on the unsigned (wrapped) value, which equals sign-extend-then-shift.
  auto sext = [](char c) {
    return static_cast<uint32_t>(
        static_cast<int32_t>(static_cast<signed char>(c)));
  };
  switch (limit - p) {
    case 3:
      h += sext(p[2]) << 16;
      [[fallthrough]];
    case 2:
      h += sext(p[1]) << 8;
      [[fallthrough]];
    case 1:
      h += sext(p[0]);
      h *= kMul;
      h ^= (h >> kShift);
      break;
    default:
      break;
  }
  return h;
}

}  // namespace strata
