#include "util/xxph3.h"

#include "util/coding.h"

namespace strata::xxph3 {
namespace {

constexpr uint64_t kPrime32_1 = 0x9e3779b1u;
constexpr uint64_t kPrime32_2 = 0x85ebca77u;
constexpr uint64_t kPrime32_3 = 0xc2b2ae3du;
constexpr uint64_t kPrime64_1 = 0x9e3779b185ebca87ull;
constexpr uint64_t kPrime64_2 = 0xc2b2ae3d27d4eb4full;
constexpr uint64_t kPrime64_3 = 0x165667b19e3779f9ull;
constexpr uint64_t kPrime64_4 = 0x85ebca77c2b2ae63ull;
constexpr uint64_t kPrime64_5 = 0x27d4eb2f165667c5ull;

// The default 192-byte secret of xxHash v0.7.2 (spec section 10.5).
constexpr unsigned char kSecret[192] = {
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c,
    0xf7, 0x21, 0xad, 0x1c, 0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb,
    0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f, 0xcb, 0x79, 0xe6, 0x4e,
    0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6,
    0x81, 0x3a, 0x26, 0x4c, 0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb,
    0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3, 0x71, 0x64, 0x48, 0x97,
    0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7,
    0xc7, 0x0b, 0x4f, 0x1d, 0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31,
    0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64, 0xea, 0xc5, 0xac, 0x83,
    0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26,
    0x29, 0xd4, 0x68, 0x9e, 0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc,
    0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce, 0x45, 0xcb, 0x3a, 0x8f,
    0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
};

constexpr size_t kStripeBytes = 64;
constexpr size_t kAccumulators = 8;
// Each stripe of a block advances 8 bytes into the secret; a block is as
// many stripes as fit: (192 - 64) / 8 = 16 stripes = 1024 bytes.
constexpr size_t kSecretAdvance = 8;
constexpr size_t kStripesPerBlock =
    (sizeof(kSecret) - kStripeBytes) / kSecretAdvance;
constexpr size_t kBlockBytes = kStripesPerBlock * kStripeBytes;
// Secret offsets fixed by v0.7.2.
constexpr size_t kScrambleSecretOffset = sizeof(kSecret) - kStripeBytes;
constexpr size_t kLastStripeSecretOffset = sizeof(kSecret) - kStripeBytes - 7;
constexpr size_t kMergeSecretOffset = 11;
constexpr size_t kMidSizeStartOffset = 3;
constexpr size_t kMidSizeLastOffset = 136 - 17;

inline uint64_t Secret64(size_t offset) {
  return DecodeFixed64(reinterpret_cast<const char*>(kSecret) + offset);
}
inline uint32_t Secret32(size_t offset) {
  return DecodeFixed32(reinterpret_cast<const char*>(kSecret) + offset);
}

// The full 128-bit product, folded to 64 bits by XOR of its halves.
inline uint64_t MulFold(uint64_t a, uint64_t b) {
  const unsigned __int128 product =
      static_cast<unsigned __int128>(a) * static_cast<unsigned __int128>(b);
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

inline uint64_t Avalanche(uint64_t h) {
  h ^= h >> 37;
  h *= kPrime64_3;
  h ^= h >> 32;
  return h;
}

inline uint64_t Mix16(const char* p, size_t secret_offset) {
  return MulFold(DecodeFixed64(p) ^ Secret64(secret_offset),
                 DecodeFixed64(p + 8) ^ Secret64(secret_offset + 8));
}

uint64_t Len1To3(const char* p, size_t n) {
  const auto byte = [p](size_t i) {
    return static_cast<uint32_t>(static_cast<unsigned char>(p[i]));
  };
  const uint32_t combined = byte(0) | (byte(n >> 1) << 8) |
                            (byte(n - 1) << 16) |
                            (static_cast<uint32_t>(n) << 24);
  const uint64_t keyed = uint64_t{combined} ^ uint64_t { Secret32(0) };
  return Avalanche(keyed * kPrime64_1);
}

uint64_t Len4To8(const char* p, size_t n) {
  const uint64_t lo = DecodeFixed32(p);
  const uint64_t hi = DecodeFixed32(p + n - 4);
  const uint64_t keyed = (lo | (hi << 32)) ^ Secret64(0);
  const uint64_t mix = n + (keyed ^ (keyed >> 51)) * kPrime32_1;
  return Avalanche((mix ^ (mix >> 47)) * kPrime64_2);
}

uint64_t Len9To16(const char* p, size_t n) {
  const uint64_t lo = DecodeFixed64(p) ^ Secret64(0);
  const uint64_t hi = DecodeFixed64(p + n - 8) ^ Secret64(8);
  return Avalanche(n + lo + hi + MulFold(lo, hi));
}

uint64_t Len17To128(const char* p, size_t n) {
  uint64_t acc = n * kPrime64_1;
  if (n > 32) {
    if (n > 64) {
      if (n > 96) {
        acc += Mix16(p + 48, 96);
        acc += Mix16(p + n - 64, 112);
      }
      acc += Mix16(p + 32, 64);
      acc += Mix16(p + n - 48, 80);
    }
    acc += Mix16(p + 16, 32);
    acc += Mix16(p + n - 32, 48);
  }
  acc += Mix16(p, 0);
  acc += Mix16(p + n - 16, 16);
  return Avalanche(acc);
}

uint64_t Len129To240(const char* p, size_t n) {
  uint64_t acc = n * kPrime64_1;
  for (size_t i = 0; i < 8; ++i) {
    acc += Mix16(p + 16 * i, 16 * i);
  }
  acc = Avalanche(acc);
  const size_t rounds = n / 16;
  for (size_t i = 8; i < rounds; ++i) {
    acc += Mix16(p + 16 * i, 16 * (i - 8) + kMidSizeStartOffset);
  }
  acc += Mix16(p + n - 16, kMidSizeLastOffset);
  return Avalanche(acc);
}

void AccumulateStripe(uint64_t* acc, const char* p, size_t secret_offset) {
  for (size_t i = 0; i < kAccumulators; ++i) {
    const uint64_t data = DecodeFixed64(p + 8 * i);
    const uint64_t key = data ^ Secret64(secret_offset + 8 * i);
    // v0.7.2's 64-bit variant adds the input word to its own lane (later
    // versions swap adjacent lanes; that would change every long hash).
    acc[i] += data + (key & 0xffffffffu) * (key >> 32);
  }
}

void Scramble(uint64_t* acc) {
  for (size_t i = 0; i < kAccumulators; ++i) {
    uint64_t a = acc[i];
    a ^= a >> 47;
    a ^= Secret64(kScrambleSecretOffset + 8 * i);
    acc[i] = a * kPrime32_1;
  }
}

uint64_t LenOver240(const char* p, size_t n) {
  uint64_t acc[kAccumulators] = {kPrime32_3, kPrime64_1, kPrime64_2,
                                 kPrime64_3, kPrime64_4, kPrime32_2,
                                 kPrime64_5, kPrime32_1};
  const size_t blocks = n / kBlockBytes;
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t s = 0; s < kStripesPerBlock; ++s) {
      AccumulateStripe(acc, p + b * kBlockBytes + s * kStripeBytes,
                       s * kSecretAdvance);
    }
    Scramble(acc);
  }
  const size_t tail_stripes = (n - blocks * kBlockBytes) / kStripeBytes;
  for (size_t s = 0; s < tail_stripes; ++s) {
    AccumulateStripe(acc, p + blocks * kBlockBytes + s * kStripeBytes,
                     s * kSecretAdvance);
  }
  if (n % kStripeBytes != 0) {
    // The partial last stripe is covered by re-reading the input's final
    // 64 bytes (n > 240, so they exist).
    AccumulateStripe(acc, p + n - kStripeBytes, kLastStripeSecretOffset);
  }

  uint64_t result = n * kPrime64_1;
  for (size_t i = 0; i < 4; ++i) {
    const size_t s = kMergeSecretOffset + 16 * i;
    result +=
        MulFold(acc[2 * i] ^ Secret64(s), acc[2 * i + 1] ^ Secret64(s + 8));
  }
  return Avalanche(result);
}

}  // namespace

uint64_t Hash64(const char* data, size_t n) {
  if (n == 0) {
    // RocksDB's change to the preview, which returned 0 for empty input.
    return MulFold(Secret64(0), kPrime64_2);
  }
  if (n <= 3) return Len1To3(data, n);
  if (n <= 8) return Len4To8(data, n);
  if (n <= 16) return Len9To16(data, n);
  if (n <= 128) return Len17To128(data, n);
  if (n <= 240) return Len129To240(data, n);
  return LenOver240(data, n);
}

}  // namespace strata::xxph3
