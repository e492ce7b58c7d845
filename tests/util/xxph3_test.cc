#include "util/xxph3.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "testutil/testutil.h"

namespace strata::xxph3 {
namespace {

// seq(n) of the spec: bytes 00 01 02 ... (n - 1) mod 256.
std::string Seq(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i & 0xff);
  return s;
}

struct SeqVector {
  size_t n;
  uint64_t hash;
};

// ../shared/spec/sst-format.md section 21.
TEST(Xxph3Test, SpecVectors) {
  EXPECT_EQ(Hash64(""), 0x5342c3010fe1dd04ull);
  EXPECT_EQ(Hash64("a"), 0x88d868bf607681c7ull);
  EXPECT_EQ(Hash64("abc"), 0xd39eeb71bb5342e8ull);
  EXPECT_EQ(Hash64("apple"), 0x477599606c287630ull);
  EXPECT_EQ(Hash64("banana"), 0x45f41cf3da6518b5ull);
  EXPECT_EQ(Hash64("cherry"), 0x8ab113a3d05c4764ull);
  EXPECT_EQ(Hash64("k00000000"), 0x4945044b1cc73e73ull);
  EXPECT_EQ(Hash64("0123456789abcdef"), 0x402c83c1955d056dull);
  const SeqVector kSeq[] = {
      {32, 0x05e0c55fd9add145ull},   {100, 0xb6259f52ac0f6ddcull},
      {200, 0xd86075628129a666ull},  {300, 0x5095a23a4df1cad4ull},
      {1500, 0xf38e4ef72a739848ull},
  };
  for (const SeqVector& v : kSeq) {
    EXPECT_EQ(Hash64(Seq(v.n)), v.hash) << "seq(" << v.n << ")";
  }
}

// Every length class and every boundary between them, from RocksDB 7.8.3's
// own Hash64() (Debian librocksdb 7.8.3): 1-3, 4-8, 9-16, the four branches
// of 17-128, 129-240 with and without a partial round, and the long path
// with 0, 1 and 2+ whole 1024-byte blocks, with and without whole tail
// stripes, and with and without the extra last stripe (n % 64 != 0).
TEST(Xxph3Test, EveryLengthClassMatchesRocksDb) {
  const SeqVector kSeq[] = {
      {2, 0x391ee7c983900289ull},    {4, 0xf28e842dedde83aeull},
      {8, 0x223c9d9c7f17db6eull},    {17, 0x6dff1ac96eef2848ull},
      {31, 0x447754ee46b2f79dull},   {33, 0x836364faed762c18ull},
      {48, 0xdff7670407c97fa9ull},   {64, 0x85a0b1306d97b7f5ull},
      {65, 0x761d1aecf631ff50ull},   {80, 0xd636e92da962a30full},
      {96, 0xea1eec322790bfdbull},   {97, 0xa178f7429a14e134ull},
      {127, 0x30aa9487dae35c2full},  {128, 0x7aa5db2c8097080bull},
      {129, 0xa06d81743056cebcull},  {144, 0x9ae3190c27ffbe3bull},
      {239, 0x5b757db9a7dd327eull},  {240, 0xd1253a6dec8c35fcull},
      {241, 0xb78df6016a18c222ull},  {255, 0x9c0cdca9dabf478eull},
      {256, 0x4ab6ef4d2088e650ull},  {320, 0x6aea39ea3e78cd3cull},
      {1023, 0x6ff7ce6a43955c74ull}, {1024, 0xa63b91fd35ca4f09ull},
      {1025, 0x95936fd408f00c5eull}, {1088, 0x24d4bf310a290533ull},
      {2048, 0x3b0abe545fd1dc29ull}, {2049, 0xeb54fdc455a74f85ull},
      {2111, 0x0f636a55869544d5ull}, {4096, 0x56148ab3d7c29e99ull},
      {4161, 0x8fe6562415f95abfull},
  };
  for (const SeqVector& v : kSeq) {
    EXPECT_EQ(Hash64(Seq(v.n)), v.hash) << "seq(" << v.n << ")";
  }
}

// Bytes >= 0x80 everywhere: catches signed-char reads in every class.
TEST(Xxph3Test, HighBytesMatchRocksDb) {
  const SeqVector kAllFf[] = {
      {1, 0x9b5cd4aa7bd8ec28ull},   {3, 0xf862f39f9e1f1056ull},
      {7, 0x858f8517cb0cf7e3ull},   {15, 0x21b19ec3e471e851ull},
      {100, 0xa9bfe56e8b3c2af5ull}, {200, 0x7603f03a98f76449ull},
      {300, 0x32477d12429b17e6ull},
  };
  for (const SeqVector& v : kAllFf) {
    EXPECT_EQ(Hash64(std::string(v.n, '\xff')), v.hash) << "ff x " << v.n;
  }
}

TEST(Xxph3Test, IsNotTheReleasedXxh3) {
  // Released XXH3_64bits values from the spec, for contrast.
  EXPECT_NE(Hash64(""), 0x2d06800538d394c2ull);
  EXPECT_NE(Hash64("foo"), 0xab6e5f64077e7d8aull);
}

TEST(Xxph3Test, ResultDoesNotDependOnAlignment) {
  test::Random rnd(29);
  const std::string data = rnd.RandomBytes(3000 + 8);
  for (size_t n : {0, 3, 7, 15, 100, 200, 1500, 3000}) {
    const uint64_t aligned = Hash64(data.data(), n);
    std::string copy = " " + data.substr(0, n);  // Shifted by one byte.
    EXPECT_EQ(Hash64(copy.data() + 1, n), aligned) << n;
  }
}

TEST(Xxph3Test, ReadsOnlyTheGivenBytes) {
  for (size_t n = 0; n <= 300; ++n) {
    const std::string a = Seq(n) + std::string(64, '\x00');
    const std::string b = Seq(n) + std::string(64, '\xff');
    ASSERT_EQ(Hash64(a.data(), n), Hash64(b.data(), n)) << n;
  }
}

}  // namespace
}  // namespace strata::xxph3
