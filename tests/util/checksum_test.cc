#include "util/checksum.h"

#include <cstdint>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "testutil/testutil.h"
#include "util/coding.h"
#include "util/crc32c.h"
#include "util/xxhash.h"

namespace strata {
namespace {

constexpr ChecksumType kAllTypes[] = {
    ChecksumType::kNoChecksum, ChecksumType::kCRC32c, ChecksumType::kxxHash,
    ChecksumType::kxxHash64, ChecksumType::kXXH3};

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Blocks copied from RocksDB-written files, each with the checksum RocksDB
// stored in its trailer. Spec section 20: the blocks of the 3-key example
// file (tiny3_fv5_crc32c_nocomp.sst and its kXXH3 twin), uncompressed.
constexpr char kTiny3DataBlock[] =  // 67 bytes, offset 0.
    "000d036170706c650100000000000000726564000e0662616e616e6101000000"
    "0000000079656c6c6f77000e0063686572727901000000000000000000000001"
    "000000";
constexpr char kTiny3IndexBlock[] =  // 18 bytes, offset 72.
    "000663686572727900430000000001000000";
constexpr char kTiny3MetaindexBlock[] =  // 32 bytes, offset 958.
    "001203726f636b7364622e70726f706572746965735fda060000000001000000";

// zstd-compressed blocks (type byte 0x07), one per checksum type.
// bigvals_random_fv5_xxh3_zstd_b4096_bloom.sst, index block @ 513941,
// trailer 07 8939dc38.
constexpr char kXxh3ZstdBlock[] =
    "6f28b52ffd206fad0200340400096b303800b4a206000a313567b9a206d9a206"
    "323497c50c80a333319ce812a5a306000c3966676dc68b190000000f00000021"
    "000000320000004300000005000000060048050308a2b90d51e5c8cc660044";
// pw15_fv2_xxh32_zstd_b512_..., data block @ 33537, trailer 07 2bd23158.
constexpr char kXxh32ZstdBlock[] =
    "c10128b52ffd20c10504002248171cb0a9317891b10680749882a115b892d27f"
    "2f48ae6c0ae299400ccb14928e24b9b5ed759cedb2eb44f8441425744914a8fc"
    "0288e350389b4b93e35adadc58779b4dcf1c597365c7cdab752e57c3f88319dc"
    "d23c222d184003718541010d00780861550c3c10e5a1fc6eae518769da40b1b1"
    "331e94e1996da42c3506c6";
// pw02_fv5_xxh64_zstd_b4096_..., index block @ 21389, trailer 07 2bf31585.
constexpr char kXxh64ZstdBlock[] =
    "880228b52ffd600800cd0500f209263350c9a43110d5c39d05b578ae8171b9a4"
    "0a727c22aaafa4252060fe2292ec8ab18bba4a04b01dc9967b676db6ef1ad701"
    "a845523ffc11feef5ffda89ff46fbfe6c7fc969ff24bfec7ffa2e00a80087125"
    "d068f33a1c47e4a975621d649870b100269d11574a419393c15441f7a38a72bf"
    "cd04ad4881cc422665c38562697cd05a1b194389c941ac0491d36ee6000db4da"
    "180eeced629de30d002078a88a81a29bb03554a5805240295e150d0607bb80a2"
    "65266f0111";
// pw04_fv3_crc32c_zstd_b512_..., data block @ 22897, trailer 07 772790b2.
constexpr char kCrc32cZstdBlock[] =
    "d70328b52ffd60d7000d0800328e2223804b0a1dcb28854782cb8054eb1190f1"
    "9081744dd2c710e2c1f171a2a3516922e8d276330330f36898198d9959782d3d"
    "dd34fd24b7d4dbd2a270988a8950c0e84822905953575aed3b4dbdd76fd3e4a5"
    "604a82c444f2203073732f95a4cfe96b534d534b4f4d6463384ac62030102410"
    "03a3b77275aeed57399dd6766f9d9b3b8f3206900b8b83800933203002a294ca"
    "1ee1512b021872d30df01a48b4e66db0b506b9681d040df09447680401cae09a"
    "b2d4e216781f5a006dd3ab819b1dd8d7b0084e11a2443984e338b1fc812acd58"
    "543f79428dabdd001b04db25c04a9f319f65edf4c82cdd02dcc0b95624725b77"
    "c3c656f315eb7617472d808139";

constexpr char kNone = 0x00;  // Compression-type byte: not compressed.
constexpr char kZstd = 0x07;  // Compression-type byte: ZSTD.

uint32_t BlockChecksum(ChecksumType type, const std::string& block,
                       char type_byte) {
  return ComputeBlockChecksum(type, block.data(), block.size(), type_byte);
}

TEST(ChecksumTest, EnumeratorsHaveRocksDbFooterValues) {
  EXPECT_EQ(static_cast<uint8_t>(ChecksumType::kNoChecksum), 0);
  EXPECT_EQ(static_cast<uint8_t>(ChecksumType::kCRC32c), 1);
  EXPECT_EQ(static_cast<uint8_t>(ChecksumType::kxxHash), 2);
  EXPECT_EQ(static_cast<uint8_t>(ChecksumType::kxxHash64), 3);
  EXPECT_EQ(static_cast<uint8_t>(ChecksumType::kXXH3), 4);
}

TEST(ChecksumTest, FromByteAcceptsExactlyZeroToFour) {
  for (int b = 0; b < 256; ++b) {
    ChecksumType type = ChecksumType::kCRC32c;
    const bool ok = ChecksumTypeFromByte(static_cast<uint8_t>(b), &type);
    EXPECT_EQ(ok, b <= 4) << b;
    if (ok) {
      EXPECT_EQ(static_cast<int>(type), b);
    } else {
      EXPECT_EQ(type, ChecksumType::kCRC32c) << "changed on failure: " << b;
    }
  }
}

TEST(ChecksumTest, NamesAreRocksDbs) {
  EXPECT_EQ(ChecksumTypeName(ChecksumType::kNoChecksum), "none");
  EXPECT_EQ(ChecksumTypeName(ChecksumType::kCRC32c), "crc32c");
  EXPECT_EQ(ChecksumTypeName(ChecksumType::kxxHash), "xxhash");
  EXPECT_EQ(ChecksumTypeName(ChecksumType::kxxHash64), "xxhash64");
  EXPECT_EQ(ChecksumTypeName(ChecksumType::kXXH3), "xxh3");
  EXPECT_EQ(ChecksumTypeEnumName(ChecksumType::kNoChecksum), "kNoChecksum");
  EXPECT_EQ(ChecksumTypeEnumName(ChecksumType::kCRC32c), "kCRC32c");
  EXPECT_EQ(ChecksumTypeEnumName(ChecksumType::kxxHash), "kxxHash");
  EXPECT_EQ(ChecksumTypeEnumName(ChecksumType::kxxHash64), "kxxHash64");
  EXPECT_EQ(ChecksumTypeEnumName(ChecksumType::kXXH3), "kXXH3");
  EXPECT_EQ(ChecksumTypeName(static_cast<ChecksumType>(9)), "unknown");
  EXPECT_EQ(ChecksumTypeEnumName(static_cast<ChecksumType>(9)), "unknown");
}

TEST(ChecksumTest, ParseAcceptsShortNamesEnumNamesAndNumbers) {
  for (ChecksumType t : kAllTypes) {
    const std::string number = std::to_string(static_cast<int>(t));
    for (std::string_view text : {ChecksumTypeName(t), ChecksumTypeEnumName(t),
                                  std::string_view(number)}) {
      ChecksumType parsed = static_cast<ChecksumType>(99);
      ASSERT_TRUE(ParseChecksumType(text, &parsed)) << text;
      EXPECT_EQ(parsed, t) << text;
    }
  }
}

TEST(ChecksumTest, ParseRejectsEverythingElseAndLeavesTypeAlone) {
  for (std::string_view bad : {"", "5", "-1", "04", "CRC32C", "kcrc32c",
                               "xxh3 ", "kXXH3x", "XXH3", "kxxhash", "crc"}) {
    ChecksumType parsed = ChecksumType::kxxHash64;
    EXPECT_FALSE(ParseChecksumType(bad, &parsed)) << bad;
    EXPECT_EQ(parsed, ChecksumType::kxxHash64) << bad;
  }
}

// Spec section 5 test values: the data block of tiny3_fv5_*, type byte 0.
TEST(ChecksumTest, SpecVectorsForTheExampleDataBlock) {
  const std::string block = FromHex(kTiny3DataBlock);
  ASSERT_EQ(block.size(), 67u);
  std::string d = block + kNone;
  EXPECT_EQ(crc32c::Value(d.data(), d.size()), 0x9CBEE8B1u);
  EXPECT_EQ(BlockChecksum(ChecksumType::kCRC32c, block, kNone), 0x73E62455u);
  EXPECT_EQ(XxHash3_64(block.data(), block.size()), 0x741175FA1A9B73B2u);
  EXPECT_EQ(BlockChecksum(ChecksumType::kXXH3, block, kNone), 0x1A9B73B2u);
  EXPECT_EQ(BlockChecksum(ChecksumType::kxxHash, block, kNone), 0xAE150471u);
  EXPECT_EQ(BlockChecksum(ChecksumType::kxxHash64, block, kNone), 0x9EE1ED1Cu);
  EXPECT_EQ(BlockChecksum(ChecksumType::kNoChecksum, block, kNone), 0u);
}

// The trailer bytes as the spec's hex dump shows them (section 20.2).
TEST(ChecksumTest, StoredLittleEndianAsInTheExampleHexDump) {
  const std::string block = FromHex(kTiny3DataBlock);
  char trailer[4];
  EncodeFixed32(trailer, BlockChecksum(ChecksumType::kCRC32c, block, kNone));
  EXPECT_EQ(Slice(trailer, 4).ToHex(), "5524e673");
  EncodeFixed32(trailer, BlockChecksum(ChecksumType::kXXH3, block, kNone));
  EXPECT_EQ(Slice(trailer, 4).ToHex(), "b2739b1a");
}

TEST(ChecksumTest, ExampleIndexAndMetaindexBlocksMatchRocksDbTrailers) {
  const std::string index = FromHex(kTiny3IndexBlock);
  const std::string meta = FromHex(kTiny3MetaindexBlock);
  EXPECT_EQ(BlockChecksum(ChecksumType::kCRC32c, index, kNone), 0xE84A2490u);
  EXPECT_EQ(BlockChecksum(ChecksumType::kXXH3, index, kNone), 0x8F579EABu);
  EXPECT_EQ(BlockChecksum(ChecksumType::kCRC32c, meta, kNone), 0x9EA7888Fu);
  EXPECT_EQ(BlockChecksum(ChecksumType::kXXH3, meta, kNone), 0xD9C9B76Au);
}

// Compressed blocks: the checksum covers the compressed bytes plus type byte
// 0x07, and kXXH3 folds that byte in by XOR rather than hashing it.
TEST(ChecksumTest, CompressedBlocksMatchRocksDbTrailersForEveryType) {
  EXPECT_EQ(BlockChecksum(ChecksumType::kXXH3, FromHex(kXxh3ZstdBlock), kZstd),
            0x38DC3989u);
  EXPECT_EQ(
      BlockChecksum(ChecksumType::kxxHash, FromHex(kXxh32ZstdBlock), kZstd),
      0x5831D22Bu);
  EXPECT_EQ(
      BlockChecksum(ChecksumType::kxxHash64, FromHex(kXxh64ZstdBlock), kZstd),
      0x8515F32Bu);
  EXPECT_EQ(
      BlockChecksum(ChecksumType::kCRC32c, FromHex(kCrc32cZstdBlock), kZstd),
      0xB2902777u);
}

TEST(ChecksumTest, Xxh3IsLow32OfPayloadHashXorTypeTimesPrime) {
  const std::string block = FromHex(kXxh3ZstdBlock);
  const auto low32 =
      static_cast<uint32_t>(XxHash3_64(block.data(), block.size()));
  // The spec's worked constant for a zstd block.
  EXPECT_EQ(BlockChecksum(ChecksumType::kXXH3, block, kZstd) ^ low32,
            0xF0F39AEFu);
  for (int b = 0; b < 256; ++b) {
    const uint32_t expected = low32 ^ static_cast<uint32_t>(b) * 0x6B9083D9u;
    EXPECT_EQ(BlockChecksum(ChecksumType::kXXH3, block, static_cast<char>(b)),
              expected)
        << b;
  }
}

TEST(ChecksumTest, BuiltinChecksumTreatsLastByteAsTheTypeByte) {
  test::Random rnd(17);
  for (size_t n :
       {1, 2, 3, 4, 5, 15, 16, 17, 64, 67, 128, 129, 240, 241, 1000, 4097}) {
    const std::string d = rnd.RandomBytes(n);
    for (ChecksumType t : kAllTypes) {
      EXPECT_EQ(ComputeBuiltinChecksum(t, d.data(), d.size()),
                ComputeBlockChecksum(t, d.data(), d.size() - 1, d.back()))
          << ChecksumTypeName(t) << " n=" << n;
    }
  }
}

TEST(ChecksumTest, BuiltinChecksumOfNothing) {
  EXPECT_EQ(ComputeBuiltinChecksum(ChecksumType::kNoChecksum, "", 0), 0u);
  EXPECT_EQ(ComputeBuiltinChecksum(ChecksumType::kXXH3, "", 0), 0u);
  EXPECT_EQ(ComputeBuiltinChecksum(ChecksumType::kCRC32c, "", 0),
            crc32c::Mask(0));
  EXPECT_EQ(ComputeBuiltinChecksum(ChecksumType::kxxHash, "", 0), 0x02CC5D05u);
  EXPECT_EQ(ComputeBuiltinChecksum(ChecksumType::kxxHash64, "", 0),
            0x51D8E999u);  // Low half of XXH64("") = 0xEF46DB3751D8E999.
}

// An empty payload still has a type byte; only kXXH3 special-cases it.
TEST(ChecksumTest, EmptyPayloadWithTypeByte) {
  const char type_byte = 0x07;
  EXPECT_EQ(ComputeBlockChecksum(ChecksumType::kCRC32c, "", 0, type_byte),
            crc32c::Mask(crc32c::Value(&type_byte, 1)));
  EXPECT_EQ(ComputeBlockChecksum(ChecksumType::kxxHash, "", 0, type_byte),
            XxHash32(&type_byte, 1));
  EXPECT_EQ(ComputeBlockChecksum(ChecksumType::kXXH3, "", 0, type_byte),
            static_cast<uint32_t>(XxHash3_64("", 0)) ^ (7u * 0x6B9083D9u));
}

TEST(ChecksumTest, EveryPayloadBitAndTheTypeByteAreCovered) {
  const std::string block = FromHex(kTiny3DataBlock);
  for (ChecksumType t : kAllTypes) {
    if (t == ChecksumType::kNoChecksum) continue;
    const uint32_t base = BlockChecksum(t, block, kNone);
    EXPECT_NE(BlockChecksum(t, block, kZstd), base) << ChecksumTypeName(t);
    for (size_t i = 0; i < block.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string flipped = block;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        EXPECT_NE(BlockChecksum(t, flipped, kNone), base)
            << ChecksumTypeName(t) << " byte " << i << " bit " << bit;
      }
    }
  }
}

TEST(ChecksumTest, NoChecksumIsAlwaysZero) {
  test::Random rnd(3);
  const std::string d = rnd.RandomBytes(500);
  for (int b = 0; b < 256; ++b) {
    EXPECT_EQ(ComputeBlockChecksum(ChecksumType::kNoChecksum, d.data(),
                                   d.size(), static_cast<char>(b)),
              0u);
  }
}

}  // namespace
}  // namespace strata
