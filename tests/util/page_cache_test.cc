#include "util/page_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "testutil/testutil.h"
#include "util/aligned_buffer.h"

namespace strata {
namespace {

constexpr size_t kFileBytes = 1 << 20;

void WriteFile(const std::string& path, int extra_flags) {
  AlignedBuffer buf(4096);
  buf.Allocate(kFileBytes);
  buf.PadWith(kFileBytes, 'r');
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC |
                                  extra_flags, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(pwrite(fd, buf.data(), kFileBytes, 0),
            static_cast<ssize_t>(kFileBytes));
  ASSERT_EQ(fsync(fd), 0);
  close(fd);
}

class PageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ResidencyProbeResult probe = ProbeResidencyMeasurable(dir_.path());
    if (!probe.measurable) {
      GTEST_SKIP() << "page-cache residency not measurable: " << probe.reason;
    }
  }
  test::ScratchDir dir_;
};

TEST_F(PageCacheTest, BufferedWriteIsFullyResident) {
  const std::string path = dir_.Join("buffered");
  WriteFile(path, 0);
  PageCacheResidency r;
  ASSERT_OK(MeasurePageCacheResidency(path, &r));
  EXPECT_EQ(r.file_bytes, kFileBytes);
  EXPECT_EQ(r.resident_bytes, kFileBytes);
  EXPECT_EQ(r.resident_pages, r.total_pages);
}

TEST_F(PageCacheTest, DirectWriteLeavesNothingResident) {
  const std::string path = dir_.Join("direct");
  WriteFile(path, O_DIRECT);
  PageCacheResidency r;
  ASSERT_OK(MeasurePageCacheResidency(path, &r));
  EXPECT_EQ(r.file_bytes, kFileBytes);
  EXPECT_EQ(r.resident_bytes, 0u);
}

TEST_F(PageCacheTest, DontNeedAdviceEvictsCleanPages) {
  const std::string path = dir_.Join("evicted");
  WriteFile(path, 0);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  close(fd);
  PageCacheResidency r;
  ASSERT_OK(MeasurePageCacheResidency(path, &r));
  EXPECT_EQ(r.resident_bytes, 0u);
}

TEST(PageCacheMeasureTest, EmptyFileIsZeroOfZero) {
  test::ScratchDir dir;
  const std::string path = dir.Join("empty");
  int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  close(fd);
  PageCacheResidency r;
  ASSERT_OK(MeasurePageCacheResidency(path, &r));
  EXPECT_EQ(r.file_bytes, 0u);
  EXPECT_EQ(r.total_pages, 0u);
}

TEST(PageCacheMeasureTest, MissingFileIsNotFoundNamingPath) {
  test::ScratchDir dir;
  PageCacheResidency r;
  Status s = MeasurePageCacheResidency(dir.Join("nope"), &r);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_NE(s.ToString().find(dir.Join("nope")), std::string::npos);
}

TEST(PageCacheProbeTest, TmpfsIsNotMeasurable) {
  const char* kShm = "/dev/shm";
  if (test::FileSystemTypeName(kShm) != "tmpfs") {
    GTEST_SKIP() << kShm << " is not tmpfs on this machine";
  }
  ResidencyProbeResult probe = ProbeResidencyMeasurable(kShm);
  EXPECT_FALSE(probe.measurable);
  EXPECT_NE(probe.reason.find("tmpfs"), std::string::npos) << probe.reason;
}

TEST(PageCacheProbeTest, MissingDirectoryIsNotMeasurableWithReason) {
  ResidencyProbeResult probe =
      ProbeResidencyMeasurable("/nonexistent/strata/dir");
  EXPECT_FALSE(probe.measurable);
  EXPECT_NE(probe.reason.find("/nonexistent/strata/dir"), std::string::npos);
}

}  // namespace
}  // namespace strata
