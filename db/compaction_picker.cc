#include "db/compaction_picker.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace strata {

namespace {

using FileList = Version::FileList;

bool IsBusy(const std::set<uint64_t>& busy, const FileMetaData& f) {
  return busy.count(f.number) != 0;
}

bool AnyBusy(const std::set<uint64_t>& busy, const FileList& files) {
  for (const auto& f : files) {
    if (IsBusy(busy, *f)) return true;
  }
  return false;
}

// The inclusive user-key range covering every file of `files`.
void UserKeyHull(const FileList& files, std::string* smallest,
                 std::string* largest) {
  assert(!files.empty());
  *smallest = files[0]->smallest_user_key().ToString();
  *largest = files[0]->largest_user_key().ToString();
  for (const auto& f : files) {
    if (CompareUserKeys(f->smallest_user_key(), *smallest) < 0) {
      *smallest = f->smallest_user_key().ToString();
    }
    if (CompareUserKeys(f->largest_user_key(), *largest) > 0) {
      *largest = f->largest_user_key().ToString();
    }
  }
}

// Grows `files` (of `level` >= 1) by the neighbours sharing a boundary user
// key, until the set covers every file its range touches.
FileList ExpandToCleanCut(const Version& v, int level, FileList files) {
  while (true) {
    std::string smallest, largest;
    UserKeyHull(files, &smallest, &largest);
    const Slice begin(smallest), end(largest);
    FileList expanded;
    v.GetOverlappingInputs(level, &begin, &end, &expanded);
    if (expanded.size() == files.size()) return files;
    files = std::move(expanded);
  }
}

}  // namespace

uint64_t CompactionOptions::MaxBytesForLevel(int level) const {
  assert(level >= 1);
  double bytes = static_cast<double>(max_bytes_for_level_base);
  for (int l = 1; l < level; ++l) bytes *= max_bytes_for_level_multiplier;
  return static_cast<uint64_t>(bytes);
}

uint64_t CompactionOptions::MaxFileSizeForLevel(int level) const {
  uint64_t size = target_file_size_base;
  for (int l = 1; l < level; ++l) {
    size *= static_cast<uint64_t>(target_file_size_multiplier);
  }
  return size;
}

uint64_t CompactionOptions::EffectiveMaxCompactionBytes() const {
  return max_compaction_bytes != 0 ? max_compaction_bytes
                                   : 25 * target_file_size_base;
}

CompactionPicker::CompactionPicker(const CompactionOptions& options)
    : options_(options), compact_pointer_(options.num_levels) {}

std::set<uint64_t> CompactionPicker::AllBusy(
    const std::set<uint64_t>& busy_files) const {
  std::set<uint64_t> busy = busy_files;
  for (const Compaction* c : running_) {
    for (uint64_t n : c->InputFileNumbers()) busy.insert(n);
  }
  return busy;
}

bool CompactionPicker::OutputRangeTaken(int output_level, Slice smallest,
                                        Slice largest) const {
  for (const Compaction* c : running_) {
    if (c->output_level() == output_level &&
        CompareUserKeys(c->smallest_user_key(), largest) <= 0 &&
        CompareUserKeys(smallest, c->largest_user_key()) <= 0) {
      return true;
    }
  }
  return false;
}

void CompactionPicker::ReleaseCompaction(const Compaction* c) {
  const size_t erased = running_.erase(c);
  assert(erased == 1);
  (void)erased;
}

std::vector<double> CompactionPicker::ComputeScores(
    const Version& version, const std::set<uint64_t>& busy_files) const {
  const std::set<uint64_t> busy = AllBusy(busy_files);
  std::vector<double> scores(version.num_levels(), 0.0);
  for (int level = 0; level + 1 < version.num_levels(); ++level) {
    uint64_t amount = 0;  // Files for L0, bytes below.
    for (const auto& f : version.files(level)) {
      if (IsBusy(busy, *f)) continue;
      amount += level == 0 ? 1 : f->file_size;
    }
    const double limit =
        level == 0 ? std::max(options_.level0_file_num_compaction_trigger, 1)
                   : static_cast<double>(std::max<uint64_t>(
                         options_.MaxBytesForLevel(level), 1));
    scores[level] = static_cast<double>(amount) / limit;
  }
  return scores;
}

bool CompactionPicker::NeedsCompaction(
    const Version& version, const std::set<uint64_t>& busy_files) const {
  for (double score : ComputeScores(version, busy_files)) {
    if (score >= 1) return true;
  }
  return false;
}

std::unique_ptr<Compaction> CompactionPicker::PickCompaction(
    const Version& version, const std::set<uint64_t>& busy_files) {
  const std::vector<double> scores = ComputeScores(version, busy_files);
  const std::set<uint64_t> busy = AllBusy(busy_files);
  std::vector<int> order;
  for (int level = 0; level < static_cast<int>(scores.size()); ++level) {
    if (scores[level] >= 1) order.push_back(level);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return scores[a] > scores[b]; });
  for (int level : order) {
    std::unique_ptr<Compaction> c =
        level == 0 ? PickLevel0(version, busy, scores[0])
                   : PickLevelN(version, level, busy, scores[level]);
    if (c != nullptr) {
      running_.insert(c.get());
      return c;
    }
  }
  return nullptr;
}

std::unique_ptr<Compaction> CompactionPicker::PickLevel0(
    const Version& version, const std::set<uint64_t>& busy,
    double score) const {
  const FileList& l0 = version.files(0);
  // L0 files overlap, so two L0 compactions could not both keep the
  // newest-on-top order: run one at a time.
  if (l0.empty() || AnyBusy(busy, l0)) return nullptr;
  const auto& oldest = l0.back();
  const Slice begin = oldest->smallest_user_key();
  const Slice end = oldest->largest_user_key();
  FileList inputs;
  version.GetOverlappingInputs(0, &begin, &end, &inputs);
  return Build(version, 0, 1, std::move(inputs), busy, false, score);
}

std::unique_ptr<Compaction> CompactionPicker::PickLevelN(
    const Version& version, int level, const std::set<uint64_t>& busy,
    double score) {
  const FileList& files = version.files(level);
  if (files.empty()) return nullptr;
  size_t start = 0;
  if (!compact_pointer_[level].empty()) {
    start = version.FindFile(level, compact_pointer_[level]);
    // FindFile gives the first file ending at or after the pointer; the
    // file ending exactly there was the last pick.
    if (start < files.size() &&
        InternalKeyComparator::Compare(files[start]->largest,
                                       compact_pointer_[level]) == 0) {
      ++start;
    }
    if (start >= files.size()) start = 0;
  }
  for (size_t n = 0; n < files.size(); ++n) {
    const auto& seed = files[(start + n) % files.size()];
    if (IsBusy(busy, *seed)) continue;
    FileList inputs = ExpandToCleanCut(version, level, {seed});
    if (AnyBusy(busy, inputs)) continue;
    std::string largest = inputs.back()->largest;
    std::unique_ptr<Compaction> c =
        Build(version, level, level + 1, std::move(inputs), busy, false, score);
    if (c != nullptr) {
      compact_pointer_[level] = std::move(largest);
      return c;
    }
  }
  return nullptr;
}

std::unique_ptr<Compaction> CompactionPicker::Build(
    const Version& version, int level, int output_level, FileList level_inputs,
    const std::set<uint64_t>& busy, bool is_manual, double score) const {
  if (AnyBusy(busy, level_inputs)) return nullptr;
  std::string smallest, largest;
  UserKeyHull(level_inputs, &smallest, &largest);
  FileList output_inputs;
  if (output_level != level) {
    const Slice begin(smallest), end(largest);
    version.GetOverlappingInputs(output_level, &begin, &end, &output_inputs);
    if (AnyBusy(busy, output_inputs)) return nullptr;
  }
  // The output covers the hull of both input sets.
  FileList all = level_inputs;
  all.insert(all.end(), output_inputs.begin(), output_inputs.end());
  UserKeyHull(all, &smallest, &largest);
  if (OutputRangeTaken(output_level, smallest, largest)) return nullptr;
  return std::make_unique<Compaction>(
      version.shared_from_this(), level, output_level, std::move(level_inputs),
      std::move(output_inputs), options_.MaxFileSizeForLevel(output_level),
      options_.EffectiveMaxCompactionBytes(), is_manual, score);
}

std::unique_ptr<Compaction> CompactionPicker::PickManualCompaction(
    const Version& version, int level, int output_level,
    const Slice* begin_user, const Slice* end_user,
    const std::set<uint64_t>& busy_files, bool* conflict) {
  assert(level >= 0 && level < version.num_levels());
  assert(output_level == level + 1 ||
         (output_level == level && level == version.num_levels() - 1));
  if (conflict != nullptr) *conflict = false;
  const std::set<uint64_t> busy = AllBusy(busy_files);
  FileList inputs;
  version.GetOverlappingInputs(level, begin_user, end_user, &inputs);
  if (inputs.empty()) return nullptr;
  if (level == 0) {
    if (AnyBusy(busy, version.files(0))) {
      if (conflict != nullptr) *conflict = true;
      return nullptr;
    }
  } else {
    inputs = ExpandToCleanCut(version, level, std::move(inputs));
  }
  std::unique_ptr<Compaction> c =
      Build(version, level, output_level, std::move(inputs), busy,
            /*is_manual=*/true, /*score=*/0);
  if (c == nullptr) {
    if (conflict != nullptr) *conflict = true;
    return nullptr;
  }
  running_.insert(c.get());
  return c;
}

int CompactionPicker::PickLevelForIngestedFile(const Version& version,
                                               Slice smallest_user,
                                               Slice largest_user) const {
  // A running job writing into a level over the range would put a file
  // across the ingested one there; a level above or below is fine (its
  // outputs hold no key of the range: its inputs had none).
  int level = version.PickLevelForIngestedFile(smallest_user, largest_user);
  while (level > 0 && OutputRangeTaken(level, smallest_user, largest_user)) {
    --level;
  }
  return level;
}

}  // namespace strata
