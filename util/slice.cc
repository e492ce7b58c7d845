#include "strata/slice.h"

namespace strata {

std::string Slice::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size_ * 2);
  for (size_t i = 0; i < size_; ++i) {
    const auto c = static_cast<unsigned char>(data_[i]);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace strata
