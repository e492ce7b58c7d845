// CRC-32C (Castagnoli), as used by RocksDB block trailers, the WAL record
// format and whole-file checksums.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// run time), else a table-driven software version; both give identical
// results. Debian 12 packages no C/C++ crc32c library, hence this file.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::crc32c {

// Returns the crc32c of concat(A, data[0, n)) where init_crc is the crc32c
// of some string A. Extend(0, data, n) is the crc32c of data[0, n).
uint32_t Extend(uint32_t init_crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }

// The table-driven path, whatever the CPU (to compare against the
// hardware path).
uint32_t ExtendPortable(uint32_t init_crc, const char* data, size_t n);

// True when the hardware path is in use (for benchmarks and reports).
bool IsHardwareAccelerated();

// RocksDB stores masked CRCs in files, because computing the CRC of a string
// that itself contains embedded CRCs is error-prone. Persisted; never change.
inline constexpr uint32_t kMaskDelta = 0xa282ead8u;

inline uint32_t Mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

inline uint32_t Unmask(uint32_t masked_crc) {
  const uint32_t rot = masked_crc - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace strata::crc32c
