#include "db/compaction.h"

#include <cassert>
#include <utility>

namespace strata {

namespace {

uint64_t TotalBytes(const Version::FileList& files) {
  uint64_t bytes = 0;
  for (const auto& f : files) bytes += f->file_size;
  return bytes;
}

std::string FileNumbers(const Version::FileList& files) {
  std::string r = "[";
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) r += ' ';
    r += '#' + std::to_string(files[i]->number);
  }
  return r + "]";
}

}  // namespace

Compaction::Compaction(std::shared_ptr<const Version> input_version, int level,
                       int output_level, Version::FileList level_inputs,
                       Version::FileList output_inputs,
                       uint64_t max_output_file_size,
                       uint64_t max_compaction_bytes, bool is_manual,
                       double score)
    : input_version_(std::move(input_version)),
      level_(level),
      output_level_(output_level),
      inputs_{std::move(level_inputs), std::move(output_inputs)},
      max_output_file_size_(max_output_file_size),
      max_compaction_bytes_(max_compaction_bytes),
      is_manual_(is_manual),
      score_(score) {
  assert(!inputs_[0].empty());
  assert(output_level == level || output_level == level + 1);
  assert(output_level != level || inputs_[1].empty());
  bool first = true;
  for (const auto& files : inputs_) {
    for (const auto& f : files) {
      if (first ||
          CompareUserKeys(f->smallest_user_key(), smallest_user_key_) < 0) {
        smallest_user_key_ = f->smallest_user_key().ToString();
      }
      if (first ||
          CompareUserKeys(f->largest_user_key(), largest_user_key_) > 0) {
        largest_user_key_ = f->largest_user_key().ToString();
      }
      first = false;
    }
  }
  const Version& v = *input_version_;
  const Slice smallest(smallest_user_key_);
  const Slice largest(largest_user_key_);
  if (output_level_ + 1 < v.num_levels()) {
    v.GetOverlappingInputs(output_level_ + 1, &smallest, &largest,
                           &grandparents_);
  }
  for (int deeper = output_level_ + 1; deeper < v.num_levels(); ++deeper) {
    if (v.OverlapInLevel(deeper, smallest, largest)) {
      bottommost_ = false;
      break;
    }
  }
}

bool Compaction::KeyNotExistsBeyondOutputLevel(Slice user_key) const {
  const Version& v = *input_version_;
  for (int deeper = output_level_ + 1; deeper < v.num_levels(); ++deeper) {
    if (v.OverlapInLevel(deeper, user_key, user_key)) return false;
  }
  return true;
}

void Compaction::AddInputDeletions(VersionEdit* edit) const {
  for (const auto& f : inputs_[0]) edit->DeleteFile(level_, f->number);
  for (const auto& f : inputs_[1]) edit->DeleteFile(output_level_, f->number);
}

bool Compaction::IsTrivialMove() const {
  return !is_manual_ && level_ != output_level_ && inputs_[0].size() == 1 &&
         inputs_[1].empty() &&
         TotalBytes(grandparents_) <= max_compaction_bytes_;
}

uint64_t Compaction::TotalInputBytes() const {
  return TotalBytes(inputs_[0]) + TotalBytes(inputs_[1]);
}

std::vector<uint64_t> Compaction::InputFileNumbers() const {
  std::vector<uint64_t> numbers;
  for (const auto& files : inputs_) {
    for (const auto& f : files) numbers.push_back(f->number);
  }
  return numbers;
}

std::string Compaction::DebugString() const {
  std::string r =
      "L" + std::to_string(level_) + "->L" + std::to_string(output_level_) +
      (is_manual_ ? " manual" : " score " + std::to_string(score_)) + ": L" +
      std::to_string(level_) + " " + FileNumbers(inputs_[0]);
  if (output_level_ != level_) {
    r += " L" + std::to_string(output_level_) + " " + FileNumbers(inputs_[1]);
  }
  r += " grandparents " + FileNumbers(grandparents_);
  if (bottommost_) r += " bottommost";
  return r;
}

}  // namespace strata
