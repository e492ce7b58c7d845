#include "table/internal_key.h"

#include <cassert>

#include "util/coding.h"

namespace strata {

bool IsSstValueType(uint8_t type) {
  switch (static_cast<ValueType>(type)) {
    case ValueType::kDeletion:
    case ValueType::kValue:
    case ValueType::kMerge:
    case ValueType::kSingleDeletion:
    case ValueType::kRangeDeletion:
    case ValueType::kBlobIndex:
    case ValueType::kDeletionWithTimestamp:
    case ValueType::kWideColumnEntity:
      return true;
    default:
      return false;
  }
}

const char* ValueTypeName(uint8_t type) {
  switch (static_cast<ValueType>(type)) {
    case ValueType::kDeletion:
      return "kTypeDeletion";
    case ValueType::kValue:
      return "kTypeValue";
    case ValueType::kMerge:
      return "kTypeMerge";
    case ValueType::kSingleDeletion:
      return "kTypeSingleDeletion";
    case ValueType::kRangeDeletion:
      return "kTypeRangeDeletion";
    case ValueType::kBlobIndex:
      return "kTypeBlobIndex";
    case ValueType::kDeletionWithTimestamp:
      return "kTypeDeletionWithTimestamp";
    case ValueType::kWideColumnEntity:
      return "kTypeWideColumnEntity";
    default:
      return "unknown";
  }
}

std::string ParsedInternalKey::DebugString() const {
  std::string s = "'" + user_key.ToHex() + "' seq:" + std::to_string(sequence);
  s += ", type:" + std::to_string(static_cast<unsigned>(type));
  return s;
}

void AppendInternalKey(std::string* dst, const ParsedInternalKey& key) {
  assert(key.sequence <= kMaxSequenceNumber);
  dst->append(key.user_key.data(), key.user_key.size());
  PutFixed64(dst, PackSequenceAndType(key.sequence, key.type));
}

std::string MakeInternalKey(Slice user_key, SequenceNumber sequence,
                            ValueType type) {
  std::string key;
  key.reserve(user_key.size() + kInternalKeyTrailerSize);
  AppendInternalKey(&key, ParsedInternalKey(user_key, sequence, type));
  return key;
}

Status ParseInternalKey(Slice internal_key, ParsedInternalKey* result) {
  const size_t n = internal_key.size();
  if (n < kInternalKeyTrailerSize) {
    return Status::Corruption("internal key too short: " + std::to_string(n) +
                              " bytes (at least 8 needed), key " +
                              internal_key.ToHex());
  }
  const uint64_t trailer =
      DecodeFixed64(internal_key.data() + n - kInternalKeyTrailerSize);
  const auto type_byte = static_cast<uint8_t>(trailer & 0xff);
  result->user_key = Slice(internal_key.data(), n - kInternalKeyTrailerSize);
  result->sequence = trailer >> 8;
  result->type = static_cast<ValueType>(type_byte);
  if (!IsSstValueType(type_byte)) {
    return Status::Corruption(
        "internal key has value type " + std::to_string(type_byte) +
        ", which cannot appear in an SST file: " + result->DebugString());
  }
  return Status::OK();
}

int InternalKeyComparator::Compare(Slice a, Slice b) {
  int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r == 0) {
    const uint64_t a_trailer = ExtractTrailer(a);
    const uint64_t b_trailer = ExtractTrailer(b);
    // Larger trailers (newer sequence numbers) sort first.
    if (a_trailer > b_trailer) {
      r = -1;
    } else if (a_trailer < b_trailer) {
      r = +1;
    }
  }
  return r;
}

int InternalKeyComparator::Compare(const ParsedInternalKey& a, Slice b) {
  int r = a.user_key.compare(ExtractUserKey(b));
  if (r == 0) {
    const uint64_t a_trailer = PackSequenceAndType(a.sequence, a.type);
    const uint64_t b_trailer = ExtractTrailer(b);
    if (a_trailer > b_trailer) {
      r = -1;
    } else if (a_trailer < b_trailer) {
      r = +1;
    }
  }
  return r;
}

}  // namespace strata
