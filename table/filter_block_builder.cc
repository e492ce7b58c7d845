#include "table/filter_block_builder.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <vector>

#include "table/bloom_filter_format.h"
#include "util/coding.h"
#include "util/hash32.h"
#include "util/xxph3.h"

namespace strata {
namespace {

// Spec section 10.2. Bits are set from the stored hashes at Finish(), when
// the number of keys, and hence the array size, is known.
class FastLocalBloomBuilder final : public FilterBlockBuilder {
 public:
  explicit FastLocalBloomBuilder(int millibits_per_key)
      : millibits_per_key_(millibits_per_key),
        num_probes_(FastLocalBloomNumProbes(millibits_per_key)) {}

  void AddKey(Slice user_key) override {
    assert(!finished_);
    const uint64_t hash = xxph3::Hash64(user_key);
    if (hashes_.empty() || hashes_.back() != hash) {
      hashes_.push_back(hash);
      ++num_entries_;
    }
  }

  size_t num_entries() const override { return num_entries_; }
  int millibits_per_key() const override { return millibits_per_key_; }
  int num_probes() const override { return num_probes_; }

  Slice Finish() override {
    assert(!finished_);
    finished_ = true;
    // ceil(n * millibits / 8000) bytes, capped, then rounded up to whole
    // cache lines. 64-bit math: n * millibits overflows 32 bits early.
    uint64_t len =
        (uint64_t{hashes_.size()} * static_cast<uint64_t>(millibits_per_key_) +
         7999) /
        8000;
    len = std::min(len, kMaxFastLocalBloomBytes);
    len =
        (len + kBloomCacheLineBytes - 1) & ~uint64_t{kBloomCacheLineBytes - 1};

    contents_.assign(len + kFilterMetadataBytes, '\0');
    char* data = contents_.data();
    // No keys: len is 0 and only the metadata is written.
    for (uint64_t hash : hashes_) {
      FastLocalBloomAdd(hash, static_cast<uint32_t>(len), num_probes_, data);
    }
    data[len] = static_cast<char>(kNewBloomMarker);
    data[len + 1] = static_cast<char>(kFastLocalBloomSubImpl);
    // Low 5 bits: num_probes; high 3 bits 0: 64-byte lines. Two reserved
    // zero bytes follow.
    data[len + 2] = static_cast<char>(num_probes_);
    std::vector<uint64_t>().swap(hashes_);
    return Slice(contents_);
  }

 private:
  const int millibits_per_key_;
  const int num_probes_;
  std::vector<uint64_t> hashes_;
  size_t num_entries_ = 0;  // hashes_.size() until Finish() frees hashes_.
  std::string contents_;
  bool finished_ = false;
};

// Spec section 10.3.
class LegacyBloomBuilder final : public FilterBlockBuilder {
 public:
  explicit LegacyBloomBuilder(int millibits_per_key)
      : millibits_per_key_(millibits_per_key),
        bits_per_key_(LegacyBloomBitsPerKey(millibits_per_key)),
        num_probes_(LegacyBloomNumProbes(bits_per_key_)) {}

  void AddKey(Slice user_key) override {
    assert(!finished_);
    // The legacy builder de-duplicates on the 32-bit hash.
    const uint32_t hash = Hash32(user_key, kLegacyBloomHashSeed);
    if (hashes_.empty() || hashes_.back() != hash) {
      hashes_.push_back(hash);
      ++num_entries_;
    }
  }

  size_t num_entries() const override { return num_entries_; }
  int millibits_per_key() const override { return millibits_per_key_; }
  int num_probes() const override { return num_probes_; }

  Slice Finish() override {
    assert(!finished_);
    finished_ = true;
    constexpr uint64_t kLineBits = kBloomCacheLineBytes * 8;
    uint64_t num_lines = 0;
    if (!hashes_.empty()) {
      const uint64_t bits = std::min(
          uint64_t{hashes_.size()} * static_cast<uint64_t>(bits_per_key_),
          kMaxLegacyBloomBits);
      num_lines = (bits + kLineBits - 1) / kLineBits;
      // An odd line count lets more hash bits decide the line (h % lines).
      if (num_lines % 2 == 0) ++num_lines;
    }
    const uint64_t len = num_lines * kBloomCacheLineBytes;

    contents_.assign(len + kFilterMetadataBytes, '\0');
    char* data = contents_.data();
    for (uint32_t hash : hashes_) {
      LegacyBloomAdd(hash, static_cast<uint32_t>(num_lines), num_probes_,
                     kLog2BloomCacheLineBytes, data);
    }
    data[len] = static_cast<char>(num_probes_);
    EncodeFixed32(data + len + 1, static_cast<uint32_t>(num_lines));
    std::vector<uint32_t>().swap(hashes_);
    return Slice(contents_);
  }

 private:
  const int millibits_per_key_;
  const int bits_per_key_;
  const int num_probes_;
  std::vector<uint32_t> hashes_;
  size_t num_entries_ = 0;  // hashes_.size() until Finish() frees hashes_.
  std::string contents_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<FilterBlockBuilder> NewBloomFilterBlockBuilder(
    double bits_per_key, uint32_t format_version) {
  const int millibits = BloomMillibitsPerKey(bits_per_key);
  if (millibits == 0) {
    return nullptr;
  }
  if (format_version < 5) {
    return std::make_unique<LegacyBloomBuilder>(millibits);
  }
  return std::make_unique<FastLocalBloomBuilder>(millibits);
}

}  // namespace strata
