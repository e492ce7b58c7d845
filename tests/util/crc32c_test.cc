#include "util/crc32c.h"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace strata::crc32c {
namespace {

// Test vectors from RFC 3720, section B.4.
TEST(Crc32cTest, Rfc3720Vectors) {
  char buf[32];
  std::memset(buf, 0, sizeof(buf));
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x8a9136aau);
  std::memset(buf, 0xff, sizeof(buf));
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x62a8ab43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x46dd794eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf, sizeof(buf)), 0x113fdb5cu);
  EXPECT_EQ(Value("123456789", 9), 0xe3069283u);
}

TEST(Crc32cTest, ExtendEqualsWholeValue) {
  const std::string s = "hello world, this spans more than eight bytes";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Extend(Value(s.data(), cut), s.data() + cut, s.size() - cut),
              Value(s.data(), s.size()))
        << cut;
  }
}

TEST(Crc32cTest, HardwareAndPortableAgreeOnEveryLengthAndAlignment) {
  test::Random rnd(301);
  const std::string data = rnd.RandomBytes(4096 + 64);
  for (size_t start = 0; start < 16; ++start) {
    for (size_t len : {0, 1, 7, 8, 9, 63, 64, 65, 1000, 4096}) {
      ASSERT_EQ(Value(data.data() + start, len),
                ExtendPortable(0, data.data() + start, len))
          << "start " << start << " len " << len;
    }
  }
}

TEST(Crc32cTest, StripedLengthsAgreeWithPortable) {
  // Lengths around the three-stripe thresholds (3 x 128 and 3 x 1024
  // bytes), several of them in a row, and a long mixed one.
  test::Random rnd(302);
  const std::string data = rnd.RandomBytes(40000);
  for (size_t len : {383, 384, 385, 391, 392, 767, 768, 3071, 3072, 3073,
                     3072 + 384, 3072 + 383, 2 * 3072 + 400, 39993}) {
    for (size_t start : {0, 3}) {
      ASSERT_EQ(Value(data.data() + start, len),
                ExtendPortable(0, data.data() + start, len))
          << "start " << start << " len " << len;
      // A non-zero starting crc goes through the first stripe's register.
      ASSERT_EQ(Extend(0x12345678u, data.data() + start, len),
                ExtendPortable(0x12345678u, data.data() + start, len))
          << "start " << start << " len " << len;
    }
  }
  if (!IsHardwareAccelerated()) {
    GTEST_SKIP() << "no SSE4.2: the striped path did not run";
  }
}

TEST(Crc32cTest, MaskRoundTripsAndDiffers) {
  const uint32_t crc = Value("foo", 3);
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace strata::crc32c
