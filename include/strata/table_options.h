// Options of the block-based SST format, shared by SstFileWriter and the
// store: how blocks are checksummed, compressed, sized and filtered
// (../shared/spec/sst-format.md). Names and defaults follow RocksDB 7.8.3's
// BlockBasedTableOptions.
#pragma once

#include <cstdint>

namespace strata {

// The checksum in every block trailer. Persisted (the footer's checksum
// byte); never renumber or reuse. Enumerator names are RocksDB's.
enum class ChecksumType : uint8_t {
  kNoChecksum = 0,
  kCRC32c = 1,
  kxxHash = 2,    // XXH32, seed 0.
  kxxHash64 = 3,  // Low 32 bits of XXH64, seed 0.
  kXXH3 = 4,      // RocksDB 7.8.3's default.
};

// Block compression. Persisted (the first byte of every block trailer);
// never renumber or reuse. Snappy and LZ4 are available when the build found
// their libraries; zlib, bzip2 and xpress are readable by RocksDB but not by
// this build (NotSupported, naming the type).
enum class CompressionType : uint8_t {
  kNoCompression = 0x00,
  kSnappyCompression = 0x01,
  kZlibCompression = 0x02,
  kBZip2Compression = 0x03,
  kLZ4Compression = 0x04,
  kLZ4HCCompression = 0x05,
  kXpressCompression = 0x06,
  kZSTD = 0x07,
  // RocksDB's name for zstd before its format was final (< 0.8). Framed and
  // decoded exactly like kZSTD.
  kZSTDNotFinalCompression = 0x40,
};

struct TableOptions {
  // 2 to 5 (5 = RocksDB 7.8.3's default: FastLocalBloom filters, user-key
  // index keys, delta-encoded index values).
  uint32_t format_version = 5;
  ChecksumType checksum = ChecksumType::kXXH3;
  CompressionType compression = CompressionType::kNoCompression;
  // 32767 = the library's default level (zstd: 3).
  int compression_level = 32767;
  // Target uncompressed size of a data block, in bytes.
  uint64_t block_size = 4096;
  // A block is cut early once it is within this percentage of block_size
  // and the next entry would overfill it.
  int block_size_deviation = 10;
  // Keys between restart points are prefix-compressed.
  int block_restart_interval = 16;
  int index_block_restart_interval = 1;
  // Bits per key of the full bloom filter over user keys; 0 = no filter.
  // RocksDB's NewBloomFilterPolicy(10) is 10.
  double bloom_bits_per_key = 0;
  // RocksDB's block_align: every data block plus its trailer fits in, and
  // starts at, a multiple of min(block_size, 4 KiB) (zero padding between
  // blocks), so a direct read of a block is exactly one aligned unit.
  // Requires no compression and a power-of-two block_size; index values are
  // then never delta-encoded.
  bool block_align = false;
};

}  // namespace strata
