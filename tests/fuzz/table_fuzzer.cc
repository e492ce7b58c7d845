// table_fuzzer: libFuzzer target for the SST reader (SstFileReader).
//
// Each input is taken as the whole content of one SST file. It is written
// into an in-memory FakeFileSystem (no disk I/O per input) and opened; if it
// opens, the reader is driven through everything a user can ask of it:
// properties, a forward scan of the user view and of the raw entries, a
// bounded reverse scan, seeks, bounded iterators, Gets of scanned and
// made-up keys, ApproximateOffsetOf, VerifyChecksum and VerifyNumEntries.
//
// Every Status is an acceptable outcome (bad bytes are supposed to become
// Corruption, NotSupported, ...). Only crashes, assertion failures, sanitizer
// reports, hangs and unbounded memory are bugs: strata promises that bad
// bytes never crash the process (STYLE.md section 5).
//
// The I/O mode (buffered, direct with 512-byte alignment, mmap), whether data
// block checksums are verified, whether a small block cache sits in front
// (with or without the index and filter charged to it) and the readahead
// come from a hash of the input, so each input always runs the same way (a
// crash reproduces from its input alone) while the corpus covers every
// combination. The harness bounds its own loops (kMaxScanEntries,
// kMaxReverseSteps), so that a small input that decompresses into a huge
// table stays fast; a whole-table call (VerifyNumEntries) that is still too
// slow for -timeout is a finding in its own right.
//
// Built two ways (tests/fuzz/CMakeLists.txt): with clang's libFuzzer as
// `table_fuzzer`, and with table_fuzzer_replay.cc's main() as
// `table_fuzzer_replay`, which runs this function on every corpus file in
// the normal and the sanitizer test trees.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "strata/cache.h"
#include "strata/iterator.h"
#include "strata/slice.h"
#include "strata/sst_file_reader.h"
#include "strata/status.h"
#include "strata/table_properties.h"

namespace strata {
namespace {

constexpr char kPath[] = "/fuzz.sst";
// Entries a single scan may visit. A 64 KiB input can hold far more entries
// once decompressed; the cap keeps each input fast without hiding bugs (a
// bug in entry N is almost always also reachable in a smaller input).
constexpr uint64_t kMaxScanEntries = 100000;
// Steps of each reverse scan (Prev is the costlier direction).
constexpr uint64_t kMaxReverseSteps = 1000;
// Steps taken after each seek.
constexpr int kStepsAfterSeek = 3;
// Keys kept from the scan for seeks, Gets and bounds.
constexpr size_t kMaxSampleKeys = 8;
// Small enough that a multi-block table evicts from it.
constexpr size_t kBlockCacheBytes = 16 << 10;

// Written at the end of each input so that the compiler cannot drop the
// reads that make the sanitizers check every returned byte.
volatile uint64_t g_sink = 0;

uint64_t Fnv1a64(const uint8_t* data, size_t size) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

enum class ReadMode { kBuffered, kDirect, kMmap };

// How one input is read; every choice comes from the input's hash.
struct Variant {
  ReadMode mode = ReadMode::kBuffered;
  bool verify_checksums = true;
  bool block_cache = false;
  bool cache_index_and_filter_blocks = false;
  uint64_t readahead_size = 0;  // 0 = automatic.
};

Variant ChooseVariant(uint64_t hash) {
  Variant v;
  v.mode = static_cast<ReadMode>(hash % 3);
  // Mostly unverified: a mutated block nearly always fails its checksum,
  // and then the block parsers behind it would never see bad bytes.
  // VerifyChecksum() still runs on every input.
  v.verify_checksums = ((hash >> 8) & 3) == 0;
  v.block_cache = ((hash >> 10) & 1) != 0;
  v.cache_index_and_filter_blocks = v.block_cache && ((hash >> 11) & 1) != 0;
  static constexpr uint64_t kReadaheads[] = {0, 0, 512, 4096};
  v.readahead_size = kReadaheads[(hash >> 12) & 3];
  return v;
}

// Reads every byte, so that ASan checks the whole Slice, and folds them into
// a number.
uint64_t Touch(Slice s) {
  uint64_t sum = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    sum = sum * 31 + static_cast<uint8_t>(s[i]);
  }
  return sum;
}

// Any status is fine; rendering it exercises the message code, which often
// formats bytes from the file.
uint64_t Consume(const Status& s) { return s.ok() ? 1 : Touch(s.ToString()); }

uint64_t TouchProperties(const TableProperties& p) {
  uint64_t sum =
      p.data_size + p.index_size + p.index_partitions + p.top_level_index_size +
      p.index_key_is_user_key + p.index_value_is_delta_encoded + p.filter_size +
      p.raw_key_size + p.raw_value_size + p.num_data_blocks + p.num_entries +
      p.num_filter_entries + p.num_deletions + p.num_merge_operands +
      p.num_range_deletions + p.format_version + p.fixed_key_len +
      p.column_family_id + p.creation_time + p.oldest_key_time +
      p.file_creation_time + p.original_file_number + p.index_type +
      p.external_sst_file_version + p.external_sst_file_global_seqno;
  sum += (p.prefix_filtering ? 1 : 0) + (p.whole_key_filtering ? 2 : 0) +
         (p.is_external ? 4 : 0);
  for (const std::string* s :
       {&p.column_family_name, &p.filter_policy_name, &p.comparator_name,
        &p.merge_operator_name, &p.prefix_extractor_name,
        &p.property_collectors_names, &p.compression_name,
        &p.compression_options, &p.db_id, &p.db_session_id, &p.db_host_id}) {
    sum += Touch(*s);
  }
  for (const auto& [name, value] : p.user_collected) {
    sum += Touch(name) + Touch(value);
  }
  return sum;
}

// Keeps up to kMaxSampleKeys keys spread over a scan: the first ones, then
// every 2^k-th.
class KeySampler {
 public:
  void Offer(uint64_t index, Slice key) {
    if (keys_.size() < kMaxSampleKeys / 2 ||
        ((index & (index - 1)) == 0 && keys_.size() < kMaxSampleKeys)) {
      keys_.push_back(key.ToString());
    }
    last_ = key.ToString();
  }
  // The sampled keys plus the last key seen.
  std::vector<std::string> Keys() const {
    std::vector<std::string> keys = keys_;
    if (!last_.empty()) keys.push_back(last_);
    return keys;
  }

 private:
  std::vector<std::string> keys_;
  std::string last_;
};

// Scans forward from the first entry; returns a fold of what it saw.
uint64_t ForwardScan(Iterator* it, KeySampler* sampler) {
  uint64_t sum = 0;
  uint64_t n = 0;
  for (it->SeekToFirst(); it->Valid() && n < kMaxScanEntries; it->Next()) {
    sum += Touch(it->key()) + Touch(it->value());
    if (sampler != nullptr) sampler->Offer(n, it->key());
    ++n;
  }
  return sum + n + Consume(it->status());
}

uint64_t ReverseScan(Iterator* it) {
  uint64_t sum = 0;
  uint64_t n = 0;
  for (it->SeekToLast(); it->Valid() && n < kMaxReverseSteps; it->Prev()) {
    sum += Touch(it->key()) + Touch(it->value());
    ++n;
  }
  return sum + n + Consume(it->status());
}

// A few steps in both directions from wherever `it` is, including a change
// of direction (the iterator's hardest transition).
uint64_t StepAround(Iterator* it) {
  uint64_t sum = 0;
  for (int i = 0; i < kStepsAfterSeek && it->Valid(); ++i) {
    sum += Touch(it->key()) + Touch(it->value());
    it->Next();
  }
  for (int i = 0; i < 2 * kStepsAfterSeek && it->Valid(); ++i) {
    sum += Touch(it->key()) + Touch(it->value());
    it->Prev();
  }
  return sum + Consume(it->status());
}

uint64_t SeekEverywhere(Iterator* it, const std::vector<std::string>& keys) {
  uint64_t sum = 0;
  for (const std::string& key : keys) {
    it->Seek(key);
    sum += StepAround(it);
    it->SeekForPrev(key);
    sum += StepAround(it);
  }
  return sum;
}

// User keys to look up: keys from the scan, neighbours of them, edge keys,
// and bytes of the input itself (so the fuzzer steers some lookups).
std::vector<std::string> ProbeKeys(const std::vector<std::string>& sampled,
                                   Slice input) {
  std::vector<std::string> keys = sampled;
  for (const std::string& k : sampled) {
    keys.push_back(k + std::string(1, '\0'));
    if (!k.empty()) keys.push_back(k.substr(0, k.size() - 1));
  }
  keys.emplace_back();
  keys.emplace_back(1, '\0');
  keys.emplace_back(8, '\xff');
  keys.emplace_back("k");
  keys.emplace_back(input.data(), input.size() < 16 ? input.size() : 16);
  return keys;
}

uint64_t ExerciseOpenReader(const SstFileReader& reader, const Variant& v,
                            Slice input) {
  uint64_t sum = TouchProperties(reader.GetTableProperties());

  SstReadOptions ro;
  ro.verify_checksums = v.verify_checksums;
  ro.readahead_size = v.readahead_size;

  // Full forward scans; the user view's keys feed everything below.
  KeySampler sampler;
  {
    std::unique_ptr<Iterator> it = reader.NewIterator(ro);
    sum += ForwardScan(it.get(), &sampler);
  }
  KeySampler raw_sampler;
  {
    std::unique_ptr<Iterator> it = reader.NewRawIterator(ro);
    sum += ForwardScan(it.get(), &raw_sampler);
  }
  const std::vector<std::string> scanned = sampler.Keys();
  const std::vector<std::string> probes = ProbeKeys(scanned, input);

  // Bounded reverse scans, then seeks from the same iterators (reuse after
  // reaching an end is part of the contract).
  {
    std::unique_ptr<Iterator> it = reader.NewIterator(ro);
    sum += ReverseScan(it.get());
    sum += SeekEverywhere(it.get(), probes);
  }
  {
    std::unique_ptr<Iterator> it = reader.NewRawIterator(ro);
    sum += ReverseScan(it.get());
    for (const std::string& internal_key : raw_sampler.Keys()) {
      RawKey raw;
      if (ParseRawKey(internal_key, &raw)) {
        sum += raw.sequence + raw.type;
        it->Seek(raw.user_key);
        sum += StepAround(it.get());
        it->SeekForPrev(raw.user_key);
        sum += StepAround(it.get());
      }
    }
  }

  // Bounded iterators: [first sampled key, last sampled key).
  if (scanned.size() >= 2) {
    const Slice lower(scanned.front());
    const Slice upper(scanned.back());
    SstReadOptions bounded = ro;
    bounded.lower_bound = &lower;
    bounded.upper_bound = &upper;
    std::unique_ptr<Iterator> it = reader.NewIterator(bounded);
    sum += ForwardScan(it.get(), nullptr);
    sum += ReverseScan(it.get());
    sum += SeekEverywhere(it.get(), {scanned[scanned.size() / 2]});
  }

  for (const std::string& key : probes) {
    std::string value;
    sum += Consume(reader.Get(ro, key, &value)) + Touch(value);
    sum += reader.ApproximateOffsetOf(key);
  }

  sum += Consume(reader.VerifyChecksum(v.readahead_size));
  sum += Consume(reader.VerifyNumEntries());
  return sum;
}

void RunOneInput(const uint8_t* data, size_t size) {
  const Variant v = ChooseVariant(Fnv1a64(data, size));
  FakeFileSystem::Options fs_options;
  fs_options.offset_alignment = 512;  // What direct reads must respect.
  FakeFileSystem fs(fs_options);
  const Slice input(reinterpret_cast<const char*>(data), size);
  if (!fs.WriteFileContent(kPath, input).ok()) __builtin_trap();

  SstFileReaderOptions options;
  options.file_system = &fs;
  options.use_direct_reads = v.mode == ReadMode::kDirect;
  options.allow_mmap_reads = v.mode == ReadMode::kMmap;
  if (v.block_cache) {
    options.block_cache = NewLRUCache(kBlockCacheBytes, /*num_shard_bits=*/0);
    options.cache_index_and_filter_blocks = v.cache_index_and_filter_blocks;
  }
  SstFileReader reader(options);
  const Status s = reader.Open(kPath);
  uint64_t sum = Consume(s);
  if (s.ok()) sum += ExerciseOpenReader(reader, v, input);
  g_sink = g_sink + sum;
}

}  // namespace
}  // namespace strata

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::RunOneInput(data, size);
  return 0;
}
