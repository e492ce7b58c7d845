#include "db/version_edit.h"

#include <climits>

#include "util/coding.h"

namespace strata {

namespace {

// Record tags (see the header). Persisted; never renumber or reuse.
enum Tag : uint32_t {
  kComparatorName = 1,
  kLogNumber = 2,
  kNextFileNumber = 3,
  kLastSequence = 4,
  kPrevLogNumber = 5,
  kDbId = 6,
  kDeletedFile = 7,
  kNewFile = 8,
};

// New-file field tags. Persisted; never renumber or reuse.
enum FieldTag : uint32_t {
  kFieldEnd = 0,
  kFieldNumEntries = 1,
  kFieldNumDeletions = 2,
  kFieldNumRangeDeletions = 3,
  kFieldCreationTime = 4,
  kFieldGlobalSeqno = 1 | VersionEdit::kMustUnderstandField,
};

void PutField(std::string* dst, uint32_t tag, uint64_t value) {
  PutVarint32(dst, tag);
  std::string payload;
  PutVarint64(&payload, value);
  PutLengthPrefixedSlice(dst, payload);
}

void EncodeNewFile(std::string* dst, int level, const FileMetaData& f) {
  PutVarint32(dst, kNewFile);
  PutVarint32(dst, static_cast<uint32_t>(level));
  PutVarint64(dst, f.number);
  PutVarint64(dst, f.file_size);
  PutLengthPrefixedSlice(dst, f.smallest);
  PutLengthPrefixedSlice(dst, f.largest);
  PutVarint64(dst, f.smallest_seqno);
  PutVarint64(dst, f.largest_seqno);
  // Zero counters are the defaults and are left out.
  if (f.num_entries != 0) PutField(dst, kFieldNumEntries, f.num_entries);
  if (f.num_deletions != 0) PutField(dst, kFieldNumDeletions, f.num_deletions);
  if (f.num_range_deletions != 0) {
    PutField(dst, kFieldNumRangeDeletions, f.num_range_deletions);
  }
  if (f.creation_time != 0) {
    PutField(dst, kFieldCreationTime, f.creation_time);
  }
  if (f.global_seqno != kDisableGlobalSequenceNumber) {
    PutField(dst, kFieldGlobalSeqno, f.global_seqno);
  }
  PutVarint32(dst, kFieldEnd);
}

// Reads from `input`, a suffix of `whole`, and names the failing byte's
// offset in `whole` in every error.
class Reader {
 public:
  explicit Reader(Slice whole) : whole_(whole), input_(whole) {}

  bool done() const { return input_.empty(); }
  uint64_t offset() const { return whole_.size() - input_.size(); }

  Status Varint32(const char* what, uint32_t* v) {
    const uint64_t at = offset();
    return GetVarint32(&input_, v) ? Status::OK() : Bad(at, what);
  }
  Status Varint64(const char* what, uint64_t* v) {
    const uint64_t at = offset();
    return GetVarint64(&input_, v) ? Status::OK() : Bad(at, what);
  }
  Status Bytes(const char* what, Slice* v) {
    const uint64_t at = offset();
    return GetLengthPrefixedSlice(&input_, v) ? Status::OK() : Bad(at, what);
  }
  Status Level(const char* what, int* level) {
    const uint64_t at = offset();
    uint32_t v = 0;
    if (!GetVarint32(&input_, &v)) return Bad(at, what);
    if (v > static_cast<uint32_t>(INT_MAX)) {
      return Error(at, std::string(what) + ": level " + std::to_string(v) +
                           " out of range");
    }
    *level = static_cast<int>(v);
    return Status::OK();
  }
  // An internal key: at least the 8-byte trailer.
  Status Key(const char* what, std::string* key) {
    const uint64_t at = offset();
    Slice s;
    if (!GetLengthPrefixedSlice(&input_, &s)) return Bad(at, what);
    if (s.size() < kInternalKeyTrailerSize) {
      return Error(at, std::string(what) + ": " + std::to_string(s.size()) +
                           " bytes, shorter than an internal key");
    }
    key->assign(s.data(), s.size());
    return Status::OK();
  }

  Status Error(uint64_t at, const std::string& detail) const {
    return Status::Corruption("version edit @ " + std::to_string(at) + ": " +
                              prefix_ + detail);
  }
  // Every error until the next call names `p` before the field.
  void set_prefix(std::string p) { prefix_ = std::move(p); }

 private:
  Status Bad(uint64_t at, const char* what) const {
    return Error(at, std::string(what) + ": truncated or malformed");
  }

  Slice whole_;
  Slice input_;
  std::string prefix_;
};

// The payload of a known new-file field: exactly one varint64.
Status ParseFieldValue(const Reader& r, uint64_t at, const char* what,
                       Slice payload, uint64_t* value) {
  if (!GetVarint64(&payload, value) || !payload.empty()) {
    return r.Error(at,
                   std::string(what) + ": payload is not exactly one varint64");
  }
  return Status::OK();
}

Status DecodeNewFile(Reader* r, int* level, FileMetaData* f) {
  Status s = r->Level("new file level", level);
  if (!s.ok()) return s;
  r->set_prefix("new file (level " + std::to_string(*level) + "): ");
  if (s = r->Varint64("file number", &f->number); !s.ok()) return s;
  if (s = r->Varint64("file size", &f->file_size); !s.ok()) return s;
  if (s = r->Key("smallest key", &f->smallest); !s.ok()) return s;
  if (s = r->Key("largest key", &f->largest); !s.ok()) return s;
  if (s = r->Varint64("smallest seqno", &f->smallest_seqno); !s.ok()) return s;
  if (s = r->Varint64("largest seqno", &f->largest_seqno); !s.ok()) return s;
  while (true) {
    const uint64_t at = r->offset();
    uint32_t tag = 0;
    if (s = r->Varint32("field tag", &tag); !s.ok()) return s;
    if (tag == kFieldEnd) break;
    Slice payload;
    if (s = r->Bytes("field payload", &payload); !s.ok()) return s;
    switch (tag) {
      case kFieldNumEntries:
        s = ParseFieldValue(*r, at, "num_entries", payload, &f->num_entries);
        break;
      case kFieldNumDeletions:
        s = ParseFieldValue(*r, at, "num_deletions", payload,
                            &f->num_deletions);
        break;
      case kFieldNumRangeDeletions:
        s = ParseFieldValue(*r, at, "num_range_deletions", payload,
                            &f->num_range_deletions);
        break;
      case kFieldCreationTime:
        s = ParseFieldValue(*r, at, "creation_time", payload,
                            &f->creation_time);
        break;
      case kFieldGlobalSeqno:
        s = ParseFieldValue(*r, at, "global_seqno", payload, &f->global_seqno);
        if (s.ok() && f->global_seqno > kMaxSequenceNumber &&
            f->global_seqno != kDisableGlobalSequenceNumber) {
          s = r->Error(at, "global_seqno " + std::to_string(f->global_seqno) +
                               " exceeds the 56-bit maximum");
        }
        break;
      default:
        if ((tag & VersionEdit::kMustUnderstandField) != 0) {
          return r->Error(at, "unknown field tag " + std::to_string(tag) +
                                  " that must be understood");
        }
        break;  // Safe to ignore: skipped with its payload.
    }
    if (!s.ok()) return s;
  }
  r->set_prefix("");
  return Status::OK();
}

}  // namespace

std::string FileMetaData::DebugString() const {
  std::string r =
      "#" + std::to_string(number) + " " + std::to_string(file_size) + "B [";
  ParsedInternalKey k;
  r += ParseInternalKey(smallest, &k).ok() ? k.DebugString()
                                           : Slice(smallest).ToHex();
  r += " .. ";
  r += ParseInternalKey(largest, &k).ok() ? k.DebugString()
                                          : Slice(largest).ToHex();
  r += "]";
  if (global_seqno != kDisableGlobalSequenceNumber) {
    r += " global_seqno:" + std::to_string(global_seqno);
  }
  return r;
}

void VersionEdit::EncodeTo(std::string* dst) const {
  if (has_comparator_name_) {
    PutVarint32(dst, kComparatorName);
    PutLengthPrefixedSlice(dst, comparator_name_);
  }
  if (has_log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, log_number_);
  }
  if (has_next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, next_file_number_);
  }
  if (has_last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, last_sequence_);
  }
  if (has_prev_log_number_) {
    PutVarint32(dst, kPrevLogNumber);
    PutVarint64(dst, prev_log_number_);
  }
  if (has_db_id_) {
    PutVarint32(dst, kDbId);
    PutLengthPrefixedSlice(dst, db_id_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, static_cast<uint32_t>(level));
    PutVarint64(dst, number);
  }
  for (const auto& [level, file] : new_files_) {
    EncodeNewFile(dst, level, file);
  }
}

Status VersionEdit::DecodeFrom(Slice src) {
  Clear();
  Reader r(src);
  Status s;
  while (s.ok() && !r.done()) {
    const uint64_t at = r.offset();
    uint32_t tag = 0;
    if (s = r.Varint32("record tag", &tag); !s.ok()) break;
    switch (tag) {
      case kComparatorName: {
        Slice v;
        s = r.Bytes("comparator name", &v);
        if (s.ok()) set_comparator_name(v);
        break;
      }
      case kLogNumber:
        s = r.Varint64("log number", &log_number_);
        has_log_number_ = true;
        break;
      case kNextFileNumber:
        s = r.Varint64("next file number", &next_file_number_);
        has_next_file_number_ = true;
        break;
      case kLastSequence:
        s = r.Varint64("last sequence", &last_sequence_);
        has_last_sequence_ = true;
        break;
      case kPrevLogNumber:
        s = r.Varint64("previous log number", &prev_log_number_);
        has_prev_log_number_ = true;
        break;
      case kDbId: {
        Slice v;
        s = r.Bytes("db id", &v);
        if (s.ok()) set_db_id(v);
        break;
      }
      case kDeletedFile: {
        int level = 0;
        uint64_t number = 0;
        s = r.Level("deleted file level", &level);
        if (s.ok()) s = r.Varint64("deleted file number", &number);
        if (s.ok()) DeleteFile(level, number);
        break;
      }
      case kNewFile: {
        int level = 0;
        FileMetaData f;
        s = DecodeNewFile(&r, &level, &f);
        if (s.ok()) AddFile(level, std::move(f));
        break;
      }
      default:
        if ((tag & kSafeToIgnoreTag) != 0) {
          Slice skipped;
          s = r.Bytes("ignorable record payload", &skipped);
        } else {
          s = r.Error(at, "unknown record tag " + std::to_string(tag));
        }
        break;
    }
  }
  return s;
}

std::string VersionEdit::DebugString() const {
  std::string r = "VersionEdit {\n";
  if (has_comparator_name_) r += "  comparator: " + comparator_name_ + "\n";
  if (has_db_id_) r += "  db id: " + db_id_ + "\n";
  if (has_log_number_) {
    r += "  log number: " + std::to_string(log_number_) + "\n";
  }
  if (has_prev_log_number_) {
    r += "  prev log number: " + std::to_string(prev_log_number_) + "\n";
  }
  if (has_next_file_number_) {
    r += "  next file number: " + std::to_string(next_file_number_) + "\n";
  }
  if (has_last_sequence_) {
    r += "  last sequence: " + std::to_string(last_sequence_) + "\n";
  }
  for (const auto& [level, number] : deleted_files_) {
    r += "  delete L" + std::to_string(level) + " #" + std::to_string(number) +
         "\n";
  }
  for (const auto& [level, file] : new_files_) {
    r += "  add L" + std::to_string(level) + " " + file.DebugString() + "\n";
  }
  r += "}";
  return r;
}

}  // namespace strata
