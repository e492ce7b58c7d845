// Small builders shared by the version, version edit and compaction picker
// tests: file metadata from user keys, and applying edits.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/version.h"
#include "db/version_edit.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"

namespace strata::test {

// A file covering [smallest_user@smallest_seq, largest_user@largest_seq]
// (both kValue), `size` bytes.
inline FileMetaData MakeFile(uint64_t number, const std::string& smallest_user,
                             const std::string& largest_user,
                             SequenceNumber smallest_seq = 1,
                             SequenceNumber largest_seq = 1,
                             uint64_t size = 100) {
  FileMetaData f;
  f.number = number;
  f.file_size = size;
  // The larger sequence number goes on the smallest key only when the user
  // keys are equal (newer entries sort first).
  f.smallest = MakeInternalKey(smallest_user, largest_seq, ValueType::kValue);
  f.largest = MakeInternalKey(largest_user, smallest_seq, ValueType::kValue);
  f.smallest_seqno = smallest_seq;
  f.largest_seqno = largest_seq;
  return f;
}

// One (level, file) of a tree to build.
struct LevelFile {
  int level;
  FileMetaData file;
};

// Applies one edit adding `files` to `base` (null: empty tree).
inline Status BuildVersion(const std::vector<LevelFile>& files,
                           std::shared_ptr<const Version>* result,
                           int num_levels = kDefaultNumLevels,
                           const Version* base = nullptr) {
  VersionEdit edit;
  for (const LevelFile& lf : files) edit.AddFile(lf.level, lf.file);
  return Version::Apply(base, {&edit}, num_levels, result);
}

inline std::vector<uint64_t> Numbers(const Version::FileList& files) {
  std::vector<uint64_t> numbers;
  for (const auto& f : files) numbers.push_back(f->number);
  return numbers;
}

}  // namespace strata::test
