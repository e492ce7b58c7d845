#include "env/posix_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "env/io_errors.h"

namespace strata {

IOStatus CheckOpen(const PosixDescriptor& descriptor, std::string_view what,
                   const std::string& path) {
  if (!descriptor.closed()) {
    return IOStatus::OK();
  }
  return Status::IOError(ClosedContext(PathErrorContext(what, path)));
}

std::string ClosedContext(std::string_view context) {
  return std::string(context) + ": file is already closed";
}

IOStatus PwriteFully(int fd, const std::string& path, const char* data,
                     size_t len, uint64_t offset) {
  while (len > 0) {
    const size_t chunk = std::min(len, kMaxBytesPerCall);
    const ssize_t done = pwrite(fd, data, chunk, static_cast<off_t>(offset));
    if (done < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IOStatus::FromErrno(WriteErrorContext(path, offset, len), errno);
    }
    if (done == 0) {
      // No progress and no errno: retrying would spin forever.
      return Status::IOError(WriteErrorContext(path, offset, len) +
                             ": pwrite wrote 0 bytes");
    }
    data += done;
    len -= static_cast<size_t>(done);
    offset += static_cast<uint64_t>(done);
  }
  return IOStatus::OK();
}

IOStatus PreadUpTo(int fd, const std::string& path, uint64_t offset, size_t n,
                   char* scratch, size_t stop_alignment, size_t* bytes_read) {
  size_t total = 0;
  while (total < n) {
    const size_t chunk = std::min(n - total, kMaxBytesPerCall);
    const ssize_t done =
        pread(fd, scratch + total, chunk, static_cast<off_t>(offset + total));
    if (done < 0) {
      if (errno == EINTR) {
        continue;
      }
      *bytes_read = total;
      return IOStatus::FromErrno(
          ReadErrorContext(path, offset + total, n - total), errno);
    }
    if (done == 0) {
      break;  // End of file.
    }
    total += static_cast<size_t>(done);
    if (stop_alignment != 0 &&
        !IsAligned(static_cast<uint64_t>(done), stop_alignment)) {
      break;
    }
  }
  *bytes_read = total;
  return IOStatus::OK();
}

IOStatus FstatSize(int fd, const std::string& path, uint64_t* size) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return IOStatus::FromErrno(PathErrorContext("fstat", path), errno);
  }
  *size = static_cast<uint64_t>(st.st_size);
  return IOStatus::OK();
}

IOStatus FadviseDontNeed(int fd, const std::string& path, uint64_t offset,
                         uint64_t len) {
#ifdef __linux__
  // posix_fadvise returns the error number instead of setting errno.
  const int err = posix_fadvise(fd, static_cast<off_t>(offset),
                                static_cast<off_t>(len), POSIX_FADV_DONTNEED);
  if (err != 0) {
    return IOStatus::FromErrno(
        PathErrorContext("fadvise DONTNEED offset " + std::to_string(offset) +
                             " len " + std::to_string(len),
                         path),
        err);
  }
#else
  (void)fd;
  (void)path;
  (void)offset;
  (void)len;
#endif
  return IOStatus::OK();
}

IOStatus DataSync(int fd, const std::string& path) {
#ifdef __APPLE__
  // fsync on macOS leaves data in the drive's cache; F_FULLFSYNC does not.
  if (fcntl(fd, F_FULLFSYNC) != 0) {
    return IOStatus::FromErrno(PathErrorContext("fcntl F_FULLFSYNC", path),
                               errno);
  }
#else
  if (fdatasync(fd) != 0) {
    return IOStatus::FromErrno(PathErrorContext("fdatasync", path), errno);
  }
#endif
  return IOStatus::OK();
}

IOStatus FullSync(int fd, const std::string& path) {
#ifdef __APPLE__
  if (fcntl(fd, F_FULLFSYNC) != 0) {
    return IOStatus::FromErrno(PathErrorContext("fcntl F_FULLFSYNC", path),
                               errno);
  }
#else
  if (fsync(fd) != 0) {
    return IOStatus::FromErrno(PathErrorContext("fsync", path), errno);
  }
#endif
  return IOStatus::OK();
}

IOStatus StartWriteback(int fd, const std::string& path, uint64_t offset,
                        uint64_t nbytes) {
#ifdef __linux__
  if (sync_file_range(fd, static_cast<off64_t>(offset),
                      static_cast<off64_t>(nbytes),
                      SYNC_FILE_RANGE_WRITE) != 0) {
    return IOStatus::FromErrno(
        PathErrorContext("sync_file_range offset " + std::to_string(offset) +
                             " len " + std::to_string(nbytes),
                         path),
        errno);
  }
#else
  (void)fd;
  (void)path;
  (void)offset;
  (void)nbytes;
#endif
  return IOStatus::OK();
}

IOStatus Preallocate(int fd, const std::string& path, uint64_t offset,
                     uint64_t len) {
#ifdef __linux__
  while (fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                   static_cast<off_t>(len)) != 0) {
    if (errno == EINTR) {
      continue;
    }
    if (errno == EOPNOTSUPP) {
      return IOStatus::OK();  // Preallocation is only an optimization.
    }
    return IOStatus::FromErrno(
        PathErrorContext("fallocate offset " + std::to_string(offset) +
                             " len " + std::to_string(len),
                         path),
        errno);
  }
#else
  (void)fd;
  (void)path;
  (void)offset;
  (void)len;
#endif
  return IOStatus::OK();
}

PosixDescriptor::PosixDescriptor(int fd, std::string path)
    : fd_(fd), path_(std::move(path)) {}

PosixDescriptor::~PosixDescriptor() {
  if (fd_ >= 0) {
    close(fd_);  // Close() was not called; see the header.
  }
}

IOStatus PosixDescriptor::Close(const char* what) {
  if (fd_ < 0) {
    return IOStatus::OK();
  }
  const int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) {
    return IOStatus::FromErrno(PathErrorContext(what, path_), errno);
  }
  return IOStatus::OK();
}

}  // namespace strata
