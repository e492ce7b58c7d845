// The record format of the write-ahead log and the MANIFEST: RocksDB's
// "legacy" (non-recyclable) log format, byte-compatible with RocksDB 7.8.3.
// Shared by db/wal_writer.h and db/wal_reader.h.
//
// A file is a sequence of kBlockSize blocks (the last one may be partial).
// A logical record is stored as one or more fragments, each with a
// kHeaderSize header:
//
//   masked crc32c  4 bytes, little-endian: crc32c::Mask of the crc32c of
//                  the type byte followed by the payload
//   length         2 bytes, little-endian: payload bytes
//   type           1 byte: a WalRecordType
//   payload        `length` bytes
//
// Fragments never cross a block boundary. A block remainder shorter than a
// header (0..6 bytes) is a trailer of zeros that readers skip. When exactly
// kHeaderSize bytes remain, a non-empty record starts with a FIRST fragment
// of zero payload bytes there. An empty record is one FULL fragment with
// length 0. A header of seven zero bytes (type kZero) followed by zeros to
// the end of the block is what preallocation or an interrupted write
// leaves; it is padding, not a record.
//
// Thread-safety: constants only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata {

// Persisted; never renumber or reuse. RocksDB's recyclable types (5..8) and
// its later control records (9 and up) are not written by strata; a reader
// reports them as unknown types.
enum class WalRecordType : uint8_t {
  kZero = 0,    // Padding from preallocation; never written as a record.
  kFull = 1,    // The whole logical record.
  kFirst = 2,   // First fragment of a record.
  kMiddle = 3,  // Neither first nor last fragment.
  kLast = 4,    // Last fragment of a record.
};
inline constexpr uint8_t kMaxWalRecordType =
    static_cast<uint8_t>(WalRecordType::kLast);

// Persisted; never change.
inline constexpr size_t kWalBlockSize = 32768;
// crc (4) + length (2) + type (1).
inline constexpr size_t kWalHeaderSize = 7;

}  // namespace strata
