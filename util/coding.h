// Encodings shared by every on-disk format: little-endian fixed-width
// integers, varints (unsigned LEB128), zig-zag signed varints and
// length-prefixed strings (../shared/spec/sst-format.md section 1).
//
// Put* append to a std::string. Get* consume from the front of a Slice and
// return false, leaving *input unspecified, when it holds too few bytes or a
// malformed varint: callers turn that into a Corruption naming the file.
// Decode*/Encode* work on raw memory the caller has bounds-checked.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "strata/slice.h"

namespace strata {

inline constexpr int kMaxVarint32Bytes = 5;
inline constexpr int kMaxVarint64Bytes = 10;

// Little-endian hosts only (x86-64 and arm64); static_assert'd in coding.cc.
inline void EncodeFixed16(char* dst, uint16_t v) { std::memcpy(dst, &v, 2); }
inline void EncodeFixed32(char* dst, uint32_t v) { std::memcpy(dst, &v, 4); }
inline void EncodeFixed64(char* dst, uint64_t v) { std::memcpy(dst, &v, 8); }
inline uint16_t DecodeFixed16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline uint32_t DecodeFixed32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t DecodeFixed64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

void PutFixed16(std::string* dst, uint16_t v);
void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint32(std::string* dst, uint32_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Zig-zag, then varint64: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3.
void PutVarsignedint64(std::string* dst, int64_t v);
// varint32 length, then the bytes.
void PutLengthPrefixedSlice(std::string* dst, Slice value);

// Writes the varint at dst (room for kMaxVarint*Bytes) and returns the byte
// after it. Inline: block builders encode three per entry.
inline char* EncodeVarint64(char* dst, uint64_t v) {
  auto* p = reinterpret_cast<unsigned char*>(dst);
  while (v >= 0x80) {
    *p++ = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<unsigned char>(v);
  return reinterpret_cast<char*>(p);
}
inline char* EncodeVarint32(char* dst, uint32_t v) {
  return EncodeVarint64(dst, v);
}
// Bytes the varint encoding of v takes.
int VarintLength(uint64_t v);

// Parses a varint from [p, limit). Returns the byte after it, or nullptr if
// the input ends first or the varint is too long.
const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* value);
const char* GetVarint64Ptr(const char* p, const char* limit, uint64_t* value);

bool GetFixed32(Slice* input, uint32_t* value);
bool GetFixed64(Slice* input, uint64_t* value);
bool GetVarint32(Slice* input, uint32_t* value);
bool GetVarint64(Slice* input, uint64_t* value);
bool GetVarsignedint64(Slice* input, int64_t* value);
bool GetLengthPrefixedSlice(Slice* input, Slice* result);

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t u) {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

}  // namespace strata
