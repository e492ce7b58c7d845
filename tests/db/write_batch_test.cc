// WriteBatch and WriteBatchInternal: the representation, round trips through
// Iterate, Append, SetContents, and every way a malformed representation is
// refused.
#include "strata/write_batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "db/write_batch_internal.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// Renders every update as text: "Put(k,v)", "Delete(k)", ...
class Printer : public WriteBatch::Handler {
 public:
  Status Put(Slice key, Slice value) override {
    ops.push_back("Put(" + key.ToString() + "," + value.ToString() + ")");
    return Status::OK();
  }
  Status Delete(Slice key) override {
    ops.push_back("Delete(" + key.ToString() + ")");
    return Status::OK();
  }
  Status SingleDelete(Slice key) override {
    ops.push_back("SingleDelete(" + key.ToString() + ")");
    return Status::OK();
  }
  Status DeleteRange(Slice begin_key, Slice end_key) override {
    ops.push_back("DeleteRange(" + begin_key.ToString() + "," +
                  end_key.ToString() + ")");
    return Status::OK();
  }
  std::vector<std::string> ops;
};

std::vector<std::string> Ops(const WriteBatch& batch) {
  Printer p;
  Status s = batch.Iterate(&p);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return p.ops;
}

using Ops_ = std::vector<std::string>;

TEST(WriteBatchTest, EmptyBatchIsAHeaderOfZeros) {
  WriteBatch b;
  EXPECT_EQ(b.Data(), std::string(12, '\0'));
  EXPECT_EQ(b.Count(), 0u);
  EXPECT_EQ(b.GetDataSize(), 12u);
  EXPECT_EQ(WriteBatchInternal::ByteSize(b), 12u);
  EXPECT_EQ(WriteBatchInternal::Sequence(b), 0u);
  EXPECT_TRUE(Ops(b).empty());
}

TEST(WriteBatchTest, EveryRecordTypeRoundTripsInOrder) {
  WriteBatch b;
  ASSERT_OK(b.Put("k1", "v1"));
  ASSERT_OK(b.Delete("k2"));
  ASSERT_OK(b.SingleDelete("k3"));
  ASSERT_OK(b.DeleteRange("a", "m"));
  ASSERT_OK(b.Put("", ""));
  ASSERT_OK(b.Put(std::string(300, 'x'), std::string(70000, 'y')));
  EXPECT_EQ(b.Count(), 6u);
  const Ops_ ops = Ops(b);
  ASSERT_EQ(ops.size(), 6u);
  EXPECT_EQ(ops[0], "Put(k1,v1)");
  EXPECT_EQ(ops[1], "Delete(k2)");
  EXPECT_EQ(ops[2], "SingleDelete(k3)");
  EXPECT_EQ(ops[3], "DeleteRange(a,m)");
  EXPECT_EQ(ops[4], "Put(,)");
  EXPECT_EQ(ops[5], "Put(" + std::string(300, 'x') + "," +
                        std::string(70000, 'y') + ")");
}

TEST(WriteBatchTest, RepresentationHasTheDocumentedBytes) {
  WriteBatch b;
  WriteBatchInternal::SetSequence(&b, 0x0102030405060708ull);
  ASSERT_OK(b.Put("ab", "c"));
  ASSERT_OK(b.Delete("d"));
  ASSERT_OK(b.SingleDelete("e"));
  ASSERT_OK(b.DeleteRange("f", "gh"));
  const std::string want = std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8) +
                           std::string("\x04\x00\x00\x00", 4) +
                           std::string(
                               "\x01\x02"
                               "ab\x01"
                               "c",
                               6) +
                           std::string(
                               "\x00\x01"
                               "d",
                               3) +
                           std::string(
                               "\x07\x01"
                               "e",
                               3) +
                           std::string(
                               "\x0f\x01"
                               "f\x02"
                               "gh",
                               6);
  EXPECT_EQ(b.Data(), want);
  EXPECT_EQ(WriteBatchInternal::Contents(b).ToString(), want);
}

TEST(WriteBatchTest, SequenceAndCountLiveInTheHeader) {
  WriteBatch b;
  ASSERT_OK(b.Put("k", "v"));
  WriteBatchInternal::SetSequence(&b, 12345);
  EXPECT_EQ(WriteBatchInternal::Sequence(b), 12345u);
  EXPECT_EQ(DecodeFixed64(b.Data().data()), 12345u);
  EXPECT_EQ(WriteBatchInternal::Count(b), 1u);
  WriteBatchInternal::SetCount(&b, 9);
  EXPECT_EQ(b.Count(), 9u);
  EXPECT_EQ(DecodeFixed32(b.Data().data() + 8), 9u);
}

TEST(WriteBatchTest, ClearEmptiesTheBatchAndTheSequence) {
  WriteBatch b;
  ASSERT_OK(b.Put("k", "v"));
  WriteBatchInternal::SetSequence(&b, 7);
  b.Clear();
  EXPECT_EQ(b.Data(), std::string(12, '\0'));
  EXPECT_TRUE(Ops(b).empty());
}

TEST(WriteBatchTest, CopyAndMove) {
  WriteBatch a;
  ASSERT_OK(a.Put("k", "v"));
  WriteBatch copy(a);
  EXPECT_EQ(copy.Data(), a.Data());
  ASSERT_OK(copy.Delete("x"));
  EXPECT_EQ(a.Count(), 1u);  // The copy is independent.
  WriteBatch moved(std::move(copy));
  EXPECT_EQ(moved.Count(), 2u);
  EXPECT_EQ(copy.Data(),
            std::string(12, '\0'));  // NOLINT: moved-from is empty.
  WriteBatch assigned;
  assigned = std::move(moved);
  EXPECT_EQ(Ops(assigned), (Ops_{"Put(k,v)", "Delete(x)"}));
  EXPECT_EQ(moved.Count(), 0u);  // NOLINT
  ASSERT_OK(moved.Put("again", "ok"));
  EXPECT_EQ(Ops(moved), Ops_{"Put(again,ok)"});
  WriteBatch copy_assigned;
  copy_assigned = a;
  EXPECT_EQ(copy_assigned.Data(), a.Data());
}

TEST(WriteBatchTest, KeysAndValuesOf4GiBAreRejected) {
  // Never read: the size check comes first.
  static const char kByte = 'x';
  const Slice huge(&kByte, size_t{1} << 32);
  WriteBatch b;
  Status s = b.Put(huge, "v");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("key is too large"));
  s = b.Put("k", huge);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("value is too large"));
  EXPECT_TRUE(b.Delete(huge).IsInvalidArgument());
  EXPECT_TRUE(b.SingleDelete(huge).IsInvalidArgument());
  EXPECT_TRUE(b.DeleteRange("a", huge).IsInvalidArgument());
  EXPECT_TRUE(b.DeleteRange(huge, "z").IsInvalidArgument());
  EXPECT_EQ(b.Data(), std::string(12, '\0'));  // Unchanged.
}

TEST(WriteBatchTest, AppendConcatenatesAndSumsCounts) {
  WriteBatch dst;
  ASSERT_OK(dst.Put("a", "1"));
  WriteBatchInternal::SetSequence(&dst, 100);
  WriteBatch src;
  ASSERT_OK(src.Delete("b"));
  ASSERT_OK(src.DeleteRange("c", "d"));
  WriteBatchInternal::SetSequence(&src, 555);
  WriteBatchInternal::Append(&dst, src);
  EXPECT_EQ(dst.Count(), 3u);
  EXPECT_EQ(WriteBatchInternal::Sequence(dst), 100u);
  EXPECT_EQ(Ops(dst), (Ops_{"Put(a,1)", "Delete(b)", "DeleteRange(c,d)"}));
  WriteBatchInternal::Append(&dst, WriteBatch());
  EXPECT_EQ(dst.Count(), 3u);
  EXPECT_EQ(dst.GetDataSize(), 12u + 5 + 3 + 5);
}

TEST(WriteBatchTest, SetContentsCopiesAndChecksTheHeader) {
  WriteBatch src;
  ASSERT_OK(src.Put("k", "v"));
  WriteBatchInternal::SetSequence(&src, 42);
  WriteBatch dst;
  ASSERT_OK(WriteBatchInternal::SetContents(&dst, src.Data()));
  EXPECT_EQ(dst.Data(), src.Data());
  EXPECT_EQ(WriteBatchInternal::Sequence(dst), 42u);
  EXPECT_EQ(Ops(dst), Ops_{"Put(k,v)"});

  for (size_t n = 0; n < WriteBatchInternal::kHeader; ++n) {
    Status s =
        WriteBatchInternal::SetContents(&dst, Slice(src.Data().data(), n));
    EXPECT_TRUE(s.IsCorruption()) << n << ": " << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("too small"));
    EXPECT_EQ(dst.Data(), src.Data());  // Unchanged.
  }
  ASSERT_OK(WriteBatchInternal::SetContents(
      &dst, Slice(src.Data().data(), WriteBatchInternal::kHeader)));
  // A header with count 1 and no records.
  Printer p;
  EXPECT_TRUE(dst.Iterate(&p).IsCorruption());
}

// Every proper prefix of a record (a cut inside it) is Corruption naming
// the record's kind and its offset.
TEST(WriteBatchTest, TruncatedRecordsAtEveryLengthAreCorruption) {
  struct Case {
    const char* kind;
    std::function<Status(WriteBatch*)> add;
  };
  const std::vector<Case> cases = {
      {"Put", [](WriteBatch* b) { return b->Put("key", "value"); }},
      {"Delete", [](WriteBatch* b) { return b->Delete("key"); }},
      {"SingleDelete", [](WriteBatch* b) { return b->SingleDelete("key"); }},
      {"DeleteRange", [](WriteBatch* b) { return b->DeleteRange("a", "zz"); }},
      {"Put", [](WriteBatch* b) {  // Two-byte varint lengths.
         return b->Put(std::string(200, 'k'), std::string(300, 'v'));
       }}};
  for (const Case& c : cases) {
    WriteBatch b;
    ASSERT_OK(b.Put("first", "record"));
    const size_t record_offset = b.GetDataSize();
    ASSERT_OK(c.add(&b));
    const std::string full = b.Data();
    for (size_t cut = record_offset + 1; cut < full.size(); ++cut) {
      SCOPED_TRACE(std::string(c.kind) + " cut at " + std::to_string(cut));
      WriteBatch t;
      ASSERT_OK(WriteBatchInternal::SetContents(&t, Slice(full.data(), cut)));
      Printer p;
      Status s = t.Iterate(&p);
      ASSERT_TRUE(s.IsCorruption()) << s.ToString();
      EXPECT_THAT(s.ToString(), HasSubstr(std::string("WriteBatch: bad ") +
                                          c.kind + " record at offset " +
                                          std::to_string(record_offset)));
    }
  }
}

TEST(WriteBatchTest, CountMismatchIsCorruption) {
  WriteBatch b;
  ASSERT_OK(b.Put("a", "1"));
  ASSERT_OK(b.Delete("b"));
  for (uint32_t count : {0u, 1u, 3u, 1000u}) {
    WriteBatchInternal::SetCount(&b, count);
    Printer p;
    Status s = b.Iterate(&p);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("count mismatch: the header says " +
                                        std::to_string(count) +
                                        " updates, the records hold 2"));
  }
  WriteBatchInternal::SetCount(&b, 2);
  EXPECT_EQ(Ops(b).size(), 2u);
}

TEST(WriteBatchTest, UnknownTagIsCorruptionNamingTagAndOffset) {
  for (uint8_t tag :
       {uint8_t{0x14}, uint8_t{0x18}, uint8_t{0x7f}, uint8_t{0xff}}) {
    WriteBatch b;
    ASSERT_OK(b.Put("a", "1"));
    std::string rep = b.Data();
    const size_t offset = rep.size();
    rep.push_back(static_cast<char>(tag));
    rep += std::string("\x01k", 2);
    ASSERT_OK(WriteBatchInternal::SetContents(&b, rep));
    Printer p;
    Status s = b.Iterate(&p);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%02x", tag);
    EXPECT_THAT(s.ToString(),
                HasSubstr(std::string("unknown tag ") + hex + " at offset " +
                          std::to_string(offset)));
  }
}

TEST(WriteBatchTest, RocksDbOnlyRecordTypesAreNotSupported) {
  const std::vector<std::pair<uint8_t, const char*>> tags = {
      {0x02, "kTypeMerge"},
      {0x04, "kTypeColumnFamilyDeletion"},
      {0x05, "kTypeColumnFamilyValue"},
      {0x06, "kTypeColumnFamilyMerge"},
      {0x08, "kTypeColumnFamilySingleDeletion"},
      {0x09, "kTypeBeginPrepareXID"},
      {0x0A, "kTypeEndPrepareXID"},
      {0x0B, "kTypeCommitXID"},
      {0x0C, "kTypeRollbackXID"},
      {0x0E, "kTypeColumnFamilyRangeDeletion"},
      {0x10, "kTypeColumnFamilyBlobIndex"},
      {0x11, "kTypeBlobIndex"},
      {0x12, "kTypeBeginPersistedPrepareXID"},
      {0x13, "kTypeBeginUnprepareXID"},
      {0x15, "kTypeCommitXIDAndTimestamp"},
      {0x16, "kTypeWideColumnEntity"},
      {0x17, "kTypeColumnFamilyWideColumnEntity"}};
  for (const auto& [tag, name] : tags) {
    WriteBatch b;
    ASSERT_OK(b.Put("a", "1"));
    std::string rep = b.Data();
    rep.push_back(static_cast<char>(tag));
    rep += std::string("\x01k\x01v", 4);
    ASSERT_OK(WriteBatchInternal::SetContents(&b, rep));
    Printer p;
    Status s = b.Iterate(&p);
    EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr(name));
    EXPECT_THAT(s.ToString(), HasSubstr("at offset 17"));
    EXPECT_EQ(p.ops, Ops_{"Put(a,1)"});  // Updates before it were delivered.
  }
}

TEST(WriteBatchTest, NoopAndLogDataAreSkippedAndNotCounted) {
  WriteBatch b;
  ASSERT_OK(b.Put("a", "1"));
  std::string rep = b.Data();
  rep.push_back('\x0d');  // Noop.
  rep += std::string(
      "\x03\x04"
      "blob",
      6);  // LogData "blob".
  rep += std::string(
      "\x00\x01"
      "d",
      3);  // Delete "d".
  rep.replace(8, 4, std::string("\x02\x00\x00\x00", 4));
  ASSERT_OK(WriteBatchInternal::SetContents(&b, rep));
  EXPECT_EQ(Ops(b), (Ops_{"Put(a,1)", "Delete(d)"}));

  // A LogData record cut short is still Corruption.
  ASSERT_OK(WriteBatchInternal::SetContents(&b, rep.substr(0, 12 + 5 + 1 + 3)));
  Printer p;
  Status s = b.Iterate(&p);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("bad LogData record at offset 18"));
}

TEST(WriteBatchTest, HandlerErrorStopsIteration) {
  class Failing : public Printer {
   public:
    Status Delete(Slice key) override {
      Printer::Delete(key).PermitUncheckedError();  // Always OK.
      return Status::InvalidArgument("stop at " + key.ToString());
    }
  };
  WriteBatch b;
  ASSERT_OK(b.Put("a", "1"));
  ASSERT_OK(b.Delete("b"));
  ASSERT_OK(b.Put("c", "3"));
  Failing f;
  Status s = b.Iterate(&f);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.ToString(), HasSubstr("stop at b"));
  EXPECT_EQ(f.ops, (Ops_{"Put(a,1)", "Delete(b)"}));
}

TEST(WriteBatchTest, RandomBatchesRoundTrip) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    test::Random rnd(seed);
    WriteBatch b;
    Ops_ want;
    const int n = static_cast<int>(rnd.Uniform(50));
    for (int i = 0; i < n; ++i) {
      const std::string k = rnd.RandomBytes(rnd.Uniform(300));
      const std::string v = rnd.RandomBytes(rnd.Uniform(300));
      switch (rnd.Uniform(4)) {
        case 0:
          ASSERT_OK(b.Put(k, v));
          want.push_back("Put(" + k + "," + v + ")");
          break;
        case 1:
          ASSERT_OK(b.Delete(k));
          want.push_back("Delete(" + k + ")");
          break;
        case 2:
          ASSERT_OK(b.SingleDelete(k));
          want.push_back("SingleDelete(" + k + ")");
          break;
        default:
          ASSERT_OK(b.DeleteRange(k, v));
          want.push_back("DeleteRange(" + k + "," + v + ")");
          break;
      }
    }
    ASSERT_EQ(b.Count(), static_cast<uint32_t>(n));
    WriteBatch copy;
    ASSERT_OK(WriteBatchInternal::SetContents(&copy, b.Data()));
    ASSERT_EQ(Ops(copy), want);
  }
}

}  // namespace
}  // namespace strata
