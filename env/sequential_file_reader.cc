#include "env/sequential_file_reader.h"

#include <cstring>

namespace strata {

Status SequentialFileReader::Create(
    std::unique_ptr<SequentialFile> file,
    std::unique_ptr<SequentialFileReader>* result) {
  if (file->use_direct_io()) {
    return Status::InvalidArgument(
        file->path() +
        ": sequential reads (WAL, MANIFEST) are always buffered; the file "
        "was opened for direct I/O");
  }
  result->reset(new SequentialFileReader(std::move(file)));
  return Status::OK();
}

IOStatus SequentialFileReader::Read(size_t n, Slice* result, char* scratch) {
  size_t done = 0;
  while (done < n) {
    Slice chunk;
    IOStatus s = file_->Read(n - done, &chunk, scratch + done);
    if (!s.ok()) {
      *result = Slice();
      return s;
    }
    if (chunk.empty()) {
      break;  // End of file.
    }
    if (chunk.data() != scratch + done) {
      std::memmove(scratch + done, chunk.data(), chunk.size());
    }
    done += chunk.size();
  }
  offset_ += done;
  *result = Slice(scratch, done);
  return IOStatus::OK();
}

IOStatus SequentialFileReader::Skip(uint64_t n) {
  IOStatus s = file_->Skip(n);
  if (s.ok()) {
    offset_ += n;
  }
  return s;
}

}  // namespace strata
