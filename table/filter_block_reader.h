// FilterBlockReader: answers "may this SST file contain user key K?" from
// the contents of its full filter block, as RocksDB 7.8.3's builtin filter
// reader does (../shared/spec/sst-format.md section 10.2, "Reader
// decoding"). The implementation is detected from the 5-byte metadata
// trailer, whatever format_version the file has.
//
// Bad bytes never fail and never crash. As in RocksDB, metadata this code
// cannot use (reserved values, a Ribbon filter, inconsistent sizes) makes
// the filter "always may match": the table then reads the data blocks, so
// answers stay correct and only the filtering is lost; degraded_reason()
// says why, for the table reader's log. A block of at most 5 bytes is an
// empty filter and matches nothing. Verifying the block checksum before
// parsing is the caller's job.
//
// Ownership: borrows `contents`, which must outlive the reader (e.g. the
// pinned filter block). Thread-safety: immutable after construction; const
// methods may be called concurrently. Cheap to copy.
#pragma once

#include <cstdint>
#include <string_view>

#include "strata/slice.h"

namespace strata {

class FilterBlockReader {
 public:
  // Not persisted; for tests and logs only.
  enum class Kind : uint8_t {
    kAlwaysFalse,     // Empty filter (no keys): KeyMayMatch() is false.
    kAlwaysTrue,      // Unusable metadata: KeyMayMatch() is true.
    kFastLocalBloom,  // format_version 5 filters.
    kLegacyBloom,     // format_version 0-4 filters.
  };

  // Parses the metadata of `contents` (the filter block without its block
  // trailer). Never fails; see the header comment.
  explicit FilterBlockReader(Slice contents);

  // False only if `user_key` was certainly not added to the filter.
  bool KeyMayMatch(Slice user_key) const;

  Kind kind() const { return kind_; }
  // Probes per key for the two bloom kinds, 0 otherwise.
  int num_probes() const { return num_probes_; }
  // For kAlwaysTrue / kAlwaysFalse: a short static description of why
  // (e.g. "Ribbon filter not supported"); empty for usable filters.
  std::string_view degraded_reason() const { return degraded_reason_; }

 private:
  void ParseNewBloom();
  void ParseLegacyBloom(int num_probes);
  void Degrade(Kind kind, std::string_view reason);

  Slice contents_;
  Kind kind_ = Kind::kAlwaysTrue;
  int num_probes_ = 0;
  uint32_t len_bytes_ = 0;   // Bit array bytes (contents minus metadata).
  uint32_t num_lines_ = 0;   // Legacy only.
  int log2_line_bytes_ = 0;  // Legacy only.
  std::string_view degraded_reason_;
};

}  // namespace strata
