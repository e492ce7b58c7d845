#include "db/version.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/version_test_util.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using test::BuildVersion;
using test::MakeFile;
using test::Numbers;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<uint64_t> Overlapping(const Version& v, int level,
                                  const char* begin, const char* end) {
  Slice b(begin ? begin : ""), e(end ? end : "");
  Version::FileList out;
  v.GetOverlappingInputs(level, begin ? &b : nullptr, end ? &e : nullptr, &out);
  return Numbers(out);
}

TEST(VersionTest, EmptyTree) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(Version::Apply(nullptr, {}, kDefaultNumLevels, &v));
  EXPECT_EQ(7, v->num_levels());
  EXPECT_EQ(0, v->TotalFiles());
  EXPECT_EQ(0u, v->MaxSequenceNumber());
  EXPECT_EQ(0u, v->MaxFileNumber());
  EXPECT_EQ("(empty)\n", v->DebugString());
}

TEST(VersionTest, ApplyPlacesFilesAndCountsBytes) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion({{0, MakeFile(1, "a", "z", 1, 5, 100)},
                          {2, MakeFile(3, "m", "p", 1, 1, 300)},
                          {2, MakeFile(2, "a", "c", 1, 1, 200)}},
                         &v, 4));
  EXPECT_EQ(4, v->num_levels());
  EXPECT_EQ(1, v->NumFiles(0));
  EXPECT_EQ(0, v->NumFiles(1));
  EXPECT_EQ(2, v->NumFiles(2));
  EXPECT_EQ(500u, v->NumLevelBytes(2));
  EXPECT_THAT(Numbers(v->files(2)), ElementsAre(2, 3));
  EXPECT_THAT(v->AllFileNumbers(), ElementsAre(1, 2, 3));
  EXPECT_EQ(5u, v->MaxSequenceNumber());
  EXPECT_EQ(3u, v->MaxFileNumber());
}

TEST(VersionTest, L0IsNewestFirstByLargestSeqnoThenNumber) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion({{0, MakeFile(10, "a", "b", 1, 10)},
                          {0, MakeFile(11, "a", "b", 30, 40)},
                          {0, MakeFile(12, "a", "b", 11, 20)},
                          {0, MakeFile(13, "a", "b", 20, 20)}},
                         &v));
  EXPECT_THAT(Numbers(v->files(0)), ElementsAre(11, 13, 12, 10));
}

TEST(VersionTest, DeleteThenAddAcrossEdits) {
  std::shared_ptr<const Version> v1, v2;
  ASSERT_OK(BuildVersion({{1, MakeFile(1, "a", "c")}}, &v1));
  VersionEdit move;  // A trivial move: delete and add in one edit.
  move.DeleteFile(1, 1);
  move.AddFile(2, *v1->files(1)[0]);
  VersionEdit add;
  add.AddFile(1, MakeFile(2, "a", "b"));
  ASSERT_OK(Version::Apply(v1.get(), {&move, &add}, 7, &v2));
  EXPECT_THAT(Numbers(v2->files(1)), ElementsAre(2));
  EXPECT_THAT(Numbers(v2->files(2)), ElementsAre(1));
  // The base is untouched.
  EXPECT_THAT(Numbers(v1->files(1)), ElementsAre(1));
  EXPECT_EQ(0, v1->NumFiles(2));
}

TEST(VersionTest, UnchangedFilesAreSharedWithTheBase) {
  std::shared_ptr<const Version> v1, v2;
  ASSERT_OK(BuildVersion({{1, MakeFile(1, "a", "c")}}, &v1));
  ASSERT_OK(BuildVersion({{3, MakeFile(2, "a", "c")}}, &v2, 7, v1.get()));
  EXPECT_EQ(v1->files(1)[0].get(), v2->files(1)[0].get());
}

TEST(VersionTest, DeletingAMissingFileIsCorruptionNamingLevelAndNumber) {
  std::shared_ptr<const Version> v1, v2;
  ASSERT_OK(BuildVersion({{1, MakeFile(1, "a", "c")}}, &v1));
  VersionEdit e;
  e.DeleteFile(2, 9);
  Status s = Version::Apply(v1.get(), {&e}, 7, &v2);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("delete L2 #9: no such file"));
  EXPECT_EQ(nullptr, v2);

  VersionEdit wrong_level;
  wrong_level.DeleteFile(2, 1);
  s = Version::Apply(v1.get(), {&wrong_level}, 7, &v2);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("delete L2 #1: the file is at level 1"));
}

TEST(VersionTest, DeletingTwiceAcrossEditsIsCorruption) {
  std::shared_ptr<const Version> v1, v2;
  ASSERT_OK(BuildVersion({{1, MakeFile(1, "a", "c")}}, &v1));
  VersionEdit e1, e2;
  e1.DeleteFile(1, 1);
  e2.DeleteFile(1, 1);
  Status s = Version::Apply(v1.get(), {&e1, &e2}, 7, &v2);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("applying version edit 1"));
}

TEST(VersionTest, LevelOutOfRangeIsCorruption) {
  std::shared_ptr<const Version> v;
  Status s = BuildVersion({{7, MakeFile(1, "a", "c")}}, &v);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("add L7 #1: level out of range"));

  // A base with files deeper than the new num_levels.
  std::shared_ptr<const Version> deep, shallow;
  ASSERT_OK(BuildVersion({{5, MakeFile(1, "a", "c")}}, &deep));
  s = Version::Apply(deep.get(), {}, 3, &shallow);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("#1 at level 5 >= num_levels 3"));
}

TEST(VersionTest, DuplicateFileNumberIsCorruption) {
  std::shared_ptr<const Version> v;
  Status s = BuildVersion(
      {{0, MakeFile(1, "a", "c")}, {3, MakeFile(1, "x", "z")}}, &v);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("#1: file number already at level 0"));
}

TEST(VersionTest, BadBoundsAreCorruption) {
  std::shared_ptr<const Version> v;
  Status s = BuildVersion({{1, MakeFile(1, "z", "a")}}, &v);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("smallest key is after largest key"));
  FileMetaData short_key = MakeFile(2, "a", "b");
  short_key.largest = "b";
  s = BuildVersion({{1, short_key}}, &v);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("shorter than an internal key"));
}

TEST(VersionTest, OverlapInL1IsCorruptionNamingBothFiles) {
  std::shared_ptr<const Version> v;
  Status s = BuildVersion(
      {{1, MakeFile(4, "a", "k")}, {1, MakeFile(5, "j", "z")}}, &v);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("L1 files overlap"));
  EXPECT_THAT(s.ToString(), HasSubstr("#4"));
  EXPECT_THAT(s.ToString(), HasSubstr("#5"));
  // L0 may overlap.
  ASSERT_OK(BuildVersion(
      {{0, MakeFile(4, "a", "k")}, {0, MakeFile(5, "j", "z")}}, &v));
}

TEST(VersionTest, OverlapCreatedByALaterEditIsCorruption) {
  std::shared_ptr<const Version> v1, v2;
  ASSERT_OK(BuildVersion({{3, MakeFile(1, "c", "f")}}, &v1));
  VersionEdit e;
  e.AddFile(3, MakeFile(2, "a", "c"));
  Status s = Version::Apply(v1.get(), {&e}, 7, &v2);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_THAT(s.ToString(), HasSubstr("L3 files overlap"));
}

TEST(VersionTest, NeighboursMaySplitOneUserKey) {
  // k@9 ends the first file, k@3 starts the second: disjoint internal keys.
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion(
      {{1, MakeFile(1, "a", "k", 9, 9)}, {1, MakeFile(2, "k", "z", 3, 3)}},
      &v));
  EXPECT_THAT(Numbers(v->files(1)), ElementsAre(1, 2));
  // The same internal key in both is an overlap.
  Status s = BuildVersion(
      {{1, MakeFile(1, "a", "k", 3, 3)}, {1, MakeFile(2, "k", "z", 3, 3)}}, &v);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(VersionTest, GetOverlappingInputsInSortedLevel) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion({{1, MakeFile(1, "b", "d")},
                          {1, MakeFile(2, "f", "h")},
                          {1, MakeFile(3, "j", "l")}},
                         &v));
  EXPECT_THAT(Overlapping(*v, 1, nullptr, nullptr), ElementsAre(1, 2, 3));
  EXPECT_THAT(Overlapping(*v, 1, "a", "a"), ElementsAre());
  EXPECT_THAT(Overlapping(*v, 1, "d", "f"), ElementsAre(1, 2));  // Inclusive.
  EXPECT_THAT(Overlapping(*v, 1, "e", "e"), ElementsAre());
  EXPECT_THAT(Overlapping(*v, 1, "g", nullptr), ElementsAre(2, 3));
  EXPECT_THAT(Overlapping(*v, 1, nullptr, "f"), ElementsAre(1, 2));
  EXPECT_THAT(Overlapping(*v, 1, "m", nullptr), ElementsAre());
  EXPECT_THAT(Overlapping(*v, 2, nullptr, nullptr), ElementsAre());
}

TEST(VersionTest, GetOverlappingInputsInL0IsClosedUnderOverlap) {
  std::shared_ptr<const Version> v;
  // Newest first: 4, 3, 2, 1. "a" touches only #1 directly, but #1 reaches
  // #2, which reaches #3; #4 stays apart.
  ASSERT_OK(BuildVersion({{0, MakeFile(1, "a", "c", 1, 1)},
                          {0, MakeFile(2, "c", "f", 2, 2)},
                          {0, MakeFile(3, "e", "h", 3, 3)},
                          {0, MakeFile(4, "x", "z", 4, 4)}},
                         &v));
  EXPECT_THAT(Overlapping(*v, 0, "a", "a"), ElementsAre(3, 2, 1));
  EXPECT_THAT(Overlapping(*v, 0, "g", "g"), ElementsAre(3, 2, 1));
  EXPECT_THAT(Overlapping(*v, 0, "i", "w"), ElementsAre());
  EXPECT_THAT(Overlapping(*v, 0, "y", nullptr), ElementsAre(4));
  EXPECT_THAT(Overlapping(*v, 0, nullptr, "b"), ElementsAre(3, 2, 1));
  EXPECT_THAT(Overlapping(*v, 0, nullptr, nullptr), ElementsAre(4, 3, 2, 1));
}

TEST(VersionTest, L0ExpansionRescansFilesSkippedEarlier) {
  std::shared_ptr<const Version> v;
  // In scan order (newest first) #3 comes before #1 and #2; it overlaps
  // only once the range has grown through #1 and #2.
  ASSERT_OK(BuildVersion({{0, MakeFile(3, "p", "q", 9, 9)},
                          {0, MakeFile(2, "k", "p", 2, 2)},
                          {0, MakeFile(1, "a", "k", 1, 1)}},
                         &v));
  EXPECT_THAT(Overlapping(*v, 0, "b", "b"), ElementsAre(3, 2, 1));
}

TEST(VersionTest, OverlapInLevel) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion({{0, MakeFile(1, "m", "n")},
                          {1, MakeFile(2, "b", "d")},
                          {1, MakeFile(3, "f", "h")}},
                         &v));
  EXPECT_TRUE(v->OverlapInLevel(0, "a", "m"));
  EXPECT_FALSE(v->OverlapInLevel(0, "o", "z"));
  EXPECT_TRUE(v->OverlapInLevel(1, "d", "e"));
  EXPECT_FALSE(v->OverlapInLevel(1, "e", "e"));
  EXPECT_TRUE(v->OverlapInLevel(1, "a", "z"));
  EXPECT_FALSE(v->OverlapInLevel(1, "i", "z"));
  EXPECT_FALSE(v->OverlapInLevel(1, "a", "a"));
  EXPECT_FALSE(v->OverlapInLevel(2, "a", "z"));
}

TEST(VersionTest, FindFileIsFirstFileEndingAtOrAfterKey) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion(
      {{1, MakeFile(1, "b", "d", 5, 5)}, {1, MakeFile(2, "f", "h", 5, 5)}},
      &v));
  auto find = [&](const char* user, SequenceNumber seq) {
    return v->FindFile(1, MakeInternalKey(user, seq, ValueType::kValue));
  };
  EXPECT_EQ(0, find("a", 1));
  EXPECT_EQ(0, find("d", 5));  // Equal to the largest key.
  EXPECT_EQ(1, find("d", 4));  // Just after it.
  EXPECT_EQ(1, find("e", 9));
  EXPECT_EQ(1, find("h", 5));
  EXPECT_EQ(2, find("h", 4));
  EXPECT_EQ(2, find("z", 1));
  EXPECT_EQ(0, v->FindFile(2, MakeInternalKey("a", 1, ValueType::kValue)));
}

TEST(VersionTest, FindFileMatchesLinearSearch) {
  test::Random rnd(7);
  std::vector<test::LevelFile> files;
  for (int i = 0; i < 50; ++i) {
    char lo[8], hi[8];
    snprintf(lo, sizeof(lo), "k%03d", i * 10);
    snprintf(hi, sizeof(hi), "k%03d", i * 10 + 5);
    files.push_back({2, MakeFile(i + 1, lo, hi)});
  }
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion(files, &v));
  for (int i = 0; i < 1000; ++i) {
    char key[8];
    snprintf(key, sizeof(key), "k%03d", static_cast<int>(rnd.Uniform(520)));
    const std::string ikey = MakeInternalKey(key, 1, ValueType::kValue);
    int expected = v->NumFiles(2);
    for (int j = 0; j < v->NumFiles(2); ++j) {
      if (InternalKeyComparator::Compare(v->files(2)[j]->largest, ikey) >= 0) {
        expected = j;
        break;
      }
    }
    ASSERT_EQ(expected, v->FindFile(2, ikey)) << key;
  }
}

TEST(VersionTest, PickLevelForIngestedFile) {
  std::shared_ptr<const Version> empty, v;
  ASSERT_OK(Version::Apply(nullptr, {}, 7, &empty));
  EXPECT_EQ(6, empty->PickLevelForIngestedFile("a", "z"));

  ASSERT_OK(BuildVersion({{0, MakeFile(1, "a", "b")},
                          {1, MakeFile(2, "d", "e")},
                          {3, MakeFile(3, "g", "h")},
                          {6, MakeFile(4, "j", "k")}},
                         &v));
  EXPECT_EQ(0, v->PickLevelForIngestedFile("b", "c"));  // L0 overlaps.
  EXPECT_EQ(0, v->PickLevelForIngestedFile("c", "d"));  // L1 overlaps.
  EXPECT_EQ(2, v->PickLevelForIngestedFile("f", "g"));  // L3 overlaps.
  EXPECT_EQ(5, v->PickLevelForIngestedFile("i", "j"));  // Last level.
  EXPECT_EQ(6, v->PickLevelForIngestedFile("l", "z"));  // Nothing.
  // A range around a deeper file: the file still counts as overlapping.
  EXPECT_EQ(2, v->PickLevelForIngestedFile("f", "i"));
  // Files below the first overlap do not matter.
  EXPECT_EQ(0, v->PickLevelForIngestedFile("a", "z"));
}

TEST(VersionTest, MaxSequenceNumberCountsGlobalSeqno) {
  FileMetaData ingested = MakeFile(1, "a", "b", 0, 0);
  ingested.global_seqno = 77;
  std::shared_ptr<const Version> v;
  ASSERT_OK(
      BuildVersion({{3, ingested}, {0, MakeFile(2, "a", "b", 5, 50)}}, &v));
  EXPECT_EQ(77u, v->MaxSequenceNumber());
}

TEST(VersionTest, DebugStringListsLevelsAndFiles) {
  std::shared_ptr<const Version> v;
  ASSERT_OK(BuildVersion({{0, MakeFile(1, "a", "b", 1, 1, 10)},
                          {2, MakeFile(2, "c", "d", 1, 1, 20)}},
                         &v));
  const std::string s = v->DebugString();
  EXPECT_THAT(s, HasSubstr("L0: 1 files, 10 bytes"));
  EXPECT_THAT(s, HasSubstr("L2: 1 files, 20 bytes"));
  EXPECT_THAT(s, HasSubstr("#2 20B ['63' seq:1"));
  EXPECT_THAT(s, ::testing::Not(HasSubstr("L1:")));
}

}  // namespace
}  // namespace strata
