#include "env/fault_rule_set.h"

#include <fnmatch.h>

#include <cassert>
#include <utility>

namespace strata {

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kError:
      return "error";
    case Fault::kErrorAfterEffect:
      return "error_after_effect";
    case Fault::kShortRead:
      return "short_read";
    case Fault::kFlipByte:
      return "flip_byte";
  }
  return "unknown";
}

int FaultRuleSet::AddRule(FaultRule rule) {
  assert(rule.nth >= 0);
  assert(rule.count >= FaultRule::kUnlimited);
  assert(rule.fault != Fault::kShortRead || rule.op == FileOp::kRead);
  assert(rule.fault != Fault::kFlipByte || rule.op == FileOp::kRead ||
         rule.op == FileOp::kWrite);
  std::lock_guard<std::mutex> lock(mutex_);
  Entry e;
  e.id = static_cast<int>(entries_.size()) + 1;
  e.glob = rule.path_pattern.find_first_of("*?[") != std::string::npos;
  e.rng.seed(rule.seed);
  e.rule = std::move(rule);
  entries_.push_back(std::move(e));
  return entries_.back().id;
}

bool FaultRuleSet::RemoveRule(int rule_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  Entry* e = Find(rule_id);
  if (e == nullptr || e->removed) {
    return false;
  }
  e->removed = true;
  return true;
}

void FaultRuleSet::ClearRules() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (Entry& e : entries_) {
    e.removed = true;
  }
}

uint64_t FaultRuleSet::MatchCount(int rule_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Entry* e = Find(rule_id);
  return e == nullptr ? 0 : e->matches;
}

uint64_t FaultRuleSet::FireCount(int rule_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Entry* e = Find(rule_id);
  return e == nullptr ? 0 : e->fires;
}

std::optional<FaultFiring> FaultRuleSet::Check(FileOp op,
                                               const std::string& path,
                                               const std::string& target) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<FaultFiring> due;
  for (Entry& e : entries_) {
    if (e.removed || e.rule.op != op ||
        !(Matches(e, path) || (!target.empty() && Matches(e, target)))) {
      continue;
    }
    ++e.matches;
    if (due.has_value() || !IsDue(e)) {
      continue;
    }
    ++e.fires;
    due = FaultFiring{e.id, e.rule, e.rng()};
  }
  return due;
}

bool FaultRuleSet::Matches(const Entry& e, const std::string& path) {
  const std::string& pattern = e.rule.path_pattern;
  if (pattern.empty()) {
    return true;
  }
  if (e.glob) {
    return fnmatch(pattern.c_str(), path.c_str(), 0) == 0;
  }
  return path.find(pattern) != std::string::npos;
}

bool FaultRuleSet::IsDue(const Entry& e) {
  const uint64_t first = e.rule.nth > 0 ? static_cast<uint64_t>(e.rule.nth) : 1;
  int64_t limit = e.rule.count;
  if (limit == 0) {
    limit = e.rule.nth > 0 ? 1 : FaultRule::kUnlimited;
  }
  if (e.matches < first) {
    return false;
  }
  return limit == FaultRule::kUnlimited ||
         e.matches < first + static_cast<uint64_t>(limit);
}

const FaultRuleSet::Entry* FaultRuleSet::Find(int rule_id) const {
  if (rule_id < 1 || rule_id > static_cast<int>(entries_.size())) {
    return nullptr;
  }
  return &entries_[static_cast<size_t>(rule_id) - 1];
}

FaultRuleSet::Entry* FaultRuleSet::Find(int rule_id) {
  return const_cast<Entry*>(std::as_const(*this).Find(rule_id));
}

}  // namespace strata
