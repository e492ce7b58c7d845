#include "env/direct_io_alignment.h"

#include <fcntl.h>
#include <linux/stat.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

// A sysfs look-alike: <root>/dev/block/<maj>:<min> symlinks pointing (with
// relative targets, as the kernel makes them) into <root>/devices/..., and
// queue/logical_block_size files where a test puts them.
class FakeSysfs {
 public:
  explicit FakeSysfs(std::string root) : root_(std::move(root)) {
    fs::create_directories(root_ + "/dev/block");
    fs::create_directories(root_ + "/devices");
  }

  const std::string& root() const { return root_; }

  // Creates <root>/devices/<device_path> and links major:minor to it.
  void AddDevice(unsigned major, unsigned minor,
                 const std::string& device_path) {
    fs::create_directories(root_ + "/devices/" + device_path);
    fs::create_directory_symlink("../../devices/" + device_path,
                                 root_ + "/dev/block/" + std::to_string(major) +
                                     ":" + std::to_string(minor));
  }

  // Writes <root>/devices/<dir>/queue/logical_block_size.
  void SetLogicalBlockSize(const std::string& dir,
                           const std::string& contents) {
    const std::string queue = root_ + "/devices/" + dir + "/queue";
    fs::create_directories(queue);
    std::ofstream out(queue + "/logical_block_size", std::ios::trunc);
    out << contents;
  }

 private:
  const std::string root_;
};

constexpr char kSataDisk[] =
    "pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda";
constexpr char kNvmeController[] = "pci0000:00/0000:00:04.0/nvme/nvme0";
constexpr char kMmcDisk[] =
    "platform/soc/fe340000.mmc/mmc_host/mmc0/mmc0:0001/block/mmcblk0";

class DirectIOAlignmentSysfsTest : public testing::Test {
 protected:
  test::ScratchDir dir_;
  FakeSysfs sysfs_{dir_.Join("sys")};
};

TEST_F(DirectIOAlignmentSysfsTest, SataPartitionStepsUpToWholeDisk) {
  const std::string disk = kSataDisk;
  sysfs_.AddDevice(8, 3, disk + "/sda3");
  sysfs_.SetLogicalBlockSize(disk, "512\n");
  // Real partitions have no queue/; a decoy there catches a missing step.
  sysfs_.SetLogicalBlockSize(disk + "/sda3", "1024\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 8, 3), 512u);
}

TEST_F(DirectIOAlignmentSysfsTest, SataWholeDiskStays) {
  const std::string disk = kSataDisk;
  sysfs_.AddDevice(8, 0, disk);
  sysfs_.SetLogicalBlockSize(disk, "512\n");
  // Stepping up from a disk would land in the "block" directory.
  sysfs_.SetLogicalBlockSize(fs::path(disk).parent_path().string(), "2048\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 8, 0), 512u);
}

TEST_F(DirectIOAlignmentSysfsTest, NvmePartitionStepsUpToNamespace) {
  const std::string ns = std::string(kNvmeController) + "/nvme0n1";
  sysfs_.AddDevice(259, 1, ns + "/nvme0n1p1");
  sysfs_.SetLogicalBlockSize(ns, "512\n");
  sysfs_.SetLogicalBlockSize(ns + "/nvme0n1p1", "1024\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 259, 1), 512u);
}

TEST_F(DirectIOAlignmentSysfsTest, NvmeNamespaceStaysUnderItsController) {
  const std::string ns = std::string(kNvmeController) + "/nvme0n1";
  sysfs_.AddDevice(259, 0, ns);
  sysfs_.SetLogicalBlockSize(ns, "512\n");
  // The controller is not a block device; stepping up would read this.
  sysfs_.SetLogicalBlockSize(kNvmeController, "2048\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 259, 0), 512u);
}

TEST_F(DirectIOAlignmentSysfsTest, DeviceMapperStays) {
  sysfs_.AddDevice(253, 0, "virtual/block/dm-0");
  sysfs_.SetLogicalBlockSize("virtual/block/dm-0", "1024\n");
  sysfs_.SetLogicalBlockSize("virtual/block", "2048\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 253, 0), 1024u);
}

TEST_F(DirectIOAlignmentSysfsTest, MmcPartitionStepsUpToWholeCard) {
  const std::string disk = kMmcDisk;
  sysfs_.AddDevice(179, 1, disk + "/mmcblk0p1");
  sysfs_.SetLogicalBlockSize(disk, "512\n");
  sysfs_.SetLogicalBlockSize(disk + "/mmcblk0p1", "1024\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 179, 1), 512u);
}

TEST_F(DirectIOAlignmentSysfsTest, MmcWholeCardStays) {
  const std::string disk = kMmcDisk;
  sysfs_.AddDevice(179, 0, disk);
  sysfs_.SetLogicalBlockSize(disk, "512\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 179, 0), 512u);
}

TEST_F(DirectIOAlignmentSysfsTest, LargePowerOfTwoIsAccepted) {
  sysfs_.AddDevice(8, 16, std::string(kSataDisk) + "b");
  sysfs_.SetLogicalBlockSize(std::string(kSataDisk) + "b", "65536");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 8, 16), 65536u);
}

TEST_F(DirectIOAlignmentSysfsTest, InvalidValuesFallBackTo4096) {
  const char* const kBadValues[] = {"0\n",    "3000\n", "garbage\n", "",
                                    "-512\n", "512x\n", "0x200\n",   "\n"};
  unsigned minor = 0;
  for (const char* value : kBadValues) {
    SCOPED_TRACE(std::string("logical_block_size = \"") + value + "\"");
    const std::string disk = "virtual/block/ram" + std::to_string(minor);
    sysfs_.AddDevice(1, minor, disk);
    sysfs_.SetLogicalBlockSize(disk, value);
    EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 1, minor), 4096u);
    ++minor;
  }
}

TEST_F(DirectIOAlignmentSysfsTest, MissingValueFileFallsBackTo4096) {
  sysfs_.AddDevice(8, 32, "virtual/block/sdc");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 8, 32), 4096u);
}

TEST_F(DirectIOAlignmentSysfsTest, MissingDeviceFallsBackTo4096) {
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 8, 48), 4096u);
  EXPECT_EQ(LogicalBlockSizeFromSysfs(dir_.Join("no-such-sysfs"), 8, 0), 4096u);
}

TEST_F(DirectIOAlignmentSysfsTest, MajorZeroIs4096WithoutLookingAtSysfs) {
  // Even a (fake) entry for 0:27 saying 512 is not consulted.
  sysfs_.AddDevice(0, 27, "virtual/block/anon");
  sysfs_.SetLogicalBlockSize("virtual/block/anon", "512\n");
  EXPECT_EQ(LogicalBlockSizeFromSysfs(sysfs_.root(), 0, 27), 4096u);
}

TEST_F(DirectIOAlignmentSysfsTest, RealSysfsGivesPowerOfTwoForScratchDisk) {
  struct stat st;
  ASSERT_EQ(stat(dir_.path().c_str(), &st), 0);
  if (major(st.st_dev) == 0) {
    GTEST_SKIP() << dir_.path() << " is on an anonymous device (major 0)";
  }
  const size_t size =
      LogicalBlockSizeFromSysfs("/sys", major(st.st_dev), minor(st.st_dev));
  EXPECT_GE(size, 512u);
  EXPECT_EQ(size & (size - 1), 0u) << size;
}

class DirectIOAlignmentDetectorTest : public DirectIOAlignmentSysfsTest {
 protected:
  void SetUp() override {
    // Device 8:3 is a partition of a disk whose sysfs value is 1024, a
    // value that appears nowhere else.
    sysfs_.AddDevice(8, 3, std::string(kSataDisk) + "/sda3");
    sysfs_.SetLogicalBlockSize(kSataDisk, "1024\n");
  }
  DirectIOAlignmentDetector detector_{sysfs_.root()};
};

TEST_F(DirectIOAlignmentDetectorTest, StatxAnswerWinsOverSysfs) {
  StatxDirectIOInfo statx;
  statx.reported = true;
  statx.memory_align = 4;
  statx.offset_align = 512;
  DirectIOAlignment a;
  ASSERT_OK(detector_.Resolve("/d/1.sst", statx, 8, 3, &a));
  EXPECT_EQ(a.offset, 512u);
  EXPECT_EQ(a.memory, 4u);
  EXPECT_EQ(a.both(), 512u);
}

TEST_F(DirectIOAlignmentDetectorTest, StatxOffsetAndMemoryKeptSeparately) {
  StatxDirectIOInfo statx;
  statx.reported = true;
  statx.memory_align = 4096;
  statx.offset_align = 16384;
  DirectIOAlignment a;
  ASSERT_OK(detector_.Resolve("/d/1.sst", statx, 8, 3, &a));
  EXPECT_EQ(a.offset, 16384u);
  EXPECT_EQ(a.memory, 4096u);
}

TEST_F(DirectIOAlignmentDetectorTest, StatxOffsetZeroIsNotSupportedNamingPath) {
  StatxDirectIOInfo statx;
  statx.reported = true;
  statx.memory_align = 0;
  statx.offset_align = 0;
  DirectIOAlignment a;
  Status s = detector_.Resolve("/data/000042.sst", statx, 8, 3, &a);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_NE(s.ToString().find("/data/000042.sst"), std::string::npos)
      << s.ToString();
}

TEST_F(DirectIOAlignmentDetectorTest, NoStatxAnswerUsesSysfsForBoth) {
  DirectIOAlignment a;
  ASSERT_OK(detector_.Resolve("/d/1.sst", StatxDirectIOInfo{}, 8, 3, &a));
  EXPECT_EQ(a.offset, 1024u);
  EXPECT_EQ(a.memory, 1024u);
}

TEST_F(DirectIOAlignmentDetectorTest, NonPowerOfTwoStatxFallsBackToSysfs) {
  StatxDirectIOInfo statx;
  statx.reported = true;
  statx.memory_align = 512;
  statx.offset_align = 3000;
  DirectIOAlignment a;
  ASSERT_OK(detector_.Resolve("/d/1.sst", statx, 8, 3, &a));
  EXPECT_EQ(a.offset, 1024u);
  EXPECT_EQ(a.memory, 1024u);
}

TEST_F(DirectIOAlignmentDetectorTest, NoStatxAnswerOnMajorZeroIs4096) {
  DirectIOAlignment a;
  ASSERT_OK(detector_.Resolve("/d/1.sst", StatxDirectIOInfo{}, 0, 27, &a));
  EXPECT_EQ(a.offset, 4096u);
  EXPECT_EQ(a.memory, 4096u);
}

TEST_F(DirectIOAlignmentDetectorTest, SysfsAnswerIsCachedPerDevice) {
  EXPECT_EQ(detector_.cached_devices(), 0u);
  EXPECT_EQ(detector_.LogicalBlockSize(8, 3), 1024u);
  EXPECT_EQ(detector_.cached_devices(), 1u);
  // The detector does not read sysfs again for a device it knows.
  sysfs_.SetLogicalBlockSize(kSataDisk, "512\n");
  EXPECT_EQ(detector_.LogicalBlockSize(8, 3), 1024u);
  EXPECT_EQ(detector_.cached_devices(), 1u);
  // Another device gets its own entry; a new detector reads afresh.
  EXPECT_EQ(detector_.LogicalBlockSize(8, 99), 4096u);
  EXPECT_EQ(detector_.cached_devices(), 2u);
  DirectIOAlignmentDetector fresh(sysfs_.root());
  EXPECT_EQ(fresh.LogicalBlockSize(8, 3), 512u);
}

// The statx query on a real file: the #if guards must not have compiled it
// out on a kernel and file system that answer (ext4 and xfs, Linux >= 6.1).
TEST(DirectIOAlignmentRealTest, StatxReportsDioAlignOnExt4AndXfs) {
  test::ScratchDir dir;
  const std::string type = test::FileSystemTypeName(dir.path());
  if (type != "ext4/ext3" && type != "xfs") {
    GTEST_SKIP() << dir.path() << " is on " << type
                 << ", which may not report STATX_DIOALIGN";
  }
  struct utsname uts;
  ASSERT_EQ(uname(&uts), 0);
  int kernel_major = 0;
  int kernel_minor = 0;
  ASSERT_EQ(std::sscanf(uts.release, "%d.%d", &kernel_major, &kernel_minor), 2);
  if (kernel_major < 6 || (kernel_major == 6 && kernel_minor < 1)) {
    GTEST_SKIP() << "kernel " << uts.release << " predates STATX_DIOALIGN";
  }
  const std::string path = dir.Join("f");
  const int fd = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const StatxDirectIOInfo info = QueryStatxDirectIO(fd);
  close(fd);
  EXPECT_TRUE(info.reported);
  EXPECT_GT(info.offset_align, 0u);
  EXPECT_EQ(info.offset_align & (info.offset_align - 1), 0u);
  EXPECT_GT(info.memory_align, 0u);
}

// Detect on real files agrees with what the kernel says, read here with a
// raw statx call: the statx values when it reports them, else the device's
// sysfs value (4096 for anonymous devices such as tmpfs).
void ExpectDetectMatchesKernel(const std::string& path) {
  const int fd = open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  struct statx sx = {};
  ASSERT_EQ(statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx), 0);
  DirectIOAlignmentDetector detector;
  DirectIOAlignment a;
  const Status s = detector.Detect(fd, path, &a);
  close(fd);
  if ((sx.stx_mask & STATX_DIOALIGN) != 0 && sx.stx_dio_offset_align == 0) {
    EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
    return;
  }
  ASSERT_OK(s);
  if ((sx.stx_mask & STATX_DIOALIGN) != 0) {
    EXPECT_EQ(a.offset, sx.stx_dio_offset_align);
    EXPECT_EQ(a.memory, sx.stx_dio_mem_align);
  } else {
    const size_t expected =
        LogicalBlockSizeFromSysfs("/sys", sx.stx_dev_major, sx.stx_dev_minor);
    EXPECT_EQ(a.offset, expected);
    EXPECT_EQ(a.memory, expected);
  }
}

TEST(DirectIOAlignmentRealTest, DetectOnScratchDiskMatchesKernel) {
  test::ScratchDir dir;
  ExpectDetectMatchesKernel(dir.Join("f"));
}

// tmpfs on Linux >= 6.6 accepts O_DIRECT but reports no DIOALIGN (6.18) and
// sits on an anonymous device, so detection falls back to 4096 there.
TEST(DirectIOAlignmentRealTest, DetectOnTmpfsFallsBackOrFollowsStatx) {
  if (test::FileSystemTypeName("/dev/shm") != "tmpfs") {
    GTEST_SKIP() << "/dev/shm is not a tmpfs here";
  }
  const std::string path =
      "/dev/shm/strata_alignment_test." + std::to_string(getpid());
  ExpectDetectMatchesKernel(path);
  struct statx sx = {};
  const bool reported =
      statx(AT_FDCWD, path.c_str(), 0, STATX_DIOALIGN, &sx) == 0 &&
      (sx.stx_mask & STATX_DIOALIGN) != 0;
  if (!reported) {
    EXPECT_EQ(sx.stx_dev_major, 0u) << "tmpfs is an anonymous device";
    DirectIOAlignmentDetector detector;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    DirectIOAlignment a;
    const Status s = detector.Detect(fd, path, &a);
    close(fd);
    ASSERT_OK(s);
    EXPECT_EQ(a.offset, 4096u);
    EXPECT_EQ(a.memory, 4096u);
  }
  unlink(path.c_str());
}

}  // namespace
}  // namespace strata
