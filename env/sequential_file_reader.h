// SequentialFileReader: reads a file from start to end in any chunk sizes,
// for the WAL and MANIFEST readers. Always buffered: a direct SequentialFile
// is refused (../shared/ARCHITECTURE.md: the WAL and MANIFEST never use
// direct I/O).
//
// Reads are complete: a short transfer is continued until the requested
// count or the end of the file. Ownership: owns the SequentialFile. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

class SequentialFileReader {
 public:
  // InvalidArgument (naming the path) if `file` uses direct I/O.
  static Status Create(std::unique_ptr<SequentialFile> file,
                       std::unique_ptr<SequentialFileReader>* result);

  // Reads up to n bytes into scratch; *result points into scratch. Fewer
  // than n bytes only at end of file; empty at end of file.
  IOStatus Read(size_t n, Slice* result, char* scratch);
  // Skips n bytes (not past the end).
  IOStatus Skip(uint64_t n);
  // Bytes consumed so far (read or skipped).
  uint64_t offset() const { return offset_; }
  const std::string& path() const { return file_->path(); }

 private:
  explicit SequentialFileReader(std::unique_ptr<SequentialFile> file)
      : file_(std::move(file)) {}

  std::unique_ptr<SequentialFile> file_;
  uint64_t offset_ = 0;
};

}  // namespace strata
