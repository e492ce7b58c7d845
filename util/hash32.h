// Hash32: RocksDB's legacy 32-bit hash (a MurmurHash1 variant with a seed),
// bit-exact with RocksDB 7.8.3's Hash(). Used by the legacy bloom filter
// (format_version < 5) and by the data-block hash index; the byte-level
// definition, including its sign-extension of tail bytes, is in
// ../shared/spec/sst-format.md section 10.4.
//
// The values are persisted in SST files: never change this function.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "strata/slice.h"

namespace strata {

// Returns the legacy hash of data[0, n) with `seed`. Tail bytes (the last
// n % 4) are added sign-extended, as RocksDB does on every platform.
uint32_t Hash32(const char* data, size_t n, uint32_t seed);

inline uint32_t Hash32(Slice s, uint32_t seed) {
  return Hash32(s.data(), s.size(), seed);
}

}  // namespace strata
