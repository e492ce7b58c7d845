#include "db/merging_iterator.h"

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

std::unique_ptr<VectorInternalIterator> Child(std::vector<Entry> entries) {
  return std::make_unique<VectorInternalIterator>(std::move(entries));
}

std::vector<std::string> ForwardKeys(InternalIterator* it) {
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey p;
    EXPECT_OK(ParseInternalKey(it->key(), &p));
    keys.push_back(p.user_key.ToString() + "@" + std::to_string(p.sequence));
  }
  return keys;
}

TEST(MergingIteratorTest, NoChildrenIsEmpty) {
  auto it = NewMergingIterator({});
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(IKey("a", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

TEST(MergingIteratorTest, OneChildIsReturnedUnwrapped) {
  auto child = Child({{IKey("a", 1), "x"}});
  InternalIterator* raw = child.get();
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(std::move(child));
  auto it = NewMergingIterator(std::move(children));
  EXPECT_EQ(it.get(), raw);
}

TEST(MergingIteratorTest, MergesInInternalKeyOrder) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 3), "1"}, {IKey("c", 1), "2"}}));
  children.push_back(Child({}));
  children.push_back(Child({{IKey("a", 5), "3"}, {IKey("b", 2), "4"}}));
  children.push_back(Child({{IKey("a", 4), "5"}, {IKey("d", 9), "6"}}));
  auto it = NewMergingIterator(std::move(children));
  EXPECT_EQ(
      ForwardKeys(it.get()),
      (std::vector<std::string>{"a@5", "a@4", "a@3", "b@2", "c@1", "d@9"}));
  // Direction switches in the middle of a run of one user key.
  it->Seek(IKey("a", 4));
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "5");
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "3");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "5");
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "1");
  it->Prev();
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "3");
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

TEST(MergingIteratorTest, RandomizedMatchesSortedModel) {
  for (uint64_t seed = 0; seed < 1000 && !HasFailure(); seed++) {
    test::Random rnd(seed);
    std::vector<Entry> all = test::RandomSortedEntries(rnd, rnd.Uniform(60));
    const size_t num_children = 2 + rnd.Uniform(5);
    std::vector<std::vector<Entry>> parts(num_children);
    for (const Entry& e : all) parts[rnd.Uniform(num_children)].push_back(e);
    std::vector<std::unique_ptr<InternalIterator>> children;
    for (auto& part : parts) children.push_back(Child(std::move(part)));
    auto it = NewMergingIterator(std::move(children));
    test::CheckInternalIteratorAgainstModel(it.get(), all, rnd, 200);
  }
}

TEST(MergingIteratorTest, ChildInErrorMakesEveryPositionInvalid) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 1), "x"}, {IKey("b", 1), "y"}}));
  children.push_back(NewEmptyInternalIterator(Status::IOError("disk on fire")));
  children.push_back(Child({{IKey("c", 1), "z"}}));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
  EXPECT_NE(it->status().ToString().find("disk on fire"), std::string::npos);
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  it->Seek(IKey("b", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
  it->SeekForPrev(IKey("b", 1));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError());
}

TEST(MergingIteratorTest, FirstChildErrorIsReported) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 1), "x"}}));
  children.push_back(NewEmptyInternalIterator(Status::Corruption("first")));
  children.push_back(NewEmptyInternalIterator(Status::IOError("second")));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_TRUE(it->status().IsCorruption()) << it->status().ToString();
}

TEST(MergingIteratorTest, ErrorWhileMovingForwardSurfaces) {
  auto failing = Child({{IKey("a", 1), "x"}, {IKey("c", 1), "y"}});
  failing->FailAfterMoves(1, Status::IOError("read failed"));
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(std::move(failing));
  children.push_back(Child({{IKey("b", 1), "z"}, {IKey("d", 1), "w"}}));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();  // The failing child's one good move.
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "x");
  it->Next();  // The failing child moves and fails.
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
}

TEST(MergingIteratorTest, ErrorWhileSwitchingDirectionSurfaces) {
  auto failing = Child({{IKey("a", 1), "x"}, {IKey("c", 1), "y"}});
  failing->FailAfterMoves(1, Status::IOError("read failed"));
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("b", 1), "z"}, {IKey("d", 1), "w"}}));
  children.push_back(std::move(failing));
  auto it = NewMergingIterator(std::move(children));
  it->Seek(IKey("b", 1));  // Failing child: its one good move, to "c".
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "z");
  // Prev repositions the failing child, which is not the current one.
  it->Prev();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsIOError()) << it->status().ToString();
}

TEST(MergingIteratorTest, DirectionSwitchStepsOverIdenticalKeys) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({{IKey("a", 1), "a"}, {IKey("k", 1), "k0"}}));
  children.push_back(Child({{IKey("k", 1), "k1"}, {IKey("z", 1), "z"}}));
  auto it = NewMergingIterator(std::move(children));
  it->Seek(IKey("k", 1));
  ASSERT_TRUE(it->Valid());
  it->Prev();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "a");
  it->SeekForPrev(IKey("k", 1));
  ASSERT_TRUE(it->Valid());
  it->Next();
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->value().ToString(), "z");
}

TEST(MergingIteratorTest, EmptyChildrenOnly) {
  std::vector<std::unique_ptr<InternalIterator>> children;
  children.push_back(Child({}));
  children.push_back(Child({}));
  auto it = NewMergingIterator(std::move(children));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekForPrev(IKey("z", 0));
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

TEST(MergingIteratorTest, NextMovesOnlyTheTopChild) {
  // With every child at its first entry, a forward scan does one Next per
  // entry, and no child is re-seeked.
  test::IterCallCounts counts;
  std::vector<std::unique_ptr<InternalIterator>> children;
  for (int c = 0; c < 4; c++) {
    std::vector<Entry> entries;
    for (int i = 0; i < 25; i++) {
      entries.emplace_back(IKey("k" + std::to_string(i * 4 + c + 100), 1), "");
    }
    auto child = Child(std::move(entries));
    child->set_counts(&counts);
    children.push_back(std::move(child));
  }
  auto it = NewMergingIterator(std::move(children));
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) n++;
  EXPECT_EQ(n, 100u);
  EXPECT_EQ(counts.seeks, 4u);
  EXPECT_EQ(counts.nexts, 100u);
}

}  // namespace
}  // namespace strata
