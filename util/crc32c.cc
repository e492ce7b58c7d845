#include "util/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

namespace strata::crc32c {

namespace {

// Reflected Castagnoli polynomial.
constexpr uint32_t kPoly = 0x82f63b78u;

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero
// bytes, so eight input bytes are folded per step.
struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  constexpr Tables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t crc = b;
      for (int i = 0; i < 8; ++i) {
        crc = (crc >> 1) ^ ((crc & 1) ? kPoly : 0);
      }
      t[0][b] = crc;
    }
    for (uint32_t b = 0; b < 256; ++b) {
      for (int k = 1; k < 8; ++k) {
        t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
      }
    }
  }
};
constexpr Tables kTables;

uint32_t ExtendSoftware(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  crc = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // Little-endian hosts only (x86-64, arm64).
    word ^= crc;
    crc = kTables.t[7][word & 0xff] ^ kTables.t[6][(word >> 8) & 0xff] ^
          kTables.t[5][(word >> 16) & 0xff] ^
          kTables.t[4][(word >> 24) & 0xff] ^
          kTables.t[3][(word >> 32) & 0xff] ^
          kTables.t[2][(word >> 40) & 0xff] ^
          kTables.t[1][(word >> 48) & 0xff] ^ kTables.t[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) {
    crc = (crc >> 8) ^ kTables.t[0][(crc ^ *p++) & 0xff];
  }
  return ~crc;
}

#if defined(__x86_64__)
// One crc32 instruction has a latency of three cycles but a throughput of
// one per cycle, so a single dependent chain runs at a third of the
// instruction's speed. Long inputs are therefore cut into three equal
// stripes whose CRC registers advance independently, then joined: the
// register after A|B|C equals shift(rA, |B|+|C|) ^ shift(rB, |C|) ^ rC,
// where rB and rC start from zero and shift(r, n) is r advanced over n zero
// bytes (the update is linear over GF(2) in register and data together).
// shift is linear in r, so it is a table lookup per byte of r.
struct ZeroShift {
  std::array<std::array<uint32_t, 256>, 4> t{};
  uint32_t Apply(uint32_t r) const {
    return t[0][r & 0xff] ^ t[1][(r >> 8) & 0xff] ^ t[2][(r >> 16) & 0xff] ^
           t[3][r >> 24];
  }
};

__attribute__((target("sse4.2"))) ZeroShift MakeZeroShift(size_t n) {
  // Advance each single-bit register over n zero bytes, then combine bits.
  uint32_t bit_image[32];
  for (int bit = 0; bit < 32; ++bit) {
    uint64_t r = uint64_t{1} << bit;
    for (size_t i = 0; i < n; i += 8) r = _mm_crc32_u64(r, 0);
    bit_image[bit] = static_cast<uint32_t>(r);
  }
  ZeroShift z;
  for (int byte = 0; byte < 4; ++byte) {
    for (uint32_t v = 0; v < 256; ++v) {
      uint32_t image = 0;
      for (int k = 0; k < 8; ++k) {
        if (v & (1u << k)) image ^= bit_image[8 * byte + k];
      }
      z.t[byte][v] = image;
    }
  }
  return z;
}

// Stripe lengths (multiples of 8): long inputs take 3 x kLongStripe steps,
// the rest 3 x kShortStripe steps, the last < 3 x kShortStripe bytes one
// chain.
constexpr size_t kLongStripe = 1024;
constexpr size_t kShortStripe = 128;

struct StripeShifts {
  ZeroShift long_once, long_twice, short_once, short_twice;
};

__attribute__((target("sse4.2"))) const StripeShifts& Shifts() {
  static const StripeShifts shifts{
      MakeZeroShift(kLongStripe), MakeZeroShift(2 * kLongStripe),
      MakeZeroShift(kShortStripe), MakeZeroShift(2 * kShortStripe)};
  return shifts;
}

// Advances register r over 3 * stripe bytes at p as three stripes.
__attribute__((target("sse4.2"))) uint64_t ThreeStripes(
    uint64_t r, const unsigned char* p, size_t stripe, const ZeroShift& once,
    const ZeroShift& twice) {
  uint64_t r1 = 0;
  uint64_t r2 = 0;
  const unsigned char* p1 = p + stripe;
  const unsigned char* p2 = p + 2 * stripe;
  for (size_t i = 0; i < stripe; i += 8) {
    uint64_t w0, w1, w2;
    std::memcpy(&w0, p + i, 8);
    std::memcpy(&w1, p1 + i, 8);
    std::memcpy(&w2, p2 + i, 8);
    r = _mm_crc32_u64(r, w0);
    r1 = _mm_crc32_u64(r1, w1);
    r2 = _mm_crc32_u64(r2, w2);
  }
  return twice.Apply(static_cast<uint32_t>(r)) ^
         once.Apply(static_cast<uint32_t>(r1)) ^ r2;
}

__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc,
                                                          const char* data,
                                                          size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint64_t c = ~crc;
  if (n >= 3 * kShortStripe) {
    const StripeShifts& s = Shifts();
    while (n >= 3 * kLongStripe) {
      c = ThreeStripes(c, p, kLongStripe, s.long_once, s.long_twice);
      p += 3 * kLongStripe;
      n -= 3 * kLongStripe;
    }
    while (n >= 3 * kShortStripe) {
      c = ThreeStripes(c, p, kShortStripe, s.short_once, s.short_twice);
      p += 3 * kShortStripe;
      n -= 3 * kShortStripe;
    }
  }
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
  }
  return ~c32;
}

bool CpuHasSse42() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
    return false;
  }
  return (ecx & bit_SSE4_2) != 0;
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, const char*, size_t);

ExtendFn Choose() {
#if defined(__x86_64__)
  if (CpuHasSse42()) {
    return ExtendHardware;
  }
#endif
  return ExtendSoftware;
}

const ExtendFn kExtend = Choose();

}  // namespace

uint32_t Extend(uint32_t init_crc, const char* data, size_t n) {
  return kExtend(init_crc, data, n);
}

bool IsHardwareAccelerated() { return kExtend != ExtendSoftware; }

uint32_t ExtendPortable(uint32_t init_crc, const char* data,
                                  size_t n) {
  return ExtendSoftware(init_crc, data, n);
}

}  // namespace strata::crc32c
