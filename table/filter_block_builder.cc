#include "table/filter_block_builder.h"

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
    const uint64_t len = FastLocalBloomBytes(num_entries_, millibits_per_key_);
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
    const uint32_t num_lines = LegacyBloomNumLines(num_entries_, bits_per_key_);
    const uint64_t len = uint64_t{num_lines} * kBloomCacheLineBytes;

    contents_.assign(len + kFilterMetadataBytes, '\0');
    char* data = contents_.data();
    for (uint32_t hash : hashes_) {
      LegacyBloomAdd(hash, num_lines, num_probes_, kLog2BloomCacheLineBytes,
                     data);
    }
    data[len] = static_cast<char>(num_probes_);
    EncodeFixed32(data + len + 1, num_lines);
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
