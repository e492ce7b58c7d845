// Randomized checking of an InternalIterator against a sorted vector of the
// entries it should show (header-only, for strata_db_test).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "db/internal_iterator.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"
#include "testutil/vector_internal_iterator.h"

namespace strata::test {

using Entry = VectorInternalIterator::Entry;

inline bool EntryLess(const Entry& a, const Entry& b) {
  return InternalKeyComparator::Compare(a.first, b.first) < 0;
}

// A user key over a tiny alphabet (prefixes and neighbours occur often).
inline std::string RandomUserKey(Random& rnd, size_t max_len = 3) {
  static const char kAlphabet[] = {'\0', 'a', 'b', 'c'};
  std::string k;
  const size_t len = rnd.Uniform(max_len + 1);
  for (size_t i = 0; i < len; i++) k.push_back(kAlphabet[rnd.Uniform(4)]);
  return k;
}

// `n` distinct random internal keys with values, sorted.
inline std::vector<Entry> RandomSortedEntries(Random& rnd, size_t n) {
  static const ValueType kTypes[] = {ValueType::kValue, ValueType::kDeletion,
                                     ValueType::kSingleDeletion,
                                     ValueType::kMerge};
  std::set<std::string, InternalKeyComparator> keys;
  for (size_t i = 0; i < n; i++) {
    keys.insert(MakeInternalKey(RandomUserKey(rnd), rnd.Uniform(20),
                                kTypes[rnd.Uniform(4)]));
  }
  std::vector<Entry> entries;
  for (const std::string& k : keys) {
    entries.emplace_back(k, "v" + std::to_string(entries.size()));
  }
  return entries;
}

// A seek target: sometimes an existing key, often a key between entries.
inline std::string RandomTarget(Random& rnd, const std::vector<Entry>& all) {
  if (!all.empty() && rnd.OneIn(3)) return all[rnd.Uniform(all.size())].first;
  static const ValueType kTypes[] = {ValueType::kValue, ValueType::kDeletion,
                                     kValueTypeForSeek};
  const SequenceNumber seq =
      rnd.OneIn(5) ? kMaxSequenceNumber : rnd.Uniform(21);
  return MakeInternalKey(RandomUserKey(rnd), seq, kTypes[rnd.Uniform(3)]);
}

// Drives `iter` with random positioning calls and Next/Prev walks,
// checking after each step against `model` (sorted, distinct keys).
inline void CheckInternalIteratorAgainstModel(InternalIterator* iter,
                                              const std::vector<Entry>& model,
                                              Random& rnd, size_t steps) {
  const size_t n = model.size();
  const size_t kInvalid = ~size_t{0};
  size_t pos = kInvalid;
  // Full scans both ways first.
  iter->SeekToFirst();
  for (size_t i = 0; i < n; i++) {
    ASSERT_TRUE(iter->Valid()) << "forward scan, entry " << i;
    ASSERT_EQ(iter->key().ToString(), model[i].first) << "entry " << i;
    ASSERT_EQ(iter->value().ToString(), model[i].second);
    iter->Next();
  }
  ASSERT_FALSE(iter->Valid());
  ASSERT_TRUE(iter->status().ok()) << iter->status().ToString();
  iter->SeekToLast();
  for (size_t i = n; i-- > 0;) {
    ASSERT_TRUE(iter->Valid()) << "reverse scan, entry " << i;
    ASSERT_EQ(iter->key().ToString(), model[i].first) << "entry " << i;
    iter->Prev();
  }
  ASSERT_FALSE(iter->Valid());

  for (size_t step = 0; step < steps; step++) {
    const uint64_t op = rnd.Uniform(pos == kInvalid ? 4 : 8);
    std::string what;
    if (op == 0) {
      what = "SeekToFirst";
      iter->SeekToFirst();
      pos = n > 0 ? 0 : kInvalid;
    } else if (op == 1) {
      what = "SeekToLast";
      iter->SeekToLast();
      pos = n > 0 ? n - 1 : kInvalid;
    } else if (op == 2) {
      const std::string t = RandomTarget(rnd, model);
      what = "Seek " + Slice(t).ToHex();
      iter->Seek(t);
      pos = std::lower_bound(model.begin(), model.end(), Entry(t, ""),
                             EntryLess) -
            model.begin();
      if (pos == n) pos = kInvalid;
    } else if (op == 3) {
      const std::string t = RandomTarget(rnd, model);
      what = "SeekForPrev " + Slice(t).ToHex();
      iter->SeekForPrev(t);
      pos = std::upper_bound(model.begin(), model.end(), Entry(t, ""),
                             EntryLess) -
            model.begin();
      pos = pos == 0 ? kInvalid : pos - 1;
    } else if (op < 6) {
      what = "Next";
      iter->Next();
      pos = pos + 1 == n ? kInvalid : pos + 1;
    } else {
      what = "Prev";
      iter->Prev();
      pos = pos == 0 ? kInvalid : pos - 1;
    }
    ASSERT_TRUE(iter->status().ok())
        << what << ": " << iter->status().ToString();
    if (pos == kInvalid) {
      ASSERT_FALSE(iter->Valid()) << "step " << step << " " << what;
    } else {
      ASSERT_TRUE(iter->Valid()) << "step " << step << " " << what;
      ASSERT_EQ(iter->key().ToString(), model[pos].first)
          << "step " << step << " " << what;
      ASSERT_EQ(iter->value().ToString(), model[pos].second);
    }
  }
}

}  // namespace strata::test
