#include "util/page_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/aligned_buffer.h"

namespace strata {

namespace {

Status ErrnoError(const std::string& what, const std::string& path, int err) {
  return Status::IOError("While " + what + ": " + path + ": " +
                         std::strerror(err));
}

// Closes a file descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) {
      close(fd_);
    }
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// Writes `len` bytes of `data` at offset 0 and fsyncs. Returns "" or a reason.
std::string WriteAndSync(const std::string& path, int extra_flags,
                         const char* data, size_t len) {
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC |
                                  extra_flags,
                0644);
  if (fd < 0) {
    return "open " + path + ": " + std::strerror(errno);
  }
  FdCloser closer(fd);
  size_t done = 0;
  while (done < len) {
    ssize_t n = pwrite(fd, data + done, len - done, done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return "pwrite " + path + ": " + std::strerror(errno);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    return "fsync " + path + ": " + std::strerror(errno);
  }
  return "";
}

}  // namespace

Status MeasurePageCacheResidency(const std::string& path,
                                 PageCacheResidency* residency) {
  *residency = PageCacheResidency();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return err == ENOENT ? Status::NotFound("While open for mincore: " + path)
                         : ErrnoError("open for mincore", path, err);
  }
  FdCloser closer(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return ErrnoError("fstat", path, errno);
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  residency->file_bytes = size;
  if (size == 0) {
    return Status::OK();
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    return ErrnoError("mmap for mincore", path, errno);
  }
  const uint64_t pages = (size + page - 1) / page;
  std::vector<unsigned char> vec(pages);
  const int rc = mincore(map, size, vec.data());
  const int err = errno;
  munmap(map, size);
  if (rc != 0) {
    return ErrnoError("mincore", path, err);
  }
  uint64_t resident = 0;
  for (unsigned char v : vec) {
    resident += v & 1;
  }
  residency->total_pages = pages;
  residency->resident_pages = resident;
  const uint64_t bytes = resident * page;
  residency->resident_bytes = bytes < size ? bytes : size;
  return Status::OK();
}

ResidencyProbeResult ProbeResidencyMeasurable(const std::string& dir) {
  ResidencyProbeResult result;
  struct statfs sfs;
  if (statfs(dir.c_str(), &sfs) != 0) {
    result.reason = "statfs " + dir + ": " + std::strerror(errno);
    return result;
  }
  switch (static_cast<unsigned long>(sfs.f_type)) {
    case 0x01021994:
      result.reason = dir + " is tmpfs: every page is resident by design";
      return result;
    case 0x858458f6:
      result.reason = dir + " is ramfs: every page is resident by design";
      return result;
    case 0x9123683e:
      result.reason = dir +
                      " is btrfs: direct writes may fall back to buffered "
                      "ones, so residency is not a reliable witness";
      return result;
    case 0x2fc12fc1:
      result.reason = dir + " is ZFS: its ARC is not the page cache";
      return result;
    default:
      break;
  }
  constexpr size_t kProbeBytes = 1 << 20;
  // 64 KiB alignment satisfies every logical block size we know of.
  AlignedBuffer buffer(64 << 10);
  buffer.Allocate(kProbeBytes);
  buffer.PadWith(kProbeBytes, 'p');

  const std::string direct_path = dir + "/.strata_residency_probe_direct";
  const std::string buffered_path = dir + "/.strata_residency_probe_buffered";
  std::string why = WriteAndSync(direct_path, O_DIRECT, buffer.data(),
                                 kProbeBytes);
  PageCacheResidency direct;
  if (why.empty()) {
    Status s = MeasurePageCacheResidency(direct_path, &direct);
    if (!s.ok()) {
      why = s.ToString();
    } else if (direct.resident_pages != 0) {
      why = "1 MiB written with O_DIRECT and fsynced shows " +
            std::to_string(direct.resident_bytes) +
            " resident bytes: direct I/O does not bypass the page cache on " +
            dir;
    }
  }
  unlink(direct_path.c_str());
  if (!why.empty()) {
    result.reason = why;
    return result;
  }
  why = WriteAndSync(buffered_path, 0, buffer.data(), kProbeBytes);
  PageCacheResidency buffered;
  if (why.empty()) {
    Status s = MeasurePageCacheResidency(buffered_path, &buffered);
    if (!s.ok()) {
      why = s.ToString();
    } else if (buffered.resident_pages == 0) {
      why = "1 MiB written buffered shows no resident page: mincore tells "
            "nothing on " + dir;
    }
  }
  unlink(buffered_path.c_str());
  if (!why.empty()) {
    result.reason = why;
    return result;
  }
  result.measurable = true;
  result.reason = "direct write: 0 resident; buffered write: " +
                  std::to_string(buffered.resident_bytes) + " of " +
                  std::to_string(kProbeBytes) + " bytes resident";
  return result;
}

}  // namespace strata
