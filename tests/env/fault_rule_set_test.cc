#include "env/fault_rule_set.h"

#include <atomic>
#include <cerrno>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace strata {
namespace {

// Which of `n` occurrences of (op, path) a rule fires on, 1-based.
std::vector<int> FiringOccurrences(const FaultRule& rule, FileOp op,
                                   const std::string& path, int n) {
  FaultRuleSet rules;
  rules.AddRule(rule);
  std::vector<int> fired;
  for (int i = 1; i <= n; ++i) {
    if (rules.Check(op, path, "").has_value()) {
      fired.push_back(i);
    }
  }
  return fired;
}

TEST(FaultRuleSetTest, NthAndCountChooseTheOccurrences) {
  struct Case {
    int nth;
    int count;
    std::vector<int> expected;
  };
  const Case cases[] = {
      {3, 0, {3}},    {1, 0, {1}},       {0, 0, {1, 2, 3, 4, 5, 6}},
      {0, 2, {1, 2}}, {2, 3, {2, 3, 4}}, {4, FaultRule::kUnlimited, {4, 5, 6}},
      {7, 0, {}},
  };
  for (const Case& c : cases) {
    FaultRule rule{FileOp::kSync, "x", c.nth, Fault::kError};
    rule.count = c.count;
    EXPECT_EQ(FiringOccurrences(rule, FileOp::kSync, "/x", 6), c.expected)
        << "nth=" << c.nth << " count=" << c.count;
  }
}

TEST(FaultRuleSetTest, FiringCarriesACopyOfTheRule) {
  FaultRuleSet rules;
  FaultRule rule{FileOp::kWrite, "t.sst", /*nth=*/1, Fault::kErrorAfterEffect};
  rule.error_number = ENOSPC;
  const int id = rules.AddRule(rule);
  const std::optional<FaultFiring> firing =
      rules.Check(FileOp::kWrite, "/d/t.sst", "");
  ASSERT_TRUE(firing.has_value());
  EXPECT_EQ(firing->rule_id, id);
  EXPECT_EQ(firing->rule.fault, Fault::kErrorAfterEffect);
  EXPECT_EQ(firing->rule.error_number, ENOSPC);
  EXPECT_EQ(firing->rule.path_pattern, "t.sst");
}

TEST(FaultRuleSetTest, RandomDrawsFollowTheSeed) {
  FaultRule rule{FileOp::kRead, "", /*nth=*/0, Fault::kFlipByte};
  rule.seed = 7;
  FaultRuleSet rules;
  rules.AddRule(rule);
  std::mt19937_64 expected(7);
  for (int i = 0; i < 3; ++i) {
    const std::optional<FaultFiring> firing =
        rules.Check(FileOp::kRead, "/f", "");
    ASSERT_TRUE(firing.has_value());
    EXPECT_EQ(firing->random, expected());
  }
}

TEST(FaultRuleSetTest, PatternKinds) {
  struct Case {
    std::string pattern;
    std::string path;
    bool matches;
  };
  const Case cases[] = {
      {"", "/anything", true},
      {"sst", "/d/000001.sst", true},
      {"sst", "/d/000001.log", false},
      {"*.sst", "/d/000001.sst", true},
      {"*.sst", "/d/000001.sst.tmp", false},
      {"/d/*", "/d/e/f", true},  // '*' crosses '/'.
      {"/d/00000[12].log", "/d/000002.log", true},
      {"/d/00000[12].log", "/d/000003.log", false},
      {"/d/LOCK?", "/d/LOCK", false},
  };
  for (const Case& c : cases) {
    FaultRuleSet rules;
    const int id =
        rules.AddRule({FileOp::kDelete, c.pattern, /*nth=*/0, Fault::kError});
    EXPECT_EQ(rules.Check(FileOp::kDelete, c.path, "").has_value(), c.matches)
        << "pattern '" << c.pattern << "' path '" << c.path << "'";
    EXPECT_EQ(rules.MatchCount(id), c.matches ? 1u : 0u);
  }
}

TEST(FaultRuleSetTest, TargetAlsoMatches) {
  FaultRuleSet rules;
  rules.AddRule({FileOp::kLink, "ingested", /*nth=*/0, Fault::kError});
  EXPECT_TRUE(
      rules.Check(FileOp::kLink, "/ext/a.sst", "/db/ingested.sst").has_value());
  EXPECT_TRUE(
      rules.Check(FileOp::kLink, "/ingested/a.sst", "/db/b.sst").has_value());
  EXPECT_FALSE(
      rules.Check(FileOp::kLink, "/ext/a.sst", "/db/b.sst").has_value());
}

TEST(FaultRuleSetTest, OtherOpsDoNotCount) {
  FaultRuleSet rules;
  const int id = rules.AddRule({FileOp::kSync, "w", /*nth=*/2, Fault::kError});
  EXPECT_FALSE(rules.Check(FileOp::kFsync, "/w", "").has_value());
  EXPECT_FALSE(rules.Check(FileOp::kSync, "/w", "").has_value());
  EXPECT_TRUE(rules.Check(FileOp::kSync, "/w", "").has_value());
  EXPECT_EQ(rules.MatchCount(id), 2u);
}

TEST(FaultRuleSetTest, FirstDueRuleWinsAndOthersLoseTheirTurn) {
  FaultRuleSet rules;
  const int a = rules.AddRule({FileOp::kSync, "w", /*nth=*/1, Fault::kError});
  const int b = rules.AddRule({FileOp::kSync, "w", /*nth=*/0, Fault::kError});
  std::optional<FaultFiring> firing = rules.Check(FileOp::kSync, "/w", "");
  ASSERT_TRUE(firing.has_value());
  EXPECT_EQ(firing->rule_id, a);
  firing = rules.Check(FileOp::kSync, "/w", "");
  ASSERT_TRUE(firing.has_value());
  EXPECT_EQ(firing->rule_id, b);
  EXPECT_EQ(rules.FireCount(a), 1u);
  EXPECT_EQ(rules.FireCount(b), 1u);
  EXPECT_EQ(rules.MatchCount(b), 2u);
}

TEST(FaultRuleSetTest, RemovedRulesNeitherMatchNorCount) {
  FaultRuleSet rules;
  const int id = rules.AddRule({FileOp::kSync, "w", /*nth=*/0, Fault::kError});
  EXPECT_TRUE(rules.Check(FileOp::kSync, "/w", "").has_value());
  EXPECT_TRUE(rules.RemoveRule(id));
  EXPECT_FALSE(rules.Check(FileOp::kSync, "/w", "").has_value());
  EXPECT_EQ(rules.MatchCount(id), 1u);
  EXPECT_FALSE(rules.RemoveRule(id));
  EXPECT_FALSE(rules.RemoveRule(0));
  EXPECT_EQ(rules.FireCount(-3), 0u);
  const int next =
      rules.AddRule({FileOp::kSync, "w", /*nth=*/0, Fault::kError});
  EXPECT_EQ(next, id + 1);
  rules.ClearRules();
  EXPECT_FALSE(rules.Check(FileOp::kSync, "/w", "").has_value());
  EXPECT_FALSE(rules.RemoveRule(next));
}

TEST(FaultRuleSetTest, ConcurrentChecksFireExactlyOnce) {
  FaultRuleSet rules;
  const int id =
      rules.AddRule({FileOp::kRead, "f", /*nth=*/500, Fault::kError});
  constexpr int kThreads = 4;
  constexpr int kChecksPerThread = 1000;
  std::atomic<int> fired{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kChecksPerThread; ++i) {
        if (rules.Check(FileOp::kRead, "/f", "").has_value()) {
          fired.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(fired.load(std::memory_order_relaxed), 1);
  EXPECT_EQ(rules.MatchCount(id),
            static_cast<uint64_t>(kThreads * kChecksPerThread));
  EXPECT_EQ(rules.FireCount(id), 1u);
}

TEST(FaultRuleSetTest, EveryFaultHasAName) {
  EXPECT_STREQ(FaultName(Fault::kError), "error");
  EXPECT_STREQ(FaultName(Fault::kErrorAfterEffect), "error_after_effect");
  EXPECT_STREQ(FaultName(Fault::kShortRead), "short_read");
  EXPECT_STREQ(FaultName(Fault::kFlipByte), "flip_byte");
}

}  // namespace
}  // namespace strata
