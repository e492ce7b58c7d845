#include "env/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "env/direct_io_alignment.h"
#include "env/io_errors.h"
#include "env/posix_files.h"
#include "env/posix_mmap_files.h"
#include "strata/env.h"

namespace strata {

namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kDirMode = 0755;

int OpenRetryingEintr(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

// Paths locked by LockFile in this process, whichever PosixFileSystem
// object took them. fcntl locks alone cannot tell: they never conflict
// within one process.
class LockedPaths {
 public:
  // False if `path` is already held.
  bool Insert(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    return paths_.insert(path).second;
  }
  void Erase(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    paths_.erase(path);
  }

 private:
  std::mutex mutex_;
  std::set<std::string> paths_;  // Guarded by mutex_.
};

LockedPaths& ProcessLockedPaths() {
  // Never deleted: locks may be released by static destructors at exit.
  static LockedPaths* paths = new LockedPaths();
  return *paths;
}

class PosixFileLock final : public FileLock {
 public:
  PosixFileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  const std::string& path() const override { return path_; }
  int fd() const { return fd_; }

 private:
  const int fd_;
  const std::string path_;
};

// F_SETLK on the whole file: a write lock, or an unlock.
int SetWholeFileLock(int fd, bool lock) {
  struct flock f;
  std::memset(&f, 0, sizeof(f));
  f.l_type = lock ? F_WRLCK : F_UNLCK;
  f.l_whence = SEEK_SET;
  f.l_start = 0;
  f.l_len = 0;  // To the end, however long the file grows.
  return fcntl(fd, F_SETLK, &f);
}

IOStatus ConflictingModes(const std::string& path, const char* direct_option,
                          const char* mmap_option) {
  return Status::InvalidArgument(
      path + ": direct I/O and mmap cannot be used for the same file (" +
      direct_option + " and " + mmap_option + " are both set)");
}

class PosixFileSystem final : public FileSystem {
 public:
  const char* Name() const override { return "PosixFileSystem"; }

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override {
    if (options.use_direct_writes && options.use_mmap_writes) {
      return ConflictingModes(path, "use_direct_writes", "use_mmap_writes");
    }
    const int access = options.use_mmap_writes ? O_RDWR : O_WRONLY;
    int fd = -1;
    IOMode mode = IOMode::kBuffered;
    DirectIOAlignment alignment;
    STRATA_RETURN_IF_ERROR(
        OpenForMode(path, access | O_CREAT | O_TRUNC, options.use_direct_writes,
                    "open a file for appending", &fd, &mode, &alignment));
    const bool range_sync_usable =
        mode != IOMode::kDirect && SyncFileRangeUsable(fd);
    if (options.use_mmap_writes) {
      *result = NewPosixMmapWritableFile(fd, path, range_sync_usable);
    } else {
      *result =
          NewPosixWritableFile(fd, path, mode, alignment, range_sync_usable);
    }
    return IOStatus::OK();
  }

  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override {
    if (options.use_direct_reads && options.use_mmap_reads) {
      return ConflictingModes(path, "use_direct_reads", "use_mmap_reads");
    }
    int fd = -1;
    IOMode mode = IOMode::kBuffered;
    DirectIOAlignment alignment;
    STRATA_RETURN_IF_ERROR(OpenForMode(path, O_RDONLY, options.use_direct_reads,
                                       "open a file for random read", &fd,
                                       &mode, &alignment));
    if (options.use_mmap_reads) {
      return NewPosixMmapReadableFile(fd, path, result);
    }
    *result = NewPosixRandomAccessFile(fd, path, mode, alignment);
    return IOStatus::OK();
  }

  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override {
    if (options.use_direct_reads && options.use_mmap_reads) {
      return ConflictingModes(path, "use_direct_reads", "use_mmap_reads");
    }
    int fd = -1;
    IOMode mode = IOMode::kBuffered;
    DirectIOAlignment alignment;
    STRATA_RETURN_IF_ERROR(OpenForMode(path, O_RDONLY, options.use_direct_reads,
                                       "open a file for sequential read", &fd,
                                       &mode, &alignment));
    *result = NewPosixSequentialFile(fd, path, mode, alignment);
    return IOStatus::OK();
  }

  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override {
    const int fd = OpenRetryingEintr(path, O_RDONLY | O_DIRECTORY, 0);
    if (fd < 0) {
      return IOStatus::FromErrno(PathErrorContext("open directory", path),
                                 errno);
    }
    *result = NewPosixDirectory(fd, path);
    return IOStatus::OK();
  }

  IOStatus FileExists(const std::string& path) override {
    if (access(path.c_str(), F_OK) == 0) {
      return IOStatus::OK();
    }
    const int err = errno;
    if (err == ENOTDIR) {
      // A path component is a file: the path cannot exist.
      return Status::NotFound(PathErrorContext("access", path) + ": " +
                              std::strerror(err));
    }
    // ENOENT becomes NotFound; anything else says nothing either way.
    return IOStatus::FromErrno(PathErrorContext("access", path), err);
  }

  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override {
    names->clear();
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
      return IOStatus::FromErrno(PathErrorContext("opendir", dir), errno);
    }
    IOStatus s;
    while (true) {
      errno = 0;
      const struct dirent* entry = readdir(d);
      if (entry == nullptr) {
        if (errno != 0) {
          s = IOStatus::FromErrno(PathErrorContext("readdir", dir), errno);
        }
        break;
      }
      if (std::strcmp(entry->d_name, ".") == 0 ||
          std::strcmp(entry->d_name, "..") == 0) {
        continue;
      }
      names->emplace_back(entry->d_name);
    }
    closedir(d);
    return s;
  }

  IOStatus DeleteFile(const std::string& path) override {
    if (unlink(path.c_str()) != 0) {
      return IOStatus::FromErrno(PathErrorContext("unlink", path), errno);
    }
    return IOStatus::OK();
  }

  IOStatus CreateDir(const std::string& path) override {
    if (mkdir(path.c_str(), kDirMode) != 0) {
      return IOStatus::FromErrno(PathErrorContext("mkdir", path), errno);
    }
    return IOStatus::OK();
  }

  IOStatus CreateDirIfMissing(const std::string& path) override {
    if (mkdir(path.c_str(), kDirMode) == 0) {
      return IOStatus::OK();
    }
    const int err = errno;
    if (err != EEXIST) {
      return IOStatus::FromErrno(PathErrorContext("mkdir", path), err);
    }
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      return IOStatus::FromErrno(PathErrorContext("stat", path), errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::IOError(PathErrorContext("mkdir", path) +
                             ": exists but is not a directory");
    }
    return IOStatus::OK();
  }

  IOStatus DeleteDir(const std::string& path) override {
    if (rmdir(path.c_str()) != 0) {
      return IOStatus::FromErrno(PathErrorContext("rmdir", path), errno);
    }
    return IOStatus::OK();
  }

  IOStatus GetFileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      *size = 0;
      return IOStatus::FromErrno(PathErrorContext("stat", path), errno);
    }
    *size = static_cast<uint64_t>(st.st_size);
    return IOStatus::OK();
  }

  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override {
    if (rename(source.c_str(), target.c_str()) != 0) {
      return IOStatus::FromErrno(
          PathErrorContext("rename to " + target, source), errno);
    }
    return IOStatus::OK();
  }

  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override {
    if (link(source.c_str(), target.c_str()) == 0) {
      return IOStatus::OK();
    }
    const int err = errno;
    const std::string context = PathErrorContext("link to " + target, source);
    // No hard link possible here: across file systems, or on one without
    // them (EPERM, as vfat reports). Callers copy instead.
    if (err == EXDEV || err == EPERM || err == EOPNOTSUPP) {
      return Status::NotSupported(context + ": " + std::strerror(err));
    }
    return IOStatus::FromErrno(context, err);
  }

  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override {
    const std::string context = PathErrorContext("lock file", path);
    if (!ProcessLockedPaths().Insert(path)) {
      return Status::IOError(context + ": already held by this process");
    }
    const int fd = OpenRetryingEintr(path, O_RDWR | O_CREAT, kFileMode);
    if (fd < 0) {
      const int err = errno;
      ProcessLockedPaths().Erase(path);
      return IOStatus::FromErrno(context, err);
    }
    if (SetWholeFileLock(fd, /*lock=*/true) != 0) {
      const int err = errno;
      close(fd);
      ProcessLockedPaths().Erase(path);
      // EAGAIN or EACCES: another process holds it.
      return IOStatus::FromErrno(context, err);
    }
    *lock = std::make_unique<PosixFileLock>(fd, path);
    return IOStatus::OK();
  }

  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override {
    auto* posix_lock = dynamic_cast<PosixFileLock*>(lock.get());
    if (posix_lock == nullptr) {
      return Status::InvalidArgument(
          lock == nullptr ? std::string("UnlockFile: no lock given")
                          : lock->path() +
                                ": UnlockFile: the lock was not taken by a "
                                "PosixFileSystem");
    }
    IOStatus s;
    if (SetWholeFileLock(posix_lock->fd(), /*lock=*/false) != 0) {
      s = IOStatus::FromErrno(PathErrorContext("unlock file", lock->path()),
                              errno);
    }
    // Closing the descriptor drops the fcntl lock even if the unlock above
    // failed, so the path is free either way.
    close(posix_lock->fd());
    ProcessLockedPaths().Erase(lock->path());
    return s;
  }

 private:
  // Opens `path` with `flags` (plus O_DIRECT or F_NOCACHE when `direct`),
  // and, for direct files, detects the alignment. On success *fd is open;
  // on failure nothing is left open.
  IOStatus OpenForMode(const std::string& path, int flags, bool direct,
                       const char* what, int* fd, IOMode* mode,
                       DirectIOAlignment* alignment) {
#ifdef __linux__
    if (direct) {
      flags |= O_DIRECT;
    }
#endif
    *fd = OpenRetryingEintr(path, flags, kFileMode);
    if (*fd < 0) {
      const int err = errno;
#ifdef __linux__
      if (direct && err == EINVAL) {
        return DirectOpenRefused(what, path, err);
      }
#endif
      return IOStatus::FromErrno(PathErrorContext(what, path), err);
    }
    *mode = IOMode::kBuffered;
    *alignment = DirectIOAlignment{};
    if (!direct) {
      return IOStatus::OK();
    }
#if defined(__linux__)
    IOStatus s = detector_.Detect(*fd, path, alignment);
    if (!s.ok()) {
      close(*fd);
      *fd = -1;
      return s;
    }
    *mode = IOMode::kDirect;
#elif defined(__APPLE__)
    if (fcntl(*fd, F_NOCACHE, 1) != 0) {
      const int err = errno;
      close(*fd);
      *fd = -1;
      return IOStatus::FromErrno(PathErrorContext("fcntl NoCache", path), err);
    }
    *mode = IOMode::kUncached;
#endif
    return IOStatus::OK();
  }

  DirectIOAlignmentDetector detector_;
};

}  // namespace

std::unique_ptr<FileSystem> NewPosixFileSystem() {
  return std::make_unique<PosixFileSystem>();
}

Env* Env::Default() {
  // The file system is never deleted: objects destroyed at exit may still
  // use it.
  static Env env(NewPosixFileSystem().release(), SystemClock());
  return &env;
}

}  // namespace strata
