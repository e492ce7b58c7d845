// TailRewriteDetector: a FileSystem wrapper that finds clean tails written
// again: a write to a file whose offset, length and bytes are exactly those
// of the previous write to the same file (a Flush or Close with nothing new
// reissuing the padded last page; spec S43). The recorder of
// FaultInjectionFileSystem sees offsets and lengths but not bytes, so it
// cannot tell a clean tail from a carried-over tail that gained data.
//
// Everything else is forwarded unchanged (FileSystemWrapper).
// Thread-safety: as FileSystem; the counters may be read concurrently.
// Ownership: borrows `base`, which must outlive this object and its files.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "env/file_system_wrapper.h"

namespace strata::matrix {

class TailRewriteDetector final : public FileSystemWrapper {
 public:
  explicit TailRewriteDetector(FileSystem* base) : FileSystemWrapper(base) {}
  const char* Name() const override { return "TailRewriteDetector"; }

  // Writes that repeated the previous write of their file byte for byte.
  uint64_t clean_rewrites() const;
  // "path @ offset+length" of up to 5 of them.
  std::vector<std::string> examples() const;

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override;

  // Called by the wrapped files.
  void Report(const std::string& path, uint64_t offset, uint64_t length);

 private:
  mutable std::mutex mutex_;
  uint64_t clean_rewrites_ = 0;        // Guarded by mutex_.
  std::vector<std::string> examples_;  // Guarded by mutex_.
};

}  // namespace strata::matrix
