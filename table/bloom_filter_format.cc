#include "table/bloom_filter_format.h"

#include <algorithm>
#include <cassert>

namespace strata {

namespace {
// Past this many entries every size is capped (at least 1 bit per key
// exceeds both caps), and below it the products cannot overflow 64 bits.
constexpr uint64_t kCappedEntries = uint64_t{1} << 40;
}  // namespace

int BloomMillibitsPerKey(double bits_per_key) {
  if (bits_per_key < 0.5) {
    return 0;
  }
  if (bits_per_key < 1.0) {
    bits_per_key = 1.0;
  } else if (!(bits_per_key < 100.0)) {  // Also catches NaN.
    bits_per_key = 100.0;
  }
  // RocksDB's nudge makes values given with three decimals exact on every
  // platform (e.g. 9.999 -> 9999, not 9998).
  return static_cast<int>(bits_per_key * 1000.0 + 0.500001);
}

int FastLocalBloomNumProbes(int millibits_per_key) {
  // RocksDB's table of the FP-rate-optimal probe counts for 512-bit lines.
  if (millibits_per_key <= 2080) return 1;
  if (millibits_per_key <= 3580) return 2;
  if (millibits_per_key <= 5100) return 3;
  if (millibits_per_key <= 6640) return 4;
  if (millibits_per_key <= 8300) return 5;
  if (millibits_per_key <= 10070) return 6;
  if (millibits_per_key <= 11720) return 7;
  if (millibits_per_key <= 14001) return 8;
  if (millibits_per_key <= 16050) return 9;
  if (millibits_per_key <= 18300) return 10;
  if (millibits_per_key <= 22001) return 11;
  if (millibits_per_key <= 25501) return 12;
  if (millibits_per_key > 50000) return 24;
  return (millibits_per_key - 1) / 2000 - 1;
}

int LegacyBloomNumProbes(int whole_bits_per_key) {
  // 0.69 ~= ln(2), truncated toward zero as RocksDB does.
  int num_probes = static_cast<int>(whole_bits_per_key * 0.69);
  if (num_probes < 1) num_probes = 1;
  if (num_probes > 30) num_probes = 30;
  return num_probes;
}

uint64_t FastLocalBloomBytes(uint64_t num_entries, int millibits_per_key) {
  assert(millibits_per_key >= 1000 && millibits_per_key <= 100000);
  uint64_t bytes = kMaxFastLocalBloomBytes;
  if (num_entries < kCappedEntries) {
    bytes =
        (num_entries * static_cast<uint64_t>(millibits_per_key) + 7999) / 8000;
    bytes = std::min(bytes, kMaxFastLocalBloomBytes);
  }
  return (bytes + kBloomCacheLineBytes - 1) &
         ~uint64_t{kBloomCacheLineBytes - 1};
}

uint32_t LegacyBloomNumLines(uint64_t num_entries, int whole_bits_per_key) {
  assert(whole_bits_per_key >= 1 && whole_bits_per_key <= 100);
  if (num_entries == 0) {
    return 0;
  }
  uint64_t bits = kMaxLegacyBloomBits;
  if (num_entries < kCappedEntries) {
    bits = std::min(num_entries * static_cast<uint64_t>(whole_bits_per_key),
                    kMaxLegacyBloomBits);
  }
  constexpr uint64_t kLineBits = kBloomCacheLineBytes * 8;
  uint64_t num_lines = (bits + kLineBits - 1) / kLineBits;
  // An odd line count lets more hash bits decide the line (hash % lines).
  if (num_lines % 2 == 0) ++num_lines;
  return static_cast<uint32_t>(num_lines);
}

}  // namespace strata
