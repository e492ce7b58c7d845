#include "util/aligned_buffer.h"

#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

namespace strata {
namespace {

class AlignedBufferTest : public ::testing::TestWithParam<size_t> {};

bool Aligned(const void* p, size_t a) {
  return reinterpret_cast<uintptr_t>(p) % a == 0;
}

TEST_P(AlignedBufferTest, StartAddressAndCapacityAreAligned) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  for (size_t req : {size_t{1}, a - 1, a, a + 1, 3 * a + 7}) {
    buf.Allocate(req);
    EXPECT_TRUE(Aligned(buf.data(), a)) << "request " << req;
    EXPECT_EQ(buf.capacity() % a, 0u);
    EXPECT_GE(buf.capacity(), req);
    EXPECT_LT(buf.capacity(), req + a);
    EXPECT_EQ(buf.size(), 0u);
  }
}

TEST_P(AlignedBufferTest, GrowWithCopyKeepsBytes) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(a);
  std::string data(a - 3, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  ASSERT_EQ(buf.Append(data.data(), data.size()), data.size());
  buf.Grow(4 * a);
  EXPECT_EQ(buf.capacity(), 4 * a);
  ASSERT_EQ(buf.size(), data.size());
  EXPECT_EQ(std::string(buf.data(), buf.size()), data);
  EXPECT_TRUE(Aligned(buf.data(), a));
}

TEST_P(AlignedBufferTest, RequestSmallerThanLiveDataIsIgnored) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(2 * a);
  std::string data(a + 5, 'q');
  buf.Append(data.data(), data.size());
  const char* before = buf.data();
  buf.Allocate(a, /*copy=*/true, 0, buf.size());
  EXPECT_EQ(buf.data(), before);
  EXPECT_EQ(buf.capacity(), 2 * a);
  EXPECT_EQ(std::string(buf.data(), buf.size()), data);
}

TEST_P(AlignedBufferTest, AppendReturnsPartialCount) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(a);
  std::string data(a + 10, 'z');
  EXPECT_EQ(buf.Append(data.data(), data.size()), a);
  EXPECT_EQ(buf.free_space(), 0u);
  EXPECT_EQ(buf.Append(data.data(), 1), 0u);
}

TEST_P(AlignedBufferTest, PadToAlignmentFillsToNextBoundaryWithZeros) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(2 * a);
  std::string data(a + 1, 'k');
  buf.Append(data.data(), data.size());
  buf.PadToAlignment();
  EXPECT_EQ(buf.size(), 2 * a);
  for (size_t i = a + 1; i < 2 * a; ++i) {
    ASSERT_EQ(buf.data()[i], '\0') << i;
  }
  buf.PadToAlignment();  // Already aligned: nothing added.
  EXPECT_EQ(buf.size(), 2 * a);
}

TEST_P(AlignedBufferTest, RefitTailMovesTailToFront) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(2 * a);
  std::string data(a + 9, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i);
  buf.Append(data.data(), data.size());
  buf.PadToAlignment();
  buf.RefitTail(a, 9);
  ASSERT_EQ(buf.size(), 9u);
  EXPECT_EQ(std::string(buf.data(), 9), data.substr(a, 9));
}

TEST_P(AlignedBufferTest, ReadCopiesAtMostLiveBytes) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(a);
  buf.Append("abcdef", 6);
  char out[16] = {};
  EXPECT_EQ(buf.Read(out, 2, 10), 4u);
  EXPECT_EQ(std::string(out, 4), "cdef");
  EXPECT_EQ(buf.Read(out, 6, 10), 0u);
}

TEST_P(AlignedBufferTest, ReleaseHandsMemoryOver) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.Allocate(a);
  buf.Append("hello", 5);
  const char* p = buf.data();
  AlignedMemory mem = buf.Release();
  EXPECT_EQ(mem.get(), p);
  EXPECT_EQ(std::string(mem.get(), 5), "hello");
  EXPECT_EQ(buf.capacity(), 0u);
  EXPECT_EQ(buf.size(), 0u);
  EXPECT_EQ(buf.data(), nullptr);
}

TEST_P(AlignedBufferTest, HugePagesMapLargeBuffersAt2MiB) {
  const size_t a = GetParam();
  AlignedBuffer buf(a);
  buf.set_use_huge_pages(true);
  // Below the threshold: ordinary memory.
  buf.Allocate(AlignedBuffer::kHugePageMinBytes / 2);
  EXPECT_FALSE(buf.huge_page_mapped());
  std::string data(1000, 'h');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
  ASSERT_EQ(buf.Append(data.data(), data.size()), data.size());
  // Growing past it moves the bytes into a 2 MiB-aligned mapping.
  buf.Grow(AlignedBuffer::kHugePageMinBytes);
  EXPECT_TRUE(buf.huge_page_mapped());
  EXPECT_TRUE(Aligned(buf.data(), size_t{2} << 20));
  EXPECT_EQ(buf.capacity(), AlignedBuffer::kHugePageMinBytes);
  ASSERT_EQ(buf.size(), data.size());
  EXPECT_EQ(std::string(buf.data(), data.size()), data);
  // The whole capacity is usable.
  buf.PadWith(buf.free_space(), 'z');
  EXPECT_EQ(buf.data()[buf.capacity() - 1], 'z');
  // A move carries the mapping; the source is left empty.
  AlignedBuffer moved(std::move(buf));
  EXPECT_TRUE(moved.huge_page_mapped());
  EXPECT_EQ(std::string(moved.data(), data.size()), data);
  EXPECT_EQ(buf.data(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(buf.huge_page_mapped());
}

TEST_P(AlignedBufferTest, HugePagesOffKeepsOrdinaryMemory) {
  AlignedBuffer buf(GetParam());
  buf.Allocate(AlignedBuffer::kHugePageMinBytes * 2);
  EXPECT_FALSE(buf.huge_page_mapped());
}

TEST_P(AlignedBufferTest, ReleaseOfHugePageBufferCopiesIntoFreeableMemory) {
  AlignedBuffer buf(GetParam());
  buf.set_use_huge_pages(true);
  buf.Allocate(AlignedBuffer::kHugePageMinBytes);
  ASSERT_TRUE(buf.huge_page_mapped());
  buf.Append("hello", 5);
  AlignedMemory mem = buf.Release();  // Freed with std::free: must not crash.
  ASSERT_NE(mem.get(), nullptr);
  EXPECT_TRUE(Aligned(mem.get(), GetParam()));
  EXPECT_EQ(std::string(mem.get(), 5), "hello");
  EXPECT_EQ(buf.capacity(), 0u);
  EXPECT_EQ(buf.data(), nullptr);
  EXPECT_FALSE(buf.huge_page_mapped());
}

INSTANTIATE_TEST_SUITE_P(Alignments, AlignedBufferTest,
                         ::testing::Values(512, 4096, 16384, 65536),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return "Align" + std::to_string(info.param);
                         });

}  // namespace
}  // namespace strata
