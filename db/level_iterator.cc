#include "db/level_iterator.h"

#include <algorithm>
#include <cassert>

#include "table/internal_key.h"

namespace strata {
namespace {

class LevelIterator final : public InternalIterator {
 public:
  LevelIterator(std::vector<LevelFileRange> files, LevelFileOpener open_file)
      : files_(std::move(files)), open_file_(std::move(open_file)) {}

  bool Valid() const override { return file_iter_ && file_iter_->Valid(); }
  Slice key() const override {
    assert(Valid());
    return file_iter_->key();
  }
  Slice value() const override {
    assert(Valid());
    return file_iter_->value();
  }
  Status status() const override {
    return file_iter_ ? file_iter_->status() : Status::OK();
  }

  void SeekToFirst() override {
    if (!OpenFile(0)) return;
    file_iter_->SeekToFirst();
    SkipEmptyFilesForward();
  }

  void SeekToLast() override {
    if (files_.empty()) {
      CloseFile();
      return;
    }
    OpenFile(files_.size() - 1);
    file_iter_->SeekToLast();
    SkipEmptyFilesBackward();
  }

  void Seek(Slice target) override {
    // The first file whose largest key is >= target.
    auto it = std::lower_bound(files_.begin(), files_.end(), target,
                               [](const LevelFileRange& f, Slice t) {
                                 return InternalKeyComparator::Compare(
                                            f.largest, t) < 0;
                               });
    if (!OpenFile(static_cast<size_t>(it - files_.begin()))) return;
    file_iter_->Seek(target);
    SkipEmptyFilesForward();
  }

  void SeekForPrev(Slice target) override {
    // The last file whose smallest key is <= target.
    auto it = std::upper_bound(files_.begin(), files_.end(), target,
                               [](Slice t, const LevelFileRange& f) {
                                 return InternalKeyComparator::Compare(
                                            t, f.smallest) < 0;
                               });
    if (it == files_.begin()) {
      CloseFile();
      return;
    }
    OpenFile(static_cast<size_t>(it - files_.begin()) - 1);
    file_iter_->SeekForPrev(target);
    SkipEmptyFilesBackward();
  }

  void Next() override {
    assert(Valid());
    file_iter_->Next();
    SkipEmptyFilesForward();
  }

  void Prev() override {
    assert(Valid());
    file_iter_->Prev();
    SkipEmptyFilesBackward();
  }

 private:
  static constexpr size_t kNoFile = ~size_t{0};

  // Makes file `index` the open one, reusing its iterator when it is
  // already open and healthy (a failed one is reopened: the failure may
  // have been transient). Returns false, with no file open, when index is
  // past the last file.
  bool OpenFile(size_t index) {
    if (index >= files_.size()) {
      CloseFile();
      return false;
    }
    if (index != file_index_ || !file_iter_ || !file_iter_->status().ok()) {
      file_iter_.reset();  // At most one file open at a time.
      file_iter_ = open_file_(index);
      assert(file_iter_ != nullptr);
      file_index_ = index;
    }
    return true;
  }

  void CloseFile() {
    file_iter_.reset();
    file_index_ = kNoFile;
  }

  // The open file is exhausted (not failed): go on with the next ones.
  void SkipEmptyFilesForward() {
    while (!file_iter_->Valid() && file_iter_->status().ok() &&
           file_index_ + 1 < files_.size()) {
      OpenFile(file_index_ + 1);
      file_iter_->SeekToFirst();
    }
  }

  void SkipEmptyFilesBackward() {
    while (!file_iter_->Valid() && file_iter_->status().ok() &&
           file_index_ > 0) {
      OpenFile(file_index_ - 1);
      file_iter_->SeekToLast();
    }
  }

  const std::vector<LevelFileRange> files_;
  const LevelFileOpener open_file_;
  size_t file_index_ = kNoFile;
  std::unique_ptr<InternalIterator> file_iter_;  // Of files_[file_index_].
};

}  // namespace

std::unique_ptr<InternalIterator> NewLevelIterator(
    std::vector<LevelFileRange> files, LevelFileOpener open_file) {
  return std::make_unique<LevelIterator>(std::move(files),
                                         std::move(open_file));
}

}  // namespace strata
