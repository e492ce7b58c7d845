#include "table/filter_block_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "table/bloom_filter_format.h"
#include "table/filter_block_builder.h"
#include "testutil/testutil.h"
#include "util/coding.h"
#include "util/hash32.h"

namespace strata {
namespace {

using Kind = FilterBlockReader::Kind;

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(
        std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// ../shared/spec/sst-format.md section 20.7, as RocksDB 7.8.3 wrote them.
const std::string kSpecFastLocalBloom = Unhex(
    "40200000100000000400100000000000"
    "00c80100000000000000000600000000"
    "00002000000400000000008000000010"
    "00000000000000001080000000200000"
    "ff00060000");
const std::string kSpecLegacyBloom = Unhex(
    "02000000000000080040000000000004"
    "00000008000000020000000000000001"
    "00000004000080000000000080004000"
    "00000004000010000000000000000000"
    "0601000000");

int CountMatches(const FilterBlockReader& reader, const char* prefix, int n) {
  int matches = 0;
  for (int i = 0; i < n; ++i) {
    if (reader.KeyMayMatch(prefix + std::to_string(i))) ++matches;
  }
  return matches;
}

// Holds a copy of `bytes` in an allocation of exactly that size, so ASan
// reports any read past the end (a std::string may have spare capacity).
class ExactBuffer {
 public:
  explicit ExactBuffer(const std::string& bytes)
      : size_(bytes.size()), data_(std::make_unique<char[]>(bytes.size())) {
    if (size_ > 0) std::memcpy(data_.get(), bytes.data(), size_);
  }
  Slice slice() const { return Slice(data_.get(), size_); }

 private:
  size_t size_;
  std::unique_ptr<char[]> data_;
};

TEST(FilterBlockReaderTest, ReadsSpecFastLocalBloom) {
  const FilterBlockReader reader{Slice(kSpecFastLocalBloom)};
  EXPECT_EQ(reader.kind(), Kind::kFastLocalBloom);
  EXPECT_EQ(reader.num_probes(), 6);
  EXPECT_TRUE(reader.degraded_reason().empty());
  for (const char* key : {"apple", "banana", "cherry"}) {
    EXPECT_TRUE(reader.KeyMayMatch(key)) << key;
  }
  // 18 of 512 bits set: a false positive needs 6 lucky probes.
  EXPECT_LE(CountMatches(reader, "absent", 1000), 2);
}

TEST(FilterBlockReaderTest, ReadsSpecLegacyBloom) {
  const FilterBlockReader reader{Slice(kSpecLegacyBloom)};
  EXPECT_EQ(reader.kind(), Kind::kLegacyBloom);
  EXPECT_EQ(reader.num_probes(), 6);
  EXPECT_TRUE(reader.degraded_reason().empty());
  for (const char* key : {"apple", "banana", "cherry"}) {
    EXPECT_TRUE(reader.KeyMayMatch(key)) << key;
  }
  EXPECT_LE(CountMatches(reader, "absent", 1000), 2);
}

TEST(FilterBlockReaderTest, FiveBytesOrFewerMatchNothing) {
  for (size_t size = 0; size <= 5; ++size) {
    const ExactBuffer buf(std::string(size, '\xff'));
    const FilterBlockReader reader(buf.slice());
    EXPECT_EQ(reader.kind(), Kind::kAlwaysFalse) << size;
    EXPECT_FALSE(reader.KeyMayMatch("apple")) << size;
    EXPECT_FALSE(reader.degraded_reason().empty());
  }
  // What a builder with no keys writes.
  auto builder = NewBloomFilterBlockBuilder(10, 5);
  const Slice empty = builder->Finish();
  EXPECT_EQ(FilterBlockReader(empty).kind(), Kind::kAlwaysFalse);
}

TEST(FilterBlockReaderTest, SixZeroBytesAlwaysMatch) {
  const FilterBlockReader reader{Slice(std::string(6, '\0'))};
  EXPECT_EQ(reader.kind(), Kind::kAlwaysTrue);
  EXPECT_EQ(CountMatches(reader, "k", 100), 100);
}

// Replaces metadata byte `index` (0..4) of the spec's FastLocalBloom.
std::string WithMetadataByte(const std::string& filter, size_t index,
                             uint8_t value) {
  std::string copy = filter;
  copy[copy.size() - kFilterMetadataBytes + index] = static_cast<char>(value);
  return copy;
}

TEST(FilterBlockReaderTest, UnusableMarkersAlwaysMatch) {
  struct Case {
    uint8_t marker;
    const char* reason;
  };
  const Case kCases[] = {
      {0x00, "reserved filter marker"},       // Zero probes.
      {0xfe, "Ribbon filter not supported"},  // -2.
      {0xfd, "reserved filter marker"},       // -3 (reserved).
      {0x80, "reserved filter marker"},       // -128.
  };
  for (const Case& c : kCases) {
    const std::string filter =
        WithMetadataByte(kSpecFastLocalBloom, 0, c.marker);
    const FilterBlockReader reader{Slice(filter)};
    EXPECT_EQ(reader.kind(), Kind::kAlwaysTrue) << int{c.marker};
    EXPECT_EQ(reader.degraded_reason(), c.reason);
    EXPECT_EQ(CountMatches(reader, "absent", 100), 100);
  }
}

TEST(FilterBlockReaderTest, ReservedFastLocalBloomMetadataAlwaysMatches) {
  struct Case {
    size_t index;
    uint8_t value;
  };
  const Case kCases[] = {
      {1, 0x01},             // Sub-implementation 1.
      {1, 0xff}, {2, 0x00},  // Zero probes.
      {2, 0x1f},             // 31 probes (reserved).
      {2, 0x26},             // 128-byte cache lines, 6 probes.
      {2, 0xe6},             // Cache-line code 7.
      {3, 0x01},             // Reserved bytes (maybe a future hash seed).
      {4, 0x80},
  };
  for (const Case& c : kCases) {
    const std::string filter =
        WithMetadataByte(kSpecFastLocalBloom, c.index, c.value);
    const FilterBlockReader reader{Slice(filter)};
    EXPECT_EQ(reader.kind(), Kind::kAlwaysTrue)
        << "byte " << c.index << " = " << int{c.value};
    EXPECT_FALSE(reader.degraded_reason().empty());
    EXPECT_EQ(CountMatches(reader, "absent", 100), 100);
  }
  // 30 probes is still valid.
  const std::string thirty = WithMetadataByte(kSpecFastLocalBloom, 2, 30);
  EXPECT_EQ(FilterBlockReader(Slice(thirty)).kind(), Kind::kFastLocalBloom);
  EXPECT_EQ(FilterBlockReader(Slice(thirty)).num_probes(), 30);
}

// RocksDB would probe a whole cache line past the end of these; we refuse
// to filter instead.
TEST(FilterBlockReaderTest, FastLocalBloomShorterThanALineAlwaysMatches) {
  for (size_t len : {1, 32, 63}) {
    const ExactBuffer buf(std::string(len, '\0') + Unhex("ff00060000"));
    const FilterBlockReader reader(buf.slice());
    EXPECT_EQ(reader.kind(), Kind::kAlwaysTrue) << len;
    EXPECT_TRUE(reader.KeyMayMatch("apple"));
  }
}

// A bit array that is not a whole number of lines is read as RocksDB does:
// floor(len / 64) lines, the rest ignored.
TEST(FilterBlockReaderTest, FastLocalBloomIgnoresAPartialLastLine) {
  std::string filter = kSpecFastLocalBloom;
  filter.insert(64, std::string(10, '\0'));  // Before the metadata.
  const ExactBuffer buf(filter);
  const FilterBlockReader reader(buf.slice());
  EXPECT_EQ(reader.kind(), Kind::kFastLocalBloom);
  for (const char* key : {"apple", "banana", "cherry"}) {
    EXPECT_TRUE(reader.KeyMayMatch(key)) << key;
  }
}

std::string WithNumLines(const std::string& legacy, uint32_t num_lines) {
  std::string copy = legacy;
  EncodeFixed32(copy.data() + copy.size() - 4, num_lines);
  return copy;
}

TEST(FilterBlockReaderTest, InconsistentLegacyLineCountsAlwaysMatch) {
  const uint32_t kCases[] = {
      0,               // No lines.
      3,               // 64 bytes in 3 lines: not a whole number of bytes.
      128,             // More lines than bytes.
      1 + (1u << 26),  // 32-bit num_lines * 64 wraps around to 64.
      0xffffffffu,
  };
  for (uint32_t num_lines : kCases) {
    const ExactBuffer buf(WithNumLines(kSpecLegacyBloom, num_lines));
    const FilterBlockReader reader(buf.slice());
    EXPECT_EQ(reader.kind(), Kind::kAlwaysTrue) << num_lines;
    EXPECT_EQ(CountMatches(reader, "absent", 100), 100);
  }
  // 144 bytes in 3 lines of 48: not a power of two.
  const ExactBuffer odd(std::string(144, '\0') + Unhex("0603000000"));
  EXPECT_EQ(FilterBlockReader(odd.slice()).kind(), Kind::kAlwaysTrue);
  EXPECT_EQ(FilterBlockReader(odd.slice()).degraded_reason(),
            "legacy bloom line size not a power of two");
}

// Legacy filters written where cache lines are 128 bytes (RocksDB on POWER)
// or 256 bytes (s390x): the reader infers the line size as len / num_lines.
TEST(FilterBlockReaderTest, LegacyBloomInfersOtherCacheLineSizes) {
  const std::vector<std::string> keys = {"apple", "banana", "cherry", "date",
                                         "elderberry"};
  for (int log2_line_bytes : {5, 7, 8, 12}) {
    const uint32_t num_lines = 3;
    std::string filter(size_t{num_lines} << log2_line_bytes, '\0');
    for (const std::string& key : keys) {
      LegacyBloomAdd(Hash32(key, kLegacyBloomHashSeed), num_lines, 6,
                     log2_line_bytes, filter.data());
    }
    filter.push_back(6);
    PutFixed32(&filter, num_lines);
    const ExactBuffer buf(filter);
    const FilterBlockReader reader(buf.slice());
    ASSERT_EQ(reader.kind(), Kind::kLegacyBloom) << log2_line_bytes;
    for (const std::string& key : keys) {
      EXPECT_TRUE(reader.KeyMayMatch(key)) << key << " " << log2_line_bytes;
    }
    EXPECT_LE(CountMatches(reader, "absent", 1000), 10);
  }
}

TEST(FilterBlockReaderTest, LegacyProbeCountsAboveThirtyAreUsed) {
  // RocksDB never writes them, but its reader accepts 1..127 probes.
  std::string filter(64, '\0');
  LegacyBloomAdd(Hash32("apple", kLegacyBloomHashSeed), 1, 100,
                 kLog2BloomCacheLineBytes, filter.data());
  filter += Unhex("6401000000");  // 100 probes, 1 line.
  const FilterBlockReader reader{Slice(filter)};
  EXPECT_EQ(reader.kind(), Kind::kLegacyBloom);
  EXPECT_EQ(reader.num_probes(), 100);
  EXPECT_TRUE(reader.KeyMayMatch("apple"));
}

TEST(FilterBlockReaderTest, FourGibibytesOrMoreAlwaysMatch) {
  // A valid 69-byte filter claimed to be 4 GiB longer: truncating the size
  // to 32 bits, as RocksDB does, would find valid metadata at byte 64.
  // Only the first 69 bytes exist, and none are read.
  const ExactBuffer buf(kSpecFastLocalBloom);
  const FilterBlockReader reader(
      Slice(buf.slice().data(), (uint64_t{1} << 32) + buf.slice().size()));
  EXPECT_EQ(reader.kind(), Kind::kAlwaysTrue);
  EXPECT_TRUE(reader.KeyMayMatch("absent"));
}

TEST(FilterBlockReaderTest, CopiesShareTheBorrowedBytes) {
  const FilterBlockReader original{Slice(kSpecFastLocalBloom)};
  const FilterBlockReader copy = original;
  EXPECT_EQ(copy.kind(), Kind::kFastLocalBloom);
  EXPECT_TRUE(copy.KeyMayMatch("banana"));
}

// Random truncations and byte changes never crash or read outside the
// block (run under ASan), and a filter never loses a key when only its
// metadata trailer is intact but unusable: it then matches everything.
TEST(FilterBlockReaderTest, CorruptFiltersNeverCrash) {
  test::Random rnd(4242);
  for (int iteration = 0; iteration < 4000; ++iteration) {
    const uint32_t format_version = rnd.OneIn(2) ? 5 : 4;
    std::vector<std::string> keys;
    const size_t num_keys = 1 + rnd.Uniform(300);
    for (size_t i = 0; i < num_keys; ++i) {
      keys.push_back(rnd.RandomBytes(rnd.Uniform(24)));
    }
    auto builder = NewBloomFilterBlockBuilder(
        1 + static_cast<double>(rnd.Uniform(30)), format_version);
    for (const std::string& key : keys) builder->AddKey(key);
    std::string filter = builder->Finish().ToString();

    switch (rnd.Uniform(4)) {
      case 0:
        filter.resize(rnd.Uniform(filter.size() + 1));
        break;
      case 1:
        filter[filter.size() - 1 - rnd.Uniform(kFilterMetadataBytes)] =
            static_cast<char>(rnd.Next());
        break;
      case 2:
        for (int i = 0; i < 4; ++i) {
          filter[rnd.Uniform(filter.size())] = static_cast<char>(rnd.Next());
        }
        break;
      default:
        filter = rnd.RandomBytes(rnd.Uniform(200));
        break;
    }
    const ExactBuffer buf(filter);
    const FilterBlockReader reader(buf.slice());
    for (const std::string& key : keys) {
      const bool match = reader.KeyMayMatch(key);
      if (reader.kind() == Kind::kAlwaysTrue) {
        EXPECT_TRUE(match);
      } else if (reader.kind() == Kind::kAlwaysFalse) {
        EXPECT_FALSE(match);
      }
    }
    for (int i = 0; i < 20; ++i) {
      (void)reader.KeyMayMatch(rnd.RandomBytes(rnd.Uniform(300)));
    }
  }
}

// Every bit-array byte can be anything without affecting safety: flip all
// bits of a valid filter's array and every key matches.
TEST(FilterBlockReaderTest, AllOnesBitArrayMatchesEverything) {
  for (const std::string& spec : {kSpecFastLocalBloom, kSpecLegacyBloom}) {
    std::string filter = spec;
    std::memset(filter.data(), 0xff, filter.size() - kFilterMetadataBytes);
    const FilterBlockReader reader{Slice(filter)};
    EXPECT_NE(reader.kind(), Kind::kAlwaysTrue);
    EXPECT_EQ(CountMatches(reader, "any", 500), 500);
  }
}

}  // namespace
}  // namespace strata
