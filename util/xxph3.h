// XXPH3_64: the frozen pre-release XXH3 (xxHash v0.7.2, 64-bit, seed 0) that
// RocksDB 7.8.3 uses to hash keys into FastLocalBloom filters
// (format_version 5), with RocksDB's own value for the empty input. The
// definition is ../shared/spec/sst-format.md section 10.5.
//
// This is NOT libxxhash's XXH3_64bits (the released 0.8 algorithm, used for
// kXXH3 block checksums): the two differ for every input length. Filter
// bits depend on these values, so they are persisted: never change them.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "strata/slice.h"

namespace strata::xxph3 {

// Returns XXPH3_64 of data[0, n) with seed 0 (RocksDB's GetSliceHash64).
uint64_t Hash64(const char* data, size_t n);

inline uint64_t Hash64(Slice s) { return Hash64(s.data(), s.size()); }

}  // namespace strata::xxph3
