#include "util/xxhash.h"

// Compile xxHash into this file (all functions static) rather than calling
// libxxhash: the streaming states below then live on the stack with a layout
// that cannot disagree with the code using them, and the header is the
// same 0.8.1 release as the installed library.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace strata {

uint32_t XxHash32(const char* data, size_t n, uint32_t seed) {
  return XXH32(data, n, seed);
}

uint64_t XxHash64(const char* data, size_t n, uint64_t seed) {
  return XXH64(data, n, seed);
}

uint64_t XxHash3_64(const char* data, size_t n) { return XXH3_64bits(data, n); }

uint64_t XxHash3_64WithSeed(const char* data, size_t n, uint64_t seed) {
  return XXH3_64bits_withSeed(data, n, seed);
}

uint32_t XxHash32Concat(const char* a, size_t a_n, const char* b, size_t b_n,
                        uint32_t seed) {
  XXH32_state_t state;
  // With valid pointers these calls cannot fail (they only report a null
  // state), so their XXH_errorcode results carry no information.
  (void)XXH32_reset(&state, seed);
  (void)XXH32_update(&state, a, a_n);
  (void)XXH32_update(&state, b, b_n);
  return XXH32_digest(&state);
}

uint64_t XxHash64Concat(const char* a, size_t a_n, const char* b, size_t b_n,
                        uint64_t seed) {
  XXH64_state_t state;
  (void)XXH64_reset(&state, seed);  // Cannot fail; see XxHash32Concat.
  (void)XXH64_update(&state, a, a_n);
  (void)XXH64_update(&state, b, b_n);
  return XXH64_digest(&state);
}

}  // namespace strata
