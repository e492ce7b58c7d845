// VersionEdit: one change to the shape of the LSM tree (files added and
// deleted per level, plus the counters the store persists with them), and
// FileMetaData, what the store knows about one table file. The MANIFEST is a
// log of encoded VersionEdits; Version::Apply (db/version.h) folds them into
// a tree.
//
// Encoding (persisted; never renumber or reuse a tag). Every integer is a
// varint; "bytes" is a varint32 length followed by that many bytes.
//
//   edit   := record*
//   record := varint32 tag, then the tag's payload:
//     1  comparator name        bytes
//     2  log number             varint64
//     3  next file number       varint64
//     4  last sequence          varint64
//     5  previous log number    varint64
//     6  db id                  bytes
//     7  deleted file           varint32 level, varint64 file number
//     8  new file               varint32 level, varint64 file number,
//                               varint64 file size, bytes smallest,
//                               bytes largest, varint64 smallest seqno,
//                               varint64 largest seqno, field* , varint32 0
//     t  with (t & kSafeToIgnoreTag) != 0: a record this version does not
//        know; payload is "bytes" and is skipped. Any other unknown tag is
//        Corruption.
//   field  := varint32 field tag (never 0), bytes payload
//     1  num_entries            varint64
//     2  num_deletions          varint64
//     3  num_range_deletions    varint64
//     4  creation_time          varint64 (seconds)
//     65 global_seqno           varint64 (only when not disabled)
//     A field tag with (tag & kMustUnderstandField) set changes how the
//     file's contents read (global_seqno does), so a decoder that does not
//     know it returns Corruption; unknown tags without the bit are skipped.
//     A known field whose payload is not exactly one varint is Corruption.
//
// EncodeTo writes records in tag order: deleted files in (level, number)
// order, new files in the order added.
// Decoding accepts records in any order; a repeated scalar record keeps the
// last value.
//
// Thread-safety: a value type; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/internal_key.h"

namespace strata {

struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  // Internal keys (table/internal_key.h), inclusive bounds of the file.
  std::string smallest;
  std::string largest;
  SequenceNumber smallest_seqno = 0;
  SequenceNumber largest_seqno = 0;
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;
  uint64_t num_range_deletions = 0;
  // For ingested files: the sequence number every key of the file reads as
  // (recorded here, not rewritten into the file); kDisableGlobalSequenceNumber
  // otherwise.
  SequenceNumber global_seqno = kDisableGlobalSequenceNumber;
  uint64_t creation_time = 0;  // Seconds since the epoch.

  // REQUIRES: smallest / largest hold at least 8 bytes (DecodeFrom and
  // Version::Apply guarantee it). The Slices point into this object.
  Slice smallest_user_key() const { return ExtractUserKey(smallest); }
  Slice largest_user_key() const { return ExtractUserKey(largest); }

  // "#12 4096B ['a' seq:5, type:1 .. 'k' seq:9, type:1]".
  std::string DebugString() const;

  bool operator==(const FileMetaData&) const = default;
};

class VersionEdit {
 public:
  // Top-level tag bit: an unknown record with it is skipped (its payload is
  // length-prefixed). Persisted.
  static constexpr uint32_t kSafeToIgnoreTag = 1u << 13;
  // New-file field tag bit: an unknown field with it is Corruption.
  // Persisted.
  static constexpr uint32_t kMustUnderstandField = 1u << 6;

  VersionEdit() = default;

  void Clear() { *this = VersionEdit(); }

  bool has_comparator_name() const { return has_comparator_name_; }
  const std::string& comparator_name() const { return comparator_name_; }
  void set_comparator_name(Slice name) {
    has_comparator_name_ = true;
    comparator_name_ = name.ToString();
  }
  bool has_db_id() const { return has_db_id_; }
  const std::string& db_id() const { return db_id_; }
  void set_db_id(Slice id) {
    has_db_id_ = true;
    db_id_ = id.ToString();
  }
  bool has_log_number() const { return has_log_number_; }
  uint64_t log_number() const { return log_number_; }
  void set_log_number(uint64_t n) {
    has_log_number_ = true;
    log_number_ = n;
  }
  bool has_prev_log_number() const { return has_prev_log_number_; }
  uint64_t prev_log_number() const { return prev_log_number_; }
  void set_prev_log_number(uint64_t n) {
    has_prev_log_number_ = true;
    prev_log_number_ = n;
  }
  bool has_next_file_number() const { return has_next_file_number_; }
  uint64_t next_file_number() const { return next_file_number_; }
  void set_next_file_number(uint64_t n) {
    has_next_file_number_ = true;
    next_file_number_ = n;
  }
  bool has_last_sequence() const { return has_last_sequence_; }
  SequenceNumber last_sequence() const { return last_sequence_; }
  void set_last_sequence(SequenceNumber s) {
    has_last_sequence_ = true;
    last_sequence_ = s;
  }

  // REQUIRES: level >= 0. Version::Apply checks the level against the tree
  // and the keys for being internal keys.
  void AddFile(int level, FileMetaData file) {
    new_files_.emplace_back(level, std::move(file));
  }
  // Removing the same file twice in one edit records it once.
  void DeleteFile(int level, uint64_t number) {
    deleted_files_.emplace(level, number);
  }
  // Applied before new_files() (a file may be deleted from one level and
  // added to another in one edit: a trivial move).
  const std::set<std::pair<int, uint64_t>>& deleted_files() const {
    return deleted_files_;
  }
  const std::vector<std::pair<int, FileMetaData>>& new_files() const {
    return new_files_;
  }

  // Appends the encoding described at the top of this file.
  void EncodeTo(std::string* dst) const;
  // Replaces *this with the edit encoded in `src`. On bad input returns
  // Corruption naming the record or field and its byte offset in `src`
  // ("version edit @ 17: new file (level 1): largest key: truncated"), and
  // leaves *this unspecified. Never reads outside `src`.
  Status DecodeFrom(Slice src);

  // One line per set field and per file, for logs and tests.
  std::string DebugString() const;

 private:
  bool has_comparator_name_ = false;
  bool has_db_id_ = false;
  bool has_log_number_ = false;
  bool has_prev_log_number_ = false;
  bool has_next_file_number_ = false;
  bool has_last_sequence_ = false;
  std::string comparator_name_;
  std::string db_id_;
  uint64_t log_number_ = 0;
  uint64_t prev_log_number_ = 0;
  uint64_t next_file_number_ = 0;
  SequenceNumber last_sequence_ = 0;
  std::set<std::pair<int, uint64_t>> deleted_files_;
  std::vector<std::pair<int, FileMetaData>> new_files_;
};

}  // namespace strata
