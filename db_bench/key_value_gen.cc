#include "db_bench/key_value_gen.h"

#include <algorithm>
#include <cstring>

namespace strata::bench {
namespace {

constexpr uint32_t kModulus = 2147483647u;  // 2^31 - 1

// Big-endian low `bytes` bytes of v (bytes <= 8).
void PutBigEndian(uint64_t v, int bytes, char* out) {
  for (int i = 0; i < bytes; ++i) {
    out[i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
  }
}

}  // namespace

Random::Random(uint32_t seed) : state_(seed & kModulus) {
  // 0 and the modulus are fixed points of the recurrence.
  if (state_ == 0 || state_ == kModulus) state_ = 1;
}

uint32_t Random::Next() {
  // state * 16807 mod (2^31 - 1), computed without a division: the high
  // part of the product folds onto the low part because 2^31 == 1.
  const uint64_t product = static_cast<uint64_t>(state_) * 16807u;
  uint64_t folded = (product >> 31) + (product & kModulus);
  if (folded > kModulus) folded -= kModulus;
  state_ = static_cast<uint32_t>(folded);
  return state_;
}

void KeyFormat::Encode(uint64_t n, char* out) const {
  char* pos = out;
  if (keys_per_prefix > 0) {
    const int64_t num_prefixes =
        std::max<int64_t>(1, num_keys / keys_per_prefix);
    const uint64_t prefix = n % static_cast<uint64_t>(num_prefixes);
    const int prefix_bytes = std::min(prefix_size, 8);
    PutBigEndian(prefix, prefix_bytes, pos);
    if (prefix_size > 8) std::memset(pos + 8, '0', prefix_size - 8);
    pos += prefix_size;
  }
  const int number_bytes =
      std::max(0, std::min(key_size - static_cast<int>(pos - out), 8));
  PutBigEndian(n, number_bytes, pos);
  pos += number_bytes;
  if (key_size > pos - out) std::memset(pos, '0', key_size - (pos - out));
}

std::string KeyFormat::Key(uint64_t n) const {
  std::string key(std::max(key_size, 0), '\0');
  Encode(n, key.data());
  return key;
}

KeySequence::KeySequence(Random64* rand, KeyOrder order, uint64_t num)
    : rand_(rand), order_(order), num_(std::max<uint64_t>(num, 1)) {
  if (order_ == KeyOrder::kUniqueRandom) {
    permutation_.resize(num_);
    for (uint64_t i = 0; i < num_; ++i) permutation_[i] = i;
    // Fisher-Yates with the thread's generator.
    for (uint64_t i = num_ - 1; i > 0; --i) {
      std::swap(permutation_[i], permutation_[rand_->Uniform(i + 1)]);
    }
  }
}

uint64_t KeySequence::Next() {
  switch (order_) {
    case KeyOrder::kSequential:
      return next_++;
    case KeyOrder::kRandom:
      return rand_->Uniform(num_);
    case KeyOrder::kUniqueRandom:
      return permutation_[next_++ % num_];
  }
  return 0;
}

ValueGenerator::ValueGenerator(double compression_ratio, size_t min_size) {
  constexpr size_t kPieceSize = 100;
  const size_t target = std::max<size_t>(1 << 20, min_size);
  Random rnd(301);
  const size_t raw_size =
      std::max<size_t>(1, static_cast<size_t>(compression_ratio * kPieceSize));
  std::string raw(raw_size, ' ');
  while (data_.size() < target) {
    // A printable random run, repeated: compresses to about raw/piece.
    for (char& c : raw) c = static_cast<char>(' ' + rnd.Uniform(95));
    for (size_t filled = 0; filled < kPieceSize; filled += raw_size) {
      data_.append(raw, 0, std::min(raw_size, kPieceSize - filled));
    }
  }
}

Slice ValueGenerator::Generate(size_t size) {
  if (pos_ + size > data_.size()) pos_ = 0;
  pos_ += size;
  return Slice(data_.data() + pos_ - size, size);
}

}  // namespace strata::bench
