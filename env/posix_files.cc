#include "env/posix_files.h"

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <utility>

#include "env/io_errors.h"
#include "env/posix_io.h"

namespace strata {

namespace {

#ifdef __linux__
constexpr long kZfsSuperMagic = 0x2fc12fc1;
#endif

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, IOMode mode,
                    const DirectIOAlignment& alignment, bool range_sync_usable)
      : descriptor_(fd, std::move(path)),
        mode_(mode),
        alignment_(mode == IOMode::kDirect ? alignment : DirectIOAlignment{}),
        range_sync_usable_(range_sync_usable) {}

  bool use_direct_io() const override { return mode_ == IOMode::kDirect; }
  IOMode mode() const override { return mode_; }
  DirectIOAlignment alignment() const override { return alignment_; }
  const std::string& path() const override { return descriptor_.path(); }

  IOStatus Append(Slice data) override {
    return WriteAt(data, size_, "pwrite");
  }

  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    return WriteAt(data, offset, "pwrite");
  }

  IOStatus Truncate(uint64_t size) override {
    const std::string context = PathErrorContext(
        "ftruncate file to size " + std::to_string(size), path());
    if (descriptor_.closed()) {
      return Status::IOError(ClosedContext(context));
    }
    if (ftruncate(descriptor_.fd(), static_cast<off_t>(size)) != 0) {
      return IOStatus::FromErrno(context, errno);
    }
    size_ = size;
    return IOStatus::OK();
  }

  IOStatus Flush() override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "flush", path()));
    return IOStatus::OK();
  }

  IOStatus Sync() override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "fdatasync", path()));
    return DataSync(descriptor_.fd(), path());
  }

  IOStatus Fsync() override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "fsync", path()));
    return FullSync(descriptor_.fd(), path());
  }

  IOStatus RangeSync(uint64_t offset, uint64_t nbytes) override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "sync_file_range", path()));
    // Direct writes leave nothing dirty in the page cache to start.
    if (mode_ == IOMode::kDirect || !range_sync_usable_) {
      return IOStatus::OK();
    }
    return StartWriteback(descriptor_.fd(), path(), offset, nbytes);
  }

  IOStatus Allocate(uint64_t offset, uint64_t len) override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "fallocate", path()));
    return Preallocate(descriptor_.fd(), path(), offset, len);
  }

  IOStatus InvalidateCache(uint64_t offset, uint64_t len) override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "fadvise DONTNEED", path()));
    if (mode_ == IOMode::kDirect) {
      return IOStatus::OK();
    }
    return FadviseDontNeed(descriptor_.fd(), path(), offset, len);
  }

  IOStatus Close() override {
    return descriptor_.Close("closing file after writing");
  }

  uint64_t GetFileSize() const override { return size_; }

 private:
  IOStatus WriteAt(Slice data, uint64_t offset, std::string_view op) {
    if (descriptor_.closed()) {
      return Status::IOError(
          ClosedContext(WriteErrorContext(path(), offset, data.size())));
    }
    if (mode_ == IOMode::kDirect) {
      STRATA_RETURN_IF_ERROR(CheckDirectIOAlignment(
          op, path(), offset, data.size(), data.data(), alignment_));
    }
    STRATA_RETURN_IF_ERROR(PwriteFully(descriptor_.fd(), path(), data.data(),
                                       data.size(), offset));
    size_ = offset + data.size();
    return IOStatus::OK();
  }

  PosixDescriptor descriptor_;
  const IOMode mode_;
  const DirectIOAlignment alignment_;
  const bool range_sync_usable_;
  uint64_t size_ = 0;  // Where the next Append writes.
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(int fd, std::string path, IOMode mode,
                        const DirectIOAlignment& alignment)
      : fd_(fd),
        path_(std::move(path)),
        mode_(mode),
        alignment_(mode == IOMode::kDirect ? alignment : DirectIOAlignment{}) {}
  ~PosixRandomAccessFile() override { close(fd_); }
  PosixRandomAccessFile(const PosixRandomAccessFile&) = delete;
  PosixRandomAccessFile& operator=(const PosixRandomAccessFile&) = delete;

  bool use_direct_io() const override { return mode_ == IOMode::kDirect; }
  IOMode mode() const override { return mode_; }
  DirectIOAlignment alignment() const override { return alignment_; }
  const std::string& path() const override { return path_; }

  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    const bool direct = mode_ == IOMode::kDirect;
    if (direct) {
      IOStatus s = CheckDirectIOAlignment("pread", path_, offset, n, scratch,
                                          alignment_);
      if (!s.ok()) {
        *result = Slice();
        return s;
      }
    }
    size_t bytes_read = 0;
    IOStatus s = PreadUpTo(fd_, path_, offset, n, scratch,
                           direct ? alignment_.offset : 0, &bytes_read);
    *result = s.ok() ? Slice(scratch, bytes_read) : Slice();
    return s;
  }

  IOStatus Prefetch(uint64_t offset, size_t n) const override {
    if (mode_ == IOMode::kDirect) {
      return IOStatus::OK();  // readahead would fill the page cache.
    }
#ifdef __linux__
    if (readahead(fd_, static_cast<off64_t>(offset), n) != 0) {
      return IOStatus::FromErrno(
          PathErrorContext("readahead offset " + std::to_string(offset) +
                               " len " + std::to_string(n),
                           path_),
          errno);
    }
#else
    (void)offset;
    (void)n;
#endif
    return IOStatus::OK();
  }

  IOStatus Hint(AccessPattern pattern) const override {
    if (mode_ == IOMode::kDirect) {
      return IOStatus::OK();
    }
#ifdef __linux__
    int advice = POSIX_FADV_NORMAL;
    switch (pattern) {
      case AccessPattern::kNormal:
        advice = POSIX_FADV_NORMAL;
        break;
      case AccessPattern::kRandom:
        advice = POSIX_FADV_RANDOM;
        break;
      case AccessPattern::kSequential:
        advice = POSIX_FADV_SEQUENTIAL;
        break;
    }
    const int err = posix_fadvise(fd_, 0, 0, advice);
    if (err != 0) {
      return IOStatus::FromErrno(PathErrorContext("fadvise", path_), err);
    }
#else
    (void)pattern;
#endif
    return IOStatus::OK();
  }

  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    if (mode_ == IOMode::kDirect) {
      return IOStatus::OK();
    }
    return FadviseDontNeed(fd_, path_, offset, len);
  }

  IOStatus GetFileSize(uint64_t* size) const override {
    return FstatSize(fd_, path_, size);
  }

 private:
  const int fd_;
  const std::string path_;
  const IOMode mode_;
  const DirectIOAlignment alignment_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(int fd, std::string path, IOMode mode,
                      const DirectIOAlignment& alignment)
      : fd_(fd),
        path_(std::move(path)),
        mode_(mode),
        alignment_(mode == IOMode::kDirect ? alignment : DirectIOAlignment{}) {}
  ~PosixSequentialFile() override { close(fd_); }
  PosixSequentialFile(const PosixSequentialFile&) = delete;
  PosixSequentialFile& operator=(const PosixSequentialFile&) = delete;

  bool use_direct_io() const override { return mode_ == IOMode::kDirect; }
  IOMode mode() const override { return mode_; }
  DirectIOAlignment alignment() const override { return alignment_; }
  const std::string& path() const override { return path_; }

  IOStatus Read(size_t n, Slice* result, char* scratch) override {
    *result = Slice();
    const bool direct = mode_ == IOMode::kDirect;
    if (direct) {
      IOStatus s = CheckDirectIOAlignment("read", path_, position_, n, scratch,
                                          alignment_);
      if (!s.ok()) {
        // After a short read at the end of the file the position is
        // unaligned; reading on is end of file, not a caller error.
        uint64_t size = 0;
        if (!IsAligned(position_, alignment_.offset) &&
            FstatSize(fd_, path_, &size).ok() && position_ >= size) {
          return IOStatus::OK();
        }
        return s;
      }
    }
    size_t bytes_read = 0;
    STRATA_RETURN_IF_ERROR(PreadUpTo(fd_, path_, position_, n, scratch,
                                     direct ? alignment_.offset : 0,
                                     &bytes_read));
    position_ += bytes_read;
    *result = Slice(scratch, bytes_read);
    return IOStatus::OK();
  }

  IOStatus Skip(uint64_t n) override {
    uint64_t size = 0;
    STRATA_RETURN_IF_ERROR(FstatSize(fd_, path_, &size));
    position_ = std::max(position_, std::min(position_ + n, size));
    return IOStatus::OK();
  }

 private:
  const int fd_;
  const std::string path_;
  const IOMode mode_;
  const DirectIOAlignment alignment_;
  uint64_t position_ = 0;
};

class PosixDirectory final : public Directory {
 public:
  PosixDirectory(int fd, std::string path) : descriptor_(fd, std::move(path)) {}

  IOStatus Fsync() override {
    if (descriptor_.closed()) {
      return Status::IOError(ClosedContext(
          PathErrorContext("fsync directory", descriptor_.path())));
    }
    if (fsync(descriptor_.fd()) != 0) {
      return IOStatus::FromErrno(
          PathErrorContext("fsync directory", descriptor_.path()), errno);
    }
    return IOStatus::OK();
  }

  IOStatus Close() override { return descriptor_.Close("closing directory"); }

 private:
  PosixDescriptor descriptor_;
};

}  // namespace

std::unique_ptr<WritableFile> NewPosixWritableFile(
    int fd, std::string path, IOMode mode, const DirectIOAlignment& alignment,
    bool range_sync_usable) {
  assert(mode != IOMode::kMmap);
  return std::make_unique<PosixWritableFile>(fd, std::move(path), mode,
                                             alignment, range_sync_usable);
}

std::unique_ptr<RandomAccessFile> NewPosixRandomAccessFile(
    int fd, std::string path, IOMode mode, const DirectIOAlignment& alignment) {
  assert(mode != IOMode::kMmap);
  return std::make_unique<PosixRandomAccessFile>(fd, std::move(path), mode,
                                                 alignment);
}

std::unique_ptr<SequentialFile> NewPosixSequentialFile(
    int fd, std::string path, IOMode mode, const DirectIOAlignment& alignment) {
  assert(mode != IOMode::kMmap);
  return std::make_unique<PosixSequentialFile>(fd, std::move(path), mode,
                                               alignment);
}

std::unique_ptr<Directory> NewPosixDirectory(int fd, std::string path) {
  return std::make_unique<PosixDirectory>(fd, std::move(path));
}

bool SyncFileRangeUsable(int fd) {
#ifdef __linux__
  struct statfs sfs;
  if (fstatfs(fd, &sfs) == 0 &&
      static_cast<long>(sfs.f_type) == kZfsSuperMagic) {
    return false;
  }
  // An empty request does nothing but tells whether the call exists.
  if (sync_file_range(fd, 0, 0, 0) != 0 && errno == ENOSYS) {
    return false;
  }
  return true;
#else
  (void)fd;
  return false;
#endif
}

}  // namespace strata
