#include "env/posix_mmap_files.h"

#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "env/io_errors.h"
#include "env/posix_io.h"

namespace strata {

namespace {

class PosixMmapWritableFile final : public WritableFile {
 public:
  PosixMmapWritableFile(int fd, std::string path, bool range_sync_usable)
      : descriptor_(fd, std::move(path)),
        range_sync_usable_(range_sync_usable) {}

  ~PosixMmapWritableFile() override {
    if (!descriptor_.closed()) {
      // Close() was not called: still trim the chunk padding so the file
      // does not keep zeros past what was written. Errors are ignored: a
      // destructor has no one to report them to.
      Unmap().PermitUncheckedError();
      if (ftruncate(descriptor_.fd(), static_cast<off_t>(size_)) != 0) {
        // Ignored, as above.
      }
    }
  }

  bool use_direct_io() const override { return false; }
  IOMode mode() const override { return IOMode::kMmap; }
  DirectIOAlignment alignment() const override { return {}; }
  const std::string& path() const override { return descriptor_.path(); }

  IOStatus Append(Slice data) override { return WriteAt(data, size_); }

  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    return WriteAt(data, offset);
  }

  IOStatus Truncate(uint64_t size) override {
    const std::string context = PathErrorContext(
        "truncate mmap file to size " + std::to_string(size), path());
    if (descriptor_.closed()) {
      return Status::IOError(ClosedContext(context));
    }
    STRATA_RETURN_IF_ERROR(EnsureCapacity(size, context));
    // The file on disk keeps its chunk-rounded length until Close(); bytes
    // past the new size must read as zeros if the file grows again.
    if (size < written_end_) {
      std::memset(base_ + size, 0, written_end_ - size);
      written_end_ = size;
    }
    size_ = size;
    return IOStatus::OK();
  }

  IOStatus Flush() override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "flush", path()));
    return IOStatus::OK();
  }

  IOStatus Sync() override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "msync", path()));
    STRATA_RETURN_IF_ERROR(Msync());
    // msync writes the pages; the growth by ftruncate is metadata that
    // fdatasync makes durable too.
    return DataSync(descriptor_.fd(), path());
  }

  IOStatus Fsync() override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "fsync", path()));
    STRATA_RETURN_IF_ERROR(Msync());
    return FullSync(descriptor_.fd(), path());
  }

  IOStatus RangeSync(uint64_t offset, uint64_t nbytes) override {
    STRATA_RETURN_IF_ERROR(CheckOpen(descriptor_, "sync_file_range", path()));
    // Pages written through a shared mapping are dirty page-cache pages, so
    // sync_file_range starts their write-back like a buffered file's.
    if (!range_sync_usable_) {
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
    // Pages still mapped are not dropped; the call only helps for ranges
    // already written back.
    return FadviseDontNeed(descriptor_.fd(), path(), offset, len);
  }

  IOStatus Close() override {
    if (descriptor_.closed()) {
      return IOStatus::OK();
    }
    IOStatus s = Unmap();
    if (ftruncate(descriptor_.fd(), static_cast<off_t>(size_)) != 0 && s.ok()) {
      s = IOStatus::FromErrno(
          PathErrorContext("ftruncate mmap file to its written size " +
                               std::to_string(size_),
                           path()),
          errno);
    }
    IOStatus close_status = descriptor_.Close("closing file after writing");
    return s.ok() ? close_status : s;
  }

  uint64_t GetFileSize() const override { return size_; }

 private:
  IOStatus WriteAt(Slice data, uint64_t offset) {
    const std::string context = WriteErrorContext(path(), offset, data.size());
    if (descriptor_.closed()) {
      return Status::IOError(ClosedContext(context));
    }
    const uint64_t end = offset + data.size();
    STRATA_RETURN_IF_ERROR(EnsureCapacity(end, context));
    if (!data.empty()) {
      std::memcpy(base_ + offset, data.data(), data.size());
    }
    written_end_ = std::max(written_end_, end);
    size_ = end;
    return IOStatus::OK();
  }

  // Grows the file and the mapping to whole chunks covering [0, needed).
  IOStatus EnsureCapacity(uint64_t needed, const std::string& context) {
    if (needed <= capacity_) {
      return IOStatus::OK();
    }
    const uint64_t new_capacity = RoundUp(needed, kMmapWriteChunkBytes);
    if (ftruncate(descriptor_.fd(), static_cast<off_t>(new_capacity)) != 0) {
      return IOStatus::FromErrno(context +
                                     ": ftruncate to grow the mapping to " +
                                     std::to_string(new_capacity),
                                 errno);
    }
    void* mapped;
#ifdef __linux__
    if (base_ != nullptr) {
      mapped = mremap(base_, capacity_, new_capacity, MREMAP_MAYMOVE);
    } else {
      mapped = mmap(nullptr, new_capacity, PROT_READ | PROT_WRITE, MAP_SHARED,
                    descriptor_.fd(), 0);
    }
#else
    Unmap().PermitUncheckedError();  // munmap fails only on bad arguments.
    mapped = mmap(nullptr, new_capacity, PROT_READ | PROT_WRITE, MAP_SHARED,
                  descriptor_.fd(), 0);
#endif
    if (mapped == MAP_FAILED) {
      return IOStatus::FromErrno(
          context + ": mmap of " + std::to_string(new_capacity) + " bytes",
          errno);
    }
    base_ = static_cast<char*>(mapped);
    capacity_ = new_capacity;
    return IOStatus::OK();
  }

  IOStatus Msync() {
    if (base_ == nullptr || size_ == 0) {
      return IOStatus::OK();
    }
    const uint64_t len = std::min(size_, capacity_);
    if (msync(base_, len, MS_SYNC) != 0) {
      return IOStatus::FromErrno(
          PathErrorContext("msync offset 0 len " + std::to_string(len), path()),
          errno);
    }
    return IOStatus::OK();
  }

  IOStatus Unmap() {
    if (base_ == nullptr) {
      return IOStatus::OK();
    }
    const int rc = munmap(base_, capacity_);
    const int err = errno;
    base_ = nullptr;
    capacity_ = 0;
    if (rc != 0) {
      return IOStatus::FromErrno(PathErrorContext("munmap", path()), err);
    }
    return IOStatus::OK();
  }

  PosixDescriptor descriptor_;
  const bool range_sync_usable_;
  char* base_ = nullptr;      // Shared mapping of [0, capacity_).
  uint64_t capacity_ = 0;     // File length on disk until Close().
  uint64_t size_ = 0;         // Logical size: where the next Append writes.
  uint64_t written_end_ = 0;  // End of the highest byte ever written.
};

class PosixMmapReadableFile final : public RandomAccessFile {
 public:
  // Takes ownership of fd and of the mapping [base, base + length).
  PosixMmapReadableFile(int fd, std::string path, const char* base,
                        uint64_t length)
      : fd_(fd), path_(std::move(path)), base_(base), length_(length) {}
  ~PosixMmapReadableFile() override {
    if (base_ != nullptr) {
      munmap(const_cast<char*>(base_), length_);
    }
    close(fd_);
  }
  PosixMmapReadableFile(const PosixMmapReadableFile&) = delete;
  PosixMmapReadableFile& operator=(const PosixMmapReadableFile&) = delete;

  bool use_direct_io() const override { return false; }
  IOMode mode() const override { return IOMode::kMmap; }
  DirectIOAlignment alignment() const override { return {}; }
  const std::string& path() const override { return path_; }

  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* /*scratch*/) const override {
    if (offset >= length_) {
      *result = Slice();
      return IOStatus::OK();
    }
    const size_t available =
        static_cast<size_t>(std::min<uint64_t>(n, length_ - offset));
    *result = Slice(base_ + offset, available);
    return IOStatus::OK();
  }

  IOStatus Prefetch(uint64_t /*offset*/, size_t /*n*/) const override {
    return IOStatus::OK();  // Page faults read ahead on their own.
  }

  IOStatus Hint(AccessPattern pattern) const override {
    if (base_ == nullptr) {
      return IOStatus::OK();
    }
    // Faults on a mapping follow the mapping's advice, not the file's.
    int advice = MADV_NORMAL;
    switch (pattern) {
      case AccessPattern::kNormal:
        advice = MADV_NORMAL;
        break;
      case AccessPattern::kRandom:
        advice = MADV_RANDOM;
        break;
      case AccessPattern::kSequential:
        advice = MADV_SEQUENTIAL;
        break;
    }
    if (madvise(const_cast<char*>(base_), length_, advice) != 0) {
      return IOStatus::FromErrno(PathErrorContext("madvise", path_), errno);
    }
    return IOStatus::OK();
  }

  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    return FadviseDontNeed(fd_, path_, offset, len);
  }

  IOStatus GetFileSize(uint64_t* size) const override {
    return FstatSize(fd_, path_, size);
  }

 private:
  const int fd_;
  const std::string path_;
  const char* const base_;  // Null for an empty file.
  const uint64_t length_;
};

}  // namespace

std::unique_ptr<WritableFile> NewPosixMmapWritableFile(int fd, std::string path,
                                                       bool range_sync_usable) {
  return std::make_unique<PosixMmapWritableFile>(fd, std::move(path),
                                                 range_sync_usable);
}

IOStatus NewPosixMmapReadableFile(int fd, std::string path,
                                  std::unique_ptr<RandomAccessFile>* result) {
  uint64_t length = 0;
  IOStatus s = FstatSize(fd, path, &length);
  if (!s.ok()) {
    close(fd);
    return s;
  }
  const char* base = nullptr;
  if (length > 0) {
    void* mapped = mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) {
      const int err = errno;
      close(fd);
      return IOStatus::FromErrno(
          PathErrorContext(
              "mmap offset 0 len " + std::to_string(length) + " for reading",
              path),
          err);
    }
    base = static_cast<const char*>(mapped);
  }
  *result = std::make_unique<PosixMmapReadableFile>(fd, std::move(path), base,
                                                    length);
  return IOStatus::OK();
}

}  // namespace strata
