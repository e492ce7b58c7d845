// Slice: a pointer and a length that refer to bytes owned by someone else.
//
// Ownership and lifetime: a Slice never owns its bytes. Whoever returns one
// says how long the bytes stay valid (typically until the next call on the
// same object). Copying a Slice copies only the pointer.
// Thread-safety: a value type; const methods may be called concurrently.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace strata {

class Slice {
 public:
  constexpr Slice() noexcept : data_(""), size_(0) {}
  constexpr Slice(const char* data, size_t size) noexcept
      : data_(data), size_(size) {}
  Slice(const std::string& s) noexcept  // NOLINT: implicit, as in RocksDB.
      : data_(s.data()), size_(s.size()) {}
  constexpr Slice(std::string_view s) noexcept  // NOLINT
      : data_(s.data()), size_(s.size()) {}
  Slice(const char* cstr) noexcept  // NOLINT
      : data_(cstr), size_(std::strlen(cstr)) {}

  constexpr const char* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }

  // REQUIRES: i < size().
  char operator[](size_t i) const {
    assert(i < size_);
    return data_[i];
  }

  void clear() {
    data_ = "";
    size_ = 0;
  }

  // REQUIRES: n <= size().
  void remove_prefix(size_t n) {
    assert(n <= size_);
    data_ += n;
    size_ -= n;
  }
  // REQUIRES: n <= size().
  void remove_suffix(size_t n) {
    assert(n <= size_);
    size_ -= n;
  }

  std::string ToString() const { return std::string(data_, size_); }
  constexpr std::string_view view() const { return {data_, size_}; }
  constexpr operator std::string_view() const { return view(); }  // NOLINT

  // Lower-case hex of every byte, two digits each.
  std::string ToHex() const;

  // Three-way comparison of the bytes as unsigned chars: < 0, 0 or > 0.
  int compare(const Slice& b) const;

  bool starts_with(const Slice& prefix) const {
    return size_ >= prefix.size_ &&
           std::memcmp(data_, prefix.data_, prefix.size_) == 0;
  }

 private:
  const char* data_;
  size_t size_;
};

inline bool operator==(const Slice& a, const Slice& b) {
  return a.size() == b.size() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size()) == 0);
}
inline bool operator!=(const Slice& a, const Slice& b) { return !(a == b); }

inline int Slice::compare(const Slice& b) const {
  const size_t min_len = size_ < b.size_ ? size_ : b.size_;
  int r = min_len == 0 ? 0 : std::memcmp(data_, b.data_, min_len);
  if (r == 0) {
    if (size_ < b.size_) {
      r = -1;
    } else if (size_ > b.size_) {
      r = +1;
    }
  }
  return r;
}

}  // namespace strata
