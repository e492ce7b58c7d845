// The option matrix the compatibility suites run over is what it claims to
// be: every pair of values of any two options occurs in some combination,
// and every case has its own stable name.
#include <set>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "compat/compat_util.h"

namespace strata::compat {
namespace {

// The index of each option's value in its list, per combination.
std::vector<int> ValueIndices(const Combo& c) {
  auto index_of = [](const auto& values, const auto& v) {
    int i = 0;
    for (const auto& x : values) {
      if (x == v) return i;
      ++i;
    }
    return -1;
  };
  return {index_of(kFormatVersions, c.format_version),
          index_of(kChecksums, c.checksum),
          index_of(kCompressions, c.compression),
          index_of(kBlockSizes, c.block_size),
          index_of(kRestartIntervals, c.restart_interval),
          index_of(kIndexRestartIntervals, c.index_restart_interval),
          index_of(kBlooms, c.bloom)};
}

TEST(CompatMatrixTest, PairwiseCombosCoverEveryPairOfValues) {
  const std::vector<int> num_values = {
      static_cast<int>(std::size(kFormatVersions)),
      static_cast<int>(std::size(kChecksums)),
      static_cast<int>(std::size(kCompressions)),
      static_cast<int>(std::size(kBlockSizes)),
      static_cast<int>(std::size(kRestartIntervals)),
      static_cast<int>(std::size(kIndexRestartIntervals)),
      static_cast<int>(std::size(kBlooms))};
  std::set<std::tuple<int, int, int, int>> covered;
  for (const Combo& combo : PairwiseCombos()) {
    const std::vector<int> v = ValueIndices(combo);
    for (size_t a = 0; a < v.size(); ++a) {
      ASSERT_GE(v[a], 0) << ComboName(combo) << ": option " << a
                         << " has a value outside the matrix";
      for (size_t b = a + 1; b < v.size(); ++b) {
        covered.insert({static_cast<int>(a), v[a], static_cast<int>(b), v[b]});
      }
    }
  }
  for (size_t a = 0; a < num_values.size(); ++a) {
    for (size_t b = a + 1; b < num_values.size(); ++b) {
      for (int x = 0; x < num_values[a]; ++x) {
        for (int y = 0; y < num_values[b]; ++y) {
          EXPECT_TRUE(covered.contains(
              {static_cast<int>(a), x, static_cast<int>(b), y}))
              << "options " << a << " and " << b << ": values " << x << " and "
              << y << " never occur together";
        }
      }
    }
  }
}

TEST(CompatMatrixTest, EveryCaseHasItsOwnName) {
  std::set<std::string> names;
  for (const Case& c : AllCases()) {
    EXPECT_TRUE(names.insert(CaseName(c)).second) << CaseName(c);
  }
}

}  // namespace
}  // namespace strata::compat
