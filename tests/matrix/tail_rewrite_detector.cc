#include "matrix/tail_rewrite_detector.h"

#include <functional>
#include <string_view>

namespace strata::matrix {
namespace {

class DetectingWritableFile final : public WritableFileWrapper {
 public:
  DetectingWritableFile(std::unique_ptr<WritableFile> target,
                        TailRewriteDetector* detector)
      : WritableFileWrapper(std::move(target)), detector_(detector) {}

  IOStatus Append(Slice data) override {
    Note(target()->GetFileSize(), data);
    return target()->Append(data);
  }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    Note(offset, data);
    return target()->PositionedAppend(data, offset);
  }

 private:
  void Note(uint64_t offset, Slice data) {
    const size_t hash = std::hash<std::string_view>()(
        std::string_view(data.data(), data.size()));
    if (have_last_ && offset == last_offset_ && data.size() == last_length_ &&
        hash == last_hash_ && data.size() > 0) {
      detector_->Report(path(), offset, data.size());
    }
    have_last_ = true;
    last_offset_ = offset;
    last_length_ = data.size();
    last_hash_ = hash;
  }

  TailRewriteDetector* const detector_;
  bool have_last_ = false;
  uint64_t last_offset_ = 0;
  uint64_t last_length_ = 0;
  size_t last_hash_ = 0;
};

}  // namespace

uint64_t TailRewriteDetector::clean_rewrites() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return clean_rewrites_;
}

std::vector<std::string> TailRewriteDetector::examples() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return examples_;
}

void TailRewriteDetector::Report(const std::string& path, uint64_t offset,
                                 uint64_t length) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++clean_rewrites_;
  if (examples_.size() < 5) {
    examples_.push_back(path + " @ " + std::to_string(offset) + "+" +
                        std::to_string(length));
  }
}

IOStatus TailRewriteDetector::NewWritableFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<WritableFile>* result) {
  std::unique_ptr<WritableFile> file;
  IOStatus s = target()->NewWritableFile(path, options, &file);
  if (!s.ok()) return s;
  *result = std::make_unique<DetectingWritableFile>(std::move(file), this);
  return s;
}

}  // namespace strata::matrix
