#include "table/bytewise_comparator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "table/internal_key.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

std::string Separator(std::string start, const std::string& limit) {
  FindShortestSeparator(&start, limit);
  return start;
}

std::string Successor(std::string key) {
  FindShortSuccessor(&key);
  return key;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) {
    s.push_back(static_cast<char>(b));
  }
  return s;
}

TEST(BytewiseComparatorTest, SpecExamples) {
  // ../shared/spec/sst-format.md section 9.1.
  EXPECT_EQ("abd", Separator("abc", "abx"));
  EXPECT_EQ("k00000017y", Separator("k00000017xyz", "k00000018"));
  EXPECT_EQ("a\xff\xff", Separator("a\xff\xff", "b"));
  EXPECT_EQ("ab", Separator("ab", "abc"));
}

TEST(BytewiseComparatorTest, IncrementsTheFirstDifferingByteWhenRoomAllows) {
  EXPECT_EQ("b", Separator("abc", "d"));  // 'a' + 1 < 'd'.
  EXPECT_EQ("k00000018", Separator("k00000017", "k00000018xyz"));
  // Differing at the last byte of start still shortens (RocksDB 7.8.3 has
  // no "start is already shortest" exception): observed in RocksDB files.
  EXPECT_EQ(Bytes({0x02}), Separator(Bytes({0x01}), Bytes({0x61})));
  EXPECT_EQ(Bytes({0x00, 0x01}),
            Separator(Bytes({0x00, 0x00}), Bytes({0x00, 0xff})));
  EXPECT_EQ(Bytes({0x81}), Separator(Bytes({0x80}), Bytes({0xfe, 0xff})));
}

TEST(BytewiseComparatorTest, SkipsToFirstNonFfByteWhenIncrementReachesLimit) {
  // limit ends at the differing byte and is exactly one more.
  EXPECT_EQ("a\x01", Separator(std::string("a\x00", 2), "b"));
  EXPECT_EQ("a\xff\x06", Separator("a\xff\x05zz", "b"));
  EXPECT_EQ(Bytes({0xfe, 0x11}), Separator(Bytes({0xfe, 0x10}), Bytes({0xff})));
  EXPECT_EQ(Bytes({0xfe}), Separator(Bytes({0xfe}), Bytes({0xff})));
  EXPECT_EQ(Bytes({0x61, 0x62, 0x63}),
            Separator(Bytes({0x61, 0x62, 0x63}), Bytes({0x61, 0x62, 0x64})));
}

TEST(BytewiseComparatorTest, LeavesPrefixesAndMisorderedInputsAlone) {
  EXPECT_EQ("", Separator("", "abc"));
  EXPECT_EQ("abc", Separator("abc", ""));
  EXPECT_EQ("abc", Separator("abc", "ab"));  // limit is a prefix.
  EXPECT_EQ("abc", Separator("abc", "abc"));
  EXPECT_EQ("b", Separator("b", "a"));  // limit < start.
  EXPECT_EQ("a\xff", Separator("a\xff", "a\x01"));
}

TEST(BytewiseComparatorTest, RandomSeparatorsLieInRangeAndAreNotLonger) {
  test::Random rnd(77);
  for (int i = 0; i < 20000; ++i) {
    std::string a = rnd.RandomBytes(rnd.Uniform(6));
    std::string b = rnd.RandomBytes(rnd.Uniform(6));
    // Bias towards shared prefixes and 0x00/0xff bytes.
    for (std::string* s : {&a, &b}) {
      for (char& c : *s) {
        if (rnd.OneIn(3)) c = rnd.OneIn(2) ? '\xff' : '\x00';
      }
    }
    if (rnd.OneIn(2) && !a.empty()) {
      b = a.substr(0, rnd.Uniform(a.size() + 1)) + b;
    }
    if (Slice(a).compare(b) >= 0) {
      EXPECT_EQ(a, Separator(a, b));
      continue;
    }
    const std::string s = Separator(a, b);
    EXPECT_LE(Slice(a).compare(s), 0)
        << Slice(a).ToHex() << " " << Slice(b).ToHex();
    EXPECT_LT(Slice(s).compare(b), 0)
        << Slice(a).ToHex() << " " << Slice(b).ToHex();
    EXPECT_LE(s.size(), a.size());
  }
}

TEST(BytewiseComparatorTest, ShortSuccessor) {
  EXPECT_EQ("b", Successor("abc"));
  EXPECT_EQ(
      "\xff\xff"
      "b",
      Successor("\xff\xff"
                "azz"));
  EXPECT_EQ(Bytes({0x01}), Successor(Bytes({0x00, 0xff})));
  EXPECT_EQ("\xff\xff", Successor("\xff\xff"));
  EXPECT_EQ("", Successor(""));
}

TEST(BytewiseComparatorTest, InternalSeparatorGetsMaxSequenceAndSeekType) {
  std::string start = MakeInternalKey("abc", 5, ValueType::kValue);
  FindShortestInternalKeySeparator(
      &start, MakeInternalKey("abx", 9, ValueType::kValue));
  EXPECT_EQ(
      "616264"
      "16ffffffffffffff",
      Slice(start).ToHex());
}

TEST(BytewiseComparatorTest, InternalSeparatorKeepsRealKeyWhenNotShortened) {
  const std::string original =
      MakeInternalKey("k00000017", 42, ValueType::kDeletion);
  std::string start = original;
  FindShortestInternalKeySeparator(
      &start, MakeInternalKey("k00000018", 1, ValueType::kValue));
  EXPECT_EQ(original, start);

  // Same user key on both sides: nothing to shorten.
  start = original;
  FindShortestInternalKeySeparator(
      &start, MakeInternalKey("k00000017", 41, ValueType::kValue));
  EXPECT_EQ(original, start);
}

TEST(BytewiseComparatorTest, InternalSuccessor) {
  std::string key = MakeInternalKey("abc", 5, ValueType::kValue);
  FindShortInternalKeySuccessor(&key);
  EXPECT_EQ(
      "62"
      "16ffffffffffffff",
      Slice(key).ToHex());
  const std::string all_ff = MakeInternalKey("\xff\xff", 5, ValueType::kValue);
  key = all_ff;
  FindShortInternalKeySuccessor(&key);
  EXPECT_EQ(all_ff, key);
}

// The 26 edge keys of RocksDB-written golden files (edgekeys_*: every key
// in its own block) and the index keys RocksDB 7.8.3 wrote between them.
TEST(BytewiseComparatorTest, MatchesRocksDbSeparatorsForEdgeKeys) {
  struct Case {
    std::string a, b, separator_user_key;
    bool shortened;
  };
  const std::vector<Case> cases = {
      {"", Bytes({0x00}), "", false},
      {Bytes({0x00}), Bytes({0x00, 0x00}), Bytes({0x00}), false},
      {Bytes({0x00, 0x00}), Bytes({0x00, 0xff}), Bytes({0x00, 0x01}), true},
      {Bytes({0x00, 0xff}), Bytes({0x01}), Bytes({0x00, 0xff}), false},
      {Bytes({0x01}), "a", Bytes({0x02}), true},
      {"a", std::string("a\x00", 2), "a", false},
      {std::string("a\x00", 2), std::string("a\x00\x00", 3),
       std::string("a\x00", 2), false},
      {std::string("a\x00\x00", 3), "ab", "a\x01", true},
      {"ab", "abc", "ab", false},
      {"abc", "abd", "abc", false},
      {"abd", "a\xff", "ac", true},
      {"a\xff", "a\xff\xff", "a\xff", false},
      {"a\xff\xff", std::string("a\xff\xff\x00", 4), "a\xff\xff", false},
      {std::string("a\xff\xff\x00", 4), "a\xff\xff\xff", "a\xff\xff\x01", true},
      {"a\xff\xff\xff", "b", "a\xff\xff\xff", false},
      {"b", "b\xff\xff\xff\xff", "b", false},
      {"b\xff\xff\xff\xff", "c", "b\xff\xff\xff\xff", false},
      {"c", "c\x01", "c", false},
      {"c\x01", "\x7f", "d", true},
      {"\x7f", "\x80", "\x7f", false},
      {"\x80", "\xfe\xff", "\x81", true},
      {"\xfe\xff", "\xff", "\xfe\xff", false},
      {"\xff", std::string("\xff\x00", 2), "\xff", false},
      {std::string("\xff\x00", 2), "\xff\xff", "\xff\x01", true},
      {"\xff\xff", std::string(8, '\xff'), "\xff\xff", false},
  };
  for (const Case& c : cases) {
    std::string key = MakeInternalKey(c.a, 0, ValueType::kValue);
    FindShortestInternalKeySeparator(
        &key, MakeInternalKey(c.b, 0, ValueType::kValue));
    const std::string expected =
        c.shortened
            ? MakeInternalKey(c.separator_user_key, kMaxSequenceNumber,
                              kValueTypeForSeek)
            : MakeInternalKey(c.separator_user_key, 0, ValueType::kValue);
    EXPECT_EQ(Slice(expected).ToHex(), Slice(key).ToHex())
        << Slice(c.a).ToHex() << " | " << Slice(c.b).ToHex();
  }
}

}  // namespace
}  // namespace strata
