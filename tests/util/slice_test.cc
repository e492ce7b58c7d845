#include "strata/slice.h"

#include <string>

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(SliceTest, ComparesAsUnsignedBytes) {
  EXPECT_LT(Slice("a").compare(Slice("b")), 0);
  EXPECT_GT(Slice("\xff", 1).compare(Slice("\x01", 1)), 0);
  EXPECT_LT(Slice("ab").compare(Slice("abc")), 0);
  EXPECT_EQ(Slice("abc").compare(Slice("abc")), 0);
  EXPECT_EQ(Slice().compare(Slice("")), 0);
}

TEST(SliceTest, EqualityLooksAtBytesIncludingNul) {
  EXPECT_EQ(Slice(std::string("a\0b", 3)), Slice("a\0b", 3));
  EXPECT_NE(Slice(std::string("a\0b", 3)), Slice("a\0c", 3));
  EXPECT_NE(Slice("a"), Slice("ab"));
}

TEST(SliceTest, PrefixAndSuffixRemoval) {
  Slice s("hello world");
  EXPECT_TRUE(s.starts_with("hello"));
  s.remove_prefix(6);
  EXPECT_EQ(s.ToString(), "world");
  s.remove_suffix(2);
  EXPECT_EQ(s.ToString(), "wor");
  EXPECT_FALSE(s.starts_with("world"));
}

TEST(SliceTest, ToHexIsLowerCaseTwoDigitsPerByte) {
  EXPECT_EQ(Slice("\x00\xab\x10", 3).ToHex(), "00ab10");
  EXPECT_EQ(Slice().ToHex(), "");
}

}  // namespace
}  // namespace strata
