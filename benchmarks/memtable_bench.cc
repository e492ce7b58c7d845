// memtable_bench: the MemTable (db/memtable.h) on the paths db_bench's
// fillrandom, fillseq and readrandom take through it.
//
//   memtable_bench [google benchmark flags]
//
// Entries have 16-byte keys and 100-byte values, db_bench's defaults.
// BM_AddRandom / BM_AddSequential: 1M Adds of random (fillrandom) or
//   ascending (fillseq) keys into a fresh memtable; one iteration is the
//   whole million. per_add is the CPU time of one Add; creating and
//   destroying the memtable is not timed.
// BM_GetHit / BM_GetMiss: one Get per iteration of a random key that is
//   (is not) among the 1M entries of a memtable filled beforehand.
// BM_Scan: one iteration reads all 1M entries with a point iterator;
//   per_entry is the CPU time of one Next + key() + value().
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "db/memtable.h"
#include "strata/slice.h"

namespace strata {
namespace {

constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 100;
constexpr size_t kEntries = 1000000;

// kEntries keys of kKeyBytes each, back to back.
std::string MakeKeys(bool sequential, uint64_t seed) {
  std::string keys(kEntries * kKeyBytes, '\0');
  std::mt19937_64 rnd(seed);
  for (size_t i = 0; i < kEntries; ++i) {
    char* key = keys.data() + i * kKeyBytes;
    if (sequential) {
      // Zero-padded big-endian counter: ascending bytewise.
      for (size_t b = 0; b < 8; ++b) {
        key[kKeyBytes - 1 - b] = static_cast<char>(i >> (8 * b));
      }
    } else {
      const uint64_t a = rnd();
      const uint64_t b = rnd();
      std::memcpy(key, &a, 8);
      std::memcpy(key + 8, &b, 8);
    }
  }
  return keys;
}

Slice KeyAt(const std::string& keys, size_t i) {
  return Slice(keys.data() + i * kKeyBytes, kKeyBytes);
}

const std::string& Value() {
  static const std::string value = [] {
    std::string v(kValueBytes, '\0');
    std::mt19937_64 rnd(7);
    for (char& c : v) {
      c = static_cast<char>(' ' + rnd() % 95);
    }
    return v;
  }();
  return value;
}

void Fill(MemTable* mem, const std::string& keys) {
  const Slice value = Value();
  for (size_t i = 0; i < kEntries; ++i) {
    mem->Add(i + 1, ValueType::kValue, KeyAt(keys, i), value);
  }
}

void RunAdds(benchmark::State& state, bool sequential) {
  const std::string keys = MakeKeys(sequential, 301);
  for (auto _ : state) {
    state.PauseTiming();
    auto mem = std::make_unique<MemTable>();
    state.ResumeTiming();
    Fill(mem.get(), keys);
    state.PauseTiming();
    benchmark::DoNotOptimize(mem->num_entries());
    mem.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
  state.counters["per_add"] =
      benchmark::Counter(static_cast<double>(kEntries),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

void BM_AddRandom(benchmark::State& state) { RunAdds(state, false); }
void BM_AddSequential(benchmark::State& state) { RunAdds(state, true); }

// A memtable with kEntries random keys, shared by the read benchmarks.
struct Filled {
  std::string keys = MakeKeys(false, 301);
  std::unique_ptr<MemTable> mem = std::make_unique<MemTable>();
  Filled() { Fill(mem.get(), keys); }
};
const Filled& GetFilled() {
  static const Filled* filled = new Filled();
  return *filled;
}

void RunGets(benchmark::State& state, bool hit) {
  const Filled& filled = GetFilled();
  // Keys to look up, in random order; misses come from another seed.
  const std::string missing = hit ? std::string() : MakeKeys(false, 302);
  const std::string& lookups = hit ? filled.keys : missing;
  std::mt19937_64 rnd(11);
  std::string value;
  SequenceNumber found_seq = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    const size_t i = rnd() % kEntries;
    SequenceNumber max_covering = 0;
    found += filled.mem->Get(KeyAt(lookups, i), kMaxSequenceNumber, &value,
                             &found_seq,
                             &max_covering) == MemTable::GetResult::kFound;
  }
  const uint64_t expected =
      hit ? static_cast<uint64_t>(state.iterations()) : uint64_t{0};
  if (found != expected) {
    state.SkipWithError("unexpected Get result");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_GetHit(benchmark::State& state) { RunGets(state, true); }
void BM_GetMiss(benchmark::State& state) { RunGets(state, false); }

void BM_Scan(benchmark::State& state) {
  const Filled& filled = GetFilled();
  auto iter = filled.mem->NewIterator();
  for (auto _ : state) {
    size_t bytes = 0;
    for (iter->SeekToFirst(); iter->Valid(); iter->Next()) {
      bytes += iter->key().size() + iter->value().size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEntries));
  state.counters["per_entry"] =
      benchmark::Counter(static_cast<double>(kEntries),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

BENCHMARK(BM_AddRandom)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AddSequential)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GetHit);
BENCHMARK(BM_GetMiss);
BENCHMARK(BM_Scan)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace strata

BENCHMARK_MAIN();
