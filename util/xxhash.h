// The released xxHash algorithms (XXH32, XXH64, XXH3_64bits) exactly as
// xxHash 0.8.1 defines them, for code that must not see <xxhash.h>
// (STYLE.md section 1). Block checksums (util/checksum.h) are built on
// these.
//
// Not here: the XXH3 *preview* (v0.7.2) that FastLocalBloom filters hash
// with; it gives different values for every input (spec section 10.5) and
// lives with the filter code.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata {

// XXH32 of data[0, n) with `seed`.
uint32_t XxHash32(const char* data, size_t n, uint32_t seed = 0);

// XXH64 of data[0, n) with `seed`.
uint64_t XxHash64(const char* data, size_t n, uint64_t seed = 0);

// XXH3_64bits (default secret) of data[0, n): the final XXH3 of xxHash
// >= 0.8.0, not the 0.7.x preview.
uint64_t XxHash3_64(const char* data, size_t n);

// XXH3_64bits_withSeed of data[0, n); equals XxHash3_64 when seed is 0.
uint64_t XxHash3_64WithSeed(const char* data, size_t n, uint64_t seed);

// XXH32 / XXH64 of the concatenation a[0, a_n) || b[0, b_n), computed
// without copying either part (block checksums hash a block followed by a
// byte that lives elsewhere). Equal to XxHash32/XxHash64 of the joined
// bytes.
uint32_t XxHash32Concat(const char* a, size_t a_n, const char* b, size_t b_n,
                        uint32_t seed = 0);
uint64_t XxHash64Concat(const char* a, size_t a_n, const char* b, size_t b_n,
                        uint64_t seed = 0);

}  // namespace strata
