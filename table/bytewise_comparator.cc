#include "table/bytewise_comparator.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "table/internal_key.h"
#include "util/coding.h"

namespace strata {

namespace {

uint8_t ByteAt(const std::string& s, size_t i) {
  return static_cast<uint8_t>(s[i]);
}

// Replaces the user-key part of an internal key with `shortened` when it is a
// real improvement (no longer, and strictly greater), as RocksDB does.
void AdoptIfShorterAndGreater(std::string* key, std::string* shortened) {
  const Slice user_key = ExtractUserKey(*key);
  if (shortened->size() <= user_key.size() &&
      user_key.compare(*shortened) < 0) {
    PutFixed64(shortened,
               PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek));
    key->swap(*shortened);
  }
}

}  // namespace

void FindShortestSeparator(std::string* start, Slice limit) {
  const size_t min_length = std::min(start->size(), limit.size());
  size_t diff = 0;
  while (diff < min_length && (*start)[diff] == limit[diff]) {
    ++diff;
  }
  if (diff >= min_length) {
    return;  // One is a prefix of the other.
  }
  const uint8_t start_byte = ByteAt(*start, diff);
  const auto limit_byte = static_cast<uint8_t>(limit[diff]);
  if (start_byte >= limit_byte) {
    return;  // limit sorts before start: nothing sensible to do.
  }
  if (diff < limit.size() - 1 || start_byte + 1 < limit_byte) {
    (*start)[diff] = static_cast<char>(start_byte + 1);
    start->resize(diff + 1);
    return;
  }
  // limit ends at `diff` with limit[diff] == start[diff] + 1: incrementing
  // that byte would reach limit, so keep it and increment the first later
  // byte that can be incremented.
  for (size_t i = diff + 1; i < start->size(); ++i) {
    const uint8_t b = ByteAt(*start, i);
    if (b < 0xff) {
      (*start)[i] = static_cast<char>(b + 1);
      start->resize(i + 1);
      return;
    }
  }
}

void FindShortSuccessor(std::string* key) {
  for (size_t i = 0; i < key->size(); ++i) {
    const uint8_t b = ByteAt(*key, i);
    if (b != 0xff) {
      (*key)[i] = static_cast<char>(b + 1);
      key->resize(i + 1);
      return;
    }
  }
}

void FindShortestInternalKeySeparator(std::string* start, Slice limit) {
  assert(start->size() >= kInternalKeyTrailerSize);
  assert(limit.size() >= kInternalKeyTrailerSize);
  std::string shortened = ExtractUserKey(*start).ToString();
  FindShortestSeparator(&shortened, ExtractUserKey(limit));
  AdoptIfShorterAndGreater(start, &shortened);
}

void FindShortInternalKeySuccessor(std::string* key) {
  assert(key->size() >= kInternalKeyTrailerSize);
  std::string shortened = ExtractUserKey(*key).ToString();
  FindShortSuccessor(&shortened);
  AdoptIfShorterAndGreater(key, &shortened);
}

}  // namespace strata
