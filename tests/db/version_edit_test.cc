#include "db/version_edit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "db/version_test_util.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

using test::MakeFile;
using ::testing::HasSubstr;

FileMetaData FullFile(uint64_t number) {
  FileMetaData f = MakeFile(number, "apple", "melon", 7, 42, 123456);
  f.num_entries = 1000;
  f.num_deletions = 17;
  f.num_range_deletions = 3;
  f.global_seqno = 99;
  f.creation_time = 1700000000;
  return f;
}

VersionEdit FullEdit() {
  VersionEdit e;
  e.set_comparator_name("leveldb.BytewiseComparator");
  e.set_db_id("db-1234");
  e.set_log_number(11);
  e.set_prev_log_number(10);
  e.set_next_file_number(300);
  e.set_last_sequence(123456789);
  e.DeleteFile(0, 5);
  e.DeleteFile(3, 77);
  e.AddFile(1, FullFile(200));
  e.AddFile(6, MakeFile(201, "x", "z", 1, 2, 10));
  return e;
}

std::string Encode(const VersionEdit& e) {
  std::string s;
  e.EncodeTo(&s);
  return s;
}

void ExpectSameEdit(const VersionEdit& a, const VersionEdit& b) {
  EXPECT_EQ(a.has_comparator_name(), b.has_comparator_name());
  EXPECT_EQ(a.comparator_name(), b.comparator_name());
  EXPECT_EQ(a.has_db_id(), b.has_db_id());
  EXPECT_EQ(a.db_id(), b.db_id());
  EXPECT_EQ(a.has_log_number(), b.has_log_number());
  EXPECT_EQ(a.log_number(), b.log_number());
  EXPECT_EQ(a.has_prev_log_number(), b.has_prev_log_number());
  EXPECT_EQ(a.prev_log_number(), b.prev_log_number());
  EXPECT_EQ(a.has_next_file_number(), b.has_next_file_number());
  EXPECT_EQ(a.next_file_number(), b.next_file_number());
  EXPECT_EQ(a.has_last_sequence(), b.has_last_sequence());
  EXPECT_EQ(a.last_sequence(), b.last_sequence());
  EXPECT_EQ(a.deleted_files(), b.deleted_files());
  ASSERT_EQ(a.new_files().size(), b.new_files().size());
  for (size_t i = 0; i < a.new_files().size(); ++i) {
    EXPECT_EQ(a.new_files()[i].first, b.new_files()[i].first);
    EXPECT_TRUE(a.new_files()[i].second == b.new_files()[i].second)
        << a.new_files()[i].second.DebugString() << " vs "
        << b.new_files()[i].second.DebugString();
  }
}

// The start of a new-file record for level 2, file 9, keys "a".."b",
// without its fields and terminator.
std::string NewFileRecordHead() {
  std::string s;
  PutVarint32(&s, 8);
  PutVarint32(&s, 2);
  PutVarint64(&s, 9);
  PutVarint64(&s, 4096);
  PutLengthPrefixedSlice(&s, MakeInternalKey("a", 5, ValueType::kValue));
  PutLengthPrefixedSlice(&s, MakeInternalKey("b", 3, ValueType::kValue));
  PutVarint64(&s, 3);
  PutVarint64(&s, 5);
  return s;
}

void PutField(std::string* dst, uint32_t tag, const std::string& payload) {
  PutVarint32(dst, tag);
  PutLengthPrefixedSlice(dst, payload);
}

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint64(&s, v);
  return s;
}

TEST(VersionEditTest, EmptyEditEncodesToNothingAndRoundTrips) {
  VersionEdit e;
  EXPECT_EQ("", Encode(e));
  VersionEdit d;
  d.set_log_number(5);
  ASSERT_OK(d.DecodeFrom(""));
  EXPECT_FALSE(d.has_log_number());
  ExpectSameEdit(e, d);
}

TEST(VersionEditTest, EveryFieldRoundTrips) {
  const VersionEdit e = FullEdit();
  VersionEdit d;
  ASSERT_OK(d.DecodeFrom(Encode(e)));
  ExpectSameEdit(e, d);
  EXPECT_TRUE(d.has_comparator_name());
  EXPECT_EQ("leveldb.BytewiseComparator", d.comparator_name());
  EXPECT_EQ("db-1234", d.db_id());
  EXPECT_EQ(11u, d.log_number());
  EXPECT_EQ(10u, d.prev_log_number());
  EXPECT_EQ(300u, d.next_file_number());
  EXPECT_EQ(123456789u, d.last_sequence());
  EXPECT_EQ((std::set<std::pair<int, uint64_t>>{{0, 5}, {3, 77}}),
            d.deleted_files());
  ASSERT_EQ(2u, d.new_files().size());
  const FileMetaData& f = d.new_files()[0].second;
  EXPECT_EQ(1, d.new_files()[0].first);
  EXPECT_EQ(200u, f.number);
  EXPECT_EQ(123456u, f.file_size);
  EXPECT_EQ("apple", f.smallest_user_key().ToString());
  EXPECT_EQ("melon", f.largest_user_key().ToString());
  EXPECT_EQ(7u, f.smallest_seqno);
  EXPECT_EQ(42u, f.largest_seqno);
  EXPECT_EQ(1000u, f.num_entries);
  EXPECT_EQ(17u, f.num_deletions);
  EXPECT_EQ(3u, f.num_range_deletions);
  EXPECT_EQ(99u, f.global_seqno);
  EXPECT_EQ(1700000000u, f.creation_time);
  EXPECT_EQ(6, d.new_files()[1].first);
  EXPECT_EQ(kDisableGlobalSequenceNumber, d.new_files()[1].second.global_seqno);
}

TEST(VersionEditTest, EachScalarFieldAloneRoundTrips) {
  for (int which = 0; which < 6; ++which) {
    VersionEdit e;
    switch (which) {
      case 0:
        e.set_comparator_name("c");
        break;
      case 1:
        e.set_db_id("id");
        break;
      case 2:
        e.set_log_number(1);
        break;
      case 3:
        e.set_prev_log_number(2);
        break;
      case 4:
        e.set_next_file_number(3);
        break;
      case 5:
        e.set_last_sequence(kMaxSequenceNumber);
        break;
    }
    VersionEdit d;
    ASSERT_OK(d.DecodeFrom(Encode(e)));
    ExpectSameEdit(e, d);
  }
}

TEST(VersionEditTest, ZeroCountersAndDisabledGlobalSeqnoAreLeftOut) {
  VersionEdit plain, full;
  plain.AddFile(1, MakeFile(1, "a", "b"));
  FileMetaData f = MakeFile(1, "a", "b");
  f.num_entries = 1;
  full.AddFile(1, f);
  // One field: tag, length and a one-byte varint.
  EXPECT_EQ(Encode(plain).size() + 3, Encode(full).size());
  VersionEdit d;
  ASSERT_OK(d.DecodeFrom(Encode(plain)));
  EXPECT_EQ(0u, d.new_files()[0].second.num_entries);
  EXPECT_EQ(kDisableGlobalSequenceNumber, d.new_files()[0].second.global_seqno);
}

TEST(VersionEditTest, DeletingTwiceRecordsOnce) {
  VersionEdit e;
  e.DeleteFile(1, 4);
  e.DeleteFile(1, 4);
  EXPECT_EQ(1u, e.deleted_files().size());
}

TEST(VersionEditTest, DecodeReplacesPreviousContents) {
  VersionEdit d = FullEdit();
  VersionEdit small;
  small.set_log_number(3);
  ASSERT_OK(d.DecodeFrom(Encode(small)));
  ExpectSameEdit(small, d);
}

TEST(VersionEditTest, HandWrittenNewFileMatchesEncoder) {
  std::string s = NewFileRecordHead();
  PutField(&s, 1, Varint(12));
  PutVarint32(&s, 0);
  VersionEdit e;
  FileMetaData f = MakeFile(9, "a", "b", 3, 5, 4096);
  f.num_entries = 12;
  e.AddFile(2, f);
  EXPECT_EQ(Slice(s).ToHex(), Slice(Encode(e)).ToHex());
}

TEST(VersionEditTest, UnknownIgnorableFieldIsSkipped) {
  std::string s = NewFileRecordHead();
  PutField(&s, 1, Varint(12));
  PutField(&s, 5, "future data the decoder does not know");
  PutField(&s, 63, "");
  PutField(&s, 2, Varint(4));
  PutVarint32(&s, 0);
  PutVarint32(&s, 2);  // A log number after the record still decodes.
  PutVarint64(&s, 77);
  VersionEdit d;
  ASSERT_OK(d.DecodeFrom(s));
  ASSERT_EQ(1u, d.new_files().size());
  EXPECT_EQ(12u, d.new_files()[0].second.num_entries);
  EXPECT_EQ(4u, d.new_files()[0].second.num_deletions);
  EXPECT_EQ(77u, d.log_number());
}

TEST(VersionEditTest, UnknownRequiredFieldIsCorruption) {
  std::string s = NewFileRecordHead();
  const size_t offset = s.size();
  PutField(&s, 66, Varint(1));
  PutVarint32(&s, 0);
  VersionEdit d;
  Status st = d.DecodeFrom(s);
  ASSERT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_THAT(st.ToString(), HasSubstr("unknown field tag 66"));
  EXPECT_THAT(st.ToString(), HasSubstr("@ " + std::to_string(offset)));
  EXPECT_THAT(st.ToString(), HasSubstr("new file (level 2)"));
}

TEST(VersionEditTest, GlobalSeqnoIsAMustUnderstandField) {
  // A decoder that predates global_seqno must refuse files carrying it.
  EXPECT_NE(0u, 65u & VersionEdit::kMustUnderstandField);
  FileMetaData f = MakeFile(9, "a", "b");
  f.global_seqno = 5;
  VersionEdit e;
  e.AddFile(1, f);
  const std::string enc = Encode(e);
  std::string field;
  PutVarint32(&field, 65);
  PutLengthPrefixedSlice(&field, Varint(5));
  EXPECT_NE(std::string::npos, enc.find(field));
}

TEST(VersionEditTest, KnownFieldWithBadPayloadIsCorruption) {
  for (const std::string& payload :
       {std::string(), Varint(1) + "x", std::string("\x80", 1)}) {
    std::string s = NewFileRecordHead();
    PutField(&s, 3, payload);
    PutVarint32(&s, 0);
    VersionEdit d;
    Status st = d.DecodeFrom(s);
    ASSERT_TRUE(st.IsCorruption()) << st.ToString();
    EXPECT_THAT(st.ToString(), HasSubstr("num_range_deletions"));
  }
}

TEST(VersionEditTest, GlobalSeqnoBeyond56BitsIsCorruption) {
  std::string s = NewFileRecordHead();
  PutField(&s, 65, Varint(kMaxSequenceNumber + 1));
  PutVarint32(&s, 0);
  VersionEdit d;
  Status st = d.DecodeFrom(s);
  ASSERT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_THAT(st.ToString(), HasSubstr("global_seqno"));
}

TEST(VersionEditTest, UnknownIgnorableRecordIsSkipped) {
  std::string s;
  PutVarint32(&s, VersionEdit::kSafeToIgnoreTag | 1);
  PutLengthPrefixedSlice(&s, "whatever");
  PutVarint32(&s, 3);
  PutVarint64(&s, 9);
  VersionEdit d;
  ASSERT_OK(d.DecodeFrom(s));
  EXPECT_EQ(9u, d.next_file_number());
}

TEST(VersionEditTest, UnknownRecordIsCorruptionNamingTagAndOffset) {
  std::string s;
  PutVarint32(&s, 3);
  PutVarint64(&s, 9);
  PutVarint32(&s, 99);
  VersionEdit d;
  Status st = d.DecodeFrom(s);
  ASSERT_TRUE(st.IsCorruption());
  EXPECT_THAT(st.ToString(), HasSubstr("@ 2: unknown record tag 99"));
}

TEST(VersionEditTest, LevelBeyondIntIsCorruption) {
  std::string s;
  PutVarint32(&s, 7);
  PutVarint32(&s, 0x80000000u);
  PutVarint64(&s, 4);
  VersionEdit d;
  Status st = d.DecodeFrom(s);
  ASSERT_TRUE(st.IsCorruption());
  EXPECT_THAT(st.ToString(),
              HasSubstr("@ 1: deleted file level: level 2147483648 out of "
                        "range"));
}

TEST(VersionEditTest, KeyShorterThanInternalKeyIsCorruption) {
  std::string s;
  PutVarint32(&s, 8);
  PutVarint32(&s, 1);
  PutVarint64(&s, 9);
  PutVarint64(&s, 10);
  PutLengthPrefixedSlice(&s, "short");
  VersionEdit d;
  Status st = d.DecodeFrom(s);
  ASSERT_TRUE(st.IsCorruption());
  EXPECT_THAT(st.ToString(), HasSubstr("smallest key: 5 bytes"));
}

TEST(VersionEditTest, CorruptionNamesFieldAndOffset) {
  const std::string full = Encode(FullEdit());
  // Cut inside the largest key of the first new file.
  const std::string largest = FullFile(200).largest;
  const size_t at = full.find(largest);
  ASSERT_NE(std::string::npos, at);
  VersionEdit d;
  Status st = d.DecodeFrom(Slice(full.data(), at + 3));
  ASSERT_TRUE(st.IsCorruption());
  // The length prefix (one byte) starts one byte before the key.
  EXPECT_THAT(st.ToString(),
              HasSubstr("version edit @ " + std::to_string(at - 1) +
                        ": new file (level 1): largest key: truncated"));
}

TEST(VersionEditTest, TruncationAtEveryByteIsCorruptionOrARecordBoundary) {
  // Build the edit record by record, in encoding order, noting where each
  // record ends: a cut exactly there is a valid shorter edit.
  VersionEdit e;
  std::set<size_t> boundaries = {0};
  auto mark = [&] { boundaries.insert(Encode(e).size()); };
  e.set_comparator_name("leveldb.BytewiseComparator");
  mark();
  e.set_log_number(11);
  mark();
  e.set_next_file_number(300);
  mark();
  e.set_last_sequence(123456789);
  mark();
  e.set_prev_log_number(10);
  mark();
  e.set_db_id("db-1234");
  mark();
  e.DeleteFile(0, 5);
  mark();
  e.DeleteFile(3, 77);
  mark();
  e.AddFile(1, FullFile(200));
  mark();
  e.AddFile(6, FullFile(201));
  mark();
  const std::string full = Encode(e);
  ASSERT_EQ(full.size(), *boundaries.rbegin());
  for (size_t n = 0; n < full.size(); ++n) {
    // A copy of exactly n bytes, so ASan sees any read past the cut.
    const std::string prefix = full.substr(0, n);
    VersionEdit d;
    Status st = d.DecodeFrom(prefix);
    if (boundaries.count(n) != 0) {
      EXPECT_TRUE(st.ok()) << n << ": " << st.ToString();
    } else {
      EXPECT_TRUE(st.IsCorruption()) << n << ": " << st.ToString();
    }
  }
}

VersionEdit RandomEdit(test::Random* rnd) {
  VersionEdit e;
  auto big = [&] { return rnd->Next() >> rnd->Uniform(64); };
  auto key = [&](size_t max_len) {
    return rnd->RandomBytes(rnd->Uniform(max_len + 1));
  };
  if (rnd->OneIn(2)) e.set_comparator_name(key(30));
  if (rnd->OneIn(2)) e.set_db_id(key(40));
  if (rnd->OneIn(2)) e.set_log_number(big());
  if (rnd->OneIn(2)) e.set_prev_log_number(big());
  if (rnd->OneIn(2)) e.set_next_file_number(big());
  if (rnd->OneIn(2)) e.set_last_sequence(big() & kMaxSequenceNumber);
  const int deletes = static_cast<int>(rnd->Uniform(5));
  for (int i = 0; i < deletes; ++i) {
    e.DeleteFile(static_cast<int>(rnd->Uniform(8)), big());
  }
  const int adds = static_cast<int>(rnd->Uniform(5));
  for (int i = 0; i < adds; ++i) {
    FileMetaData f;
    f.number = big();
    f.file_size = big();
    f.smallest =
        MakeInternalKey(key(20), big() & kMaxSequenceNumber, ValueType::kValue);
    f.largest = MakeInternalKey(key(20), big() & kMaxSequenceNumber,
                                ValueType::kDeletion);
    f.smallest_seqno = big();
    f.largest_seqno = big();
    if (rnd->OneIn(2)) f.num_entries = big();
    if (rnd->OneIn(2)) f.num_deletions = big();
    if (rnd->OneIn(2)) f.num_range_deletions = big();
    if (rnd->OneIn(2)) f.global_seqno = big() & kMaxSequenceNumber;
    if (rnd->OneIn(2)) f.creation_time = big();
    e.AddFile(static_cast<int>(rnd->Uniform(8)), f);
  }
  return e;
}

TEST(VersionEditTest, RandomEditsRoundTrip) {
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    test::Random rnd(seed);
    const VersionEdit e = RandomEdit(&rnd);
    const std::string enc = Encode(e);
    VersionEdit d;
    ASSERT_OK(d.DecodeFrom(enc));
    ExpectSameEdit(e, d);
    ASSERT_EQ(enc, Encode(d));
    if (HasFailure()) return;
  }
}

TEST(VersionEditTest, RandomByteFlipsNeverCrash) {
  // Any outcome but a crash (or a sanitizer report) is acceptable; a decoded
  // edit must encode again without trouble.
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    test::Random rnd(seed);
    std::string enc = Encode(RandomEdit(&rnd));
    if (enc.empty()) continue;
    for (int flips = 0; flips < 3; ++flips) {
      enc[rnd.Uniform(enc.size())] ^= static_cast<char>(1 + rnd.Uniform(255));
    }
    VersionEdit d;
    Status st = d.DecodeFrom(enc);
    EXPECT_TRUE(st.ok() || st.IsCorruption()) << st.ToString();
    if (st.ok()) {
      std::string again;
      d.EncodeTo(&again);
    }
  }
}

TEST(VersionEditTest, DebugStringShowsFieldsAndFiles) {
  const std::string s = FullEdit().DebugString();
  EXPECT_THAT(s, HasSubstr("log number: 11"));
  EXPECT_THAT(s, HasSubstr("next file number: 300"));
  EXPECT_THAT(s, HasSubstr("delete L3 #77"));
  EXPECT_THAT(s, HasSubstr("add L1 #200 123456B"));
  EXPECT_THAT(s, HasSubstr("global_seqno:99"));
}

}  // namespace
}  // namespace strata
