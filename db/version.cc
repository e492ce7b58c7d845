#include "db/version.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

namespace strata {

namespace {

using FilePtr = std::shared_ptr<const FileMetaData>;

bool NewestFirst(const FilePtr& a, const FilePtr& b) {
  if (a->largest_seqno != b->largest_seqno) {
    return a->largest_seqno > b->largest_seqno;
  }
  return a->number > b->number;
}

bool BySmallestKey(const FilePtr& a, const FilePtr& b) {
  const int c = InternalKeyComparator::Compare(a->smallest, b->smallest);
  return c != 0 ? c < 0 : a->number < b->number;
}

bool UserRangeOverlaps(const FileMetaData& f, const Slice* begin,
                       const Slice* end) {
  if (begin != nullptr && CompareUserKeys(f.largest_user_key(), *begin) < 0) {
    return false;
  }
  if (end != nullptr && CompareUserKeys(f.smallest_user_key(), *end) > 0) {
    return false;
  }
  return true;
}

Status ApplyError(size_t edit_index, const std::string& detail) {
  return Status::Corruption("applying version edit " +
                            std::to_string(edit_index) + ": " + detail);
}

// Bounds must be internal keys, smallest <= largest.
Status CheckFileBounds(size_t edit_index, int level, const FileMetaData& f) {
  const std::string where =
      "add L" + std::to_string(level) + " #" + std::to_string(f.number) + ": ";
  if (f.smallest.size() < kInternalKeyTrailerSize ||
      f.largest.size() < kInternalKeyTrailerSize) {
    return ApplyError(edit_index, where + "bound shorter than an internal key");
  }
  if (InternalKeyComparator::Compare(f.smallest, f.largest) > 0) {
    return ApplyError(
        edit_index,
        where + "smallest key is after largest key: " + f.DebugString());
  }
  return Status::OK();
}

}  // namespace

Version::Version(PrivateTag, int num_levels) : levels_(num_levels) {}

Status Version::Apply(const Version* base,
                      const std::vector<const VersionEdit*>& edits,
                      int num_levels, std::shared_ptr<const Version>* result) {
  assert(num_levels >= 1);
  // Every live file by number, with its level.
  std::map<uint64_t, std::pair<int, FilePtr>> live;
  if (base != nullptr) {
    for (int level = 0; level < base->num_levels(); ++level) {
      for (const FilePtr& f : base->files(level)) {
        if (level >= num_levels) {
          return Status::Corruption(
              "applying version edits: base version has file #" +
              std::to_string(f->number) + " at level " + std::to_string(level) +
              " >= num_levels " + std::to_string(num_levels));
        }
        live.emplace(f->number, std::make_pair(level, f));
      }
    }
  }

  for (size_t i = 0; i < edits.size(); ++i) {
    const VersionEdit& edit = *edits[i];
    for (const auto& [level, number] : edit.deleted_files()) {
      const std::string what = "delete L" + std::to_string(level) + " #" +
                               std::to_string(number) + ": ";
      auto it = live.find(number);
      if (it == live.end() || it->second.first != level) {
        return ApplyError(
            i,
            what + (it == live.end() ? std::string("no such file in the tree")
                                     : "the file is at level " +
                                           std::to_string(it->second.first)));
      }
      live.erase(it);
    }
    for (const auto& [level, file] : edit.new_files()) {
      if (level < 0 || level >= num_levels) {
        return ApplyError(i, "add L" + std::to_string(level) + " #" +
                                 std::to_string(file.number) +
                                 ": level out of range (num_levels " +
                                 std::to_string(num_levels) + ")");
      }
      Status s = CheckFileBounds(i, level, file);
      if (!s.ok()) return s;
      auto [it, inserted] = live.emplace(
          file.number,
          std::make_pair(level, std::make_shared<const FileMetaData>(file)));
      if (!inserted) {
        return ApplyError(i, "add L" + std::to_string(level) + " #" +
                                 std::to_string(file.number) +
                                 ": file number already at level " +
                                 std::to_string(it->second.first));
      }
    }
  }

  auto v = std::make_shared<Version>(PrivateTag{}, num_levels);
  for (auto& [number, entry] : live) {
    v->levels_[entry.first].push_back(std::move(entry.second));
  }
  std::sort(v->levels_[0].begin(), v->levels_[0].end(), NewestFirst);
  for (int level = 1; level < num_levels; ++level) {
    FileList& files = v->levels_[level];
    std::sort(files.begin(), files.end(), BySmallestKey);
    for (size_t j = 1; j < files.size(); ++j) {
      if (InternalKeyComparator::Compare(files[j - 1]->largest,
                                         files[j]->smallest) >= 0) {
        return Status::Corruption(
            "applying version edits: L" + std::to_string(level) +
            " files overlap: " + files[j - 1]->DebugString() + " and " +
            files[j]->DebugString());
      }
    }
  }
  *result = std::move(v);
  return Status::OK();
}

uint64_t Version::NumLevelBytes(int level) const {
  uint64_t bytes = 0;
  for (const FilePtr& f : levels_[level]) bytes += f->file_size;
  return bytes;
}

int Version::TotalFiles() const {
  int n = 0;
  for (const FileList& files : levels_) n += static_cast<int>(files.size());
  return n;
}

void Version::GetOverlappingInputs(int level, const Slice* begin_user_key,
                                   const Slice* end_user_key,
                                   FileList* out) const {
  const FileList& files = levels_[level];
  if (level > 0) {
    // Sorted and disjoint: skip to the first file that ends at or after
    // begin, then take files until one starts after end.
    size_t i = 0;
    if (begin_user_key != nullptr) {
      i = std::partition_point(files.begin(), files.end(),
                               [&](const FilePtr& f) {
                                 return CompareUserKeys(f->largest_user_key(),
                                                        *begin_user_key) < 0;
                               }) -
          files.begin();
    }
    for (; i < files.size(); ++i) {
      if (end_user_key != nullptr &&
          CompareUserKeys(files[i]->smallest_user_key(), *end_user_key) > 0) {
        break;
      }
      out->push_back(files[i]);
    }
    return;
  }

  // L0: widen the range to each file taken and start over until no new file
  // overlaps it. The bounds are copied, since they change.
  std::string begin_storage, end_storage;
  Slice begin, end;
  const bool has_begin = begin_user_key != nullptr;
  const bool has_end = end_user_key != nullptr;
  if (has_begin) begin = *begin_user_key;
  if (has_end) end = *end_user_key;
  std::vector<bool> taken(files.size(), false);
  bool grew = true;
  while (grew) {
    grew = false;
    for (size_t i = 0; i < files.size(); ++i) {
      if (taken[i] ||
          !UserRangeOverlaps(*files[i], has_begin ? &begin : nullptr,
                             has_end ? &end : nullptr)) {
        continue;
      }
      taken[i] = true;
      if (has_begin &&
          CompareUserKeys(files[i]->smallest_user_key(), begin) < 0) {
        begin_storage = files[i]->smallest_user_key().ToString();
        begin = begin_storage;
        grew = true;
      }
      if (has_end && CompareUserKeys(files[i]->largest_user_key(), end) > 0) {
        end_storage = files[i]->largest_user_key().ToString();
        end = end_storage;
        grew = true;
      }
    }
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (taken[i]) out->push_back(files[i]);
  }
}

bool Version::OverlapInLevel(int level, Slice smallest_user,
                             Slice largest_user) const {
  const FileList& files = levels_[level];
  if (level == 0) {
    for (const FilePtr& f : files) {
      if (UserRangeOverlaps(*f, &smallest_user, &largest_user)) return true;
    }
    return false;
  }
  auto it =
      std::partition_point(files.begin(), files.end(), [&](const FilePtr& f) {
        return CompareUserKeys(f->largest_user_key(), smallest_user) < 0;
      });
  return it != files.end() &&
         CompareUserKeys((*it)->smallest_user_key(), largest_user) <= 0;
}

int Version::FindFile(int level, Slice internal_key) const {
  assert(level >= 1);
  const FileList& files = levels_[level];
  return static_cast<int>(
      std::partition_point(files.begin(), files.end(),
                           [&](const FilePtr& f) {
                             return InternalKeyComparator::Compare(
                                        f->largest, internal_key) < 0;
                           }) -
      files.begin());
}

int Version::PickLevelForIngestedFile(Slice smallest_user,
                                      Slice largest_user) const {
  int target = 0;
  for (int level = 0; level < num_levels(); ++level) {
    if (OverlapInLevel(level, smallest_user, largest_user)) break;
    target = level;
  }
  return target;
}

SequenceNumber Version::MaxSequenceNumber() const {
  SequenceNumber max = 0;
  for (const FileList& files : levels_) {
    for (const FilePtr& f : files) {
      max = std::max(max, f->largest_seqno);
      if (f->global_seqno != kDisableGlobalSequenceNumber) {
        max = std::max(max, f->global_seqno);
      }
    }
  }
  return max;
}

uint64_t Version::MaxFileNumber() const {
  uint64_t max = 0;
  for (const FileList& files : levels_) {
    for (const FilePtr& f : files) max = std::max(max, f->number);
  }
  return max;
}

std::vector<uint64_t> Version::AllFileNumbers() const {
  std::vector<uint64_t> numbers;
  for (const FileList& files : levels_) {
    for (const FilePtr& f : files) numbers.push_back(f->number);
  }
  return numbers;
}

std::string Version::DebugString() const {
  std::string r;
  for (int level = 0; level < num_levels(); ++level) {
    const FileList& files = levels_[level];
    if (files.empty()) continue;
    r += "L" + std::to_string(level) + ": " + std::to_string(files.size()) +
         " files, " + std::to_string(NumLevelBytes(level)) + " bytes\n";
    for (const FilePtr& f : files) r += "  " + f->DebugString() + "\n";
  }
  if (r.empty()) r = "(empty)\n";
  return r;
}

}  // namespace strata
