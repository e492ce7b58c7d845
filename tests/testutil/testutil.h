// Helpers shared by every test binary: status assertions, scratch
// directories on a real disk, and seeded randomness whose seed is printed on
// failure.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "strata/slice.h"
#include "strata/status.h"

#define ASSERT_OK(expr)                                  \
  do {                                                   \
    const ::strata::Status _s = (expr);                  \
    ASSERT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)
#define EXPECT_OK(expr)                                  \
  do {                                                   \
    const ::strata::Status _s = (expr);                  \
    EXPECT_TRUE(_s.ok()) << #expr << ": " << _s.ToString(); \
  } while (0)

namespace strata::test {

// A fresh, empty directory on a real disk for one test, removed (with its
// contents) by the destructor. It lives under $TMPDIR when that is set and
// not tmpfs, else under the build tree (never tmpfs: O_DIRECT and page-cache
// residency mean nothing there).
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(const std::string& name) const;

 private:
  std::string path_;
};

// The file system type of `dir` as statfs names it ("ext4/ext3", "tmpfs",
// "btrfs", ...), or "unknown".
std::string FileSystemTypeName(const std::string& dir);

// Why O_DIRECT tests cannot run on `dir` (tmpfs accepts O_DIRECT without
// enforcing alignment; some file systems refuse it), or "" if they can.
// Tests call GTEST_SKIP() << reason when it is not empty.
std::string DirectIOUnavailableReason(const std::string& dir);

// A random generator whose seed is printed if the current test fails.
// Seeds come from the test's name (stable across runs) unless given.
class Random {
 public:
  explicit Random(uint64_t seed);
  uint64_t seed() const { return seed_; }
  uint64_t Next() { return gen_(); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return gen_() % n; }
  bool OneIn(uint64_t n) { return Uniform(n) == 0; }
  std::string RandomBytes(size_t n);

 private:
  uint64_t seed_;
  std::mt19937_64 gen_;
  ::testing::ScopedTrace trace_;
};

}  // namespace strata::test
