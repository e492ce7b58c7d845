#include "testutil/testutil.h"

#include <sys/statfs.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace strata::test {

namespace {

constexpr long kTmpfsMagic = 0x01021994;
constexpr long kRamfsMagic = 0x858458f6;

bool IsMemoryFileSystem(const std::string& dir) {
  struct statfs sfs;
  if (statfs(dir.c_str(), &sfs) != 0) {
    return false;
  }
  return sfs.f_type == kTmpfsMagic || sfs.f_type == kRamfsMagic;
}

std::string ScratchRoot() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir != nullptr && *tmpdir != '\0' && !IsMemoryFileSystem(tmpdir)) {
    return std::string(tmpdir) + "/strata-test";
  }
  return STRATA_TEST_SCRATCH_ROOT;
}

}  // namespace

ScratchDir::ScratchDir() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info =
      ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." +
                                info->name()
                          : "no-test";
  for (char& c : name) {
    if (c == '/') {
      c = '_';
    }
  }
  path_ = ScratchRoot() + "/" + name + "." + std::to_string(getpid()) + "." +
          std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  std::filesystem::create_directories(path_, ec);
  if (ec) {
    ADD_FAILURE() << "cannot create scratch dir " << path_ << ": "
                  << ec.message();
  }
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ScratchDir::Join(const std::string& name) const {
  return path_ + "/" + name;
}

std::string FileSystemTypeName(const std::string& dir) {
  struct statfs sfs;
  if (statfs(dir.c_str(), &sfs) != 0) {
    return "unknown";
  }
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case 0xEF53:
      return "ext4/ext3";
    case 0x58465342:
      return "xfs";
    case 0x01021994:
      return "tmpfs";
    case 0x858458f6:
      return "ramfs";
    case 0x9123683e:
      return "btrfs";
    case 0x794c7630:
      return "overlayfs";
    case 0x2fc12fc1:
      return "zfs";
    default:
      return "unknown";
  }
}

std::string DirectIOUnavailableReason(const std::string& dir) {
  if (IsMemoryFileSystem(dir)) {
    return dir + " is on " + FileSystemTypeName(dir) +
           ", which accepts O_DIRECT without enforcing alignment or bypassing "
           "the page cache; direct-I/O behavior cannot be observed there";
  }
  const std::string probe = dir + "/.strata_direct_probe";
  int fd = open(probe.c_str(), O_CREAT | O_RDWR | O_DIRECT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return "open(O_DIRECT) fails on " + dir + " (" +
           FileSystemTypeName(dir) + "): " + std::strerror(errno);
  }
  close(fd);
  unlink(probe.c_str());
  return "";
}

Random::Random(uint64_t seed)
    : seed_(seed),
      gen_(seed),
      trace_(__FILE__, __LINE__, "random seed = " + std::to_string(seed)) {}

std::string Random::RandomBytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>(gen_() & 0xff);
  }
  return s;
}

}  // namespace strata::test
