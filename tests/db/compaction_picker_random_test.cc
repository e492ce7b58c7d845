// A randomized model of a leveled LSM tree: flushes, ingestions, automatic
// and manual compactions picked by CompactionPicker and finished in random
// order while others run. Files carry (user key, sequence) entries on the
// side, so the test can check not only the shape invariants but that every
// key still reads as its newest version.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "db/compaction.h"
#include "db/compaction_picker.h"
#include "db/version.h"
#include "db/version_edit.h"
#include "db/version_test_util.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

struct Entry {
  std::string key;
  SequenceNumber seq;
};

// Internal-key order: user key ascending, newer first.
bool EntryLess(const Entry& a, const Entry& b) {
  const int c = a.key.compare(b.key);
  return c != 0 ? c < 0 : a.seq > b.seq;
}

std::string KeyAt(int i) {
  char buf[16];
  snprintf(buf, sizeof(buf), "k%04d", i);
  return buf;
}

class LsmModel {
 public:
  explicit LsmModel(uint64_t seed) : rnd_(seed), picker_(Options()) {
    EXPECT_TRUE(Version::Apply(nullptr, {}, kLevels, &current_).ok());
  }

  void Step() {
    switch (rnd_.Uniform(10)) {
      case 0:
      case 1:
      case 2:
        Flush();
        break;
      case 3:
        Ingest();
        break;
      case 4:
      case 5:
        PickAutomatic();
        break;
      case 6:
        PickManual();
        break;
      default:
        FinishOne();
        break;
    }
    if (++steps_ % 5 == 0) Check();
  }

  void Check() const {
    CheckShape();
    CheckReads();
  }

  void FinishAll() {
    while (!running_.empty()) FinishOne();
  }

  int compactions_finished() const { return compactions_finished_; }
  int trivial_moves() const { return trivial_moves_; }
  int max_running() const { return max_running_; }
  const Version& current() const { return *current_; }

 private:
  static constexpr int kLevels = 5;
  static constexpr int kKeys = 300;

  static CompactionOptions Options() {
    CompactionOptions o;
    o.num_levels = kLevels;
    o.level0_file_num_compaction_trigger = 3;
    o.max_bytes_for_level_base = 3000;
    o.max_bytes_for_level_multiplier = 3;
    o.target_file_size_base = 800;
    return o;
  }

  std::vector<Entry> RandomKeys(SequenceNumber* seq, bool one_seq) {
    const int lo = static_cast<int>(rnd_.Uniform(kKeys));
    const int width = 1 + static_cast<int>(rnd_.Uniform(40));
    std::vector<Entry> entries;
    const SequenceNumber shared = (*seq)++;
    for (int i = lo; i < std::min(kKeys, lo + width); ++i) {
      if (!entries.empty() && rnd_.OneIn(2)) continue;
      entries.push_back({KeyAt(i), one_seq ? shared : (*seq)++});
    }
    std::sort(entries.begin(), entries.end(), EntryLess);
    return entries;
  }

  FileMetaData Describe(uint64_t number, const std::vector<Entry>& entries) {
    FileMetaData f;
    f.number = number;
    f.file_size = 100 * entries.size();
    f.smallest = MakeInternalKey(entries.front().key, entries.front().seq,
                                 ValueType::kValue);
    f.largest = MakeInternalKey(entries.back().key, entries.back().seq,
                                ValueType::kValue);
    f.smallest_seqno = f.largest_seqno = entries[0].seq;
    for (const Entry& e : entries) {
      f.smallest_seqno = std::min(f.smallest_seqno, e.seq);
      f.largest_seqno = std::max(f.largest_seqno, e.seq);
    }
    f.num_entries = entries.size();
    return f;
  }

  void Install(const VersionEdit& edit) {
    std::shared_ptr<const Version> next;
    Status s = Version::Apply(current_.get(), {&edit}, kLevels, &next);
    ASSERT_TRUE(s.ok()) << s.ToString() << "\n"
                        << edit.DebugString() << "\n"
                        << current_->DebugString();
    current_ = std::move(next);
  }

  void AddFile(int level, std::vector<Entry> entries, VersionEdit* edit) {
    const uint64_t number = next_number_++;
    edit->AddFile(level, Describe(number, entries));
    for (const Entry& e : entries) {
      SequenceNumber& newest = newest_[e.key];
      newest = std::max(newest, e.seq);
      SequenceNumber& in_file = newest_in_file_[number][e.key];
      in_file = std::max(in_file, e.seq);
    }
    contents_[number] = std::move(entries);
  }

  void Flush() {
    VersionEdit edit;
    AddFile(0, RandomKeys(&next_seq_, /*one_seq=*/false), &edit);
    Install(edit);
  }

  void Ingest() {
    std::vector<Entry> entries = RandomKeys(&next_seq_, /*one_seq=*/true);
    const int level = picker_.PickLevelForIngestedFile(
        *current_, entries.front().key, entries.back().key);
    ASSERT_LE(level, current_->PickLevelForIngestedFile(entries.front().key,
                                                        entries.back().key));
    VersionEdit edit;
    AddFile(level, std::move(entries), &edit);
    Install(edit);
  }

  void PickAutomatic() {
    // The picker knows its running compactions: no busy set needed.
    std::unique_ptr<Compaction> c = picker_.PickCompaction(*current_, {});
    if (c != nullptr) Start(std::move(c));
  }

  void PickManual() {
    const int level = static_cast<int>(rnd_.Uniform(kLevels));
    const int output = level == kLevels - 1 ? level : level + 1;
    const std::string b = KeyAt(static_cast<int>(rnd_.Uniform(kKeys)));
    const std::string e = KeyAt(static_cast<int>(rnd_.Uniform(kKeys)));
    const Slice begin(std::min(b, e)), end(std::max(b, e));
    const bool bounded = !rnd_.OneIn(4);
    bool conflict = false;
    std::unique_ptr<Compaction> c = picker_.PickManualCompaction(
        *current_, level, output, bounded ? &begin : nullptr,
        bounded ? &end : nullptr, {}, &conflict);
    if (c != nullptr) {
      Start(std::move(c));
    } else if (!conflict) {
      Version::FileList in_range;
      current_->GetOverlappingInputs(level, bounded ? &begin : nullptr,
                                     bounded ? &end : nullptr, &in_range);
      ASSERT_TRUE(in_range.empty()) << "null pick without a conflict";
    }
  }

  // Checks what the picker promises about a new compaction, then marks its
  // inputs busy.
  void Start(std::unique_ptr<Compaction> c) {
    const Version& v = *c->input_version();
    ASSERT_EQ(current_.get(), &v);
    for (uint64_t n : c->InputFileNumbers()) {
      ASSERT_EQ(0u, busy_.count(n)) << "busy input #" << n;
    }
    if (c->level() == 0) {
      for (const auto& f : v.files(0)) {
        ASSERT_EQ(0u, busy_.count(f->number)) << "two L0 compactions";
      }
    }
    // Closed under overlap at the input level and the output level.
    std::string lo, hi;
    Hull(c->inputs(0), &lo, &hi);
    const Slice slo(lo), shi(hi);
    Version::FileList expect;
    v.GetOverlappingInputs(c->level(), &slo, &shi, &expect);
    ASSERT_EQ(test::Numbers(expect), test::Numbers(c->inputs(0)))
        << c->DebugString();
    if (c->output_level() != c->level()) {
      expect.clear();
      v.GetOverlappingInputs(c->output_level(), &slo, &shi, &expect);
      ASSERT_EQ(test::Numbers(expect), test::Numbers(c->inputs(1)))
          << c->DebugString();
    }
    // Running jobs writing into the same level cover disjoint ranges.
    for (const auto& r : running_) {
      if (r->output_level() != c->output_level()) continue;
      const bool disjoint =
          CompareUserKeys(r->largest_user_key(), c->smallest_user_key()) < 0 ||
          CompareUserKeys(c->largest_user_key(), r->smallest_user_key()) < 0;
      ASSERT_TRUE(disjoint) << r->DebugString() << " vs " << c->DebugString();
    }
    for (uint64_t n : c->InputFileNumbers()) busy_.insert(n);
    running_.push_back(std::move(c));
    max_running_ = std::max(max_running_, static_cast<int>(running_.size()));
  }

  static void Hull(const Version::FileList& files, std::string* lo,
                   std::string* hi) {
    *lo = files[0]->smallest_user_key().ToString();
    *hi = files[0]->largest_user_key().ToString();
    for (const auto& f : files) {
      *lo = std::min(*lo, f->smallest_user_key().ToString());
      *hi = std::max(*hi, f->largest_user_key().ToString());
    }
  }

  // Merges the inputs like a compaction without snapshots (sometimes
  // keeping every version), and cuts outputs at random, even inside a
  // user key.
  void FinishOne() {
    if (running_.empty()) return;
    const size_t i = rnd_.Uniform(running_.size());
    std::unique_ptr<Compaction> c = std::move(running_[i]);
    running_.erase(running_.begin() + i);
    for (uint64_t n : c->InputFileNumbers()) busy_.erase(n);
    picker_.ReleaseCompaction(c.get());
    if (rnd_.OneIn(20)) return;  // The job failed: nothing changes.

    VersionEdit edit;
    c->AddInputDeletions(&edit);
    const bool moved = c->IsTrivialMove() && rnd_.OneIn(2);
    if (moved) {
      edit.AddFile(c->output_level(), *c->inputs(0)[0]);
      ++trivial_moves_;
    } else {
      std::vector<Entry> merged;
      for (uint64_t n : c->InputFileNumbers()) {
        merged.insert(merged.end(), contents_[n].begin(), contents_[n].end());
      }
      std::sort(merged.begin(), merged.end(), EntryLess);
      if (rnd_.OneIn(2)) {
        merged.erase(std::unique(merged.begin(), merged.end(),
                                 [](const Entry& a, const Entry& b) {
                                   return a.key == b.key;
                                 }),
                     merged.end());
      }
      size_t pos = 0;
      while (pos < merged.size()) {
        const size_t n =
            std::min<size_t>(1 + rnd_.Uniform(12), merged.size() - pos);
        AddFile(
            c->output_level(),
            std::vector<Entry>(merged.begin() + pos, merged.begin() + pos + n),
            &edit);
        pos += n;
      }
    }
    Install(edit);
    if (!moved) {
      for (uint64_t n : c->InputFileNumbers()) {
        contents_.erase(n);
        newest_in_file_.erase(n);
      }
    }
    ++compactions_finished_;
  }

  void CheckShape() const {
    for (int level = 1; level < kLevels; ++level) {
      const auto& files = current_->files(level);
      for (size_t j = 1; j < files.size(); ++j) {
        ASSERT_LT(InternalKeyComparator::Compare(files[j - 1]->largest,
                                                 files[j]->smallest),
                  0)
            << current_->DebugString();
      }
    }
  }

  // Reads every key the way the store does: L0 newest first, then in each
  // deeper level the one file FindFile names.
  void CheckReads() const {
    for (const auto& [key, newest] : newest_) {
      const std::string lookup =
          MakeInternalKey(key, kMaxSequenceNumber, kValueTypeForSeek);
      SequenceNumber found = 0;
      for (int level = 0; level < kLevels && found == 0; ++level) {
        const auto& files = current_->files(level);
        if (level == 0) {
          for (const auto& f : files) {
            found = NewestIn(f->number, key);
            if (found != 0) break;
          }
        } else {
          const int idx = current_->FindFile(level, lookup);
          if (idx < current_->NumFiles(level)) {
            found = NewestIn(files[idx]->number, key);
          }
        }
      }
      ASSERT_EQ(newest, found) << "key " << key << "\n"
                               << current_->DebugString();
    }
  }

  SequenceNumber NewestIn(uint64_t number, const std::string& key) const {
    const auto& keys = newest_in_file_.at(number);
    auto it = keys.find(key);
    return it == keys.end() ? 0 : it->second;
  }

  test::Random rnd_;
  CompactionPicker picker_;
  std::shared_ptr<const Version> current_;
  std::map<uint64_t, std::vector<Entry>> contents_;
  std::map<std::string, SequenceNumber> newest_;
  // Per file: its newest sequence number of each key it holds.
  std::map<uint64_t, std::map<std::string, SequenceNumber>> newest_in_file_;
  int steps_ = 0;
  std::vector<std::unique_ptr<Compaction>> running_;
  std::set<uint64_t> busy_;
  uint64_t next_number_ = 1;
  SequenceNumber next_seq_ = 1;
  int compactions_finished_ = 0;
  int trivial_moves_ = 0;
  int max_running_ = 0;
};

TEST(CompactionPickerRandomTest, InvariantsHoldUnderRandomWorkloads) {
  int finished = 0, moves = 0, max_running = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    LsmModel model(seed);
    for (int step = 0; step < 600 && !HasFatalFailure(); ++step) {
      model.Step();
    }
    model.FinishAll();
    model.Check();
    ASSERT_FALSE(HasFatalFailure()) << "seed " << seed;
    finished += model.compactions_finished();
    moves += model.trivial_moves();
    max_running = std::max(max_running, model.max_running());
  }
  // The workload must exercise what it claims to.
  EXPECT_GT(finished, 1000);
  EXPECT_GT(moves, 10);
  EXPECT_GE(max_running, 3);
}

}  // namespace
}  // namespace strata
