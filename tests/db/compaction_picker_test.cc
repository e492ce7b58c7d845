#include "db/compaction_picker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/compaction.h"
#include "db/version_test_util.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using test::BuildVersion;
using test::MakeFile;
using test::Numbers;
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Small sizes so hand-built trees cross the limits: L1 1000 bytes, L2
// 10000, L3 100000 (last level).
CompactionOptions SmallOptions() {
  CompactionOptions o;
  o.num_levels = 4;
  o.level0_file_num_compaction_trigger = 4;
  o.max_bytes_for_level_base = 1000;
  o.max_bytes_for_level_multiplier = 10;
  o.target_file_size_base = 100;
  return o;
}

std::shared_ptr<const Version> Build(const std::vector<test::LevelFile>& f,
                                     int num_levels = 4) {
  std::shared_ptr<const Version> v;
  Status s = BuildVersion(f, &v, num_levels);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return v;
}

const std::set<uint64_t> kNoneBusy;

TEST(CompactionOptionsTest, LevelTargetsAndFileSizes) {
  CompactionOptions o = SmallOptions();
  EXPECT_EQ(1000u, o.MaxBytesForLevel(1));
  EXPECT_EQ(10000u, o.MaxBytesForLevel(2));
  EXPECT_EQ(100000u, o.MaxBytesForLevel(3));
  o.target_file_size_multiplier = 2;
  EXPECT_EQ(100u, o.MaxFileSizeForLevel(0));
  EXPECT_EQ(100u, o.MaxFileSizeForLevel(1));
  EXPECT_EQ(200u, o.MaxFileSizeForLevel(2));
  EXPECT_EQ(400u, o.MaxFileSizeForLevel(3));
  EXPECT_EQ(2500u, o.EffectiveMaxCompactionBytes());
  o.max_compaction_bytes = 7;
  EXPECT_EQ(7u, o.EffectiveMaxCompactionBytes());
  // The defaults mirror RocksDB's.
  const CompactionOptions d;
  EXPECT_EQ(7, d.num_levels);
  EXPECT_EQ(256u << 20, d.MaxBytesForLevel(1));
  EXPECT_EQ(2560ull << 20, d.MaxBytesForLevel(2));
  EXPECT_EQ(25ull * (64 << 20), d.EffectiveMaxCompactionBytes());
}

TEST(CompactionPickerTest, ScoresMatchHandComputation) {
  auto v = Build({{0, MakeFile(1, "a", "b", 1, 1)},
                  {0, MakeFile(2, "a", "b", 2, 2)},
                  {0, MakeFile(3, "a", "b", 3, 3)},
                  {1, MakeFile(10, "a", "b", 1, 1, 500)},
                  {1, MakeFile(11, "c", "d", 1, 1, 1000)},
                  {2, MakeFile(20, "a", "z", 1, 1, 5000)},
                  {3, MakeFile(30, "a", "z", 1, 1, 999999)}});
  CompactionPicker picker(SmallOptions());
  std::vector<double> scores = picker.ComputeScores(*v, kNoneBusy);
  ASSERT_EQ(4u, scores.size());
  EXPECT_THAT(scores[0], DoubleEq(0.75));  // 3 files / trigger 4.
  EXPECT_THAT(scores[1], DoubleEq(1.5));   // 1500 / 1000.
  EXPECT_THAT(scores[2], DoubleEq(0.5));   // 5000 / 10000.
  EXPECT_THAT(scores[3], DoubleEq(0));     // The last level has none.
  // Files being compacted do not count.
  scores = picker.ComputeScores(*v, {1, 11, 20});
  EXPECT_THAT(scores[0], DoubleEq(0.5));
  EXPECT_THAT(scores[1], DoubleEq(0.5));
  EXPECT_THAT(scores[2], DoubleEq(0));
}

TEST(CompactionPickerTest, MultiplierCompoundsPerLevel) {
  CompactionOptions o = SmallOptions();
  o.max_bytes_for_level_multiplier = 2.5;
  auto v = Build({{2, MakeFile(20, "a", "z", 1, 1, 5000)}});
  CompactionPicker picker(o);
  EXPECT_THAT(picker.ComputeScores(*v, kNoneBusy)[2], DoubleEq(2.0));
}

TEST(CompactionPickerTest, L0TriggerCountsFilesNotBeingCompacted) {
  CompactionPicker picker(SmallOptions());
  std::vector<test::LevelFile> files;
  for (int i = 1; i <= 3; ++i) {
    files.push_back({0, MakeFile(i, "a", "b", i, i)});
  }
  EXPECT_FALSE(picker.NeedsCompaction(*Build(files), kNoneBusy));
  EXPECT_EQ(nullptr, picker.PickCompaction(*Build(files), kNoneBusy));
  files.push_back({0, MakeFile(4, "a", "b", 4, 4)});
  auto v = Build(files);
  EXPECT_TRUE(picker.NeedsCompaction(*v, kNoneBusy));
  EXPECT_FALSE(picker.NeedsCompaction(*v, {2}));
}

TEST(CompactionPickerTest, L0PickTakesOverlappingL0FilesAndTheirL1Files) {
  // Oldest #1 [a,c] reaches #2 [b,e], which reaches #4 [d,f]; #3 is apart.
  auto v = Build({{0, MakeFile(1, "a", "c", 1, 1)},
                  {0, MakeFile(2, "b", "e", 2, 2)},
                  {0, MakeFile(3, "x", "z", 3, 3)},
                  {0, MakeFile(4, "d", "f", 4, 4)},
                  {1, MakeFile(10, "a", "b")},
                  {1, MakeFile(11, "f", "g")},
                  {1, MakeFile(12, "m", "n")},
                  {2, MakeFile(20, "c", "h")},
                  {2, MakeFile(21, "y", "z")}});
  CompactionPicker picker(SmallOptions());
  std::unique_ptr<Compaction> c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0, c->level());
  EXPECT_EQ(1, c->output_level());
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(4, 2, 1));
  EXPECT_THAT(Numbers(c->inputs(1)), ElementsAre(10, 11));
  EXPECT_THAT(Numbers(c->grandparents()), ElementsAre(20));
  EXPECT_EQ("a", c->smallest_user_key().ToString());
  EXPECT_EQ("g", c->largest_user_key().ToString());
  EXPECT_THAT(c->score(), DoubleEq(1.0));
  EXPECT_FALSE(c->is_manual());
  EXPECT_FALSE(c->bottommost());
  EXPECT_EQ(v.get(), c->input_version().get());
  EXPECT_THAT(c->InputFileNumbers(), ElementsAre(4, 2, 1, 10, 11));
  EXPECT_EQ(500u, c->TotalInputBytes());
}

TEST(CompactionPickerTest, L0PickStartsFromTheOldestFile) {
  // Two groups: the oldest file's group goes first, whatever the others.
  auto v = Build({{0, MakeFile(1, "a", "b", 1, 1)},
                  {0, MakeFile(2, "x", "y", 2, 2)},
                  {0, MakeFile(3, "w", "z", 3, 3)},
                  {0, MakeFile(4, "m", "n", 4, 4)}});
  CompactionPicker picker(SmallOptions());
  auto c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(1));
  EXPECT_TRUE(c->IsTrivialMove());
  picker.ReleaseCompaction(c.get());
}

TEST(CompactionPickerTest, L0IsSkippedWhileAnotherL0CompactionRuns) {
  std::vector<test::LevelFile> files;
  for (int i = 1; i <= 5; ++i) {
    files.push_back({0, MakeFile(i, "a", "b", i, i)});
  }
  files.push_back({1, MakeFile(10, "c", "d", 1, 1, 2000)});
  auto v = Build(files);
  CompactionPicker picker(SmallOptions());
  // #5 is the newest file, flushed after an L0 compaction of #1-#4 began.
  // L0 still scores 1 (4 files, one busy file not counted) but cannot run;
  // L1 (score 2) does.
  std::unique_ptr<Compaction> c = picker.PickCompaction(*v, {1});
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level());
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(10));
}

TEST(CompactionPickerTest, HighestScoreFirst) {
  std::vector<test::LevelFile> files;
  for (int i = 1; i <= 4; ++i) {
    files.push_back({0, MakeFile(i, "a", "b", i, i)});  // Score 1.
  }
  files.push_back({1, MakeFile(10, "c", "d", 1, 1, 2000)});  // Score 2.
  CompactionPicker picker(SmallOptions());
  auto c = picker.PickCompaction(*Build(files), kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(1, c->level());
  EXPECT_THAT(c->score(), DoubleEq(2.0));
  picker.ReleaseCompaction(c.get());
  // At equal scores, the shallower level goes first.
  files.back().file.file_size = 1000;
  c = picker.PickCompaction(*Build(files), kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(0, c->level());
}

TEST(CompactionPickerTest, LevelSizeTriggerPicksRoundRobin) {
  auto v = Build({{1, MakeFile(1, "a", "b", 1, 1, 600)},
                  {1, MakeFile(2, "c", "d", 1, 1, 600)},
                  {1, MakeFile(3, "e", "f", 1, 1, 600)},
                  {2, MakeFile(20, "d", "e")}});
  CompactionPicker picker(SmallOptions());
  EXPECT_EQ("", picker.compact_pointer(1));
  std::vector<uint64_t> picked;
  for (int i = 0; i < 4; ++i) {
    auto c = picker.PickCompaction(*v, kNoneBusy);
    ASSERT_NE(nullptr, c);
    ASSERT_EQ(1, c->num_input_files(0));
    picked.push_back(c->inputs(0)[0]->number);
    EXPECT_EQ(c->inputs(0)[0]->largest, picker.compact_pointer(1));
    picker.ReleaseCompaction(c.get());
  }
  EXPECT_THAT(picked, ElementsAre(1, 2, 3, 1));
}

TEST(CompactionPickerTest, RoundRobinContinuesAfterThePointerInANewVersion) {
  CompactionPicker picker(SmallOptions());
  auto v1 = Build({{1, MakeFile(1, "a", "b", 1, 1, 600)},
                   {1, MakeFile(2, "c", "d", 1, 1, 600)},
                   {1, MakeFile(3, "e", "f", 1, 1, 600)}});
  auto c = picker.PickCompaction(*v1, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(1));
  picker.ReleaseCompaction(c.get());
  // #1 moved down; a new file sorts before the pointer.
  auto v2 = Build({{1, MakeFile(4, "a", "a", 1, 1, 600)},
                   {1, MakeFile(2, "c", "d", 1, 1, 600)},
                   {1, MakeFile(3, "e", "f", 1, 1, 600)}});
  c = picker.PickCompaction(*v2, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(2));
}

TEST(CompactionPickerTest, BusyFilesAreNeverInputs) {
  auto v = Build({{1, MakeFile(1, "a", "b", 1, 1, 600)},
                  {1, MakeFile(2, "c", "d", 1, 1, 600)},
                  {1, MakeFile(3, "e", "f", 1, 1, 600)},
                  {2, MakeFile(20, "c", "c")}});
  CompactionPicker picker(SmallOptions());
  // #1 itself is busy; #2's output-level file is busy: #3 is next.
  auto c = picker.PickCompaction(*v, {1, 20});
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(3));
}

TEST(CompactionPickerTest, NothingToPickWhenEveryCandidateConflicts) {
  // L1 is over its target, but its only file's L2 partner is busy.
  auto v = Build(
      {{1, MakeFile(1, "a", "b", 1, 1, 2000)}, {2, MakeFile(20, "b", "c")}});
  CompactionPicker picker(SmallOptions());
  EXPECT_TRUE(picker.NeedsCompaction(*v, {20}));
  EXPECT_EQ(nullptr, picker.PickCompaction(*v, {20}));
  EXPECT_NE(nullptr, picker.PickCompaction(*v, kNoneBusy));
}

TEST(CompactionPickerTest, NeighboursSharingAUserKeyMoveTogether) {
  // "k" is split: k@9 ends #1, k@3 starts #2. Moving #1 alone would leave
  // the older k@3 above the newer k@9.
  auto v = Build({{1, MakeFile(1, "a", "k", 9, 9, 800)},
                  {1, MakeFile(2, "k", "m", 3, 3, 800)},
                  {1, MakeFile(3, "p", "q", 1, 1, 800)},
                  {2, MakeFile(20, "l", "n")}});
  CompactionPicker picker(SmallOptions());
  auto c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(1, 2));
  EXPECT_THAT(Numbers(c->inputs(1)), ElementsAre(20));
  picker.ReleaseCompaction(c.get());
  // The pointer is past both: the next pick is #3.
  c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(3));
  // With #2 busy, #1 cannot go either.
  CompactionPicker fresh(SmallOptions());
  c = fresh.PickCompaction(*v, {2});
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(3));
}

TEST(CompactionPickerTest, BottommostAndKeyNotExistsBeyondOutputLevel) {
  CompactionPicker picker(SmallOptions());
  auto v = Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                  {2, MakeFile(2, "a", "d")},
                  {3, MakeFile(3, "x", "z")}});
  auto c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(2, c->output_level());
  EXPECT_TRUE(c->bottommost());
  EXPECT_TRUE(c->KeyNotExistsBeyondOutputLevel("e"));
  EXPECT_FALSE(c->KeyNotExistsBeyondOutputLevel("y"));

  auto v2 = Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                   {2, MakeFile(2, "a", "d")},
                   {3, MakeFile(3, "e", "z")}});
  CompactionPicker picker2(SmallOptions());
  c = picker2.PickCompaction(*v2, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(c->bottommost());
  EXPECT_TRUE(c->KeyNotExistsBeyondOutputLevel("b"));
  EXPECT_FALSE(c->KeyNotExistsBeyondOutputLevel("e"));
  EXPECT_FALSE(c->KeyNotExistsBeyondOutputLevel("z"));
}

TEST(CompactionPickerTest, TrivialMove) {
  CompactionPicker picker(SmallOptions());  // max_compaction_bytes 2500.
  // One file, nothing at L2, small grandparent overlap.
  auto c =
      picker.PickCompaction(*Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                                    {3, MakeFile(3, "a", "z", 1, 1, 2500)}}),
                            kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(Numbers(c->grandparents()), ElementsAre(3));
  EXPECT_TRUE(c->IsTrivialMove());
  // Too much grandparent overlap.
  c = CompactionPicker(SmallOptions())
          .PickCompaction(*Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                                  {3, MakeFile(3, "a", "z", 1, 1, 2501)}}),
                          kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(c->IsTrivialMove());
  // Something to merge with at the output level.
  c = CompactionPicker(SmallOptions())
          .PickCompaction(*Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                                  {2, MakeFile(2, "f", "g")}}),
                          kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(c->IsTrivialMove());
  // Two input files.
  c = CompactionPicker(SmallOptions())
          .PickCompaction(*Build({{1, MakeFile(1, "a", "k", 9, 9, 2000)},
                                  {1, MakeFile(2, "k", "m", 3, 3)}}),
                          kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(c->IsTrivialMove());
  // A manual compaction rewrites.
  auto v = Build({{1, MakeFile(1, "c", "f")}});
  c = CompactionPicker(SmallOptions())
          .PickManualCompaction(*v, 1, 2, nullptr, nullptr, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(c->IsTrivialMove());
}

TEST(CompactionPickerTest, InputDeletionsAndOutputsApply) {
  auto v = Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                  {2, MakeFile(2, "a", "d")},
                  {2, MakeFile(3, "e", "g")},
                  {2, MakeFile(4, "x", "z")}});
  CompactionPicker picker(SmallOptions());
  auto c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  VersionEdit edit;
  c->AddInputDeletions(&edit);
  EXPECT_EQ((std::set<std::pair<int, uint64_t>>{{1, 1}, {2, 2}, {2, 3}}),
            edit.deleted_files());
  edit.AddFile(2, MakeFile(5, "a", "g"));
  std::shared_ptr<const Version> after;
  ASSERT_OK(Version::Apply(v.get(), {&edit}, 4, &after));
  EXPECT_THAT(after->AllFileNumbers(), ElementsAre(5, 4));
}

TEST(CompactionPickerTest, MaxOutputFileSizeFollowsOutputLevel) {
  CompactionOptions o = SmallOptions();
  o.target_file_size_multiplier = 3;
  auto c = CompactionPicker(o).PickCompaction(
      *Build({{2, MakeFile(1, "c", "f", 1, 1, 20000)}}), kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(3, c->output_level());
  EXPECT_EQ(900u, c->max_output_file_size());
}

TEST(CompactionPickerTest, ManualCompactionRanges) {
  auto v = Build({{1, MakeFile(1, "a", "c")},
                  {1, MakeFile(2, "e", "g")},
                  {1, MakeFile(3, "i", "k")},
                  {2, MakeFile(20, "f", "j")}});
  CompactionPicker picker(SmallOptions());
  auto pick = [&](const char* b, const char* e) -> std::vector<uint64_t> {
    Slice bs(b ? b : ""), es(e ? e : "");
    auto c = picker.PickManualCompaction(*v, 1, 2, b ? &bs : nullptr,
                                         e ? &es : nullptr, kNoneBusy);
    if (c == nullptr) return {};
    picker.ReleaseCompaction(c.get());
    EXPECT_TRUE(c->is_manual());
    EXPECT_THAT(c->score(), DoubleEq(0));
    std::vector<uint64_t> n = c->InputFileNumbers();
    return n;
  };
  EXPECT_THAT(pick("d", "f"), ElementsAre(2, 20));
  EXPECT_THAT(pick(nullptr, nullptr), ElementsAre(1, 2, 3, 20));
  EXPECT_THAT(pick("c", "e"), ElementsAre(1, 2, 20));
  EXPECT_THAT(pick(nullptr, "a"), ElementsAre(1));
  EXPECT_THAT(pick("l", nullptr), ElementsAre());
  EXPECT_THAT(pick("d", "d"), ElementsAre());
  // Manual picks leave the round-robin pointer alone.
  EXPECT_EQ("", picker.compact_pointer(1));
}

TEST(CompactionPickerTest, ManualCompactionOfTheLastLevelStaysThere) {
  auto v = Build({{3, MakeFile(1, "a", "c")}, {3, MakeFile(2, "e", "g")}});
  CompactionPicker picker(SmallOptions());
  auto c = picker.PickManualCompaction(*v, 3, 3, nullptr, nullptr, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(3, c->level());
  EXPECT_EQ(3, c->output_level());
  EXPECT_THAT(Numbers(c->inputs(0)), ElementsAre(1, 2));
  EXPECT_TRUE(c->inputs(1).empty());
  EXPECT_TRUE(c->grandparents().empty());
  EXPECT_TRUE(c->bottommost());
  EXPECT_FALSE(c->IsTrivialMove());
  EXPECT_THAT(c->DebugString(), HasSubstr("L3->L3 manual: L3 [#1 #2]"));
}

TEST(CompactionPickerTest, ManualL0CompactionIsClosedAndRespectsBusyFiles) {
  auto v = Build({{0, MakeFile(1, "a", "c", 1, 1)},
                  {0, MakeFile(2, "c", "e", 2, 2)},
                  {0, MakeFile(3, "x", "z", 3, 3)},
                  {1, MakeFile(10, "d", "d")}});
  CompactionPicker picker(SmallOptions());
  Slice a("a");
  bool conflict = true;
  auto c = picker.PickManualCompaction(*v, 0, 1, &a, &a, kNoneBusy, &conflict);
  ASSERT_NE(nullptr, c);
  EXPECT_FALSE(conflict);
  EXPECT_THAT(c->InputFileNumbers(), ElementsAre(2, 1, 10));
  picker.ReleaseCompaction(c.get());
  // Another L0 compaction running (on #3): refused, and said so.
  EXPECT_EQ(nullptr,
            picker.PickManualCompaction(*v, 0, 1, &a, &a, {3}, &conflict));
  EXPECT_TRUE(conflict);
  // An output-level file busy.
  EXPECT_EQ(nullptr,
            picker.PickManualCompaction(*v, 0, 1, &a, &a, {10}, &conflict));
  EXPECT_TRUE(conflict);
  // Nothing in range is not a conflict.
  Slice m("m");
  EXPECT_EQ(nullptr,
            picker.PickManualCompaction(*v, 0, 1, &m, &m, {3}, &conflict));
  EXPECT_FALSE(conflict);
}

TEST(CompactionPickerTest, RunningCompactionsAreRememberedUntilReleased) {
  auto v = Build({{1, MakeFile(1, "a", "b", 1, 1, 900)},
                  {1, MakeFile(2, "c", "d", 1, 1, 900)},
                  {1, MakeFile(3, "e", "f", 1, 1, 900)}});
  CompactionPicker picker(SmallOptions());
  auto c1 = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c1);
  EXPECT_EQ(1, picker.NumRunningCompactions());
  // #1's bytes no longer count: 1800 / 1000.
  EXPECT_THAT(picker.ComputeScores(*v, kNoneBusy)[1], DoubleEq(1.8));
  auto c2 = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c2);
  EXPECT_THAT(Numbers(c2->inputs(0)), ElementsAre(2));
  // 900 bytes left: below the target.
  EXPECT_EQ(nullptr, picker.PickCompaction(*v, kNoneBusy));
  picker.ReleaseCompaction(c1.get());
  EXPECT_EQ(1, picker.NumRunningCompactions());
  auto c3 = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c3);
  EXPECT_THAT(Numbers(c3->inputs(0)), ElementsAre(3));
  picker.ReleaseCompaction(c2.get());
  picker.ReleaseCompaction(c3.get());
  EXPECT_EQ(0, picker.NumRunningCompactions());
}

TEST(CompactionPickerTest, OutputIntoARangeARunningJobWritesIsRefused) {
  // A manual L3->L3 compaction of #30 and #31 writes across [a,z]; the L2
  // file in between must not be pushed into L3 meanwhile, although no file
  // it would touch is busy.
  auto v = Build({{2, MakeFile(20, "m", "n", 1, 1, 20000)},
                  {3, MakeFile(30, "a", "b")},
                  {3, MakeFile(31, "y", "z")}});
  CompactionPicker picker(SmallOptions());
  auto manual =
      picker.PickManualCompaction(*v, 3, 3, nullptr, nullptr, kNoneBusy);
  ASSERT_NE(nullptr, manual);
  EXPECT_EQ(nullptr, picker.PickCompaction(*v, kNoneBusy));
  picker.ReleaseCompaction(manual.get());
  auto c = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_THAT(c->InputFileNumbers(), ElementsAre(20));
  picker.ReleaseCompaction(c.get());
}

TEST(CompactionPickerTest, SameLevelCompactionWaitsForJobsFromAbove) {
  // L2->L3 of #20 is running; a manual L3->L3 over [a,z] would write across
  // the range #20's output lands in.
  auto v = Build({{2, MakeFile(20, "m", "n", 1, 1, 20000)},
                  {3, MakeFile(30, "a", "b")},
                  {3, MakeFile(31, "y", "z")}});
  CompactionPicker picker(SmallOptions());
  auto running = picker.PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, running);
  bool conflict = false;
  EXPECT_EQ(nullptr, picker.PickManualCompaction(*v, 3, 3, nullptr, nullptr,
                                                 kNoneBusy, &conflict));
  EXPECT_TRUE(conflict);
  // A range beside it is free.
  Slice a("a");
  auto beside =
      picker.PickManualCompaction(*v, 3, 3, &a, &a, kNoneBusy, &conflict);
  ASSERT_NE(nullptr, beside);
  EXPECT_FALSE(conflict);
  picker.ReleaseCompaction(beside.get());
  picker.ReleaseCompaction(running.get());
  auto all = picker.PickManualCompaction(*v, 3, 3, nullptr, nullptr, kNoneBusy,
                                         &conflict);
  ASSERT_NE(nullptr, all);
  picker.ReleaseCompaction(all.get());
}

TEST(CompactionPickerTest, IngestionAvoidsLevelsARunningJobWritesOverTheRange) {
  auto v = Build({{1, MakeFile(10, "a", "b")},
                  {1, MakeFile(11, "y", "z")},
                  {3, MakeFile(30, "a", "b")},
                  {3, MakeFile(31, "m", "m")},
                  {3, MakeFile(32, "y", "z")}});
  CompactionPicker picker(SmallOptions());
  EXPECT_EQ(3, picker.PickLevelForIngestedFile(*v, "c", "d"));
  EXPECT_EQ(2, picker.PickLevelForIngestedFile(*v, "m", "n"));
  // L3->L3 over [a,z]: L3 is taken, L2 is not.
  auto last =
      picker.PickManualCompaction(*v, 3, 3, nullptr, nullptr, kNoneBusy);
  ASSERT_NE(nullptr, last);
  EXPECT_EQ(2, picker.PickLevelForIngestedFile(*v, "c", "d"));
  EXPECT_EQ(2, picker.PickLevelForIngestedFile(*v, "m", "n"));
  // L1->L2 over [a,z] as well: L2 is taken too.
  auto l1 = picker.PickManualCompaction(*v, 1, 2, nullptr, nullptr, kNoneBusy);
  ASSERT_NE(nullptr, l1);
  EXPECT_EQ(1, picker.PickLevelForIngestedFile(*v, "c", "d"));
  EXPECT_EQ(1, picker.PickLevelForIngestedFile(*v, "m", "n"));
  picker.ReleaseCompaction(last.get());
  EXPECT_EQ(3, picker.PickLevelForIngestedFile(*v, "c", "d"));
  picker.ReleaseCompaction(l1.get());
}

TEST(CompactionPickerTest, OneLevelTreeNeverCompactsAutomatically) {
  CompactionOptions o = SmallOptions();
  o.num_levels = 1;
  std::vector<test::LevelFile> files;
  for (int i = 1; i <= 8; ++i) {
    files.push_back({0, MakeFile(i, "a", "b", i, i)});
  }
  auto v = Build(files, 1);
  CompactionPicker picker(o);
  EXPECT_THAT(picker.ComputeScores(*v, kNoneBusy), ElementsAre(0.0));
  EXPECT_EQ(nullptr, picker.PickCompaction(*v, kNoneBusy));
  auto c = picker.PickManualCompaction(*v, 0, 0, nullptr, nullptr, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ(8, c->num_input_files(0));
}

TEST(CompactionPickerTest, DebugStringNamesLevelsAndFiles) {
  auto v = Build({{1, MakeFile(1, "c", "f", 1, 1, 2000)},
                  {2, MakeFile(2, "a", "d")},
                  {3, MakeFile(3, "e", "z")}});
  auto c = CompactionPicker(SmallOptions()).PickCompaction(*v, kNoneBusy);
  ASSERT_NE(nullptr, c);
  EXPECT_EQ("L1->L2 score 2.000000: L1 [#1] L2 [#2] grandparents [#3]",
            c->DebugString());
}

}  // namespace
}  // namespace strata
