#include "util/compression.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr CompressionType kAllTypes[] = {
    CompressionType::kNoCompression,
    CompressionType::kSnappyCompression,
    CompressionType::kZlibCompression,
    CompressionType::kBZip2Compression,
    CompressionType::kLZ4Compression,
    CompressionType::kLZ4HCCompression,
    CompressionType::kXpressCompression,
    CompressionType::kZSTD,
    CompressionType::kZSTDNotFinalCompression};

// The types that really compress, whether or not this build has them.
constexpr CompressionType kCompressingTypes[] = {
    CompressionType::kSnappyCompression, CompressionType::kLZ4Compression,
    CompressionType::kLZ4HCCompression, CompressionType::kZSTD,
    CompressionType::kZSTDNotFinalCompression};

// Hex digits to bytes; spaces (which group fields for the reader) are
// skipped.
std::string FromHex(std::string_view hex) {
  std::string digits;
  for (char c : hex) {
    if (c != ' ') digits.push_back(c);
  }
  std::string out;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(
        static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// Lower-case hex of `bytes`, for readable failure messages.
std::string HexOf(std::string_view bytes) { return Slice(bytes).ToHex(); }

// Text-like bytes that compress well: random words from a small vocabulary.
std::string CompressibleBytes(test::Random* rnd, size_t n) {
  static constexpr std::string_view kWords[] = {
      "apple ",  "banana ", "cherry ",
      "key",     "value=",  "0000",
      "strata ", "block ",  std::string_view("\x01\x00\x00\x00", 4),
      "index "};
  std::string s;
  while (s.size() < n) {
    s.append(kWords[rnd->Uniform(std::size(kWords))]);
  }
  s.resize(n);
  return s;
}

std::string Compress(CompressionType type, std::string_view raw,
                     uint32_t format_version = 5,
                     int level = kDefaultCompressionLevel) {
  std::string out;
  const Status s = CompressBlock(type, level, format_version, raw, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// ---------------------------------------------------------------------------
// Type bytes and names

TEST(CompressionTest, EnumeratorsHaveRocksDbTrailerBytes) {
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kNoCompression), 0x00);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kSnappyCompression), 0x01);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kZlibCompression), 0x02);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kBZip2Compression), 0x03);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kLZ4Compression), 0x04);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kLZ4HCCompression), 0x05);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kXpressCompression), 0x06);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kZSTD), 0x07);
  EXPECT_EQ(static_cast<uint8_t>(CompressionType::kZSTDNotFinalCompression),
            0x40);
}

TEST(CompressionTest, FromByteAcceptsExactlyTheNineRocksDbBytes) {
  int accepted = 0;
  for (int b = 0; b < 256; ++b) {
    CompressionType type = CompressionType::kLZ4Compression;
    const bool ok = CompressionTypeFromByte(static_cast<uint8_t>(b), &type);
    EXPECT_EQ(ok, b <= 0x07 || b == 0x40) << b;
    if (ok) {
      ++accepted;
      EXPECT_EQ(static_cast<int>(type), b);
    } else {
      EXPECT_EQ(type, CompressionType::kLZ4Compression) << b;
    }
  }
  EXPECT_EQ(accepted, 9);
}

TEST(CompressionTest, PropertyNamesAreRocksDbs) {
  const std::vector<std::string_view> expected = {
      "NoCompression", "Snappy", "Zlib", "BZip2",       "LZ4",
      "LZ4HC",         "Xpress", "ZSTD", "ZSTDNotFinal"};
  for (size_t i = 0; i < std::size(kAllTypes); ++i) {
    EXPECT_EQ(CompressionTypeName(kAllTypes[i]), expected[i]);
    CompressionType parsed = CompressionType::kLZ4Compression;
    ASSERT_TRUE(ParseCompressionTypeName(expected[i], &parsed));
    EXPECT_EQ(parsed, kAllTypes[i]);
  }
  EXPECT_EQ(CompressionTypeName(static_cast<CompressionType>(0x41)), "Unknown");
}

TEST(CompressionTest, PropertyNameParsingIsExact) {
  for (std::string_view bad : {"", "zstd", "Zstd", "NOCOMPRESSION", "none",
                               "ZSTD ", "Unknown", "DisableOption", "LZ4hc"}) {
    CompressionType parsed = CompressionType::kSnappyCompression;
    EXPECT_FALSE(ParseCompressionTypeName(bad, &parsed)) << bad;
    EXPECT_EQ(parsed, CompressionType::kSnappyCompression) << bad;
  }
}

TEST(CompressionTest, FlagNamesAreDbBenchs) {
  const std::vector<std::string_view> expected = {
      "none", "snappy", "zlib", "bzip2", "lz4", "lz4hc", "xpress", "zstd", ""};
  for (size_t i = 0; i < std::size(kAllTypes); ++i) {
    EXPECT_EQ(CompressionTypeFlagName(kAllTypes[i]), expected[i]);
    if (expected[i].empty()) continue;
    CompressionType parsed = CompressionType::kLZ4Compression;
    ASSERT_TRUE(ParseCompressionTypeFlag(expected[i], &parsed));
    EXPECT_EQ(parsed, kAllTypes[i]);
  }
}

TEST(CompressionTest, FlagParsingIgnoresCaseLikeDbBench) {
  CompressionType parsed = CompressionType::kNoCompression;
  ASSERT_TRUE(ParseCompressionTypeFlag("ZSTD", &parsed));
  EXPECT_EQ(parsed, CompressionType::kZSTD);
  ASSERT_TRUE(ParseCompressionTypeFlag("Lz4Hc", &parsed));
  EXPECT_EQ(parsed, CompressionType::kLZ4HCCompression);
  ASSERT_TRUE(ParseCompressionTypeFlag("NONE", &parsed));
  EXPECT_EQ(parsed, CompressionType::kNoCompression);
  for (std::string_view bad : {"", "zstdnotfinal", "ZSTDNotFinal",
                               "NoCompression", "lz", "zstd ", "lz4 hc"}) {
    parsed = CompressionType::kSnappyCompression;
    EXPECT_FALSE(ParseCompressionTypeFlag(bad, &parsed)) << bad;
    EXPECT_EQ(parsed, CompressionType::kSnappyCompression) << bad;
  }
}

TEST(CompressionTest, SupportedTypes) {
  EXPECT_TRUE(CompressionTypeSupported(CompressionType::kNoCompression));
  EXPECT_TRUE(CompressionTypeSupported(CompressionType::kZSTD));
  EXPECT_TRUE(
      CompressionTypeSupported(CompressionType::kZSTDNotFinalCompression));
  EXPECT_FALSE(CompressionTypeSupported(CompressionType::kZlibCompression));
  EXPECT_FALSE(CompressionTypeSupported(CompressionType::kBZip2Compression));
  EXPECT_FALSE(CompressionTypeSupported(CompressionType::kXpressCompression));
  EXPECT_FALSE(CompressionTypeSupported(static_cast<CompressionType>(0x41)));
  // LZ4HC comes with LZ4 (one library).
  EXPECT_EQ(CompressionTypeSupported(CompressionType::kLZ4Compression),
            CompressionTypeSupported(CompressionType::kLZ4HCCompression));
}

// Whatever the build has, "supported" must mean "works" and the rest must
// say NotSupported.
TEST(CompressionTest, SupportedMeansUsable) {
  const std::string raw = "some bytes to compress, some bytes to compress";
  for (CompressionType t : kAllTypes) {
    std::string out;
    const Status s = CompressBlock(t, kDefaultCompressionLevel, 5, raw, &out);
    if (CompressionTypeSupported(t)) {
      EXPECT_TRUE(s.ok()) << CompressionTypeName(t) << ": " << s.ToString();
    } else {
      EXPECT_TRUE(s.IsNotSupported())
          << CompressionTypeName(t) << ": " << s.ToString();
    }
  }
}

// ---------------------------------------------------------------------------
// GoodCompressionRatio: compressed < raw - floor(raw / 8).

TEST(CompressionTest, GoodCompressionRatioEdges) {
  EXPECT_FALSE(GoodCompressionRatio(0, 0));
  EXPECT_TRUE(GoodCompressionRatio(0, 1));
  EXPECT_FALSE(GoodCompressionRatio(1, 1));
  EXPECT_TRUE(GoodCompressionRatio(6, 7));  // floor(7/8) = 0.
  EXPECT_FALSE(GoodCompressionRatio(7, 7));
  EXPECT_TRUE(GoodCompressionRatio(6, 8));  // 8 - 1 = 7.
  EXPECT_FALSE(GoodCompressionRatio(7, 8));
  EXPECT_TRUE(GoodCompressionRatio(87, 100));  // 100 - 12 = 88.
  EXPECT_FALSE(GoodCompressionRatio(88, 100));
  EXPECT_TRUE(GoodCompressionRatio(3583, 4096));  // 4096 - 512 = 3584.
  EXPECT_FALSE(GoodCompressionRatio(3584, 4096));
  EXPECT_FALSE(GoodCompressionRatio(5000, 4096));
  const size_t big = SIZE_MAX;
  EXPECT_TRUE(GoodCompressionRatio(big - big / 8 - 1, big));
  EXPECT_FALSE(GoodCompressionRatio(big - big / 8, big));
}

// The golden bigvals_random file: zstd enabled, random 100 KiB blocks
// stored raw because zstd cannot shrink them enough.
TEST(CompressionTest, IncompressibleBlockFailsTheRatioRule) {
  test::Random rnd(5);
  const std::string raw = rnd.RandomBytes(100 << 10);
  const std::string stored = Compress(CompressionType::kZSTD, raw);
  EXPECT_FALSE(GoodCompressionRatio(stored.size(), raw.size()));
  const std::string text = CompressibleBytes(&rnd, 4096);
  EXPECT_TRUE(GoodCompressionRatio(
      Compress(CompressionType::kZSTD, text).size(), text.size()));
}

// ---------------------------------------------------------------------------
// Framing (spec section 6), byte for byte.

// varint32(3) || zstd frame: magic, descriptor 0x20 (single segment,
// 1-byte content size, no checksum), content size 3, one last raw block.
TEST(CompressionTest, ZstdFramingIsVarintSizeThenFrameWithContentSize) {
  for (uint32_t fv : {0u, 1u, 2u, 3u, 4u, 5u}) {
    EXPECT_EQ(HexOf(Compress(CompressionType::kZSTD, "abc", fv)),
              HexOf(FromHex("03 28b52ffd 20 03 190000 616263")))
        << fv;
  }
  EXPECT_EQ(HexOf(Compress(CompressionType::kZSTD, "")),
            HexOf(FromHex("00 28b52ffd 20 00 010000")));
}

TEST(CompressionTest, ZstdSizePrefixIsAMultiByteVarintForLargerBlocks) {
  const std::string raw(300, 'x');
  const std::string stored = Compress(CompressionType::kZSTD, raw);
  EXPECT_THAT(stored, StartsWith(FromHex("ac02 28b52ffd")));
  test::Random rnd(8);
  const std::string big = CompressibleBytes(&rnd, 1 << 20);
  std::string prefix;
  PutVarint32(&prefix, 1 << 20);
  EXPECT_THAT(Compress(CompressionType::kZSTD, big), StartsWith(prefix));
}

TEST(CompressionTest, ZstdNotFinalIsFramedLikeZstd) {
  test::Random rnd(9);
  const std::string raw = CompressibleBytes(&rnd, 5000);
  EXPECT_EQ(Compress(CompressionType::kZSTDNotFinalCompression, raw),
            Compress(CompressionType::kZSTD, raw));
}

// RocksDB's default level for zstd is 3; other levels are honored.
TEST(CompressionTest, ZstdDefaultLevelIsThree) {
  test::Random rnd(10);
  const std::string raw = CompressibleBytes(&rnd, 64 << 10);
  const std::string by_default = Compress(CompressionType::kZSTD, raw);
  EXPECT_EQ(by_default, Compress(CompressionType::kZSTD, raw, 5, 3));
  EXPECT_NE(by_default, Compress(CompressionType::kZSTD, raw, 5, 1));
  EXPECT_NE(by_default, Compress(CompressionType::kZSTD, raw, 5, 19));
}

// Snappy carries its own varint length and gets no extra prefix: "abc" is
// varint 3 then one literal element (tag (3 - 1) << 2 = 0x08).
TEST(CompressionTest, SnappyFramingHasNoExtraPrefix) {
  if (!CompressionTypeSupported(CompressionType::kSnappyCompression)) {
    GTEST_SKIP() << "built without snappy";
  }
  for (uint32_t fv : {0u, 1u, 2u, 5u}) {
    EXPECT_EQ(HexOf(Compress(CompressionType::kSnappyCompression, "abc", fv)),
              HexOf(FromHex("03 08 616263")))
        << fv;
  }
}

// An LZ4 block of fewer than 13 bytes is one literal run: token 0x30
// (3 literals, no match), then the bytes.
TEST(CompressionTest, Lz4FramingFromFormatVersion2IsVarintSize) {
  if (!CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    GTEST_SKIP() << "built without lz4";
  }
  for (CompressionType t :
       {CompressionType::kLZ4Compression, CompressionType::kLZ4HCCompression}) {
    for (uint32_t fv : {2u, 3u, 4u, 5u}) {
      EXPECT_EQ(HexOf(Compress(t, "abc", fv)), HexOf(FromHex("03 30 616263")))
          << CompressionTypeName(t) << " fv " << fv;
    }
  }
}

TEST(CompressionTest, Lz4FramingBeforeFormatVersion2IsFixed64Size) {
  if (!CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    GTEST_SKIP() << "built without lz4";
  }
  for (CompressionType t :
       {CompressionType::kLZ4Compression, CompressionType::kLZ4HCCompression}) {
    for (uint32_t fv : {0u, 1u}) {
      EXPECT_EQ(HexOf(Compress(t, "abc", fv)),
                HexOf(FromHex("0300000000000000 30 616263")))
          << CompressionTypeName(t) << " fv " << fv;
    }
  }
  // And the legacy prefix is read back as such.
  std::string out;
  ASSERT_OK(UncompressBlock(CompressionType::kLZ4Compression, 1,
                            FromHex("0300000000000000 30 616263"), &out));
  EXPECT_EQ(out, "abc");
  EXPECT_TRUE(UncompressBlock(CompressionType::kLZ4Compression, 2,
                              FromHex("0300000000000000 30 616263"), &out)
                  .IsCorruption());
}

TEST(CompressionTest, NoCompressionCopiesBothWays) {
  std::string out = "stale";
  ASSERT_OK(CompressBlock(CompressionType::kNoCompression,
                          kDefaultCompressionLevel, 5, "raw bytes", &out));
  EXPECT_EQ(out, "raw bytes");
  out = "stale";
  ASSERT_OK(
      UncompressBlock(CompressionType::kNoCompression, 5, "stored", &out));
  EXPECT_EQ(out, "stored");
}

// ---------------------------------------------------------------------------
// Blocks written by RocksDB 7.8.3 (golden files; see checksum_test.cc for
// where each comes from). Each decodes, and libzstd 1.5.x at level 3
// re-creates it byte for byte, as spec section 6 reports.

// bigvals_random_fv5_xxh3_zstd_b4096_bloom.sst, index block @ 513941.
constexpr char kZstdIndexBlock[] =
    "6f28b52ffd206fad0200340400096b303800b4a206000a313567b9a206d9a206"
    "323497c50c80a333319ce812a5a306000c3966676dc68b190000000f00000021"
    "000000320000004300000005000000060048050308a2b90d51e5c8cc660044";
constexpr char kZstdIndexBlockRaw[] =
    "00096b303030303030303800b4a206000a6b303030303030313567b9a206d9a2"
    "0600096b303030303030323497c50c80a30600096b30303030303033319ce812"
    "a5a306000c6b303030303030333966676dc68b1980a306000000000f00000021"
    "000000320000004300000005000000";
// pw15_fv2_xxh32_zstd_b512_..., data block @ 33537 (193 bytes raw).
constexpr char kZstdDataBlockFv2[] =
    "c10128b52ffd20c10504002248171cb0a9317891b10680749882a115b892d27f"
    "2f48ae6c0ae299400ccb14928e24b9b5ed759cedb2eb44f8441425744914a8fc"
    "0288e350389b4b93e35adadc58779b4dcf1c597365c7cdab752e57c3f88319dc"
    "d23c222d184003718541010d00780861550c3c10e5a1fc6eae518769da40b1b1"
    "331e94e1996da42c3506c6";
// pw04_fv3_crc32c_zstd_b512_..., data block @ 22897 (471 bytes raw).
constexpr char kZstdDataBlockFv3[] =
    "d70328b52ffd60d7000d0800328e2223804b0a1dcb28854782cb8054eb1190f1"
    "9081744dd2c710e2c1f171a2a3516922e8d276330330f36898198d9959782d3d"
    "dd34fd24b7d4dbd2a270988a8950c0e84822905953575aed3b4dbdd76fd3e4a5"
    "604a82c444f2203073732f95a4cfe96b534d534b4f4d6463384ac62030102410"
    "03a3b77275aeed57399dd6766f9d9b3b8f3206900b8b83800933203002a294ca"
    "1ee1512b021872d30df01a48b4e66db0b506b9681d040df09447680401cae09a"
    "b2d4e216781f5a006dd3ab819b1dd8d7b0084e11a2443984e338b1fc812acd58"
    "543f79428dabdd001b04db25c04a9f319f65edf4c82cdd02dcc0b95624725b77"
    "c3c656f315eb7617472d808139";

TEST(CompressionTest, RocksDbZstdBlockDecodesToKnownContents) {
  std::string out;
  ASSERT_OK(UncompressBlock(CompressionType::kZSTD, 5, FromHex(kZstdIndexBlock),
                            &out));
  EXPECT_EQ(Slice(out).ToHex(), kZstdIndexBlockRaw);
  ASSERT_OK(UncompressBlock(CompressionType::kZSTDNotFinalCompression, 5,
                            FromHex(kZstdIndexBlock), &out));
  EXPECT_EQ(Slice(out).ToHex(), kZstdIndexBlockRaw);
}

TEST(CompressionTest, RocksDbZstdBlocksDecodeAndRecompressByteForByte) {
  struct Golden {
    const char* hex;
    uint32_t format_version;
    size_t raw_size;
  };
  for (const Golden& g :
       {Golden{kZstdIndexBlock, 5, 111}, Golden{kZstdDataBlockFv2, 2, 193},
        Golden{kZstdDataBlockFv3, 3, 471}}) {
    const std::string stored = FromHex(g.hex);
    std::string raw;
    ASSERT_OK(UncompressBlock(CompressionType::kZSTD, g.format_version, stored,
                              &raw));
    EXPECT_EQ(raw.size(), g.raw_size);
    EXPECT_EQ(HexOf(Compress(CompressionType::kZSTD, raw, g.format_version)),
              HexOf(stored));
    EXPECT_TRUE(GoodCompressionRatio(stored.size(), raw.size()));
  }
}

// ---------------------------------------------------------------------------
// Errors

TEST(CompressionTest, UnsupportedTypesAreNotSupportedNamingTheType) {
  struct Case {
    CompressionType type;
    const char* message;
  };
  for (const Case& c :
       {Case{CompressionType::kZlibCompression,
             "compression type 0x02 (Zlib) is not supported by this build"},
        Case{CompressionType::kBZip2Compression,
             "compression type 0x03 (BZip2) is not supported by this build"},
        Case{CompressionType::kXpressCompression,
             "compression type 0x06 (Xpress) is not supported by this "
             "build"}}) {
    std::string out;
    Status s = CompressBlock(c.type, kDefaultCompressionLevel, 5, "abc", &out);
    EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
    EXPECT_EQ(s.message(), c.message);
    s = UncompressBlock(c.type, 5, "abc", &out);
    EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(CompressionTest, ValueOutsideTheEnumIsRejected) {
  const auto bogus = static_cast<CompressionType>(0x41);
  std::string out;
  Status s = CompressBlock(bogus, kDefaultCompressionLevel, 5, "abc", &out);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("unknown compression type 0x41"));
  s = UncompressBlock(bogus, 5, "abc", &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("unknown compression type 0x41"));
}

// Such blocks are stored raw; the limit is checked before any byte is read
// (the Slices below point at 1 real byte).
TEST(CompressionTest, BlocksAtTheSizeLimitAreRefusedUnread) {
  const char one = 'x';
  for (CompressionType t : kCompressingTypes) {
    if (!CompressionTypeSupported(t)) continue;
    std::string out;
    const Status s = CompressBlock(t, kDefaultCompressionLevel, 5,
                                   Slice(&one, kCompressionSizeLimit), &out);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("too large to compress"));
  }
  if (CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    std::string out;
    const Status s = CompressBlock(
        CompressionType::kLZ4Compression, kDefaultCompressionLevel, 5,
        Slice(&one, size_t{0x7E000001}), &out);  // LZ4's max + 1.
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("exceeds LZ4's limit"));
  }
}

TEST(CompressionTest, EmptyStoredBlockIsCorruption) {
  for (CompressionType t : kCompressingTypes) {
    if (!CompressionTypeSupported(t)) continue;
    for (uint32_t fv : {1u, 5u}) {
      std::string out;
      const Status s = UncompressBlock(t, fv, Slice(), &out);
      EXPECT_TRUE(s.IsCorruption())
          << CompressionTypeName(t) << ": " << s.ToString();
      EXPECT_THAT(s.ToString(),
                  HasSubstr(std::string(CompressionTypeName(t)) + " block: "));
    }
  }
}

TEST(CompressionTest, ZstdSizePrefixMustMatchTheDecodedSize) {
  const std::string raw(1000, 'q');
  const std::string stored = Compress(CompressionType::kZSTD, raw);
  ASSERT_EQ(stored.substr(0, 2), "\xe8\x07");  // varint32(1000).
  const std::string frame = stored.substr(2);
  std::string out;

  std::string bigger;
  PutVarint32(&bigger, 1001);
  Status s = UncompressBlock(CompressionType::kZSTD, 5, bigger + frame, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(),
            "ZSTD block: decodes to 1000 bytes, size prefix says 1001");

  std::string smaller;
  PutVarint32(&smaller, 999);
  s = UncompressBlock(CompressionType::kZSTD, 5, smaller + frame, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(),
            "ZSTD block: frame header says 1000 bytes, size prefix says 999");
}

// A corrupt prefix must not make us allocate gigabytes.
TEST(CompressionTest, HugeSizePrefixIsCorruptionWithoutAllocating) {
  const std::string frame = Compress(CompressionType::kZSTD, "abc").substr(1);
  std::string huge;
  PutVarint32(&huge, 0xFFFFFFFFu);
  std::string out;
  Status s = UncompressBlock(CompressionType::kZSTD, 5, huge + frame, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // Rejected by the bound on what the frame's bytes can expand to.
  EXPECT_EQ(s.message(),
            "ZSTD block: size prefix says 4294967295 bytes, "
            "more than " +
                std::to_string(frame.size()) + " compressed bytes can hold");

  if (CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    std::string large;  // Fits LZ4's int sizes, far beyond 4 bytes' reach.
    PutVarint32(&large, 100000);
    s = UncompressBlock(CompressionType::kLZ4Compression, 5,
                        large + FromHex("30 616263"), &out);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("more than 4 compressed bytes"));
    s = UncompressBlock(CompressionType::kLZ4Compression, 1,
                        FromHex("ffffffff00000000 30 616263"), &out);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("more than 4 compressed bytes"));
  }
  if (CompressionTypeSupported(CompressionType::kSnappyCompression)) {
    s = UncompressBlock(CompressionType::kSnappyCompression, 5,
                        huge + FromHex("08 616263"), &out);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("compressed bytes can hold"));
  }
}

// zstd frames may omit their content size (streaming writers do); then
// only the bound on what the frame's bytes can expand to protects us.
TEST(CompressionTest, ZstdFrameWithoutContentSizeStillBoundsTheAllocation) {
  // A hand-made frame: magic, descriptor 0x00 (no content size, window
  // descriptor follows), window 0x00, one last RLE block of 8 x 'z'.
  const std::string frame = FromHex("28b52ffd 00 00 430000 7a");
  std::string out;
  ASSERT_OK(UncompressBlock(CompressionType::kZSTD, 5, "\x08" + frame, &out));
  EXPECT_EQ(out, "zzzzzzzz");
  std::string huge;
  PutVarint32(&huge, 0xFFFFFFFFu);
  const Status s =
      UncompressBlock(CompressionType::kZSTD, 5, huge + frame, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("compressed bytes can hold"));
}

TEST(CompressionTest, NotAZstdFrameIsCorruption) {
  std::string out;
  const Status s = UncompressBlock(CompressionType::kZSTD, 5,
                                   "\x05"
                                   "hello, not zstd",
                                   &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(),
            "ZSTD block: no zstd frame header after the size prefix (15 "
            "bytes)");
}

TEST(CompressionTest, BytesAfterTheZstdFrameAreCorruption) {
  const std::string stored = Compress(CompressionType::kZSTD, "abcabcabc");
  std::string out;
  const Status s =
      UncompressBlock(CompressionType::kZSTD, 5, stored + "junk", &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(CompressionTest, Lz4LegacySizeAbove32BitsIsCorruption) {
  if (!CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    GTEST_SKIP() << "built without lz4";
  }
  std::string out;
  const Status s = UncompressBlock(CompressionType::kLZ4Compression, 0,
                                   FromHex("0300000001000000 30 616263"), &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("8-byte size prefix says 4294967299"));
}

TEST(CompressionTest, Lz4SizePrefixMustMatchTheDecodedSize) {
  if (!CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    GTEST_SKIP() << "built without lz4";
  }
  std::string out;
  Status s = UncompressBlock(CompressionType::kLZ4Compression, 5,
                             FromHex("04 30 616263"), &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(), "LZ4 block: decodes to 3 bytes, size prefix says 4");
  s = UncompressBlock(CompressionType::kLZ4HCCompression, 5,
                      FromHex("02 30 616263"), &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(),
            "LZ4HC block: LZ4 data does not decode (size prefix says 2 "
            "bytes)");
}

TEST(CompressionTest, SnappyLengthHeaderMustMatchTheDecodedSize) {
  if (!CompressionTypeSupported(CompressionType::kSnappyCompression)) {
    GTEST_SKIP() << "built without snappy";
  }
  std::string out;
  const Status s = UncompressBlock(CompressionType::kSnappyCompression, 5,
                                   FromHex("04 08 616263"), &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(),
            "Snappy block: snappy data does not decode to the 4 bytes its "
            "header announces");
}

// LZ4's API takes int sizes; a larger stored block is refused before LZ4
// sees it (the Slice claims 2 GiB but only its first byte is read).
TEST(CompressionTest, Lz4BlockBeyondIntRangeIsCorruptionUnread) {
  if (!CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    GTEST_SKIP() << "built without lz4";
  }
  const char prefix = 0x03;
  std::string out;
  const Status s = UncompressBlock(CompressionType::kLZ4Compression, 5,
                                   Slice(&prefix, (size_t{1} << 31) + 1), &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("larger than LZ4 can decode"));
}

// RocksDB's level mapping for LZ4: a negative level is the acceleration,
// anything else (the default included) means acceleration 1. LZ4HC gets
// the level itself, its default being 9.
TEST(CompressionTest, Lz4LevelsFollowRocksDb) {
  if (!CompressionTypeSupported(CompressionType::kLZ4Compression)) {
    GTEST_SKIP() << "built without lz4";
  }
  test::Random rnd(12);
  const std::string raw = CompressibleBytes(&rnd, 64 << 10);
  const auto lz4 = CompressionType::kLZ4Compression;
  const auto hc = CompressionType::kLZ4HCCompression;
  const std::string fast = Compress(lz4, raw);
  EXPECT_EQ(Compress(lz4, raw, 5, 0), fast);
  EXPECT_EQ(Compress(lz4, raw, 5, 1), fast);
  EXPECT_EQ(Compress(lz4, raw, 5, 12), fast);
  EXPECT_EQ(Compress(lz4, raw, 5, -1), fast);  // Acceleration 1.
  EXPECT_NE(Compress(lz4, raw, 5, -50), fast);
  const std::string hc_default = Compress(hc, raw);
  EXPECT_NE(hc_default, fast);
  EXPECT_EQ(Compress(hc, raw, 5, 9), hc_default);
  EXPECT_EQ(Compress(hc, raw, 5, 0), hc_default);
  EXPECT_NE(Compress(hc, raw, 5, 12), hc_default);
}

// ---------------------------------------------------------------------------
// Round trips, truncation and bit flips for every supported type and a
// format_version on each side of the framing change.

class CompressionRoundTripTest
    : public testing::TestWithParam<std::tuple<CompressionType, uint32_t>> {
 protected:
  void SetUp() override {
    if (!CompressionTypeSupported(type())) {
      GTEST_SKIP() << CompressionTypeName(type()) << " not in this build";
    }
  }
  CompressionType type() const { return std::get<0>(GetParam()); }
  uint32_t format_version() const { return std::get<1>(GetParam()); }

  Compressor compressor_;
  Decompressor decompressor_;
};

TEST_P(CompressionRoundTripTest, EverySizeAndKindOfData) {
  test::Random rnd(1234);
  for (size_t n : {size_t{0}, size_t{1}, size_t{2}, size_t{13}, size_t{100},
                   size_t{4096}, size_t{65537}, size_t{1} << 20}) {
    for (bool compressible : {true, false}) {
      const std::string raw =
          compressible ? CompressibleBytes(&rnd, n) : rnd.RandomBytes(n);
      std::string stored;
      ASSERT_OK(compressor_.Compress(type(), kDefaultCompressionLevel,
                                     format_version(), raw, &stored));
      std::string back = "stale";
      ASSERT_OK(
          decompressor_.Uncompress(type(), format_version(), stored, &back));
      ASSERT_EQ(back.size(), raw.size()) << n << " " << compressible;
      ASSERT_TRUE(back == raw) << n << " " << compressible;
      if (compressible && n >= 4096 &&
          type() != CompressionType::kNoCompression) {
        EXPECT_TRUE(GoodCompressionRatio(stored.size(), raw.size()))
            << n << ": " << stored.size();
      }
    }
  }
}

// Decoding into caller-provided memory gives the same bytes, asking once
// for exactly the decoded size.
TEST_P(CompressionRoundTripTest, DecodesIntoMemoryTheCallerProvides) {
  class Output final : public UncompressedOutput {
   public:
    char* Reserve(size_t size) override {
      calls++;
      bytes.assign(size, '\x5a');
      return bytes.data();
    }
    int calls = 0;
    std::string bytes;
  };
  test::Random rnd(99);
  for (size_t n : {size_t{0}, size_t{1}, size_t{4101}, size_t{70000}}) {
    const std::string raw = CompressibleBytes(&rnd, n);
    std::string stored;
    ASSERT_OK(compressor_.Compress(type(), kDefaultCompressionLevel,
                                   format_version(), raw, &stored));
    Output out;
    ASSERT_OK(decompressor_.Uncompress(type(), format_version(), stored, &out));
    EXPECT_EQ(1, out.calls) << n;
    EXPECT_TRUE(out.bytes == raw) << n;
  }
}

TEST_P(CompressionRoundTripTest, EveryLevel) {
  test::Random rnd(77);
  const std::string raw = CompressibleBytes(&rnd, 20000);
  for (int level : {kDefaultCompressionLevel, -100, -5, -1, 0, 1, 2, 3, 9, 12,
                    19, 22, INT32_MIN, INT32_MAX}) {
    std::string stored;
    std::string back;
    ASSERT_OK(
        compressor_.Compress(type(), level, format_version(), raw, &stored));
    SCOPED_TRACE(level);
    ASSERT_OK(
        decompressor_.Uncompress(type(), format_version(), stored, &back));
    EXPECT_TRUE(back == raw) << level;
  }
}

// One Compressor reused across types, levels and sizes gives what a fresh
// one would: nothing leaks from one call into the next.
TEST_P(CompressionRoundTripTest, ReusedCompressorMatchesFreshOne) {
  test::Random rnd(4);
  for (int i = 0; i < 20; ++i) {
    const std::string raw = CompressibleBytes(&rnd, rnd.Uniform(30000));
    const int level = i % 2 == 0 ? kDefaultCompressionLevel : 1 + i % 9;
    std::string reused;
    ASSERT_OK(
        compressor_.Compress(type(), level, format_version(), raw, &reused));
    std::string fresh;
    ASSERT_OK(CompressBlock(type(), level, format_version(), raw, &fresh));
    EXPECT_EQ(reused, fresh) << i;
    // Interleave a different type through the same object.
    std::string other;
    ASSERT_OK(compressor_.Compress(CompressionType::kZSTD, 7, 5, raw, &other));
  }
}

// The same fixture, instantiated only for the types that really compress.
class CompressionCorruptionTest : public CompressionRoundTripTest {};

TEST_P(CompressionCorruptionTest, EveryTruncationIsCorruption) {
  test::Random rnd(99);
  for (bool compressible : {true, false}) {
    const std::string raw =
        compressible ? CompressibleBytes(&rnd, 4096) : rnd.RandomBytes(600);
    std::string stored;
    ASSERT_OK(compressor_.Compress(type(), kDefaultCompressionLevel,
                                   format_version(), raw, &stored));
    for (size_t len = 0; len < stored.size(); ++len) {
      std::string out;
      const Status s = decompressor_.Uncompress(
          type(), format_version(), Slice(stored.data(), len), &out);
      ASSERT_TRUE(s.IsCorruption()) << "length " << len << " of "
                                    << stored.size() << ": " << s.ToString();
      ASSERT_THAT(
          s.ToString(),
          HasSubstr(std::string(CompressionTypeName(type())) + " block: "));
    }
  }
}

// Flipped bytes either fail to decode (Corruption) or decode to some block
// of the announced size (the block checksum is what catches those); never a
// crash, an overrun (see the ASan build) or another kind of error.
TEST_P(CompressionCorruptionTest, RandomByteFlipsNeverCrash) {
  test::Random rnd(2024);
  const std::string raw = CompressibleBytes(&rnd, 4096);
  std::string stored;
  ASSERT_OK(compressor_.Compress(type(), kDefaultCompressionLevel,
                                 format_version(), raw, &stored));
  int corrupt = 0;
  for (int i = 0; i < 1500; ++i) {
    std::string damaged = stored;
    const int flips = 1 + static_cast<int>(rnd.Uniform(3));
    for (int f = 0; f < flips; ++f) {
      const size_t at = rnd.Uniform(damaged.size());
      damaged[at] = static_cast<char>(damaged[at] ^ (1 + rnd.Uniform(255)));
    }
    std::string out;
    const Status s =
        decompressor_.Uncompress(type(), format_version(), damaged, &out);
    ASSERT_TRUE(s.ok() || s.IsCorruption()) << i << ": " << s.ToString();
    if (!s.ok()) ++corrupt;
  }
  EXPECT_GT(corrupt, 0);  // The loop does reach the error paths.
  // Failed calls leave nothing behind in the reused Decompressor.
  std::string back;
  ASSERT_OK(decompressor_.Uncompress(type(), format_version(), stored, &back));
  EXPECT_TRUE(back == raw);
}

std::string RoundTripName(
    const testing::TestParamInfo<std::tuple<CompressionType, uint32_t>>& info) {
  return std::string(CompressionTypeName(std::get<0>(info.param))) + "_Fv" +
         std::to_string(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(
    Compression, CompressionRoundTripTest,
    testing::Combine(testing::Values(CompressionType::kNoCompression,
                                     CompressionType::kSnappyCompression,
                                     CompressionType::kLZ4Compression,
                                     CompressionType::kLZ4HCCompression,
                                     CompressionType::kZSTD,
                                     CompressionType::kZSTDNotFinalCompression),
                     testing::Values(1u, 2u, 5u)),
    RoundTripName);

INSTANTIATE_TEST_SUITE_P(Compression, CompressionCorruptionTest,
                         testing::Combine(testing::ValuesIn(kCompressingTypes),
                                          testing::Values(1u, 2u, 5u)),
                         RoundTripName);

}  // namespace
}  // namespace strata
