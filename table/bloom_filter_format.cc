#include "table/bloom_filter_format.h"

namespace strata {

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

}  // namespace strata
