#include "env/direct_io_alignment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
// glibc 2.36 declares statx() but its own struct statx lacks the DIOALIGN
// fields unless it picks up the kernel's definition; including the kernel
// header directly makes sure the fields (and STATX_DIOALIGN) are there.
#include <linux/stat.h>
#include <sys/sysmacros.h>
#endif

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "env/io_errors.h"

namespace strata {

namespace {

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Parses the contents of a sysfs queue/logical_block_size file: decimal
// digits, optionally followed by whitespace. 0 if it is anything else.
uint64_t ParseSysfsNumber(const std::string& text) {
  size_t end = text.size();
  while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' ' ||
                     text[end - 1] == '\t' || text[end - 1] == '\r')) {
    --end;
  }
  if (end == 0) {
    return 0;
  }
  uint64_t value = 0;
  const char* first = text.data();
  const char* last = text.data() + end;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last) {
    return 0;
  }
  return value;
}

uint64_t DeviceKey(unsigned major, unsigned minor) {
  return (static_cast<uint64_t>(major) << 32) | minor;
}

}  // namespace

StatxDirectIOInfo QueryStatxDirectIO(int fd) {
  StatxDirectIOInfo info;
#if defined(__linux__) && defined(STATX_DIOALIGN)
  struct statx sx = {};
  if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 &&
      (sx.stx_mask & STATX_DIOALIGN) != 0) {
    info.reported = true;
    info.memory_align = sx.stx_dio_mem_align;
    info.offset_align = sx.stx_dio_offset_align;
  }
#else
  (void)fd;
#endif
  return info;
}

size_t LogicalBlockSizeFromSysfs(const std::string& sysfs_root, unsigned major,
                                 unsigned minor) {
  // Major 0 is the kernel's "anonymous device" range: tmpfs, overlayfs,
  // btrfs, NFS, FUSE, ZFS. No block queue stands behind it.
  if (major == 0) {
    return kDefaultPageSize;
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path link = fs::path(sysfs_root) / "dev" / "block" /
                        (std::to_string(major) + ":" + std::to_string(minor));
  fs::path device_dir = fs::canonical(link, ec);
  if (ec || !device_dir.has_parent_path()) {
    return kDefaultPageSize;
  }
  // A partition's directory sits inside its disk's directory and has no
  // queue/ of its own. Whole disks sit directly under a "block" directory,
  // except NVMe namespaces, which sit under their controller (nvme0/nvme0n1)
  // and are recognized by their name; their partitions carry a 'p'
  // (nvme0n1p1).
  const std::string child = device_dir.filename().string();
  const std::string parent = device_dir.parent_path().filename().string();
  const bool nvme_name = child.rfind("nvme", 0) == 0;
  if (parent != "block" &&
      (!nvme_name || child.find('p') != std::string::npos)) {
    device_dir = device_dir.parent_path();
  }
  std::ifstream in(device_dir / "queue" / "logical_block_size");
  if (!in) {
    return kDefaultPageSize;
  }
  // A sysfs attribute is at most a page; a longer file is not one.
  std::string text;
  text.resize(64);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  const uint64_t value = ParseSysfsNumber(text);
  return IsPowerOfTwo(value) ? static_cast<size_t>(value) : kDefaultPageSize;
}

DirectIOAlignmentDetector::DirectIOAlignmentDetector(std::string sysfs_root)
    : sysfs_root_(std::move(sysfs_root)) {}

IOStatus DirectIOAlignmentDetector::Detect(int fd, const std::string& path,
                                           DirectIOAlignment* result) {
#ifdef __linux__
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return IOStatus::FromErrno(
        PathErrorContext("fstat to detect direct I/O alignment", path), errno);
  }
  return Resolve(path, QueryStatxDirectIO(fd), major(st.st_dev),
                 minor(st.st_dev), result);
#else
  (void)fd;
  (void)path;
  *result = DirectIOAlignment{};
  return IOStatus::OK();
#endif
}

IOStatus DirectIOAlignmentDetector::Resolve(const std::string& path,
                                            const StatxDirectIOInfo& statx,
                                            unsigned major, unsigned minor,
                                            DirectIOAlignment* result) {
  if (statx.reported) {
    if (statx.offset_align == 0) {
      return Status::NotSupported(
          path +
          ": the file system does not support direct I/O for this file "
          "(statx reports a direct I/O offset alignment of 0)");
    }
    if (IsPowerOfTwo(statx.offset_align) && IsPowerOfTwo(statx.memory_align)) {
      result->offset = statx.offset_align;
      result->memory = statx.memory_align;
      return IOStatus::OK();
    }
    // Values no kernel should report: trust the device instead.
  }
  const size_t block_size = LogicalBlockSize(major, minor);
  result->offset = block_size;
  result->memory = block_size;
  return IOStatus::OK();
}

size_t DirectIOAlignmentDetector::LogicalBlockSize(unsigned major,
                                                   unsigned minor) {
  const uint64_t key = DeviceKey(major, minor);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = block_size_by_device_.find(key);
    if (it != block_size_by_device_.end()) {
      return it->second;
    }
  }
  // Read sysfs without the lock; two threads racing on a new device both
  // compute the same answer and the first one stored wins.
  const size_t block_size =
      LogicalBlockSizeFromSysfs(sysfs_root_, major, minor);
  std::lock_guard<std::mutex> lock(mutex_);
  return block_size_by_device_.emplace(key, block_size).first->second;
}

size_t DirectIOAlignmentDetector::cached_devices() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return block_size_by_device_.size();
}

}  // namespace strata
