#include "util/compression.h"

#include <array>
#include <cstdio>
#include <cstring>

#include <zstd.h>
#ifdef STRATA_HAVE_SNAPPY
#include <snappy.h>
#endif
#ifdef STRATA_HAVE_LZ4
#include <lz4.h>
#include <lz4hc.h>
#endif

#include "util/coding.h"

namespace strata {

namespace {

struct CompressionNames {
  CompressionType type;
  std::string_view property_name;
  std::string_view flag_name;
};

constexpr CompressionNames kCompressionNames[] = {
    {CompressionType::kNoCompression, "NoCompression", "none"},
    {CompressionType::kSnappyCompression, "Snappy", "snappy"},
    {CompressionType::kZlibCompression, "Zlib", "zlib"},
    {CompressionType::kBZip2Compression, "BZip2", "bzip2"},
    {CompressionType::kLZ4Compression, "LZ4", "lz4"},
    {CompressionType::kLZ4HCCompression, "LZ4HC", "lz4hc"},
    {CompressionType::kXpressCompression, "Xpress", "xpress"},
    {CompressionType::kZSTD, "ZSTD", "zstd"},
    {CompressionType::kZSTDNotFinalCompression, "ZSTDNotFinal", ""},
};

const CompressionNames* Find(CompressionType type) {
  for (const CompressionNames& n : kCompressionNames) {
    if (n.type == type) return &n;
  }
  return nullptr;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string TypeByte(CompressionType type) {
  std::array<char, 8> buf;
  std::snprintf(buf.data(), buf.size(), "0x%02x",
                static_cast<unsigned>(static_cast<uint8_t>(type)));
  return std::string(buf.data());
}

// "compression type 0x02 (Zlib)".
std::string Describe(CompressionType type) {
  return "compression type " + TypeByte(type) + " (" +
         std::string(CompressionTypeName(type)) + ")";
}

Status NotSupportedType(CompressionType type) {
  return Status::NotSupported(Describe(type) +
                              " is not supported by this build");
}

Status CorruptBlock(CompressionType type, std::string_view detail) {
  return Status::Corruption(std::string(CompressionTypeName(type)) +
                            " block: " + std::string(detail));
}

// LZ4, LZ4HC, Zlib and BZip2 blocks carry a varint32 size prefix from
// format_version 2 on (RocksDB's "compress_format_version 2"); before,
// LZ4 used an 8-byte native-endian size and the others none.
constexpr bool UsesVarintSizePrefix(uint32_t format_version) {
  return format_version >= 2;
}

constexpr int kZstdDefaultLevel = 3;  // What RocksDB uses for the default.

// Upper bounds on how far a stored block can expand, used to reject a
// corrupt size prefix before allocating for it. Every zstd block costs at
// least 3 header bytes and yields at most 128 KiB; an LZ4 sequence yields
// at most 255 bytes per input byte (match-length extension bytes); a snappy
// element at most 64 bytes per 3 input bytes. (constexpr, hence inline:
// builds without LZ4 or snappy leave some of these unused.)
constexpr uint64_t kZstdMaxBlockBytes = 128 << 10;
constexpr uint64_t MaxZstdOutput(size_t frame_bytes) {
  return (uint64_t{frame_bytes} / 3 + 1) * kZstdMaxBlockBytes;
}
constexpr uint64_t MaxLz4Output(size_t block_bytes) {
  return uint64_t{block_bytes} * 255 + 16;
}
constexpr uint64_t MaxSnappyOutput(size_t block_bytes) {
  return uint64_t{block_bytes} * 22;
}

std::string SizeMismatch(uint64_t decoded, uint64_t prefix) {
  return "decodes to " + std::to_string(decoded) + " bytes, size prefix says " +
         std::to_string(prefix);
}

std::string TooLarge(uint64_t prefix, size_t stored) {
  return "size prefix says " + std::to_string(prefix) + " bytes, more than " +
         std::to_string(stored) + " compressed bytes can hold";
}

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

bool CompressionTypeFromByte(uint8_t byte, CompressionType* type) {
  const auto candidate = static_cast<CompressionType>(byte);
  if (Find(candidate) == nullptr) return false;
  *type = candidate;
  return true;
}

std::string_view CompressionTypeName(CompressionType type) {
  const CompressionNames* n = Find(type);
  return n != nullptr ? n->property_name : "Unknown";
}

bool ParseCompressionTypeName(std::string_view name, CompressionType* type) {
  for (const CompressionNames& n : kCompressionNames) {
    if (name == n.property_name) {
      *type = n.type;
      return true;
    }
  }
  return false;
}

std::string_view CompressionTypeFlagName(CompressionType type) {
  const CompressionNames* n = Find(type);
  return n != nullptr ? n->flag_name : "";
}

bool ParseCompressionTypeFlag(std::string_view flag, CompressionType* type) {
  if (flag.empty()) return false;
  for (const CompressionNames& n : kCompressionNames) {
    if (EqualsIgnoringAsciiCase(flag, n.flag_name)) {
      *type = n.type;
      return true;
    }
  }
  return false;
}

bool CompressionTypeSupported(CompressionType type) {
  switch (type) {
    case CompressionType::kNoCompression:
    case CompressionType::kZSTD:
    case CompressionType::kZSTDNotFinalCompression:
      return true;
    case CompressionType::kSnappyCompression:
#ifdef STRATA_HAVE_SNAPPY
      return true;
#else
      return false;
#endif
    case CompressionType::kLZ4Compression:
    case CompressionType::kLZ4HCCompression:
#ifdef STRATA_HAVE_LZ4
      return true;
#else
      return false;
#endif
    case CompressionType::kZlibCompression:
    case CompressionType::kBZip2Compression:
    case CompressionType::kXpressCompression:
      return false;
  }
  return false;
}

bool GoodCompressionRatio(size_t compressed_size, size_t raw_size) {
  return compressed_size < raw_size - raw_size / 8;
}

// ---------------------------------------------------------------------------
// Compressor

struct Compressor::Rep {
  std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> zstd;  // Created on first use.
#ifdef STRATA_HAVE_LZ4
  std::unique_ptr<LZ4_stream_t> lz4;      // Created on first use.
  std::unique_ptr<LZ4_streamHC_t> lz4hc;  // Created on first use (256 KiB).
#endif

  Status CompressZstd(CompressionType type, int level, Slice raw,
                      std::string* out);
#ifdef STRATA_HAVE_LZ4
  Status CompressLz4(CompressionType type, int level, uint32_t format_version,
                     Slice raw, std::string* out);
#endif
};

Status Compressor::Rep::CompressZstd(CompressionType type, int level, Slice raw,
                                     std::string* out) {
  if (zstd == nullptr) {
    zstd.reset(ZSTD_createCCtx());
    if (zstd == nullptr) {
      return Status::InvalidArgument("ZSTD_createCCtx failed (out of memory)");
    }
  }
  const int zstd_level =
      level == kDefaultCompressionLevel ? kZstdDefaultLevel : level;
  PutVarint32(out, static_cast<uint32_t>(raw.size()));
  const size_t header_bytes = out->size();
  const size_t bound = ZSTD_compressBound(raw.size());
  out->resize(header_bytes + bound);
  // ZSTD_compressCCtx takes its parameters from `zstd_level` alone, so a
  // reused context yields the same frame as a fresh ZSTD_compress() -- the
  // frame RocksDB writes (spec section 6).
  const size_t n = ZSTD_compressCCtx(zstd.get(), out->data() + header_bytes,
                                     bound, raw.data(), raw.size(), zstd_level);
  if (ZSTD_isError(n)) {
    return Status::InvalidArgument(
        Describe(type) + ": ZSTD_compressCCtx: " + ZSTD_getErrorName(n));
  }
  out->resize(header_bytes + n);
  return Status::OK();
}

#ifdef STRATA_HAVE_LZ4
Status Compressor::Rep::CompressLz4(CompressionType type, int level,
                                    uint32_t format_version, Slice raw,
                                    std::string* out) {
  if (raw.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return Status::InvalidArgument(
        Describe(type) + ": block of " + std::to_string(raw.size()) +
        " bytes exceeds LZ4's limit of " + std::to_string(LZ4_MAX_INPUT_SIZE));
  }
  if (UsesVarintSizePrefix(format_version)) {
    PutVarint32(out, static_cast<uint32_t>(raw.size()));
  } else {
    PutFixed64(out, raw.size());
  }
  const size_t header_bytes = out->size();
  const int src_bytes = static_cast<int>(raw.size());
  const int bound = LZ4_compressBound(src_bytes);
  out->resize(header_bytes + static_cast<size_t>(bound));
  char* dst = out->data() + header_bytes;
  int n = 0;
  if (type == CompressionType::kLZ4Compression) {
    if (lz4 == nullptr) lz4 = std::make_unique<LZ4_stream_t>();
    // RocksDB maps a negative level to LZ4's acceleration factor.
    const int acceleration =
        level >= 0 ? 1 : (level == INT32_MIN ? INT32_MAX : -level);
    n = LZ4_compress_fast_extState(lz4.get(), raw.data(), dst, src_bytes, bound,
                                   acceleration);
  } else {
    if (lz4hc == nullptr) lz4hc = std::make_unique<LZ4_streamHC_t>();
    // Below 1, LZ4HC uses its default level (9).
    const int hc_level = level == kDefaultCompressionLevel ? 0 : level;
    n = LZ4_compress_HC_extStateHC(lz4hc.get(), raw.data(), dst, src_bytes,
                                   bound, hc_level);
  }
  if (n <= 0) {
    return Status::InvalidArgument(Describe(type) + ": LZ4 compression failed");
  }
  out->resize(header_bytes + static_cast<size_t>(n));
  return Status::OK();
}
#endif  // STRATA_HAVE_LZ4

Compressor::Compressor() : rep_(std::make_unique<Rep>()) {}
Compressor::~Compressor() = default;

Status Compressor::Compress(CompressionType type, int level,
                            [[maybe_unused]] uint32_t format_version, Slice raw,
                            std::string* out) {
  out->clear();
  if (Find(type) == nullptr) {
    return Status::InvalidArgument("unknown " + Describe(type));
  }
  if (!CompressionTypeSupported(type)) return NotSupportedType(type);
  if (type == CompressionType::kNoCompression) {
    out->assign(raw.data(), raw.size());
    return Status::OK();
  }
  if (raw.size() >= kCompressionSizeLimit) {
    return Status::InvalidArgument(
        Describe(type) + ": block of " + std::to_string(raw.size()) +
        " bytes is too large to compress (limit " +
        std::to_string(kCompressionSizeLimit - 1) + ")");
  }
  switch (type) {
    case CompressionType::kZSTD:
    case CompressionType::kZSTDNotFinalCompression:
      return rep_->CompressZstd(type, level, raw, out);
#ifdef STRATA_HAVE_SNAPPY
    case CompressionType::kSnappyCompression: {
      out->resize(snappy::MaxCompressedLength(raw.size()));
      size_t n = 0;
      snappy::RawCompress(raw.data(), raw.size(), out->data(), &n);
      out->resize(n);
      return Status::OK();
    }
#endif
#ifdef STRATA_HAVE_LZ4
    case CompressionType::kLZ4Compression:
    case CompressionType::kLZ4HCCompression:
      return rep_->CompressLz4(type, level, format_version, raw, out);
#endif
    default:
      break;
  }
  return NotSupportedType(type);
}

// ---------------------------------------------------------------------------
// Decompressor

struct Decompressor::Rep {
  std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> zstd;  // Created on first use.

  Status UncompressZstd(CompressionType type, Slice stored, UncompressedOutput* out);
#ifdef STRATA_HAVE_SNAPPY
  static Status UncompressSnappy(CompressionType type, Slice stored,
                                 UncompressedOutput* out);
#endif
#ifdef STRATA_HAVE_LZ4
  static Status UncompressLz4(CompressionType type, uint32_t format_version,
                              Slice stored, UncompressedOutput* out);
#endif
};

Status Decompressor::Rep::UncompressZstd(CompressionType type, Slice stored,
                                         UncompressedOutput* out) {
  Slice frame = stored;
  uint32_t raw_size = 0;
  if (!GetVarint32(&frame, &raw_size)) {
    return CorruptBlock(type, "varint32 size prefix is missing or malformed (" +
                                  std::to_string(stored.size()) +
                                  " stored bytes)");
  }
  const unsigned long long frame_content_size =
      ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (frame_content_size == ZSTD_CONTENTSIZE_ERROR) {
    return CorruptBlock(type, "no zstd frame header after the size prefix (" +
                                  std::to_string(frame.size()) + " bytes)");
  }
  // A frame may omit its content size, and several frames may follow each
  // other; only a first frame larger than the whole block is a sure error.
  if (frame_content_size != ZSTD_CONTENTSIZE_UNKNOWN &&
      frame_content_size > raw_size) {
    return CorruptBlock(
        type, "frame header says " + std::to_string(frame_content_size) +
                  " bytes, size prefix says " + std::to_string(raw_size));
  }
  if (raw_size > MaxZstdOutput(frame.size())) {
    return CorruptBlock(type, TooLarge(raw_size, frame.size()));
  }
  if (zstd == nullptr) {
    zstd.reset(ZSTD_createDCtx());
    if (zstd == nullptr) {
      return Status::InvalidArgument("ZSTD_createDCtx failed (out of memory)");
    }
  }
  char* dst = out->Reserve(raw_size);
  const size_t n = ZSTD_decompressDCtx(zstd.get(), dst, raw_size,
                                       frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    return CorruptBlock(type, std::string("zstd: ") + ZSTD_getErrorName(n) +
                                  " (size prefix says " +
                                  std::to_string(raw_size) + " bytes)");
  }
  if (n != raw_size) return CorruptBlock(type, SizeMismatch(n, raw_size));
  return Status::OK();
}

#ifdef STRATA_HAVE_SNAPPY
Status Decompressor::Rep::UncompressSnappy(CompressionType type, Slice stored,
                                           UncompressedOutput* out) {
  size_t raw_size = 0;
  if (!snappy::GetUncompressedLength(stored.data(), stored.size(), &raw_size)) {
    return CorruptBlock(type, "snappy length header is missing or malformed (" +
                                  std::to_string(stored.size()) +
                                  " stored bytes)");
  }
  if (raw_size > MaxSnappyOutput(stored.size())) {
    return CorruptBlock(type, TooLarge(raw_size, stored.size()));
  }
  char* dst = out->Reserve(raw_size);
  // RawUncompress succeeds only if the elements produce exactly raw_size
  // bytes, none of them reaching outside the output.
  if (!snappy::RawUncompress(stored.data(), stored.size(), dst)) {
    return CorruptBlock(type, "snappy data does not decode to the " +
                                  std::to_string(raw_size) +
                                  " bytes its header announces");
  }
  return Status::OK();
}
#endif  // STRATA_HAVE_SNAPPY

#ifdef STRATA_HAVE_LZ4
Status Decompressor::Rep::UncompressLz4(CompressionType type,
                                        uint32_t format_version, Slice stored,
                                        UncompressedOutput* out) {
  Slice block = stored;
  uint64_t raw_size = 0;
  if (UsesVarintSizePrefix(format_version)) {
    uint32_t v = 0;
    if (!GetVarint32(&block, &v)) {
      return CorruptBlock(type,
                          "varint32 size prefix is missing or malformed (" +
                              std::to_string(stored.size()) + " stored bytes)");
    }
    raw_size = v;
  } else {
    // Legacy framing: the size as an 8-byte native-endian integer, which on
    // our little-endian hosts is fixed64 (RocksDB reads its low 4 bytes).
    if (!GetFixed64(&block, &raw_size)) {
      return CorruptBlock(type, "8-byte size prefix is missing (" +
                                    std::to_string(stored.size()) +
                                    " stored bytes)");
    }
    if (raw_size > UINT32_MAX) {
      return CorruptBlock(type, "8-byte size prefix says " +
                                    std::to_string(raw_size) +
                                    " bytes, more than a block can hold");
    }
  }
  if (raw_size > MaxLz4Output(block.size()) ||
      raw_size > static_cast<uint64_t>(INT32_MAX)) {
    return CorruptBlock(type, TooLarge(raw_size, block.size()));
  }
  if (block.size() > static_cast<size_t>(INT32_MAX)) {
    return CorruptBlock(type, "LZ4 block of " + std::to_string(block.size()) +
                                  " bytes is larger than LZ4 can decode");
  }
  char* dst = out->Reserve(raw_size);
  const int n = LZ4_decompress_safe(block.data(), dst,
                                    static_cast<int>(block.size()),
                                    static_cast<int>(raw_size));
  if (n < 0) {
    return CorruptBlock(type, "LZ4 data does not decode (size prefix says " +
                                  std::to_string(raw_size) + " bytes)");
  }
  if (static_cast<uint64_t>(n) != raw_size) {
    return CorruptBlock(type, SizeMismatch(static_cast<uint64_t>(n), raw_size));
  }
  return Status::OK();
}
#endif  // STRATA_HAVE_LZ4

Decompressor::Decompressor() : rep_(std::make_unique<Rep>()) {}
Decompressor::~Decompressor() = default;

Status Decompressor::Uncompress(CompressionType type,
                                [[maybe_unused]] uint32_t format_version,
                                Slice stored, UncompressedOutput* out) {
  if (Find(type) == nullptr) {
    return Status::Corruption("unknown " + Describe(type));
  }
  if (!CompressionTypeSupported(type)) return NotSupportedType(type);
  switch (type) {
    case CompressionType::kNoCompression: {
      char* dst = out->Reserve(stored.size());
      if (!stored.empty()) std::memcpy(dst, stored.data(), stored.size());
      return Status::OK();
    }
    case CompressionType::kZSTD:
    case CompressionType::kZSTDNotFinalCompression:
      return rep_->UncompressZstd(type, stored, out);
#ifdef STRATA_HAVE_SNAPPY
    case CompressionType::kSnappyCompression:
      return Rep::UncompressSnappy(type, stored, out);
#endif
#ifdef STRATA_HAVE_LZ4
    case CompressionType::kLZ4Compression:
    case CompressionType::kLZ4HCCompression:
      return Rep::UncompressLz4(type, format_version, stored, out);
#endif
    default:
      break;
  }
  return NotSupportedType(type);
}

namespace {

class StringOutput final : public UncompressedOutput {
 public:
  explicit StringOutput(std::string* out) : out_(out) {}
  char* Reserve(size_t size) override {
    out_->resize(size);
    return out_->data();
  }

 private:
  std::string* out_;
};

}  // namespace

Status Decompressor::Uncompress(CompressionType type, uint32_t format_version,
                                Slice stored, std::string* out) {
  out->clear();
  StringOutput output(out);
  return Uncompress(type, format_version, stored, &output);
}

Status CompressBlock(CompressionType type, int level, uint32_t format_version,
                     Slice raw, std::string* out) {
  Compressor compressor;
  return compressor.Compress(type, level, format_version, raw, out);
}

Status UncompressBlock(CompressionType type, uint32_t format_version,
                       Slice stored, std::string* out) {
  Decompressor decompressor;
  return decompressor.Uncompress(type, format_version, stored, out);
}

}  // namespace strata
