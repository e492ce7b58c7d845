// Block checksums: the fixed32 in bytes 1..4 of every block trailer
// (../shared/spec/sst-format.md section 5), computed exactly as RocksDB
// 7.8.3 computes it for each of the five checksum types, plus the names
// RocksDB uses for those types.
//
// The checksum of a block covers the stored bytes (compressed, if the block
// is) followed by the compression-type byte; ComputeBlockChecksum takes that
// last byte separately so callers never have to copy a block to append it.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "strata/table_options.h"

namespace strata {

// ChecksumType is defined in strata/table_options.h (public).

// The type a stored byte names, or false for a byte RocksDB 7.8.3 does not
// know (anything above 4); callers report that as corruption of the footer.
bool ChecksumTypeFromByte(uint8_t byte, ChecksumType* type);

// Short lower-case name: "none", "crc32c", "xxhash", "xxhash64", "xxh3"
// (for messages and our own flags). "unknown" for a value outside the enum.
std::string_view ChecksumTypeName(ChecksumType type);

// RocksDB's enumerator name: "kNoChecksum", "kCRC32c", "kxxHash",
// "kxxHash64", "kXXH3" (what RocksDB prints and what its option strings
// and db_bench's --checksum_type accept). "unknown" outside the enum.
std::string_view ChecksumTypeEnumName(ChecksumType type);

// Accepts a short name, RocksDB's enumerator name, or RocksDB's number as
// decimal ("0".."4"); names match exactly (case-sensitive). Returns false
// and leaves *type alone for anything else.
bool ParseChecksumType(std::string_view text, ChecksumType* type);

// The checksum RocksDB 7.8.3 stores in a block trailer for the n stored
// bytes at `data` followed by `last_byte` (the compression-type byte), as
// spec section 5 defines it:
//   kNoChecksum: 0
//   kCRC32c:     crc32c::Mask(crc32c(data || last_byte))
//   kxxHash:     XXH32(data || last_byte, seed 0)
//   kxxHash64:   low 32 bits of XXH64(data || last_byte, seed 0)
//   kXXH3:       low 32 bits of XXH3_64bits(data) -- without the last
//                byte -- XOR (uint8(last_byte) * 0x6B9083D9 mod 2^32)
// REQUIRES: `type` is one of the enumerators (use ChecksumTypeFromByte on
// bytes read from a file).
uint32_t ComputeBlockChecksum(ChecksumType type, const char* data, size_t n,
                              char last_byte);

// The same value computed over n contiguous bytes whose last byte plays the
// role of `last_byte` above (RocksDB's ComputeBuiltinChecksum): handy when
// a block and its trailer were read together. For n == 0 the value is 0
// for kNoChecksum and kXXH3, and the plain hash of nothing for the others.
// REQUIRES: as ComputeBlockChecksum.
uint32_t ComputeBuiltinChecksum(ChecksumType type, const char* data, size_t n);

// The multiplier kXXH3 folds the last byte in with (spec section 5).
// Persisted in every kXXH3 checksum; never change.
inline constexpr uint32_t kXXH3LastByteMultiplier = 0x6B9083D9u;

}  // namespace strata
