// TailRewriteDetector: a FileSystem wrapper that finds clean tails written
// again: a write to a file whose offset, length and bytes are exactly those
// of the previous write to the same file (a Flush or Close with nothing new
// reissuing the padded last page; spec S43). The recorder of
// FaultInjectionFileSystem sees offsets and lengths but not bytes, so it
// cannot tell a clean tail from a carried-over tail that gained data.
//
// Everything else is forwarded unchanged; files forward mode() and
// alignment() of the files they wrap.
// Thread-safety: as FileSystem; the counters may be read concurrently.
// Ownership: borrows `base`, which must outlive this object and its files.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/file_system.h"

namespace strata::matrix {

class TailRewriteDetector final : public FileSystem {
 public:
  explicit TailRewriteDetector(FileSystem* base) : base_(base) {}
  const char* Name() const override { return "TailRewriteDetector"; }

  // Writes that repeated the previous write of their file byte for byte.
  uint64_t clean_rewrites() const;
  // "path @ offset+length" of up to 5 of them.
  std::vector<std::string> examples() const;

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override;
  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override {
    return base_->NewRandomAccessFile(path, options, result);
  }
  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override {
    return base_->NewSequentialFile(path, options, result);
  }
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override {
    return base_->NewDirectory(path, result);
  }
  IOStatus FileExists(const std::string& path) override {
    return base_->FileExists(path);
  }
  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override {
    return base_->GetChildren(dir, names);
  }
  IOStatus DeleteFile(const std::string& path) override {
    return base_->DeleteFile(path);
  }
  IOStatus CreateDir(const std::string& path) override {
    return base_->CreateDir(path);
  }
  IOStatus CreateDirIfMissing(const std::string& path) override {
    return base_->CreateDirIfMissing(path);
  }
  IOStatus DeleteDir(const std::string& path) override {
    return base_->DeleteDir(path);
  }
  IOStatus GetFileSize(const std::string& path, uint64_t* size) override {
    return base_->GetFileSize(path, size);
  }
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override {
    return base_->RenameFile(source, target);
  }
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override {
    return base_->LinkFile(source, target);
  }
  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override {
    return base_->LockFile(path, lock);
  }
  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override {
    return base_->UnlockFile(std::move(lock));
  }

  // Called by the wrapped files.
  void Report(const std::string& path, uint64_t offset, uint64_t length);

 private:
  FileSystem* const base_;
  mutable std::mutex mutex_;
  uint64_t clean_rewrites_ = 0;        // Guarded by mutex_.
  std::vector<std::string> examples_;  // Guarded by mutex_.
};

}  // namespace strata::matrix
