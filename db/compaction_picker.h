// CompactionPicker: decides which leveled compaction runs next, following
// RocksDB's leveled-compaction scoring with static level targets.
//
// Scores, one per level (the last level has none: it is never a source):
//   L0: (L0 files not being compacted) / level0_file_num_compaction_trigger.
//   Ln: (bytes of Ln files not being compacted) / target(n), where
//       target(1) = max_bytes_for_level_base and
//       target(n + 1) = target(n) * max_bytes_for_level_multiplier.
// A level needs compaction when its score is >= 1.
//
// Picking, highest score first (ties: the shallower level):
//   L0 -> L1: skipped while any L0 file is being compacted. Seeds with the
//     oldest L0 file and takes every L0 file overlapping it, transitively,
//     then every L1 file overlapping their range.
//   Ln -> Ln+1: the first file after the level's compact pointer (the
//     largest key of the previous pick; round robin), with its neighbours
//     that share a boundary user key (a "clean cut": all entries of a user
//     key in a level move together), then every Ln+1 file overlapping
//     their range. A candidate with a busy file is passed over for the next.
//   Concurrency: the picker remembers every compaction it hands out until
//     ReleaseCompaction. Their input files count as busy, together with
//     the busy_files the caller passes (files held by jobs the picker does
//     not know about). A pick never takes a busy file, and never writes
//     into a level over a user-key range that a running compaction's output
//     into that level covers (the hull of its inputs), as RocksDB's
//     in-progress range check does.
//
// Protocol: every Compaction returned by PickCompaction or
// PickManualCompaction is registered as running; call ReleaseCompaction
// when its job ends (installed, failed or abandoned) and before destroying
// it.
// Thread-safety: not thread-safe (picks move the compact pointers and the
// running set); the DB calls it under its mutex. Const methods may run
// concurrently with each other.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/compaction.h"
#include "db/version.h"
#include "strata/slice.h"

namespace strata {

// Mirrors the DB options of the same names; passed in by the DB.
struct CompactionOptions {
  int num_levels = kDefaultNumLevels;
  int level0_file_num_compaction_trigger = 4;
  uint64_t max_bytes_for_level_base = 256 << 20;
  double max_bytes_for_level_multiplier = 10;
  uint64_t target_file_size_base = 64 << 20;
  int target_file_size_multiplier = 1;
  uint64_t max_compaction_bytes = 0;  // 0 = 25 * target_file_size_base.

  // target(level) as above; L0's value is unused. REQUIRES: level >= 1.
  uint64_t MaxBytesForLevel(int level) const;
  // Output file size for a compaction into `level`: target_file_size_base
  // for L0 and L1, times target_file_size_multiplier per level below L1.
  uint64_t MaxFileSizeForLevel(int level) const;
  uint64_t EffectiveMaxCompactionBytes() const;
};

class CompactionPicker {
 public:
  explicit CompactionPicker(const CompactionOptions& options);

  // One score per level of `version` (the last level's is always 0). Busy
  // files (busy_files and the inputs of running compactions) do not count.
  std::vector<double> ComputeScores(const Version& version,
                                    const std::set<uint64_t>& busy_files) const;
  // Whether some level scores >= 1. PickCompaction may still find nothing
  // to do when every candidate conflicts with a running job.
  bool NeedsCompaction(const Version& version,
                       const std::set<uint64_t>& busy_files) const;

  // The next automatic compaction, registered as running, or null if no
  // level scores >= 1 or every candidate conflicts with a running job.
  // Advances the picked level's compact pointer. REQUIRES: `version` was
  // made by Version::Apply.
  std::unique_ptr<Compaction> PickCompaction(
      const Version& version, const std::set<uint64_t>& busy_files);

  // All files of `level` overlapping [begin_user, end_user] (null =
  // unbounded; expanded to a clean cut, or transitively in L0) into
  // output_level, with the overlapping files of output_level; registered
  // as running. Null if no
  // file of `level` overlaps, or if the compaction would conflict with a
  // running one (then *conflict, when given, is set to true: try again
  // once jobs finish). REQUIRES: 0 <= level < num_levels, and output_level
  // is level + 1, or level when level is the last level.
  std::unique_ptr<Compaction> PickManualCompaction(
      const Version& version, int level, int output_level,
      const Slice* begin_user, const Slice* end_user,
      const std::set<uint64_t>& busy_files, bool* conflict = nullptr);

  // Ends the registration of `c`, a compaction this picker returned.
  void ReleaseCompaction(const Compaction* c);
  int NumRunningCompactions() const {
    return static_cast<int>(running_.size());
  }

  // Version::PickLevelForIngestedFile, moved up while a running compaction
  // writes into that level over the range (L0 always fits).
  int PickLevelForIngestedFile(const Version& version, Slice smallest_user,
                               Slice largest_user) const;

  // The largest internal key of the last automatic pick at `level`, or
  // empty before the first one.
  const std::string& compact_pointer(int level) const {
    return compact_pointer_[level];
  }
  const CompactionOptions& options() const { return options_; }

 private:
  std::unique_ptr<Compaction> PickLevel0(const Version& version,
                                         const std::set<uint64_t>& busy,
                                         double score) const;
  std::unique_ptr<Compaction> PickLevelN(const Version& version, int level,
                                         const std::set<uint64_t>& busy,
                                         double score);
  // busy_files plus the inputs of every running compaction.
  std::set<uint64_t> AllBusy(const std::set<uint64_t>& busy_files) const;
  // Whether a running compaction writes into `output_level` over a range
  // intersecting [smallest, largest].
  bool OutputRangeTaken(int output_level, Slice smallest, Slice largest) const;
  // Builds the compaction of `level_inputs` into output_level, or returns
  // null when it conflicts with busy files.
  std::unique_ptr<Compaction> Build(const Version& version, int level,
                                    int output_level,
                                    Version::FileList level_inputs,
                                    const std::set<uint64_t>& busy,
                                    bool is_manual, double score) const;

  const CompactionOptions options_;
  std::vector<std::string> compact_pointer_;  // One per level.
  std::set<const Compaction*> running_;       // Not owned.
};

}  // namespace strata
