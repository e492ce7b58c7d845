#include "env/fake_file_system_files.h"

#include <algorithm>
#include <cerrno>
#include <mutex>
#include <string_view>

#include "env/io_errors.h"

namespace strata {

namespace {

using Guard = std::lock_guard<std::mutex>;

// What every object shares: its node, its state and whether it can still be
// used. Not thread-safe itself (closed_); the callers say what they allow.
class Handle {
 public:
  explicit Handle(FakeOpenFile file) : f_(std::move(file)) {}

 protected:
  // 0 if the object can still be used, else EBADF after Close, or ESTALE
  // (what NFS reports for a handle whose file is gone) after a simulated
  // crash. REQUIRES: the state's mutex is held.
  int Unusable() const {
    if (closed_) {
      return EBADF;
    }
    return f_.generation != f_.state->generation() ? ESTALE : 0;
  }

  // The emulated kernel's verdict on a direct transfer that passed the
  // reported alignment: 0, or EINVAL when the file system refuses direct
  // I/O or needs a larger (hidden) alignment. Length 0 transfers nothing
  // and always succeeds.
  int KernelRefusesDirect(uint64_t offset, size_t len) const {
    const FakeFileSystem::Options& o = f_.state->options();
    if (len == 0) {
      return 0;
    }
    if (o.reject_direct_io) {
      return EINVAL;
    }
    const size_t hidden = o.hidden_direct_alignment;
    if (hidden != 0 &&
        (!IsAligned(offset, hidden) || !IsAligned(len, hidden))) {
      return EINVAL;
    }
    return 0;
  }

  bool direct() const { return f_.mode == IOMode::kDirect; }
  DirectIOAlignment reported_alignment() const {
    return direct() ? f_.state->direct_alignment() : DirectIOAlignment();
  }
  std::mutex& mutex() const { return f_.state->mutex(); }
  FakeFsState& state() const { return *f_.state; }
  FakeNode* node() const { return f_.node.get(); }

  FakeOpenFile f_;
  bool closed_ = false;
};

// The status of a call on an unusable handle (Unusable() != 0) in
// `context`, which names the file. A closed file gets PosixFileSystem's
// text, "<context>: file is already closed".
IOStatus UnusableError(const std::string& context, int err) {
  if (err == EBADF) {
    return Status::IOError(context + ": file is already closed");
  }
  return IOStatus::FromErrno(context, err);
}

IOStatus HandleError(std::string_view what, const std::string& path, int err) {
  return UnusableError(PathErrorContext(what, path), err);
}

class FakeWritableFile final : public WritableFile, private Handle {
 public:
  explicit FakeWritableFile(FakeOpenFile file) : Handle(std::move(file)) {}

  bool use_direct_io() const override { return direct(); }
  IOMode mode() const override { return f_.mode; }
  DirectIOAlignment alignment() const override { return reported_alignment(); }
  const std::string& path() const override { return f_.path; }

  IOStatus Append(Slice data) override { return Write("append", size_, data); }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    return Write("pwrite", offset, data);
  }

  IOStatus Truncate(uint64_t size) override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("ftruncate file to size " + std::to_string(size),
                         f_.path, err);
    }
    state().Resize(node(), size);
    size_ = size;
    return IOStatus::OK();
  }

  IOStatus Flush() override { return Check("flush"); }

  IOStatus Sync() override { return Persist("fdatasync"); }
  IOStatus Fsync() override { return Persist("fsync"); }

  // sync_file_range only starts write-back; nothing becomes durable.
  IOStatus RangeSync(uint64_t /*offset*/, uint64_t /*nbytes*/) override {
    return Check("sync_file_range");
  }

  // The model has no space accounting to reserve.
  IOStatus Allocate(uint64_t /*offset*/, uint64_t /*len*/) override {
    return Check("fallocate");
  }

  IOStatus InvalidateCache(uint64_t offset, uint64_t len) override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("fadvise", f_.path, err);
    }
    if (!direct()) {
      state().DropClean(node(), offset, len);
    }
    return IOStatus::OK();
  }

  IOStatus Close() override {
    if (closed_) {
      return IOStatus::OK();
    }
    Guard lock(mutex());
    const int err = Unusable();
    closed_ = true;
    return err == 0 ? IOStatus::OK()
                    : HandleError("closing file after writing", f_.path, err);
  }

  uint64_t GetFileSize() const override { return size_; }

 private:
  IOStatus Write(std::string_view op, uint64_t offset, Slice data) {
    if (direct()) {
      // The raw files check the reported alignment before the kernel sees
      // anything; the file is left untouched.
      STRATA_RETURN_IF_ERROR(CheckDirectIOAlignment(
          op, f_.path, offset, data.size(), data.data(), reported_alignment()));
    }
    Guard lock(mutex());
    int err = Unusable();
    if (err == 0 && direct()) {
      err = KernelRefusesDirect(offset, data.size());
    }
    if (err != 0) {
      return UnusableError(WriteErrorContext(f_.path, offset, data.size()),
                           err);
    }
    FakeFsState::WriteAt(node(), offset, data);
    if (direct()) {
      // The kernel writes back and invalidates the cached pages the direct
      // write overlaps, so later buffered reads see the new bytes.
      state().DropOverlapping(node(), offset, data.size());
    } else {
      state().Populate(node(), offset, data.size(), /*dirty=*/true);
    }
    size_ = offset + data.size();
    return IOStatus::OK();
  }

  IOStatus Persist(std::string_view what) {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError(what, f_.path, err);
    }
    // fdatasync and fsync persist the same things here: the content and
    // its size (fdatasync persists a size change because later reads need
    // it); the model keeps no other metadata.
    FakeFsState::Persist(node());
    return IOStatus::OK();
  }

  IOStatus Check(std::string_view what) {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError(what, f_.path, err);
    }
    return IOStatus::OK();
  }

  uint64_t size_ = 0;  // The file is created empty or truncated at open.
};

class FakeRandomAccessFile final : public RandomAccessFile, private Handle {
 public:
  explicit FakeRandomAccessFile(FakeOpenFile file) : Handle(std::move(file)) {
    if (f_.mode == IOMode::kMmap) {
      mapping_ = node()->data;  // The mapping covers the size at open.
    }
  }

  bool use_direct_io() const override { return direct(); }
  IOMode mode() const override { return f_.mode; }
  DirectIOAlignment alignment() const override { return reported_alignment(); }
  const std::string& path() const override { return f_.path; }

  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    *result = Slice();
    if (direct()) {
      STRATA_RETURN_IF_ERROR(CheckDirectIOAlignment(
          "pread", f_.path, offset, n, scratch, reported_alignment()));
    }
    Guard lock(mutex());
    int err = Unusable();
    if (err == 0 && direct()) {
      err = KernelRefusesDirect(offset, n);
    }
    if (err != 0) {
      return UnusableError(ReadErrorContext(f_.path, offset, n), err);
    }
    if (f_.mode == IOMode::kMmap) {
      const size_t count = offset >= mapping_.size()
                               ? 0
                               : static_cast<size_t>(std::min<uint64_t>(
                                     n, mapping_.size() - offset));
      state().Populate(node(), offset, count, /*dirty=*/false);
      if (count != 0) {
        *result = Slice(mapping_.data() + offset, count);
      }
      return IOStatus::OK();
    }
    const size_t count = FakeFsState::ReadAt(*node(), offset, n, scratch);
    if (direct()) {
      // Before a direct read the kernel writes back the dirty pages of the
      // range, so the read sees them; nothing is added to the cache.
      state().CleanOverlapping(node(), offset, n);
    } else {
      state().Populate(node(), offset, count, /*dirty=*/false);
    }
    *result = Slice(scratch, count);
    return IOStatus::OK();
  }

  IOStatus Prefetch(uint64_t offset, size_t n) const override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("readahead", f_.path, err);
    }
    const uint64_t size = node()->data.size();
    if (f_.mode == IOMode::kBuffered && offset < size) {
      state().Populate(node(), offset, std::min<uint64_t>(n, size - offset),
                       /*dirty=*/false);
    }
    return IOStatus::OK();
  }

  IOStatus Hint(AccessPattern /*pattern*/) const override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("fadvise", f_.path, err);
    }
    return IOStatus::OK();
  }

  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("fadvise", f_.path, err);
    }
    if (!direct()) {
      state().DropClean(node(), offset, len);
    }
    return IOStatus::OK();
  }

  IOStatus GetFileSize(uint64_t* size) const override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      *size = 0;
      return HandleError("fstat", f_.path, err);
    }
    *size = node()->data.size();
    return IOStatus::OK();
  }

 private:
  std::string mapping_;  // mmap files only; immutable after construction.
};

class FakeSequentialFile final : public SequentialFile, private Handle {
 public:
  explicit FakeSequentialFile(FakeOpenFile file) : Handle(std::move(file)) {}

  bool use_direct_io() const override { return direct(); }
  IOMode mode() const override { return f_.mode; }
  DirectIOAlignment alignment() const override { return reported_alignment(); }
  const std::string& path() const override { return f_.path; }

  IOStatus Read(size_t n, Slice* result, char* scratch) override {
    *result = Slice();
    IOStatus misaligned;
    if (direct()) {
      misaligned = CheckDirectIOAlignment("read", f_.path, position_, n,
                                          scratch, reported_alignment());
    }
    Guard lock(mutex());
    if (!misaligned.ok()) {
      // After a short read at the end the position is unaligned; reading on
      // is the end of the file, not a caller error (as PosixFileSystem).
      const bool at_end = !IsAligned(position_, reported_alignment().offset) &&
                          position_ >= node()->data.size();
      if (!at_end) {
        return misaligned;
      }
      const int err = Unusable();
      return err == 0
                 ? IOStatus::OK()
                 : UnusableError(ReadErrorContext(f_.path, position_, n), err);
    }
    int err = Unusable();
    if (err == 0 && direct()) {
      err = KernelRefusesDirect(position_, n);
    }
    if (err != 0) {
      return UnusableError(ReadErrorContext(f_.path, position_, n), err);
    }
    const size_t count = FakeFsState::ReadAt(*node(), position_, n, scratch);
    if (direct()) {
      state().CleanOverlapping(node(), position_, n);
    } else {
      state().Populate(node(), position_, count, /*dirty=*/false);
    }
    position_ += count;
    *result = Slice(scratch, count);
    return IOStatus::OK();
  }

  IOStatus Skip(uint64_t n) override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("lseek to skip " + std::to_string(n) + " bytes",
                         f_.path, err);
    }
    const uint64_t size = node()->data.size();
    if (position_ < size) {
      position_ += std::min<uint64_t>(n, size - position_);
    }
    return IOStatus::OK();
  }

 private:
  uint64_t position_ = 0;
};

class FakeDirectory final : public Directory, private Handle {
 public:
  explicit FakeDirectory(FakeOpenFile dir) : Handle(std::move(dir)) {}

  // The directory's entries as they are now become what survives a crash.
  IOStatus Fsync() override {
    Guard lock(mutex());
    if (int err = Unusable()) {
      return HandleError("fsync directory", f_.path, err);
    }
    node()->durable_children = node()->children;
    return IOStatus::OK();
  }

  IOStatus Close() override {
    if (closed_) {
      return IOStatus::OK();
    }
    Guard lock(mutex());
    const int err = Unusable();
    closed_ = true;
    return err == 0 ? IOStatus::OK()
                    : HandleError("close directory", f_.path, err);
  }
};

}  // namespace

std::unique_ptr<WritableFile> NewFakeWritableFile(FakeOpenFile file) {
  return std::make_unique<FakeWritableFile>(std::move(file));
}

std::unique_ptr<RandomAccessFile> NewFakeRandomAccessFile(FakeOpenFile file) {
  return std::make_unique<FakeRandomAccessFile>(std::move(file));
}

std::unique_ptr<SequentialFile> NewFakeSequentialFile(FakeOpenFile file) {
  return std::make_unique<FakeSequentialFile>(std::move(file));
}

std::unique_ptr<Directory> NewFakeDirectory(FakeOpenFile dir) {
  return std::make_unique<FakeDirectory>(std::move(dir));
}

}  // namespace strata
