// Forwarding bases for file systems and files that wrap another one and
// change only a few calls (counting, recording, injecting faults): derive,
// override what differs, and every other call goes to the wrapped object.
//
// Ownership: FileSystemWrapper borrows its target, which must outlive it and
// every file opened through it; the file wrappers own the file they wrap.
// Thread-safety: as the wrapped object.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "strata/file_system.h"

namespace strata {

class WritableFileWrapper : public WritableFile {
 public:
  explicit WritableFileWrapper(std::unique_ptr<WritableFile> target)
      : target_(std::move(target)) {}

  bool use_direct_io() const override { return target_->use_direct_io(); }
  IOMode mode() const override { return target_->mode(); }
  DirectIOAlignment alignment() const override { return target_->alignment(); }
  const std::string& path() const override { return target_->path(); }
  IOStatus Append(Slice data) override { return target_->Append(data); }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    return target_->PositionedAppend(data, offset);
  }
  IOStatus Truncate(uint64_t size) override { return target_->Truncate(size); }
  IOStatus Flush() override { return target_->Flush(); }
  IOStatus Sync() override { return target_->Sync(); }
  IOStatus Fsync() override { return target_->Fsync(); }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes) override {
    return target_->RangeSync(offset, nbytes);
  }
  IOStatus Allocate(uint64_t offset, uint64_t len) override {
    return target_->Allocate(offset, len);
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) override {
    return target_->InvalidateCache(offset, len);
  }
  IOStatus Close() override { return target_->Close(); }
  uint64_t GetFileSize() const override { return target_->GetFileSize(); }

 protected:
  WritableFile* target() const { return target_.get(); }

 private:
  std::unique_ptr<WritableFile> target_;
};

class RandomAccessFileWrapper : public RandomAccessFile {
 public:
  explicit RandomAccessFileWrapper(std::unique_ptr<RandomAccessFile> target)
      : target_(std::move(target)) {}

  bool use_direct_io() const override { return target_->use_direct_io(); }
  IOMode mode() const override { return target_->mode(); }
  DirectIOAlignment alignment() const override { return target_->alignment(); }
  const std::string& path() const override { return target_->path(); }
  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    return target_->Read(offset, n, result, scratch);
  }
  IOStatus MultiRead(ReadRequest* requests,
                     size_t num_requests) const override {
    return target_->MultiRead(requests, num_requests);
  }
  IOStatus Prefetch(uint64_t offset, size_t n) const override {
    return target_->Prefetch(offset, n);
  }
  IOStatus Hint(AccessPattern pattern) const override {
    return target_->Hint(pattern);
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    return target_->InvalidateCache(offset, len);
  }
  IOStatus GetFileSize(uint64_t* size) const override {
    return target_->GetFileSize(size);
  }

 protected:
  RandomAccessFile* target() const { return target_.get(); }

 private:
  std::unique_ptr<RandomAccessFile> target_;
};

class SequentialFileWrapper : public SequentialFile {
 public:
  explicit SequentialFileWrapper(std::unique_ptr<SequentialFile> target)
      : target_(std::move(target)) {}

  bool use_direct_io() const override { return target_->use_direct_io(); }
  IOMode mode() const override { return target_->mode(); }
  DirectIOAlignment alignment() const override { return target_->alignment(); }
  const std::string& path() const override { return target_->path(); }
  IOStatus Read(size_t n, Slice* result, char* scratch) override {
    return target_->Read(n, result, scratch);
  }
  IOStatus Skip(uint64_t n) override { return target_->Skip(n); }

 protected:
  SequentialFile* target() const { return target_.get(); }

 private:
  std::unique_ptr<SequentialFile> target_;
};

class FileSystemWrapper : public FileSystem {
 public:
  explicit FileSystemWrapper(FileSystem* target) : target_(target) {}

  const char* Name() const override { return target_->Name(); }
  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override {
    return target_->NewWritableFile(path, options, result);
  }
  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override {
    return target_->NewRandomAccessFile(path, options, result);
  }
  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override {
    return target_->NewSequentialFile(path, options, result);
  }
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override {
    return target_->NewDirectory(path, result);
  }
  IOStatus FileExists(const std::string& path) override {
    return target_->FileExists(path);
  }
  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override {
    return target_->GetChildren(dir, names);
  }
  IOStatus DeleteFile(const std::string& path) override {
    return target_->DeleteFile(path);
  }
  IOStatus CreateDir(const std::string& path) override {
    return target_->CreateDir(path);
  }
  IOStatus CreateDirIfMissing(const std::string& path) override {
    return target_->CreateDirIfMissing(path);
  }
  IOStatus DeleteDir(const std::string& path) override {
    return target_->DeleteDir(path);
  }
  IOStatus GetFileSize(const std::string& path, uint64_t* size) override {
    return target_->GetFileSize(path, size);
  }
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override {
    return target_->RenameFile(source, target);
  }
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override {
    return target_->LinkFile(source, target);
  }
  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override {
    return target_->LockFile(path, lock);
  }
  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override {
    return target_->UnlockFile(std::move(lock));
  }

 protected:
  FileSystem* target() const { return target_; }

 private:
  FileSystem* const target_;
};

}  // namespace strata
