#include "strata/write_batch.h"

#include <cassert>
#include <cstdio>
#include <limits>

#include "db/write_batch_internal.h"
#include "table/internal_key.h"
#include "util/coding.h"

namespace strata {
namespace {

// Record tags: ValueType values (table/internal_key.h), persisted.
constexpr uint8_t Tag(ValueType t) { return static_cast<uint8_t>(t); }

Status CheckSize(const char* what, Slice s) {
  if (s.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument(
        std::string("WriteBatch: ") + what + " is too large: " +
        std::to_string(s.size()) + " bytes (the limit is 4 GiB - 1)");
  }
  return Status::OK();
}

std::string HexTag(uint8_t tag) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02x", tag);
  return buf;
}

// RocksDB's name for a 7.8.3 WAL record type strata does not handle
// (column families, merge, transaction markers, blob indexes, wide
// columns), or null for any other tag.
const char* UnsupportedTagName(uint8_t tag) {
  switch (static_cast<ValueType>(tag)) {
    case ValueType::kMerge:
      return "kTypeMerge";
    case ValueType::kColumnFamilyDeletion:
      return "kTypeColumnFamilyDeletion";
    case ValueType::kColumnFamilyValue:
      return "kTypeColumnFamilyValue";
    case ValueType::kColumnFamilyMerge:
      return "kTypeColumnFamilyMerge";
    case ValueType::kColumnFamilySingleDeletion:
      return "kTypeColumnFamilySingleDeletion";
    case ValueType::kBeginPrepareXID:
      return "kTypeBeginPrepareXID";
    case ValueType::kEndPrepareXID:
      return "kTypeEndPrepareXID";
    case ValueType::kCommitXID:
      return "kTypeCommitXID";
    case ValueType::kRollbackXID:
      return "kTypeRollbackXID";
    case ValueType::kColumnFamilyRangeDeletion:
      return "kTypeColumnFamilyRangeDeletion";
    case ValueType::kColumnFamilyBlobIndex:
      return "kTypeColumnFamilyBlobIndex";
    case ValueType::kBlobIndex:
      return "kTypeBlobIndex";
    case ValueType::kBeginPersistedPrepareXID:
      return "kTypeBeginPersistedPrepareXID";
    case ValueType::kBeginUnprepareXID:
      return "kTypeBeginUnprepareXID";
    case ValueType::kCommitXIDAndTimestamp:
      return "kTypeCommitXIDAndTimestamp";
    case ValueType::kWideColumnEntity:
      return "kTypeWideColumnEntity";
    case ValueType::kColumnFamilyWideColumnEntity:
      return "kTypeColumnFamilyWideColumnEntity";
    default:
      return nullptr;
  }
}

}  // namespace

WriteBatch::Handler::~Handler() = default;

WriteBatch::WriteBatch() : rep_(WriteBatchInternal::kHeader, '\0') {}

WriteBatch::WriteBatch(WriteBatch&& other) noexcept
    : rep_(std::move(other.rep_)) {
  other.Clear();
}

WriteBatch& WriteBatch::operator=(WriteBatch&& other) noexcept {
  if (this != &other) {
    rep_ = std::move(other.rep_);
    other.Clear();
  }
  return *this;
}

void WriteBatch::Clear() { rep_.assign(WriteBatchInternal::kHeader, '\0'); }

uint32_t WriteBatch::Count() const { return WriteBatchInternal::Count(*this); }

Status WriteBatch::Put(Slice key, Slice value) {
  STRATA_RETURN_IF_ERROR(CheckSize("key", key));
  STRATA_RETURN_IF_ERROR(CheckSize("value", value));
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(Tag(ValueType::kValue)));
  PutLengthPrefixedSlice(&rep_, key);
  PutLengthPrefixedSlice(&rep_, value);
  return Status::OK();
}

Status WriteBatch::Delete(Slice key) {
  STRATA_RETURN_IF_ERROR(CheckSize("key", key));
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(Tag(ValueType::kDeletion)));
  PutLengthPrefixedSlice(&rep_, key);
  return Status::OK();
}

Status WriteBatch::SingleDelete(Slice key) {
  STRATA_RETURN_IF_ERROR(CheckSize("key", key));
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(Tag(ValueType::kSingleDeletion)));
  PutLengthPrefixedSlice(&rep_, key);
  return Status::OK();
}

Status WriteBatch::DeleteRange(Slice begin_key, Slice end_key) {
  STRATA_RETURN_IF_ERROR(CheckSize("begin key", begin_key));
  STRATA_RETURN_IF_ERROR(CheckSize("end key", end_key));
  WriteBatchInternal::SetCount(this, Count() + 1);
  rep_.push_back(static_cast<char>(Tag(ValueType::kRangeDeletion)));
  PutLengthPrefixedSlice(&rep_, begin_key);
  PutLengthPrefixedSlice(&rep_, end_key);
  return Status::OK();
}

Status WriteBatch::Iterate(Handler* handler) const {
  if (rep_.size() < WriteBatchInternal::kHeader) {
    return Status::Corruption(
        "WriteBatch: too small: " + std::to_string(rep_.size()) +
        " bytes, the header alone is " +
        std::to_string(WriteBatchInternal::kHeader));
  }
  Slice input(rep_.data() + WriteBatchInternal::kHeader,
              rep_.size() - WriteBatchInternal::kHeader);
  uint32_t found = 0;
  while (!input.empty()) {
    const size_t record_offset = rep_.size() - input.size();
    const uint8_t tag = static_cast<uint8_t>(input[0]);
    input = Slice(input.data() + 1, input.size() - 1);
    auto bad = [&](const char* what) {
      return Status::Corruption(
          "WriteBatch: bad " + std::string(what) + " record at offset " +
          std::to_string(record_offset) + " (cut short or a malformed length)");
    };
    Slice key;
    Slice value;
    Status s;
    switch (static_cast<ValueType>(tag)) {
      case ValueType::kValue:
        if (!GetLengthPrefixedSlice(&input, &key) ||
            !GetLengthPrefixedSlice(&input, &value)) {
          return bad("Put");
        }
        s = handler->Put(key, value);
        ++found;
        break;
      case ValueType::kDeletion:
        if (!GetLengthPrefixedSlice(&input, &key)) {
          return bad("Delete");
        }
        s = handler->Delete(key);
        ++found;
        break;
      case ValueType::kSingleDeletion:
        if (!GetLengthPrefixedSlice(&input, &key)) {
          return bad("SingleDelete");
        }
        s = handler->SingleDelete(key);
        ++found;
        break;
      case ValueType::kRangeDeletion:
        if (!GetLengthPrefixedSlice(&input, &key) ||
            !GetLengthPrefixedSlice(&input, &value)) {
          return bad("DeleteRange");
        }
        s = handler->DeleteRange(key, value);
        ++found;
        break;
      case ValueType::kLogData:
        // A blob for the WAL's readers only; not an update, not counted.
        if (!GetLengthPrefixedSlice(&input, &value)) {
          return bad("LogData");
        }
        break;
      case ValueType::kNoop:
        break;  // No payload, not counted.
      default:
        if (const char* name = UnsupportedTagName(tag)) {
          return Status::NotSupported(
              std::string("WriteBatch: record type ") + name + " (" +
              HexTag(tag) + ") at offset " + std::to_string(record_offset) +
              " is not supported by strata");
        }
        return Status::Corruption("WriteBatch: unknown tag " + HexTag(tag) +
                                  " at offset " +
                                  std::to_string(record_offset));
    }
    if (!s.ok()) {
      return s;
    }
  }
  const uint32_t count = Count();
  if (found != count) {
    return Status::Corruption(
        "WriteBatch: count mismatch: the header says " + std::to_string(count) +
        " updates, the records hold " + std::to_string(found));
  }
  return Status::OK();
}

SequenceNumber WriteBatchInternal::Sequence(const WriteBatch& batch) {
  return DecodeFixed64(batch.rep_.data());
}

void WriteBatchInternal::SetSequence(WriteBatch* batch,
                                     SequenceNumber sequence) {
  EncodeFixed64(batch->rep_.data(), sequence);
}

uint32_t WriteBatchInternal::Count(const WriteBatch& batch) {
  return DecodeFixed32(batch.rep_.data() + 8);
}

void WriteBatchInternal::SetCount(WriteBatch* batch, uint32_t count) {
  EncodeFixed32(batch->rep_.data() + 8, count);
}

Slice WriteBatchInternal::Contents(const WriteBatch& batch) {
  return Slice(batch.rep_);
}

Status WriteBatchInternal::SetContents(WriteBatch* batch, Slice contents) {
  if (contents.size() < kHeader) {
    return Status::Corruption(
        "WriteBatch: too small: " + std::to_string(contents.size()) +
        " bytes, the header alone is " + std::to_string(kHeader));
  }
  batch->rep_.assign(contents.data(), contents.size());
  return Status::OK();
}

void WriteBatchInternal::Append(WriteBatch* dst, const WriteBatch& src) {
  assert(src.rep_.size() >= kHeader);
  SetCount(dst, Count(*dst) + Count(src));
  dst->rep_.append(src.rep_.data() + kHeader, src.rep_.size() - kHeader);
}

}  // namespace strata
