#include "table/filter_block_builder.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "table/filter_block_reader.h"
#include "testutil/testutil.h"
#include "util/xxph3.h"

namespace strata {
namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string Build(double bits_per_key, uint32_t format_version,
                  const std::vector<std::string>& keys) {
  std::unique_ptr<FilterBlockBuilder> builder =
      NewBloomFilterBlockBuilder(bits_per_key, format_version);
  EXPECT_NE(builder, nullptr);
  if (builder == nullptr) return "";
  for (const std::string& key : keys) builder->AddKey(key);
  return builder->Finish().ToString();
}

const std::vector<std::string> kTiny3 = {"apple", "banana", "cherry"};

// ../shared/spec/sst-format.md section 20.7: the filter block of
// tiny3_fv5_crc32c_nocomp_bloom.sst, written by RocksDB 7.8.3.
TEST(FilterBlockBuilderTest, FastLocalBloomReproducesSpecExample) {
  const std::string expected = Unhex(
      "40200000100000000400100000000000"
      "00c80100000000000000000600000000"
      "00002000000400000000008000000010"
      "00000000000000001080000000200000"
      "ff00060000");
  ASSERT_EQ(expected.size(), 69u);
  EXPECT_EQ(Slice(Build(10, 5, kTiny3)).ToHex(), Slice(expected).ToHex());
}

// Section 20.7: tiny3_fv4_crc32c_nocomp_bloom.sst (legacy bloom).
TEST(FilterBlockBuilderTest, LegacyBloomReproducesSpecExample) {
  const std::string expected = Unhex(
      "02000000000000080040000000000004"
      "00000008000000020000000000000001"
      "00000004000080000000000080004000"
      "00000004000010000000000000000000"
      "0601000000");
  ASSERT_EQ(expected.size(), 69u);
  EXPECT_EQ(Slice(Build(10, 4, kTiny3)).ToHex(), Slice(expected).ToHex());
}

TEST(FilterBlockBuilderTest, FormatVersionsBelowFiveAllWriteLegacyBloom) {
  const std::string legacy = Build(10, 4, kTiny3);
  for (uint32_t format_version : {0u, 1u, 2u, 3u}) {
    EXPECT_EQ(Build(10, format_version, kTiny3), legacy) << format_version;
  }
  EXPECT_NE(Build(10, 5, kTiny3), legacy);
}

std::vector<std::string> NumberedKeys(const char* format, int n) {
  std::vector<std::string> keys;
  char buf[32];
  for (int i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof(buf), format, i);
    keys.push_back(buf);
  }
  return keys;
}

// Several cache lines: the line choice (fastrange for FastLocalBloom, hash
// modulo an odd line count for legacy) matters. Keys "k00".."k59", 10 bits
// per key; bytes from RocksDB 7.8.3's SstFileWriter.
TEST(FilterBlockBuilderTest, MultiLineFiltersMatchRocksDb) {
  const std::vector<std::string> keys = NumberedKeys("k%02d", 60);
  EXPECT_EQ(
      Slice(Build(10, 5, keys)).ToHex(),
      "0022014921aa204ec90a4c40010ca6102104c004808aa28841151610246925811e8089"
      "36dc5b90f880220573c88191844d0800a9001604006808ab4c0251042b131084000041"
      "042228d1114c454ad2028081834005e00e820820829890c70ac0165588ad84cd801008"
      "56222b800645323081e04e24929000008c907032800815ff00060000");
  EXPECT_EQ(
      Slice(Build(10, 4, keys)).ToHex(),
      "004a0162c048050113009a01011050020520b00f000c41200090004c400100105070e4"
      "088100103200414008482c020005104808410030103701010860234c0424000500600b"
      "80a42a0002422280215a428042142449181400024000c70a4034240400840c848a08a0"
      "8884aa894400003c40014c001420001c4110e13f0008828d020080027428641134008c"
      "0c000002200619c1400040044f02028560800914300986208d48010306111100061581"
      "00610092700000c50081500001080800280603000000");
}

// Sizes, probe counts and bits across the bits-per-key range, compared with
// filters RocksDB 7.8.3's SstFileWriter wrote for keys "key000000"...: the
// block size and the XXPH3_64 digest of its bytes.
TEST(FilterBlockBuilderTest, MatchesRocksDbAcrossBitsPerKeyAndKeyCounts) {
  struct Case {
    uint32_t format_version;
    double bits_per_key;
    int num_keys;
    size_t size;
    uint64_t digest;
  };
  const Case kCases[] = {
      {4, 1, 1, 69, 0x3f984df932c6ef77ull},
      {4, 1, 1000, 197, 0xe59d1781f4926b7bull},
      {4, 1, 10000, 1349, 0x1c5597b45bd9506eull},
      {4, 2.5, 1000, 453, 0xd2edf2f210f4d13cull},
      {4, 3.58, 10000, 5061, 0x75fddf9e1856902eull},
      {4, 6.64, 7, 69, 0x86400632fbcbfa81ull},
      {4, 6.64, 1000, 965, 0xe9f2f9fd6fcf41e0ull},
      {4, 10, 1, 69, 0x6e6dabaef7b4af1dull},
      {4, 10, 7, 69, 0x93540f62232668e2ull},
      {4, 10, 52, 197, 0x17cfa192bc2f338full},
      {4, 10, 1000, 1349, 0x6604ce9748548c2full},
      {4, 10, 10000, 12613, 0xe65437747d73cc5eull},
      {4, 15.3, 1000, 1989, 0x7371a0bb03fa6598ull},
      {4, 23.7, 52, 197, 0x557dde865b7a12abull},
      {4, 23.7, 10000, 30021, 0x690a1ec89a538b7bull},
      {4, 40, 1000, 5061, 0xcc71f92ee21a8293ull},
      {4, 60, 52, 453, 0xa791b41926d9db8bull},
      {4, 100, 7, 197, 0xfe77572726b1cfc1ull},
      {4, 100, 10000, 125125, 0x52db00cd9b941393ull},
      {5, 1, 1, 69, 0x5e6d9d09e2babbcdull},
      {5, 1, 1000, 133, 0xde858db76cedadfeull},
      {5, 1, 10000, 1285, 0x6314219c33e0a08aull},
      {5, 2.5, 1000, 325, 0x75676565838b154bull},
      {5, 3.58, 10000, 4485, 0x569bfdb13dd60269ull},
      {5, 6.64, 7, 69, 0x9242c5149b883c07ull},
      {5, 6.64, 1000, 837, 0x68c8801bf31c7147ull},
      {5, 10, 1, 69, 0x5302f0b752251275ull},
      {5, 10, 7, 69, 0x774df16e1f95b79dull},
      {5, 10, 52, 133, 0xb475897212dea7aaull},
      {5, 10, 1000, 1285, 0x581be5711f664d96ull},
      {5, 10, 10000, 12549, 0xea37f62bc52835d5ull},
      {5, 15.3, 1000, 1925, 0x647c8be3f18b79abull},
      {5, 23.7, 52, 197, 0xc54ab879d8c11603ull},
      {5, 23.7, 10000, 29637, 0xf593b2de4027ab6full},
      {5, 40, 1000, 5061, 0xd0a80387d0f226aeull},
      {5, 60, 52, 453, 0xc2ef19c15aee5a8bull},
      {5, 100, 7, 133, 0xadbe889ffe6f51b2ull},
      {5, 100, 10000, 125061, 0x2324b5a3f302c701ull},
  };
  for (const Case& c : kCases) {
    const std::string filter = Build(c.bits_per_key, c.format_version,
                                     NumberedKeys("key%06d", c.num_keys));
    EXPECT_EQ(filter.size(), c.size) << "fv " << c.format_version << " bpk "
                                     << c.bits_per_key << " n " << c.num_keys;
    EXPECT_EQ(xxph3::Hash64(filter), c.digest)
        << "fv " << c.format_version << " bpk " << c.bits_per_key << " n "
        << c.num_keys;
  }
}

// ceil(n * bits / 8) bytes rounded up to 64 (FastLocalBloom); ceil(n * bits
// / 512) lines made odd (legacy); plus 5 bytes of metadata.
TEST(FilterBlockBuilderTest, SizesRoundUpAsRocksDb) {
  struct Case {
    uint32_t format_version;
    int num_keys;
    size_t size;
  };
  const Case kCases[] = {
      {5, 1, 69}, {5, 51, 69}, {5, 52, 133}, {5, 102, 133}, {5, 103, 197},
      {4, 1, 69}, {4, 51, 69}, {4, 52, 197}, {4, 153, 197}, {4, 154, 325},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(
        Build(10, c.format_version, NumberedKeys("%d", c.num_keys)).size(),
        c.size)
        << "fv " << c.format_version << " n " << c.num_keys;
  }
}

TEST(FilterBlockBuilderTest, NoFilterBelowHalfABitPerKey) {
  for (uint32_t format_version : {4u, 5u}) {
    EXPECT_EQ(NewBloomFilterBlockBuilder(0.49, format_version), nullptr);
    EXPECT_EQ(NewBloomFilterBlockBuilder(0, format_version), nullptr);
    EXPECT_EQ(NewBloomFilterBlockBuilder(-3, format_version), nullptr);
    EXPECT_NE(NewBloomFilterBlockBuilder(0.5, format_version), nullptr);
  }
}

TEST(FilterBlockBuilderTest, ReportsSanitizedBitsAndProbes) {
  auto fast = NewBloomFilterBlockBuilder(10, 5);
  EXPECT_EQ(fast->millibits_per_key(), 10000);
  EXPECT_EQ(fast->num_probes(), 6);
  auto legacy = NewBloomFilterBlockBuilder(10, 4);
  EXPECT_EQ(legacy->millibits_per_key(), 10000);
  EXPECT_EQ(legacy->num_probes(), 6);
  EXPECT_EQ(NewBloomFilterBlockBuilder(0.7, 5)->millibits_per_key(), 1000);
  EXPECT_EQ(NewBloomFilterBlockBuilder(250, 5)->millibits_per_key(), 100000);
  EXPECT_EQ(NewBloomFilterBlockBuilder(250, 5)->num_probes(), 24);
  EXPECT_EQ(NewBloomFilterBlockBuilder(250, 4)->num_probes(), 30);
}

// With no keys, Finish() gives RocksDB's 5-byte empty filter (metadata only).
TEST(FilterBlockBuilderTest, NoKeysGiveMetadataOnly) {
  auto fast = NewBloomFilterBlockBuilder(10, 5);
  EXPECT_TRUE(fast->empty());
  EXPECT_EQ(fast->Finish().ToHex(), "ff00060000");
  auto legacy = NewBloomFilterBlockBuilder(10, 4);
  EXPECT_TRUE(legacy->empty());
  EXPECT_EQ(legacy->Finish().ToHex(), "0600000000");
}

TEST(FilterBlockBuilderTest, ConsecutiveRepeatsOfAKeyCountOnce) {
  for (uint32_t format_version : {4u, 5u}) {
    auto builder = NewBloomFilterBlockBuilder(10, format_version);
    for (const char* key : {"a", "a", "a", "b", "a", "c", "c"}) {
      builder->AddKey(key);
    }
    // Only *consecutive* repeats collapse: "a" after "b" counts again.
    EXPECT_EQ(builder->num_entries(), 4u) << format_version;
    const std::string with_repeats = builder->Finish().ToString();
    EXPECT_EQ(builder->num_entries(), 4u) << "still reported after Finish";
    EXPECT_EQ(with_repeats, Build(10, format_version, {"a", "b", "c"}));
  }
}

// The legacy builder compares 32-bit hashes, so two different keys with the
// same Hash32 in a row count once (RocksDB's num_filter_entries does too);
// FastLocalBloom's 64-bit hashes tell them apart.
TEST(FilterBlockBuilderTest, LegacyDeduplicatesByThirtyTwoBitHash) {
  auto legacy = NewBloomFilterBlockBuilder(10, 4);
  legacy->AddKey("key10305");  // Hash32 0xee8969dc, like "key80000".
  legacy->AddKey("key80000");
  EXPECT_EQ(legacy->num_entries(), 1u);
  auto fast = NewBloomFilterBlockBuilder(10, 5);
  fast->AddKey("key10305");
  fast->AddKey("key80000");
  EXPECT_EQ(fast->num_entries(), 2u);
}

TEST(FilterBlockBuilderTest, IdenticalInputGivesIdenticalBytes) {
  test::Random rnd(7);
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i)
    keys.push_back(rnd.RandomBytes(rnd.Uniform(40)));
  for (uint32_t format_version : {4u, 5u}) {
    const std::string a = Build(9.9, format_version, keys);
    const std::string b = Build(9.9, format_version, keys);
    EXPECT_EQ(a, b);
    EXPECT_GT(a.size(), 5000 * 9.9 / 8);
  }
}

class FilterRoundTripTest : public testing::TestWithParam<uint32_t> {};

TEST_P(FilterRoundTripTest, NoFalseNegativesOverRandomKeys) {
  test::Random rnd(20231 + GetParam());
  std::vector<std::string> keys;
  for (int i = 0; i < 100000; ++i) {
    keys.push_back(rnd.RandomBytes(rnd.Uniform(300)));
  }
  const std::string filter = Build(10, GetParam(), keys);
  const FilterBlockReader reader{Slice(filter)};
  int missing = 0;
  for (const std::string& key : keys) {
    if (!reader.KeyMayMatch(key)) ++missing;
  }
  EXPECT_EQ(missing, 0);
}

TEST_P(FilterRoundTripTest, FalsePositiveRateNearOnePercentAtTenBitsPerKey) {
  // Expected about 0.95% (FastLocalBloom) and 1.1% (legacy) for 6 probes.
  std::vector<std::string> keys = NumberedKeys("in%d", 100000);
  const std::string filter = Build(10, GetParam(), keys);
  const FilterBlockReader reader{Slice(filter)};
  constexpr int kQueries = 100000;
  int positives = 0;
  for (const std::string& key : NumberedKeys("out%d", kQueries)) {
    if (reader.KeyMayMatch(key)) ++positives;
  }
  const double rate = static_cast<double>(positives) / kQueries;
  EXPECT_GT(rate, 0.005);
  EXPECT_LT(rate, GetParam() >= 5 ? 0.015 : 0.018);
}

INSTANTIATE_TEST_SUITE_P(Formats, FilterRoundTripTest, testing::Values(4u, 5u),
                         [](const testing::TestParamInfo<uint32_t>& info) {
                           return info.param >= 5
                                      ? std::string("FastLocalBloom")
                                      : std::string("LegacyBloom");
                         });

}  // namespace
}  // namespace strata
