// The on-disk format of RocksDB's builtin full bloom filters, shared by
// FilterBlockBuilder and FilterBlockReader: names, metadata constants, the
// bits-per-key arithmetic and the bit-probing rules of both implementations
// (../shared/spec/sst-format.md sections 10.1-10.3).
//
//   FastLocalBloom (format_version >= 5): hash = xxph3::Hash64(user_key);
//     the low 32 bits pick a 64-byte cache line, the high 32 bits the bits.
//   Legacy bloom (format_version < 5): hash = Hash32(user_key, 0xbc9f1d34);
//     the hash picks the line (modulo an odd line count) and, stepped by a
//     rotation of itself, the bits.
//
// Every constant and rule here is persisted in SST files: never change one.
// Thread-safety: constants and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata {

// Metaindex key of the full filter block ("fullfilter." + the builtin
// policies' compatibility name), spec section 10.1 and 11.
inline constexpr std::string_view kFullFilterBlockPrefix = "fullfilter.";
inline constexpr std::string_view kBuiltinBloomFilterName =
    "rocksdb.BuiltinBloomFilter";
inline constexpr std::string_view kFullFilterMetaIndexKey =
    "fullfilter.rocksdb.BuiltinBloomFilter";
// Value of the property "rocksdb.filter.policy" (informational; spec
// section 12): the name of RocksDB 7.8.3's BloomFilterPolicy.
inline constexpr std::string_view kBloomFilterPolicyName = "bloomfilter";

// Every builtin filter ends in 5 bytes of metadata; a block of at most this
// many bytes holds no keys.
inline constexpr size_t kFilterMetadataBytes = 5;
// First metadata byte, read as a signed char: >= 1 is the legacy bloom's
// num_probes, these two values mark newer implementations.
inline constexpr int8_t kNewBloomMarker = -1;
inline constexpr int8_t kRibbonMarker = -2;
// Second metadata byte after kNewBloomMarker.
inline constexpr uint8_t kFastLocalBloomSubImpl = 0;

// Both implementations write 64-byte (512-bit) cache lines, as RocksDB does
// on x86-64 and arm64. Legacy readers accept other powers of two.
inline constexpr uint32_t kBloomCacheLineBytes = 64;
inline constexpr int kLog2BloomCacheLineBytes = 6;
// Largest FastLocalBloom bit array, in bytes.
inline constexpr uint64_t kMaxFastLocalBloomBytes = 0xffffffc0u;
// Largest legacy bloom size before rounding to lines, in bits.
inline constexpr uint64_t kMaxLegacyBloomBits = 0xffff0000u;
inline constexpr uint32_t kLegacyBloomHashSeed = 0xbc9f1d34u;

// RocksDB's NewBloomFilterPolicy(bits_per_key) sanitizing and rounding:
// below 0.5 means no filter (returns 0), [0.5, 1) becomes 1, 100 and above
// (and NaN) become 100; then millibits = floor(bits * 1000 + 0.500001).
int BloomMillibitsPerKey(double bits_per_key);

// Whole bits per key for the legacy bloom: (millibits + 500) / 1000.
inline int LegacyBloomBitsPerKey(int millibits_per_key) {
  return (millibits_per_key + 500) / 1000;
}

// num_probes as RocksDB 7.8.3 chooses them (spec 10.2 and 10.3).
int FastLocalBloomNumProbes(int millibits_per_key);
int LegacyBloomNumProbes(int whole_bits_per_key);

// Size of the FastLocalBloom bit array for `num_entries` hashes (spec 10.2):
// ceil(num_entries * millibits / 8000) bytes, at most kMaxFastLocalBloomBytes,
// rounded up to whole cache lines. 0 for no entries.
// REQUIRES: 1000 <= millibits_per_key <= 100000.
uint64_t FastLocalBloomBytes(uint64_t num_entries, int millibits_per_key);

// Cache lines of a legacy bloom for `num_entries` hashes (spec 10.3):
// ceil(min(num_entries * bits, kMaxLegacyBloomBits) / 512), plus one if that
// is even. 0 for no entries. REQUIRES: 1 <= whole_bits_per_key <= 100.
uint32_t LegacyBloomNumLines(uint64_t num_entries, int whole_bits_per_key);

// FastLocalBloom probing. `len_bytes` is the bit array's size; the line is
// chosen among floor(len_bytes / 64) lines, so data[0, 64 * lines) must be
// valid. REQUIRES: len_bytes >= 64.
inline uint64_t FastLocalBloomLineOffset(uint64_t hash, uint32_t len_bytes) {
  // "Fastrange": maps the low 32 hash bits onto [0, lines) by multiplying.
  const uint64_t lines = len_bytes >> kLog2BloomCacheLineBytes;
  const uint64_t line = (uint64_t{static_cast<uint32_t>(hash)} * lines) >> 32;
  return line << kLog2BloomCacheLineBytes;
}

inline void FastLocalBloomAdd(uint64_t hash, uint32_t len_bytes, int num_probes,
                              char* data) {
  char* line = data + FastLocalBloomLineOffset(hash, len_bytes);
  uint32_t h = static_cast<uint32_t>(hash >> 32);
  for (int i = 0; i < num_probes; ++i) {
    const uint32_t bit = h >> 23;  // The top 9 bits: 0..511.
    line[bit >> 3] = static_cast<char>(line[bit >> 3] | (1 << (bit & 7)));
    h *= 0x9e3779b9u;
  }
}

inline bool FastLocalBloomMayMatch(uint64_t hash, uint32_t len_bytes,
                                   int num_probes, const char* data) {
  const char* line = data + FastLocalBloomLineOffset(hash, len_bytes);
  uint32_t h = static_cast<uint32_t>(hash >> 32);
  for (int i = 0; i < num_probes; ++i) {
    const uint32_t bit = h >> 23;
    if ((line[bit >> 3] & (1 << (bit & 7))) == 0) return false;
    h *= 0x9e3779b9u;
  }
  return true;
}

// Legacy bloom probing with lines of 2^log2_line_bytes bytes;
// data[0, num_lines << log2_line_bytes) must be valid.
// REQUIRES: num_lines >= 1, 0 <= log2_line_bytes <= 32.
inline uint64_t LegacyBloomLineOffset(uint32_t hash, uint32_t num_lines,
                                      int log2_line_bytes) {
  return uint64_t{hash % num_lines} << log2_line_bytes;
}

inline uint32_t LegacyBloomBitMask(int log2_line_bytes) {
  const int line_bits = log2_line_bytes + 3;
  return line_bits >= 32 ? 0xffffffffu : (uint32_t{1} << line_bits) - 1;
}

inline void LegacyBloomAdd(uint32_t hash, uint32_t num_lines, int num_probes,
                           int log2_line_bytes, char* data) {
  char* line = data + LegacyBloomLineOffset(hash, num_lines, log2_line_bytes);
  const uint32_t mask = LegacyBloomBitMask(log2_line_bytes);
  const uint32_t delta = (hash >> 17) | (hash << 15);  // Rotate right 17.
  uint32_t h = hash;
  for (int i = 0; i < num_probes; ++i) {
    const uint32_t bit = h & mask;
    line[bit >> 3] = static_cast<char>(line[bit >> 3] | (1 << (bit & 7)));
    h += delta;
  }
}

inline bool LegacyBloomMayMatch(uint32_t hash, uint32_t num_lines,
                                int num_probes, int log2_line_bytes,
                                const char* data) {
  const char* line =
      data + LegacyBloomLineOffset(hash, num_lines, log2_line_bytes);
  const uint32_t mask = LegacyBloomBitMask(log2_line_bytes);
  const uint32_t delta = (hash >> 17) | (hash << 15);
  uint32_t h = hash;
  for (int i = 0; i < num_probes; ++i) {
    const uint32_t bit = h & mask;
    if ((line[bit >> 3] & (1 << (bit & 7))) == 0) return false;
    h += delta;
  }
  return true;
}

}  // namespace strata
