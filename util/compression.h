// Block compression as RocksDB 7.8.3 frames it on disk
// (../shared/spec/sst-format.md sections 2, 6 and 15): the compression-type
// byte values and names, compressing a block into its stored form and back.
//
// Framing (spec section 6), `stored` being the bytes a BlockHandle covers:
//   ZSTD, ZSTDNotFinal: varint32(raw size) || zstd frame, every
//                       format_version.
//   LZ4, LZ4HC:         format_version >= 2: varint32(raw size) || LZ4 block
//                       (not the LZ4 frame format); format_version 0 and 1:
//                       fixed64(raw size) || LZ4 block.
//   Snappy:             raw snappy (carries its own length), every version.
//   Zlib, BZip2, Xpress: not built in (NotSupported); this build links
//                       neither zlib nor bzip2, and Xpress is Windows-only.
// Whether a compressed block is worth storing (GoodCompressionRatio) and
// which blocks are eligible are the table builder's decisions.
//
// Errors: a type this build lacks -> NotSupported naming the type; bytes
// that do not decode -> Corruption with a detail string (the caller adds
// the file and offset); a request no framing can express -> InvalidArgument.
// Bad input never crashes and never makes us allocate more than the input
// could possibly expand to.
//
// Thread-safety: the free functions are thread-safe. A Compressor or
// Decompressor is not: it owns library contexts reused across calls, so
// keep one per builder or reader (or per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "strata/table_options.h"

#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

// CompressionType is defined in strata/table_options.h (public).

// RocksDB's CompressionOptions::kDefaultCompressionLevel: "use the
// library's default" (zstd 3, LZ4 acceleration 1, LZ4HC level 9).
inline constexpr int kDefaultCompressionLevel = 32767;

// RocksDB never compresses a block of this many bytes or more; Compress
// refuses such input with InvalidArgument (store the block raw instead).
inline constexpr size_t kCompressionSizeLimit =
    static_cast<size_t>(std::numeric_limits<int32_t>::max());

// The type a stored trailer byte names, or false for a byte RocksDB does not
// know (callers report that as corruption of the block).
bool CompressionTypeFromByte(uint8_t byte, CompressionType* type);

// The name the rocksdb.compression property uses: "NoCompression",
// "Snappy", "Zlib", "BZip2", "LZ4", "LZ4HC", "Xpress", "ZSTD",
// "ZSTDNotFinal". "Unknown" for a value outside the enum.
std::string_view CompressionTypeName(CompressionType type);

// Inverse of CompressionTypeName (exact, case-sensitive match: these are
// persisted strings). Returns false and leaves *type alone otherwise.
bool ParseCompressionTypeName(std::string_view name, CompressionType* type);

// db_bench's --compression_type spelling: "none", "snappy", "zlib",
// "bzip2", "lz4", "lz4hc", "xpress", "zstd". Empty for kZSTDNotFinal (and
// values outside the enum), which db_bench cannot name.
std::string_view CompressionTypeFlagName(CompressionType type);

// Inverse of CompressionTypeFlagName, ignoring ASCII case as db_bench does.
// Returns false and leaves *type alone otherwise.
bool ParseCompressionTypeFlag(std::string_view flag, CompressionType* type);

// True when this build can compress and decompress `type`: kNoCompression
// and zstd (both kinds) always, Snappy and LZ4/LZ4HC when the library was
// found at build time, never Zlib, BZip2 or Xpress.
bool CompressionTypeSupported(CompressionType type);

// RocksDB's rule for keeping a compressed block (spec section 6): true iff
// compressed_size < raw_size - floor(raw_size / 8), i.e. the compressed
// form, size prefix included, saves more than 12.5%.
bool GoodCompressionRatio(size_t compressed_size, size_t raw_size);

// Compresses blocks, reusing library state (a zstd context, LZ4 state)
// from call to call so a builder allocates it once. Not thread-safe.
class Compressor {
 public:
  Compressor();
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  // Replaces *out with the stored form of `raw` under `type`, framed for
  // `format_version` as the header comment describes. `level` follows
  // RocksDB: kDefaultCompressionLevel picks the library default; zstd takes
  // any zstd level; LZ4 uses acceleration -level for a negative level, else
  // 1; LZ4HC passes the level to the library; Snappy ignores it.
  // kNoCompression copies `raw`.
  // Errors: NotSupported for a type this build lacks; InvalidArgument for a
  // value outside the enum, raw.size() >= kCompressionSizeLimit (or beyond
  // what LZ4 accepts), or a library failure. *out is unspecified then.
  Status Compress(CompressionType type, int level, uint32_t format_version,
                  Slice raw, std::string* out);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Where Decompressor::Uncompress puts the decoded bytes.
class UncompressedOutput {
 public:
  // Room for exactly `size` bytes. Called at most once per Uncompress, after
  // the framing is checked and before any byte is written.
  virtual char* Reserve(size_t size) = 0;

 protected:
  ~UncompressedOutput() = default;
};

// Decompresses blocks, reusing a zstd context from call to call. Not
// thread-safe.
class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Replaces *out with the block `stored` decodes to, reading the framing
  // of `type` for `format_version`. The size prefix must match the decoded
  // size exactly. kNoCompression copies `stored`.
  // Errors: NotSupported for a type this build lacks; Corruption for a
  // value outside the enum or bytes that do not decode, with a detail such
  // as "ZSTD block: decodes to 100 bytes, size prefix says 120". *out is
  // unspecified then.
  Status Uncompress(CompressionType type, uint32_t format_version, Slice stored,
                    std::string* out);
  // The same, decoding into the memory `out` hands over (when Reserve has
  // been called and the result is an error, that memory is unspecified).
  Status Uncompress(CompressionType type, uint32_t format_version, Slice stored,
                    UncompressedOutput* out);

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// One-shot forms of Compressor::Compress and Decompressor::Uncompress (each
// call sets up and frees its library context).
Status CompressBlock(CompressionType type, int level, uint32_t format_version,
                     Slice raw, std::string* out);
Status UncompressBlock(CompressionType type, uint32_t format_version,
                       Slice stored, std::string* out);

}  // namespace strata
