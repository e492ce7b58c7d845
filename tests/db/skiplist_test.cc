#include "db/skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <numeric>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "testutil/testutil.h"
#include "util/arena.h"

namespace strata {
namespace {

// Test keys are one length byte followed by that many bytes, compared
// bytewise. Targets are std::strings (the bytes without the length). If
// `compares` is set, every comparison is counted there.
struct TestComparator {
  uint64_t* compares = nullptr;

  static std::string_view View(const char* key) {
    return {key + 1, static_cast<unsigned char>(key[0])};
  }
  int Compare(std::string_view a, std::string_view b) const {
    if (compares != nullptr) {
      ++*compares;
    }
    const int r = a.compare(b);
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
  }
  int operator()(const char* a, const char* b) const {
    return Compare(View(a), View(b));
  }
  int operator()(const char* a, const std::string& target) const {
    return Compare(View(a), target);
  }
};

using TestList = SkipList<TestComparator>;

void Insert(TestList* list, const std::string& key) {
  ASSERT_LT(key.size(), 256u);
  char* p = list->AllocateKey(1 + key.size());
  p[0] = static_cast<char>(key.size());
  std::memcpy(p + 1, key.data(), key.size());
  list->Insert(p);
}

std::string KeyAt(const TestList::Iterator& iter) {
  return std::string(TestComparator::View(iter.key()));
}

// Every key of the list, front to back and back to front.
std::vector<std::string> Forward(const TestList& list) {
  std::vector<std::string> keys;
  TestList::Iterator iter(&list);
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    keys.push_back(KeyAt(iter));
  }
  return keys;
}
std::vector<std::string> Backward(const TestList& list) {
  std::vector<std::string> keys;
  TestList::Iterator iter(&list);
  for (iter.SeekToLast(); iter.Valid(); iter.Prev()) {
    keys.push_back(KeyAt(iter));
  }
  return keys;
}

// Big-endian, so that bytewise order is numeric order.
std::string NumberKey(uint32_t n) {
  std::string key(4, '\0');
  for (int i = 0; i < 4; ++i) {
    key[i] = static_cast<char>(n >> (8 * (3 - i)));
  }
  return key;
}

// Checks Seek, SeekForPrev, Prev-after-Seek and Contains for `target`
// against the model.
void CheckPositioning(const TestList& list, const std::set<std::string>& model,
                      const std::string& target) {
  TestList::Iterator iter(&list);
  auto lower = model.lower_bound(target);
  iter.Seek(target);
  if (lower == model.end()) {
    ASSERT_FALSE(iter.Valid()) << "Seek " << target;
  } else {
    ASSERT_TRUE(iter.Valid()) << "Seek " << target;
    ASSERT_EQ(KeyAt(iter), *lower) << "Seek " << target;
    iter.Prev();
    if (lower == model.begin()) {
      ASSERT_FALSE(iter.Valid()) << "Prev after Seek " << target;
    } else {
      ASSERT_TRUE(iter.Valid());
      ASSERT_EQ(KeyAt(iter), *std::prev(lower)) << "Prev after Seek " << target;
    }
  }
  auto upper = model.upper_bound(target);
  iter.SeekForPrev(target);
  if (upper == model.begin()) {
    ASSERT_FALSE(iter.Valid()) << "SeekForPrev " << target;
  } else {
    ASSERT_TRUE(iter.Valid()) << "SeekForPrev " << target;
    ASSERT_EQ(KeyAt(iter), *std::prev(upper)) << "SeekForPrev " << target;
  }
  ASSERT_EQ(list.Contains(target), model.count(target) == 1) << target;
}

TEST(SkipListTest, EmptyListHasNoKeys) {
  Arena arena;
  TestList list(TestComparator(), &arena);
  TestList::Iterator iter(&list);
  EXPECT_FALSE(iter.Valid());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(std::string("a"));
  EXPECT_FALSE(iter.Valid());
  iter.SeekForPrev(std::string("a"));
  EXPECT_FALSE(iter.Valid());
  EXPECT_FALSE(list.Contains(std::string()));
}

TEST(SkipListTest, EmptyKeySortsFirst) {
  Arena arena;
  TestList list(TestComparator(), &arena);
  Insert(&list, "b");
  Insert(&list, "");
  Insert(&list, "a");
  EXPECT_EQ(Forward(list), (std::vector<std::string>{"", "a", "b"}));
  EXPECT_TRUE(list.Contains(std::string()));
}

// Many small lists over a small universe of keys (so that prefixes, equal
// targets and both ends are all hit), each checked entirely against
// std::set.
TEST(SkipListTest, RandomInsertsMatchStdSetOverManySeeds) {
  std::vector<std::string> universe = {""};
  for (size_t i = 0; universe[i].size() < 4; ++i) {
    for (char c : {'a', 'b', '\xc0'}) {  // '\xc0': bytes compare unsigned.
      universe.push_back(universe[i] + c);
    }
  }
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    test::Random rnd(seed);
    Arena arena(1024);  // Small blocks: many block changes.
    TestList list(TestComparator(), &arena);
    std::set<std::string> model;
    const uint64_t inserts = rnd.Uniform(160);
    for (uint64_t i = 0; i < inserts; ++i) {
      const std::string& key = universe[rnd.Uniform(universe.size())];
      if (model.insert(key).second) {
        Insert(&list, key);
      }
    }
    const std::vector<std::string> expected(model.begin(), model.end());
    ASSERT_EQ(Forward(list), expected);
    ASSERT_EQ(Backward(list),
              std::vector<std::string>(expected.rbegin(), expected.rend()));
    for (const std::string& target : universe) {
      CheckPositioning(list, model, target);
      if (HasFatalFailure()) {
        return;
      }
    }
  }
}

TEST(SkipListTest, LargeRandomRunMatchesStdSet) {
  test::Random rnd(20240611);
  Arena arena;
  TestList list(TestComparator(), &arena);
  std::set<std::string> model;
  std::vector<std::string> inserted;
  for (int i = 0; i < 100000; ++i) {
    std::string key = rnd.RandomBytes(1 + rnd.Uniform(12));
    if (model.insert(key).second) {
      Insert(&list, key);
      inserted.push_back(key);
    }
  }
  ASSERT_EQ(Forward(list),
            std::vector<std::string>(model.begin(), model.end()));
  for (int i = 0; i < 20000; ++i) {
    // Present keys, and random targets that mostly fall between keys.
    const std::string target = rnd.OneIn(2)
                                   ? rnd.RandomBytes(rnd.Uniform(12))
                                   : inserted[rnd.Uniform(inserted.size())];
    CheckPositioning(list, model, target);
    if (HasFatalFailure()) {
      return;
    }
  }
}

// Ascending runs that start at random places use the remembered insert
// position when they continue and search when they jump; both paths must
// leave every level correctly linked.
TEST(SkipListTest, AscendingRunsAtRandomPlacesMatchStdSet) {
  test::Random rnd(77);
  Arena arena;
  TestList list(TestComparator(), &arena);
  std::set<std::string> model;
  while (model.size() < 20000) {
    uint32_t n = static_cast<uint32_t>(rnd.Uniform(1000000));
    const uint64_t run = 1 + rnd.Uniform(30);
    for (uint64_t i = 0; i < run; ++i, n += 1 + rnd.Uniform(3)) {
      if (model.insert(NumberKey(n)).second) {
        Insert(&list, NumberKey(n));
      }
    }
  }
  ASSERT_EQ(Forward(list),
            std::vector<std::string>(model.begin(), model.end()));
  for (int i = 0; i < 5000; ++i) {
    CheckPositioning(list, model,
                     NumberKey(static_cast<uint32_t>(rnd.Uniform(1001000))));
    if (HasFatalFailure()) {
      return;
    }
  }
}

TEST(SkipListTest, AscendingInsertsCostAtMostTwoComparisonsEach) {
  uint64_t compares = 0;
  Arena arena;
  TestList list(TestComparator{&compares}, &arena);
  constexpr uint32_t kKeys = 50000;
  for (uint32_t i = 0; i < kKeys; ++i) {
    Insert(&list, NumberKey(i));
  }
  EXPECT_LE(compares, 2 * kKeys);
  EXPECT_EQ(Forward(list).size(), kKeys);
}

TEST(SkipListTest, SeekTakesLogarithmicComparisons) {
  uint64_t compares = 0;
  Arena arena;
  TestList list(TestComparator{&compares}, &arena);
  test::Random rnd(5);
  std::vector<uint32_t> numbers(100000);
  std::iota(numbers.begin(), numbers.end(), 0);
  std::shuffle(numbers.begin(), numbers.end(), std::mt19937_64(rnd.Next()));
  for (uint32_t n : numbers) {
    Insert(&list, NumberKey(2 * n));
  }
  compares = 0;
  constexpr int kSeeks = 1000;
  TestList::Iterator iter(&list);
  for (int i = 0; i < kSeeks; ++i) {
    const auto n = static_cast<uint32_t>(rnd.Uniform(200000));
    iter.Seek(NumberKey(n));
    ASSERT_TRUE(iter.Valid());
    ASSERT_EQ(KeyAt(iter), NumberKey(n + n % 2));
  }
  // log4(100000) is about 8.3 levels with ~3 comparisons each; a list that
  // lost its upper levels would take tens of thousands.
  EXPECT_LT(compares / kSeeks, 60u);
}

// One writer inserts N keys in random order while readers scan and seek.
// Keys are a big-endian id plus a check value derived from it, so a reader
// notices a key it sees only partly written. Every key whose insertion had
// completed when a reader began an operation must be found by it.
class ConcurrentSkipListTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kKeys = 40000;
  static constexpr int kRounds = 3;
  static constexpr int kReaders = 3;

  static std::string MakeKey(uint32_t id) {
    std::string key = NumberKey(id);
    const uint64_t check = (id + 1) * 0x9e3779b97f4a7c15ULL;
    key.append(reinterpret_cast<const char*>(&check), sizeof(check));
    return key;
  }
  // The id of a key, or -1 if the key is not one MakeKey() makes.
  static int64_t IdOf(std::string_view key) {
    if (key.size() != 12) {
      return -1;
    }
    uint32_t id = 0;
    for (int i = 0; i < 4; ++i) {
      id = (id << 8) | static_cast<unsigned char>(key[i]);
    }
    if (id >= kKeys || key != MakeKey(id)) {
      return -1;
    }
    return id;
  }

  // Returns "" or the first inconsistency found.
  std::string ReaderPass(const TestList& list,
                         const std::vector<uint32_t>& position,
                         uint32_t completed, test::Random* rnd) {
    // A full scan: sorted, well-formed, complete up to `completed`.
    std::vector<bool> seen(kKeys, false);
    TestList::Iterator iter(&list);
    int64_t last = -1;
    for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
      const int64_t id = IdOf(TestComparator::View(iter.key()));
      if (id < 0) {
        return "malformed key in scan";
      }
      if (id <= last) {
        return "scan out of order: " + std::to_string(id) + " after " +
               std::to_string(last);
      }
      seen[id] = true;
      last = id;
    }
    for (uint32_t id = 0; id < kKeys; ++id) {
      if (position[id] < completed && !seen[id]) {
        return "scan missed key " + std::to_string(id) + " inserted at step " +
               std::to_string(position[id]) + " (completed " +
               std::to_string(completed) + ")";
      }
    }
    // Seeks: nothing inserted before they began may lie between the target
    // and the result.
    for (int i = 0; i < 100; ++i) {
      const auto target = static_cast<uint32_t>(rnd->Uniform(kKeys));
      iter.Seek(MakeKey(target).substr(0, 4));
      int64_t found = kKeys;
      if (iter.Valid()) {
        found = IdOf(TestComparator::View(iter.key()));
        if (found < target) {
          return "Seek went backwards";
        }
      }
      for (int64_t id = target; id < found; ++id) {
        if (position[id] < completed) {
          return "Seek skipped key " + std::to_string(id);
        }
      }
      iter.SeekForPrev(MakeKey(target));
      int64_t found_prev = -1;
      if (iter.Valid()) {
        found_prev = IdOf(TestComparator::View(iter.key()));
        if (found_prev < 0 || found_prev > target) {
          return "SeekForPrev went forwards";
        }
      }
      for (int64_t id = target; id > found_prev; --id) {
        if (position[id] < completed) {
          return "SeekForPrev skipped key " + std::to_string(id);
        }
      }
    }
    return "";
  }
};

TEST_F(ConcurrentSkipListTest, ReadersSeeAConsistentSortedList) {
  test::Random rnd(4242);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<uint32_t> order(kKeys);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937_64(rnd.Next()));
    std::vector<uint32_t> position(kKeys);  // id -> insertion step.
    for (uint32_t step = 0; step < kKeys; ++step) {
      position[order[step]] = step;
    }

    Arena arena;
    TestList list(TestComparator(), &arena);
    std::atomic<uint32_t> completed{0};
    std::atomic<int> readers_started{0};
    std::atomic<int> failed_readers{0};  // A failed reader stops.
    // The largest `completed` a reader pass has started with.
    std::atomic<uint32_t> pass_started_at{0};
    std::vector<std::string> errors(kReaders);
    std::vector<int> passes(kReaders, 0);
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
      readers.emplace_back([&, r] {
        test::Random reader_rnd(rnd.seed() * 100 + round * 10 + r);
        readers_started.fetch_add(1, std::memory_order_relaxed);
        bool last_pass = false;
        while (!last_pass) {
          // Acquire: every insert counted here happened before this pass.
          const uint32_t done = completed.load(std::memory_order_acquire);
          last_pass = done == kKeys;
          if (done > pass_started_at.load(std::memory_order_relaxed)) {
            pass_started_at.store(done, std::memory_order_relaxed);
          }
          errors[r] = ReaderPass(list, position, done, &reader_rnd);
          ++passes[r];
          if (!errors[r].empty()) {
            failed_readers.fetch_add(1, std::memory_order_relaxed);
            return;
          }
        }
      });
    }
    while (readers_started.load(std::memory_order_relaxed) < kReaders) {
      std::this_thread::yield();
    }
    for (uint32_t step = 0; step < kKeys; ++step) {
      Insert(&list, MakeKey(order[step]));
      completed.store(step + 1, std::memory_order_release);
      if ((step + 1) % (kKeys / 8) == 0 && step + 1 < kKeys) {
        // Make sure passes run in the middle of the insertions (on any
        // scheduler): wait for one to start at this point, then keep
        // inserting while it runs.
        while (pass_started_at.load(std::memory_order_relaxed) < step + 1 &&
               failed_readers.load(std::memory_order_relaxed) == 0) {
          std::this_thread::yield();
        }
      }
    }
    for (auto& reader : readers) {
      reader.join();
    }
    for (int r = 0; r < kReaders; ++r) {
      EXPECT_EQ(errors[r], "") << "round " << round << " reader " << r
                               << " after " << passes[r] << " passes";
    }
  }
}

// Readers sit where the writer inserts: the writer appends generation g + 1
// of one of a few keys right after generation g, and readers seek to the
// newest generation they know of and step forward from there. Each key's
// generations must appear contiguous and complete.
TEST(ConcurrentSkipListFrontierTest, ReadersAtTheInsertPointSeeContiguousRuns) {
  constexpr int kSlots = 4;
  constexpr uint32_t kInserts = 150000;
  constexpr int kReaders = 3;
  // Slot byte, big-endian generation, then a check value.
  auto make_key = [](int slot, uint32_t gen) {
    std::string key(1, static_cast<char>(slot));
    key += NumberKey(gen);
    const uint64_t check = (slot * 1000003ULL + gen) * 0x9e3779b97f4a7c15ULL;
    key.append(reinterpret_cast<const char*>(&check), sizeof(check));
    return key;
  };
  auto parse = [&](std::string_view key, int* slot, uint32_t* gen) {
    if (key.size() != 13 || static_cast<unsigned char>(key[0]) >= kSlots) {
      return false;
    }
    *slot = key[0];
    *gen = 0;
    for (int i = 1; i <= 4; ++i) {
      *gen = (*gen << 8) | static_cast<unsigned char>(key[i]);
    }
    return key == make_key(*slot, *gen);
  };

  Arena arena;
  TestList list(TestComparator(), &arena);
  std::atomic<uint32_t> newest[kSlots] = {};  // 0: none inserted yet.
  std::atomic<bool> done{false};
  std::atomic<int> failed_readers{0};
  std::atomic<int> readers_started{0};
  std::vector<std::string> errors(kReaders);
  std::vector<std::thread> readers;
  test::Random rnd(99);
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      test::Random reader_rnd(rnd.seed() * 10 + r);
      readers_started.fetch_add(1, std::memory_order_relaxed);
      TestList::Iterator iter(&list);
      std::string& error = errors[r];
      while (error.empty() && !done.load(std::memory_order_acquire)) {
        const int slot = static_cast<int>(reader_rnd.Uniform(kSlots));
        // Acquire: generations 1..known of this slot are in the list.
        const uint32_t known = newest[slot].load(std::memory_order_acquire);
        if (known == 0) {
          continue;
        }
        iter.Seek(make_key(slot, known).substr(0, 5));
        int s;
        uint32_t g;
        if (!iter.Valid() || !parse(TestComparator::View(iter.key()), &s, &g) ||
            s != slot || g != known) {
          error = "Seek to slot " + std::to_string(slot) + " generation " +
                  std::to_string(known) + " did not find it";
          break;
        }
        for (int step = 0; step < 20; ++step) {
          iter.Next();
          if (!iter.Valid()) {
            break;
          }
          int next_slot;
          uint32_t next_gen;
          if (!parse(TestComparator::View(iter.key()), &next_slot, &next_gen)) {
            error = "malformed key after slot " + std::to_string(s) +
                    " generation " + std::to_string(g);
            break;
          }
          if (next_slot == s ? next_gen != g + 1 : next_slot < s) {
            error = "slot " + std::to_string(next_slot) + " generation " +
                    std::to_string(next_gen) + " follows slot " +
                    std::to_string(s) + " generation " + std::to_string(g);
            break;
          }
          s = next_slot;
          g = next_gen;
        }
      }
      if (!error.empty()) {
        failed_readers.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  while (readers_started.load(std::memory_order_relaxed) < kReaders) {
    std::this_thread::yield();
  }
  uint32_t gens[kSlots] = {};
  for (uint32_t i = 0;
       i < kInserts && failed_readers.load(std::memory_order_relaxed) == 0;
       ++i) {
    const int slot = static_cast<int>(rnd.Uniform(kSlots));
    Insert(&list, make_key(slot, ++gens[slot]));
    newest[slot].store(gens[slot], std::memory_order_release);
  }
  done.store(true, std::memory_order_release);
  for (auto& reader : readers) {
    reader.join();
  }
  for (int r = 0; r < kReaders; ++r) {
    EXPECT_EQ(errors[r], "") << "reader " << r;
  }
}

}  // namespace
}  // namespace strata
