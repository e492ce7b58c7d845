// FaultRuleSet: the rules of FaultInjectionFileSystem
// (env/fault_injection_file_system.h): which operation on which path, at
// which occurrence, fails in which way. The rule set only decides; the file
// system applies the fault.
//
// A rule matches an operation when the FileOp is equal and the path pattern
// matches. Every matching operation is an occurrence of the rule, counted
// from when the rule was added; the rule fires on the occurrences
// [nth, nth + count). When several rules are due on the same operation, only
// the one added first fires; the others still count the occurrence (and so
// may miss their turn).
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "env/io_recorder.h"

namespace strata {

enum class Fault : uint8_t {
  // The operation fails with FaultRule::error_number and never reaches the
  // wrapped file system.
  kError,
  // The operation reaches the wrapped file system; if it succeeded there, it
  // still returns FaultRule::error_number (the data was written, the file
  // deleted, ... but the caller is told it failed). A read returns an empty
  // result. An open or a lock that succeeded is undone (the file closed, the
  // lock released), since the caller gets no object for it; what the open
  // did to the file (creating or truncating it) stays.
  kErrorAfterEffect,
  // kRead only: the read returns OK with fewer bytes than asked, as a read
  // interrupted mid-file does (FaultRule::short_read_bytes).
  kShortRead,
  // kRead and kWrite: one byte of the data is XOR-ed with
  // FaultRule::flip_mask: in the bytes a read returns (after they were
  // read), or in the bytes a write sends to the wrapped file system (the
  // caller's buffer is left alone).
  kFlipByte,
};
const char* FaultName(Fault fault);  // "error", "short_read", ...

struct FaultRule {
  // Count value: fire on every occurrence from the nth on.
  static constexpr int kUnlimited = -1;

  FileOp op = FileOp::kRead;
  // Which paths match. With any of '*', '?' or '[' it is a glob
  // (fnmatch(3) without flags: '*' also matches '/'), matched against the
  // whole path; otherwise a substring of the path. Empty matches every path.
  // kRename and kLink match on the source or the target.
  std::string path_pattern;
  // The first matching occurrence the rule fires on, counted from when the
  // rule was added, starting at 1. 0 means from the first one on, every time
  // (unless `count` says otherwise).
  int nth = 0;
  Fault fault = Fault::kError;
  // kError and kErrorAfterEffect: the errno of the failure. ENOSPC becomes
  // NoSpace, ENOENT NotFound, anything else IOError, as for real errors.
  int error_number = EIO;
  // How many consecutive occurrences, from the nth on, the rule fires on:
  // 0 means once when nth > 0 and every time when nth == 0; kUnlimited means
  // every time from the nth on.
  int count = 0;
  // kShortRead: the bytes to return (at most the bytes asked for); unset
  // means half of them. For direct files rounded down to the offset
  // alignment when round_short_read_to_alignment is set (a kernel's partial
  // direct read stops at a block boundary); sequential direct files always
  // round (their position must stay aligned).
  std::optional<size_t> short_read_bytes = std::nullopt;
  bool round_short_read_to_alignment = true;
  // kFlipByte: the position of the byte within the data; unset means a
  // position drawn from a generator seeded with `seed` (one draw per
  // firing). A position past the end of the data flips nothing.
  std::optional<size_t> flip_position = std::nullopt;
  uint8_t flip_mask = 0xff;
  uint64_t seed = 0;
};

// A rule that fired on an operation: a copy, usable after the rule changed.
struct FaultFiring {
  int rule_id = 0;
  FaultRule rule{};
  uint64_t random = 0;  // The rule generator's draw for this firing.
};

class FaultRuleSet {
 public:
  FaultRuleSet() = default;
  FaultRuleSet(const FaultRuleSet&) = delete;
  FaultRuleSet& operator=(const FaultRuleSet&) = delete;

  // Adds a rule and returns its id (1, 2, 3, ...; never reused).
  // REQUIRES: nth >= 0; count >= kUnlimited; kShortRead only with kRead;
  // kFlipByte only with kRead or kWrite.
  int AddRule(FaultRule rule);
  // Stops the rule from matching. False if no active rule has that id.
  bool RemoveRule(int rule_id);
  // Removes every rule.
  void ClearRules();
  // How many operations matched the rule, and how many times it fired.
  // Removed rules keep their counts; unknown ids have 0.
  uint64_t MatchCount(int rule_id) const;
  uint64_t FireCount(int rule_id) const;

  // Counts one operation `op` on `path` (and `target`, for kRename and
  // kLink; empty otherwise) as an occurrence of every active rule it
  // matches, and returns the first of those rules that is due, if any.
  std::optional<FaultFiring> Check(FileOp op, const std::string& path,
                                   const std::string& target);

 private:
  struct Entry {
    int id = 0;
    FaultRule rule{};
    bool glob = false;
    bool removed = false;
    uint64_t matches = 0;
    uint64_t fires = 0;
    std::mt19937_64 rng;
  };

  static bool Matches(const Entry& e, const std::string& path);
  // Whether the occurrence just counted is one the rule fires on.
  static bool IsDue(const Entry& e);
  const Entry* Find(int rule_id) const;  // REQUIRES: mutex_ held.
  Entry* Find(int rule_id);              // REQUIRES: mutex_ held.

  mutable std::mutex mutex_;
  // Guarded by mutex_. Never shrinks: entries[id - 1] is rule `id`.
  std::vector<Entry> entries_;
};

}  // namespace strata
