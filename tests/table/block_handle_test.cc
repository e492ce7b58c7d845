#include "table/block_handle.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

TEST(BlockHandleTest, DefaultIsNull) {
  BlockHandle h;
  EXPECT_TRUE(h.IsNull());
  EXPECT_EQ("0000", Slice(h.Encode()).ToHex());
  EXPECT_FALSE(BlockHandle(0, 1).IsNull());
  EXPECT_FALSE(BlockHandle(1, 0).IsNull());
  EXPECT_EQ(5u, kBlockTrailerSize);
}

TEST(BlockHandleTest, EncodesVarintOffsetThenSize) {
  // Handles of ../shared/spec/sst-format.md section 20.
  EXPECT_EQ("0043", Slice(BlockHandle(0, 67).Encode()).ToHex());
  EXPECT_EQ("4812", Slice(BlockHandle(72, 18).Encode()).ToHex());
  EXPECT_EQ("5fda06", Slice(BlockHandle(95, 858).Encode()).ToHex());
  EXPECT_EQ("be0720", Slice(BlockHandle(958, 32).Encode()).ToHex());
  EXPECT_EQ(77u, BlockHandle(0, 72).end_offset_with_trailer());
}

TEST(BlockHandleTest, LargestHandleTakesTwentyBytes) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const BlockHandle h(kMax, kMax);
  const std::string encoded = h.Encode();
  EXPECT_EQ(BlockHandle::kMaxEncodedLength, encoded.size());
  Slice input(encoded);
  BlockHandle decoded;
  ASSERT_OK(decoded.DecodeFrom(&input));
  EXPECT_EQ(h, decoded);
  EXPECT_TRUE(input.empty());
}

TEST(BlockHandleTest, DecodeConsumesOnlyTheHandle) {
  test::Random rnd(5);
  for (int i = 0; i < 1000; ++i) {
    const BlockHandle h(rnd.Next() >> rnd.Uniform(64),
                        rnd.Next() >> rnd.Uniform(64));
    std::string buf = h.Encode() + "rest";
    Slice input(buf);
    BlockHandle decoded;
    ASSERT_OK(decoded.DecodeFrom(&input));
    EXPECT_EQ(h, decoded);
    EXPECT_EQ(Slice("rest"), input);
  }
}

TEST(BlockHandleTest, TruncatedHandleIsCorruptionAndLeavesNull) {
  const std::string full = BlockHandle(300, 70000).Encode();
  for (size_t n = 0; n < full.size(); ++n) {
    Slice input(full.data(), n);
    BlockHandle decoded(1, 1);
    Status s = decoded.DecodeFrom(&input);
    ASSERT_TRUE(s.IsCorruption()) << n;
    EXPECT_NE(std::string::npos, s.ToString().find("bad block handle"));
    EXPECT_TRUE(decoded.IsNull());
  }
}

TEST(BlockHandleTest, OverlongVarintIsCorruption) {
  const std::string eleven(11, '\x80');
  Slice input(eleven);
  BlockHandle decoded;
  Status s = decoded.DecodeFrom(&input);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(std::string::npos, s.ToString().find("8080808080")) << s.ToString();
}

TEST(BlockHandleTest, ToStringIsOffsetAndSize) {
  EXPECT_EQ("(72, 18)", BlockHandle(72, 18).ToString());
}

TEST(BlockHandleTest, SizeDeltaRoundTrips) {
  const BlockHandle previous(1000, 4000);
  for (uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{3999},
                        uint64_t{4000}, uint64_t{4001}, uint64_t{1} << 40}) {
    const BlockHandle h(previous.end_offset_with_trailer(), size);
    std::string buf;
    EncodeHandleSizeDelta(h, previous, &buf);
    Slice input(buf);
    BlockHandle decoded;
    ASSERT_OK(DecodeHandleSizeDelta(&input, previous, &decoded));
    EXPECT_EQ(h, decoded);
    EXPECT_TRUE(input.empty());
  }
}

TEST(BlockHandleTest, SizeDeltaIsZigZag) {
  std::string buf;
  EncodeHandleSizeDelta(BlockHandle(105, 99), BlockHandle(0, 100), &buf);
  EXPECT_EQ("01", Slice(buf).ToHex());  // -1.
  buf.clear();
  EncodeHandleSizeDelta(BlockHandle(105, 101), BlockHandle(0, 100), &buf);
  EXPECT_EQ("02", Slice(buf).ToHex());  // +1.
}

TEST(BlockHandleTest, SizeDeltaBelowZeroIsCorruption) {
  std::string buf;
  PutVarsignedint64(&buf, -101);
  Slice input(buf);
  BlockHandle decoded;
  Status s = DecodeHandleSizeDelta(&input, BlockHandle(0, 100), &decoded);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(std::string::npos, s.ToString().find("out of range"));
}

TEST(BlockHandleTest, SizeDeltaOverflowIsCorruption) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  std::string buf;
  PutVarsignedint64(&buf, 10);
  Slice input(buf);
  BlockHandle decoded;
  EXPECT_TRUE(DecodeHandleSizeDelta(&input, BlockHandle(0, kMax - 5), &decoded)
                  .IsCorruption());
  input = Slice(buf);
  EXPECT_TRUE(DecodeHandleSizeDelta(&input, BlockHandle(kMax - 3, 0), &decoded)
                  .IsCorruption());
  Slice empty;
  EXPECT_TRUE(DecodeHandleSizeDelta(&empty, BlockHandle(0, 1), &decoded)
                  .IsCorruption());
}

}  // namespace
}  // namespace strata
