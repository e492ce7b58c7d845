#include "util/xxhash.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace strata {
namespace {

uint64_t Xxh3(const std::string& s) { return XxHash3_64(s.data(), s.size()); }

// Reference values of xxHash 0.8.x (the released algorithms).
TEST(XxHashTest, KnownVectors) {
  EXPECT_EQ(XxHash32("", 0), 0x02CC5D05u);
  EXPECT_EQ(XxHash64("", 0), 0xEF46DB3751D8E999u);
  EXPECT_EQ(XxHash32("abc", 3), 0x32D153FFu);
  EXPECT_EQ(XxHash64("abc", 3), 0x44BC2CF5AD770999u);
  // Spec section 21: the released XXH3, for comparison with the preview.
  EXPECT_EQ(Xxh3(""), 0x2D06800538D394C2u);
  EXPECT_EQ(Xxh3("foo"), 0xAB6E5F64077E7D8Au);
}

// XXH3 switches code paths at 0, 1-3, 4-8, 9-16, 17-128, 129-240 and >240
// bytes; every path must be the final XXH3, not the 0.7.x preview that
// FastLocalBloom uses (spec section 21 gives preview values for these).
TEST(XxHashTest, Xxh3IsNotThePreview) {
  EXPECT_NE(Xxh3(""), 0x5342C3010FE1DD04u);
  EXPECT_NE(Xxh3("a"), 0x88D868BF607681C7u);
  EXPECT_NE(Xxh3("apple"), 0x477599606C287630u);
  EXPECT_NE(Xxh3("0123456789abcdef"), 0x402C83C1955D056Du);
}

TEST(XxHashTest, SeededHashes) {
  const std::string s = "strata checksum seed test, longer than 16 bytes";
  EXPECT_EQ(XxHash3_64WithSeed(s.data(), s.size(), 0), Xxh3(s));
  EXPECT_NE(XxHash3_64WithSeed(s.data(), s.size(), 1), Xxh3(s));
  EXPECT_NE(XxHash32(s.data(), s.size(), 1), XxHash32(s.data(), s.size()));
  EXPECT_NE(XxHash64(s.data(), s.size(), 1), XxHash64(s.data(), s.size()));
}

TEST(XxHashTest, ConcatEqualsHashOfJoinedBytes) {
  test::Random rnd(11);
  const std::string s = rnd.RandomBytes(300);
  for (size_t cut = 0; cut <= s.size(); cut += (cut < 40 ? 1 : 37)) {
    const char* a = s.data();
    const char* b = s.data() + cut;
    const size_t b_n = s.size() - cut;
    for (uint32_t seed : {0u, 42u}) {
      EXPECT_EQ(XxHash32Concat(a, cut, b, b_n, seed),
                XxHash32(s.data(), s.size(), seed))
          << cut;
      EXPECT_EQ(XxHash64Concat(a, cut, b, b_n, seed),
                XxHash64(s.data(), s.size(), seed))
          << cut;
    }
  }
}

}  // namespace
}  // namespace strata
