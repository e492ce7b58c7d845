// Compaction: the description of one compaction job, as the picker
// (db/compaction_picker.h) chose it: which files of `level` and of
// `output_level` go in, which files of the level below the output bound
// each output file's overlap ("grandparents"), and what the job may assume
// about deeper levels. It holds the Version it was picked from, so the
// files it names stay described while the job runs. Pure metadata: the
// job that reads the inputs and writes outputs lives elsewhere.
//
// Thread-safety: immutable after construction; const methods may be called
// concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "db/version.h"
#include "db/version_edit.h"
#include "strata/slice.h"

namespace strata {

class Compaction {
 public:
  // `level_inputs` come from `level` of `input_version`, `output_inputs`
  // from `output_level` (empty when level == output_level). Computes the
  // grandparents and whether the output is bottommost from the version.
  // The Compaction shares ownership of input_version.
  // REQUIRES: level_inputs is not empty; output_level is level + 1, or
  // equal to level.
  Compaction(std::shared_ptr<const Version> input_version, int level,
             int output_level, Version::FileList level_inputs,
             Version::FileList output_inputs, uint64_t max_output_file_size,
             uint64_t max_compaction_bytes, bool is_manual, double score);

  Compaction(const Compaction&) = delete;
  Compaction& operator=(const Compaction&) = delete;

  int level() const { return level_; }
  int output_level() const { return output_level_; }
  // which == 0: the files of level(); which == 1: those of output_level().
  const Version::FileList& inputs(int which) const { return inputs_[which]; }
  int num_input_files(int which) const {
    return static_cast<int>(inputs_[which].size());
  }
  // Files of output_level() + 1 overlapping the inputs' user-key range, in
  // level order; the output writer cuts a file before it overlaps too many
  // of their bytes.
  const Version::FileList& grandparents() const { return grandparents_; }
  const std::shared_ptr<const Version>& input_version() const {
    return input_version_;
  }
  // Target size of each output file.
  uint64_t max_output_file_size() const { return max_output_file_size_; }
  bool is_manual() const { return is_manual_; }
  // The level's score when picked (0 for manual compactions).
  double score() const { return score_; }
  // No file of any level deeper than output_level() overlaps the inputs'
  // user-key range: tombstones with no snapshot above them can be dropped.
  bool bottommost() const { return bottommost_; }
  // Inclusive user-key range of all inputs.
  Slice smallest_user_key() const { return smallest_user_key_; }
  Slice largest_user_key() const { return largest_user_key_; }

  // True when no file of a level deeper than output_level() has a range
  // containing `user_key`.
  bool KeyNotExistsBeyondOutputLevel(Slice user_key) const;
  // Records the deletion of every input file (at its level) in `edit`.
  void AddInputDeletions(VersionEdit* edit) const;
  // One input file, nothing to merge with at the output level, and no more
  // than max_compaction_bytes of grandparent overlap: the file can move to
  // output_level() by editing the MANIFEST alone. Never true for manual
  // compactions (the caller asked for the data to be rewritten) or when
  // level() == output_level().
  bool IsTrivialMove() const;

  uint64_t TotalInputBytes() const;
  // Every input file number, level() first, in level order.
  std::vector<uint64_t> InputFileNumbers() const;
  // "L1->L2 score 1.25: L1 [#12 #13] L2 [#7] grandparents [#3]".
  std::string DebugString() const;

 private:
  const std::shared_ptr<const Version> input_version_;
  const int level_;
  const int output_level_;
  Version::FileList inputs_[2];
  Version::FileList grandparents_;
  const uint64_t max_output_file_size_;
  const uint64_t max_compaction_bytes_;
  const bool is_manual_;
  const double score_;
  bool bottommost_ = true;
  std::string smallest_user_key_;
  std::string largest_user_key_;
};

}  // namespace strata
