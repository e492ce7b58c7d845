#include "util/coding.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace strata {
namespace {

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint64(&s, v);
  return Slice(s).ToHex();
}

// The spec's examples (sst-format.md section 1).
TEST(CodingTest, VarintsUseTheShortestForm) {
  EXPECT_EQ(Varint(0), "00");
  EXPECT_EQ(Varint(127), "7f");
  EXPECT_EQ(Varint(128), "8001");
  EXPECT_EQ(Varint(300), "ac02");
  EXPECT_EQ(Varint(858), "da06");
  EXPECT_EQ(VarintLength(858), 2);
  EXPECT_EQ(VarintLength(std::numeric_limits<uint64_t>::max()), 10);
}

TEST(CodingTest, ZigZagMapsSmallMagnitudesToSmallNumbers) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{123456789},
                    std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
  }
}

TEST(CodingTest, FixedIsLittleEndian) {
  std::string s;
  PutFixed32(&s, 0x04030201u);
  PutFixed64(&s, 0x0807060504030201ull);
  PutFixed16(&s, 0x0201);
  EXPECT_EQ(Slice(s).ToHex(), "01020304" "0102030405060708" "0102");
  Slice in(s);
  uint32_t a;
  uint64_t b;
  ASSERT_TRUE(GetFixed32(&in, &a));
  ASSERT_TRUE(GetFixed64(&in, &b));
  EXPECT_EQ(a, 0x04030201u);
  EXPECT_EQ(b, 0x0807060504030201ull);
  EXPECT_EQ(DecodeFixed16(in.data()), 0x0201);
}

TEST(CodingTest, RandomRoundTrips) {
  test::Random rnd(17);
  std::string s;
  std::vector<uint64_t> v64;
  std::vector<int64_t> sv;
  for (int i = 0; i < 10000; ++i) {
    const uint64_t v = rnd.Next() >> rnd.Uniform(64);
    v64.push_back(v);
    PutVarint64(&s, v);
    PutVarint32(&s, static_cast<uint32_t>(v));
    sv.push_back(static_cast<int64_t>(v) * (rnd.OneIn(2) ? -1 : 1));
    PutVarsignedint64(&s, sv.back());
    PutLengthPrefixedSlice(&s, std::to_string(v));
  }
  Slice in(s);
  for (int i = 0; i < 10000; ++i) {
    uint64_t a;
    uint32_t b;
    int64_t c;
    Slice d;
    ASSERT_TRUE(GetVarint64(&in, &a));
    ASSERT_TRUE(GetVarint32(&in, &b));
    ASSERT_TRUE(GetVarsignedint64(&in, &c));
    ASSERT_TRUE(GetLengthPrefixedSlice(&in, &d));
    ASSERT_EQ(a, v64[i]);
    ASSERT_EQ(b, static_cast<uint32_t>(v64[i]));
    ASSERT_EQ(c, sv[i]);
    ASSERT_EQ(d.ToString(), std::to_string(v64[i]));
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, TruncatedAndOverlongInputsAreRejected) {
  std::string s;
  PutVarint64(&s, 1ull << 40);
  for (size_t cut = 0; cut < s.size(); ++cut) {
    Slice in(s.data(), cut);
    uint64_t v;
    EXPECT_FALSE(GetVarint64(&in, &v)) << cut;
  }
  // Eleven continuation bytes: longer than any varint64.
  const std::string overlong(11, '\x80');
  Slice in(overlong);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
  // A varint32 longer than 5 bytes.
  std::string big;
  PutVarint64(&big, 1ull << 40);
  Slice in32(big);
  uint32_t v32;
  EXPECT_FALSE(GetVarint32(&in32, &v32));
  // A length prefix promising more bytes than there are.
  std::string lp;
  PutVarint32(&lp, 10);
  lp += "abc";
  Slice lin(lp);
  Slice out;
  EXPECT_FALSE(GetLengthPrefixedSlice(&lin, &out));
  Slice f("abc");
  uint32_t f32;
  EXPECT_FALSE(GetFixed32(&f, &f32));
}

}  // namespace
}  // namespace strata
