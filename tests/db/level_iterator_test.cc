#include "db/level_iterator.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "testutil/internal_iterator_model.h"
#include "testutil/testutil.h"
#include "testutil/vector_internal_iterator.h"

namespace strata {
namespace {

using test::Entry;
using test::VectorInternalIterator;

std::string IKey(const std::string& user_key, SequenceNumber seq) {
  return MakeInternalKey(user_key, seq, ValueType::kValue);
}

// A level of in-memory files that records which files were opened.
class TestLevel {
 public:
  // Each inner vector is one file, sorted; files must not overlap.
  explicit TestLevel(std::vector<std::vector<Entry>> files)
      : files_(std::move(files)) {
    for (const auto& f : files_) {
      // Empty files get a made-up range (only used to test skipping).
      if (f.empty()) {
        ranges_.push_back(ranges_.empty() ? LevelFileRange{"", ""}
                                          : ranges_.back());
      } else {
        ranges_.push_back(LevelFileRange{f.front().first, f.back().first});
      }
    }
  }

  std::unique_ptr<InternalIterator> NewIterator() {
    return NewLevelIterator(ranges_, [this](size_t i) {
      opened.push_back(i);
      if (i < errors_.size() && !errors_[i].ok()) {
        return NewEmptyInternalIterator(errors_[i]);
      }
      std::unique_ptr<InternalIterator> it =
          std::make_unique<VectorInternalIterator>(files_[i]);
      return it;
    });
  }

  void FailOpen(size_t index, Status s) {
    errors_.resize(std::max(errors_.size(), index + 1));
    errors_[index] = std::move(s);
  }

  std::vector<size_t> opened;

 private:
  std::vector<std::vector<Entry>> files_;
  std::vector<LevelFileRange> ranges_;
  std::vector<Status> errors_;
};

std::vector<std::vector<Entry>> ThreeFiles() {
  return {{{IKey("a", 1), "a"}, {IKey("b", 1), "b"}},
          {{IKey("d", 1), "d"}, {IKey("e", 1), "e"}},
          {{IKey("g", 1), "g"}, {IKey("h", 1), "h"}}};
}

TEST(LevelIteratorTest, NoFilesIsEmpty) {
  TestLevel level({});
  auto it = level.NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
  EXPECT_TRUE(level.opened.empty());
}

TEST(LevelIteratorTest, OpensFilesOnlyWhenReached) {
  TestLevel level(ThreeFiles());
  auto it = level.NewIterator();
  EXPECT_TRUE(level.opened.empty());
  it->Seek(IKey("d", 5));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "d");
  EXPECT_EQ(level.opened, std::vector<size_t>{1});
  it->Next();
  it->Next();  // Past the end of file 1: opens file 2.
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "g");
  EXPECT_EQ(level.opened, (std::vector<size_t>{1, 2}));
  // A seek inside the open file reuses it.
  it->Seek(IKey("h", 5));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(level.opened, (std::vector<size_t>{1, 2}));
  it->Prev();
  it->Prev();  // Back into file 1.
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "e");
  EXPECT_EQ(level.opened, (std::vector<size_t>{1, 2, 1}));
}

TEST(LevelIteratorTest, SeekBetweenFilesLandsInTheNextFile) {
  TestLevel level(ThreeFiles());
  auto it = level.NewIterator();
  it->Seek(IKey("c", 1));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "d");
  EXPECT_EQ(level.opened, std::vector<size_t>{1});
  it->SeekForPrev(IKey("f", 1));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "e");
  it->Seek(IKey("i", 1));  // Past every file: nothing opened.
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
  it->SeekForPrev(IKey("0", 1));  // Before every file.
  EXPECT_FALSE(it->Valid());
  EXPECT_EQ(level.opened, std::vector<size_t>{1});
}

TEST(LevelIteratorTest, OpenErrorStopsTheIteration) {
  TestLevel level(ThreeFiles());
  level.FailOpen(1, Status::IOError("000012.sst: cannot open"));
  auto it = level.NewIterator();
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  it->Next();
  ASSERT_TRUE(it->Valid());
  it->Next();  // Into file 1, which fails.
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
  EXPECT_NE(it->status().ToString().find("000012.sst"), std::string::npos);
  // Backward into the failing file, too.
  it->SeekToLast();
  ASSERT_TRUE(it->Valid());
  EXPECT_OK(it->status());
  it->Prev();
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  it->Seek(IKey("d", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

TEST(LevelIteratorTest, ReadErrorInsideAFileSurfaces) {
  std::vector<std::vector<Entry>> files = ThreeFiles();
  std::vector<LevelFileRange> ranges;
  for (const auto& f : files) {
    ranges.push_back(LevelFileRange{f.front().first, f.back().first});
  }
  auto it = NewLevelIterator(ranges, [&](size_t i) {
    auto file = std::make_unique<VectorInternalIterator>(files[i]);
    if (i == 0) file->FailAfterMoves(1, Status::Corruption("bad block"));
    std::unique_ptr<InternalIterator> result = std::move(file);
    return result;
  });
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  it->Next();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST(LevelIteratorTest, EmptyFilesAreSkipped) {
  TestLevel level({{{IKey("a", 1), "a"}}, {}, {}, {{IKey("d", 1), "d"}}});
  auto it = level.NewIterator();
  it->SeekToFirst();
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "d");
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "a");
}

TEST(LevelIteratorTest, RandomizedMatchesConcatenation) {
  for (uint64_t seed = 0; seed < 1000 && !HasFailure(); seed++) {
    test::Random rnd(seed);
    std::vector<Entry> all = test::RandomSortedEntries(rnd, rnd.Uniform(60));
    // Cut at random points into files (each non-empty).
    std::vector<std::vector<Entry>> files;
    for (const Entry& e : all) {
      if (files.empty() || rnd.OneIn(4)) files.emplace_back();
      files.back().push_back(e);
    }
    TestLevel level(files);
    auto it = level.NewIterator();
    test::CheckInternalIteratorAgainstModel(it.get(), all, rnd, 200);
  }
}

}  // namespace
}  // namespace strata
