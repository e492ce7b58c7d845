// Shared pieces of every FileSystem implementation: the direct-I/O alignment
// rule and the texts of I/O errors, so that the real and the emulated file
// systems report the same mistake the same way.
//
// Texts follow RocksDB's ("While pread offset <o> len <n>: <file>", "While
// pwrite to file at offset <o>: <file>") with the length added, so scripts
// that match RocksDB's messages keep working and every message names the file,
// the offset and the length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// REQUIRES: alignment is a power of two.
inline bool IsAligned(uint64_t value, size_t alignment) {
  return (value & (alignment - 1)) == 0;
}
inline bool IsAligned(const void* p, size_t alignment) {
  return IsAligned(reinterpret_cast<uintptr_t>(p), alignment);
}
inline uint64_t RoundDown(uint64_t value, size_t alignment) {
  return value & ~static_cast<uint64_t>(alignment - 1);
}
inline uint64_t RoundUp(uint64_t value, size_t alignment) {
  return RoundDown(value + alignment - 1, alignment);
}

// OK if a direct-I/O call of `op` ("pread", "pwrite", "read") at `offset`
// for `len` bytes from `buffer` follows `alignment`; else InvalidArgument:
// "<path>: misaligned direct pwrite at offset 100 len 512 buffer 0x7f..:
// offset and length must be multiples of 512 and the buffer address a
// multiple of 512". `buffer` may be null when len is 0.
IOStatus CheckDirectIOAlignment(std::string_view op, std::string_view path,
                                uint64_t offset, size_t len,
                                const void* buffer,
                                const DirectIOAlignment& alignment);

// An O_DIRECT open the file system refuses (old tmpfs, some FUSE file
// systems): NotSupported, a property of the file system rather than an I/O
// failure, "While <what> with O_DIRECT: <path>: <strerror(err)> (the file
// system refuses direct I/O)", with error_number() err. Every FileSystem
// reports it this way.
IOStatus DirectOpenRefused(std::string_view what, std::string_view path,
                           int err);

// Contexts for IOStatus::FromErrno.
// "While pread offset <offset> len <len>: <path>"
std::string ReadErrorContext(std::string_view path, uint64_t offset,
                             size_t len);
// "While pwrite to file at offset <offset> len <len>: <path>"
std::string WriteErrorContext(std::string_view path, uint64_t offset,
                              size_t len);
// "While <what>: <path>", e.g. "While open a file for random read: <path>".
std::string PathErrorContext(std::string_view what, std::string_view path);

}  // namespace strata
