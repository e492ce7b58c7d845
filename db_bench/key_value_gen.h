// Keys and values for db_bench, shaped as RocksDB's db_bench makes them, so
// that the two tools store the same kind of data for the same flags.
//
// Keys (KeyFormat::Encode): an optional prefix part (with keys_per_prefix >
// 0: prefix_size bytes holding (n % (num / keys_per_prefix)) big-endian in
// its first <= 8 bytes, the rest '0'), then n big-endian in the next <= 8
// bytes, then '0' up to key_size. With the defaults a key is 8 bytes of n
// followed by eight '0' characters, so sequential n give ordered keys.
//
// Values (ValueGenerator): slices of a 1 MiB buffer of 100-byte pieces,
// each a random printable run of compression_ratio * 100 bytes repeated to
// fill the piece, so a value compresses to about compression_ratio of its
// size.
//
// Thread-safety: KeyFormat is immutable; each thread owns its Random,
// Random64, KeySequence and ValueGenerator.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "strata/slice.h"

namespace strata::bench {

// The Lehmer generator (multiplier 16807, modulus 2^31 - 1) LevelDB and
// RocksDB use for test data: cheap and stable across platforms.
class Random {
 public:
  explicit Random(uint32_t seed);
  uint32_t Next();
  // Uniform in [0, n). REQUIRES: n > 0.
  uint32_t Uniform(uint32_t n) { return Next() % n; }

 private:
  uint32_t state_;
};

// 64-bit random numbers for key choice (std::mt19937_64, as RocksDB's).
class Random64 {
 public:
  explicit Random64(uint64_t seed) : engine_(seed) {}
  uint64_t Next() { return engine_(); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) { return Next() % n; }

 private:
  std::mt19937_64 engine_;
};

struct KeyFormat {
  int key_size = 16;
  int prefix_size = 0;
  int64_t keys_per_prefix = 0;
  int64_t num_keys = 1000000;  // The key space [0, num_keys).

  // Writes the key of `n` into key_size bytes at `out`.
  void Encode(uint64_t n, char* out) const;
  std::string Key(uint64_t n) const;
};

// How a writer or deleter walks the key space.
enum class KeyOrder { kSequential, kRandom, kUniqueRandom };

// Key numbers in [0, num) for one thread: 0, 1, 2... (sequential),
// uniform draws (random), or a shuffled permutation (unique random: each
// number once, then the permutation repeats).
class KeySequence {
 public:
  KeySequence(Random64* rand, KeyOrder order, uint64_t num);
  uint64_t Next();

 private:
  Random64* const rand_;
  const KeyOrder order_;
  const uint64_t num_;
  uint64_t next_ = 0;
  std::vector<uint64_t> permutation_;
};

class ValueGenerator {
 public:
  // `min_size`: the buffer holds at least this many bytes (and 1 MiB).
  ValueGenerator(double compression_ratio, size_t min_size);
  // The next `size` bytes of the buffer (wrapping to its start). Valid
  // while the generator lives. REQUIRES: size <= the buffer size.
  Slice Generate(size_t size);

 private:
  std::string data_;
  size_t pos_ = 0;
};

}  // namespace strata::bench
