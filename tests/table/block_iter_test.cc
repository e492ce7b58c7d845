#include "table/block_iter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "table/block.h"
#include "table/block_builder.h"
#include "table/internal_key.h"
#include "testutil/testutil.h"
#include "util/coding.h"

namespace strata {
namespace {

struct Entry {
  std::string key;
  std::string value;
  BlockHandle handle;  // For index blocks.
};

enum class KeyMode { kMixed, kManyVersions, kLong };

const char* KeyModeName(KeyMode mode) {
  switch (mode) {
    case KeyMode::kMixed:
      return "Mixed";
    case KeyMode::kManyVersions:
      return "ManyVersions";
    case KeyMode::kLong:
      return "Long";
  }
  return "?";
}

// User keys from a small alphabet with the interesting bytes, so that
// prefixes, 0x00 and 0xff runs and the empty key all show up.
std::string RandomUserKey(test::Random* rnd, size_t max_len) {
  static const char kAlphabet[] = {'\x00', '\x01', 'a',    'b',
                                   '\x7f', '\x80', '\xfe', '\xff'};
  std::string key;
  const size_t len = rnd->Uniform(max_len + 1);
  for (size_t i = 0; i < len; ++i) {
    key.push_back(kAlphabet[rnd->Uniform(sizeof(kAlphabet))]);
  }
  return key;
}

ValueType RandomType(test::Random* rnd) {
  static const ValueType kTypes[] = {ValueType::kValue, ValueType::kDeletion,
                                     ValueType::kMerge,
                                     ValueType::kSingleDeletion};
  return kTypes[rnd->Uniform(4)];
}

std::vector<Entry> MakeInternalEntries(test::Random* rnd, KeyMode mode,
                                       size_t n) {
  std::set<std::string, InternalKeyComparator> keys;
  keys.insert(MakeInternalKey("", 0, ValueType::kValue));  // Empty user key.
  while (keys.size() < n) {
    std::string user_key;
    switch (mode) {
      case KeyMode::kMixed:
        user_key = RandomUserKey(rnd, 6);
        break;
      case KeyMode::kManyVersions:
        user_key = rnd->OneIn(4) ? RandomUserKey(rnd, 3) : "hot";
        break;
      case KeyMode::kLong:
        user_key =
            std::string(100 + rnd->Uniform(200), 'p') + RandomUserKey(rnd, 20);
        break;
    }
    keys.insert(MakeInternalKey(user_key, rnd->Uniform(1000), RandomType(rnd)));
  }
  std::vector<Entry> entries;
  for (const std::string& key : keys) {
    const size_t value_len = rnd->OneIn(4) ? 0 : rnd->Uniform(40);
    entries.push_back({key, rnd->RandomBytes(value_len), BlockHandle()});
  }
  return entries;
}

std::unique_ptr<Block> Build(const std::vector<Entry>& entries,
                             int restart_interval, DataBlockIndexType type,
                             bool* has_hash_index = nullptr) {
  BlockBuilder builder(restart_interval, true, false, type);
  for (const Entry& e : entries) {
    builder.Add(e.key, e.value);
  }
  std::string contents = builder.Finish().ToString();
  if (has_hash_index != nullptr) {
    *has_hash_index = builder.has_hash_index();
  }
  std::unique_ptr<Block> block;
  EXPECT_OK(Block::Create(BlockContents::Own(std::move(contents)), &block));
  return block;
}

// Gives `block` the restart key prefixes Seek narrows its search with, as
// the table reader does (with one entry per restart point, Seek can land
// without reading a key).
void AddRestartKeyPrefixes(Block* block, const BlockIterOptions& options) {
  std::vector<uint64_t> prefixes;
  bool one_entry_per_restart = false;
  ASSERT_OK(BuildRestartKeyPrefixes(*block, options, &prefixes,
                                    &one_entry_per_restart));
  ASSERT_EQ(block->empty() ? 0u : block->num_restarts(), prefixes.size());
  block->SetRestartKeyPrefixes(std::move(prefixes),
                               options.key_order == BlockKeyOrder::kInternalKey,
                               one_entry_per_restart);
}

// Compares every way of moving through `block` with the sorted `model`.
class ModelChecker {
 public:
  ModelChecker(const Block* block, const BlockIterOptions& options,
               const std::vector<Entry>& model, test::Random* rnd)
      : block_(block), options_(options), model_(model), rnd_(rnd) {}

  int Compare(Slice a, Slice b) const {
    return options_.key_order == BlockKeyOrder::kInternalKey
               ? InternalKeyComparator::Compare(a, b)
               : a.compare(b);
  }

  // Index of the first model entry >= target (model_.size() if none).
  size_t LowerBound(Slice target) const {
    size_t i = 0;
    size_t j = model_.size();
    while (i < j) {
      const size_t mid = (i + j) / 2;
      if (Compare(model_[mid].key, target) < 0) {
        i = mid + 1;
      } else {
        j = mid;
      }
    }
    return i;
  }

  void ExpectAt(const BlockIter& iter, size_t i) const {
    ASSERT_TRUE(iter.status().ok()) << iter.status().ToString();
    if (i >= model_.size()) {
      ASSERT_FALSE(iter.Valid());
      return;
    }
    ASSERT_TRUE(iter.Valid()) << "expected entry " << i;
    ASSERT_EQ(Slice(model_[i].key).ToHex(), iter.key().ToHex()) << i;
    if (options_.value_format == BlockValueFormat::kRaw) {
      ASSERT_EQ(Slice(model_[i].value), iter.value()) << i;
    } else {
      ASSERT_EQ(model_[i].handle, iter.handle()) << i;
    }
  }

  void CheckForwardAndBackward() const {
    BlockIter iter(block_, options_);
    EXPECT_FALSE(iter.Valid());
    size_t i = 0;
    for (iter.SeekToFirst(); iter.Valid(); iter.Next(), ++i) {
      ASSERT_NO_FATAL_FAILURE(ExpectAt(iter, i));
    }
    ASSERT_OK(iter.status());
    ASSERT_EQ(model_.size(), i);
    for (iter.SeekToLast(); iter.Valid(); iter.Prev()) {
      ASSERT_GT(i, 0u);
      --i;
      ASSERT_NO_FATAL_FAILURE(ExpectAt(iter, i));
    }
    ASSERT_OK(iter.status());
    ASSERT_EQ(0u, i);
  }

  void CheckSeek(Slice target) const {
    BlockIter iter(block_, options_);
    iter.Seek(target);
    const size_t expected = LowerBound(target);
    ASSERT_NO_FATAL_FAILURE(ExpectAt(iter, expected))
        << "Seek " << target.ToHex();
    iter.SeekForPrev(target);
    size_t prev = expected;
    if (prev < model_.size() && Compare(model_[prev].key, target) == 0) {
      ASSERT_NO_FATAL_FAILURE(ExpectAt(iter, prev));
    } else if (prev == 0) {
      ASSERT_OK(iter.status());
      ASSERT_FALSE(iter.Valid()) << "SeekForPrev " << target.ToHex();
    } else {
      ASSERT_NO_FATAL_FAILURE(ExpectAt(iter, prev - 1))
          << "SeekForPrev " << target.ToHex();
    }
  }

  void CheckSeeks(const std::vector<std::string>& extra_targets) const {
    for (const Entry& e : model_) {
      ASSERT_NO_FATAL_FAILURE(CheckSeek(e.key));
    }
    for (const std::string& t : extra_targets) {
      ASSERT_NO_FATAL_FAILURE(CheckSeek(t));
    }
  }

  void CheckRandomWalk(int steps) const {
    if (model_.empty()) {
      return;
    }
    BlockIter iter(block_, options_);
    size_t i = rnd_->Uniform(model_.size());
    iter.Seek(model_[i].key);
    for (int step = 0; step < steps; ++step) {
      ASSERT_NO_FATAL_FAILURE(ExpectAt(iter, i));
      if (!iter.Valid()) {
        i = rnd_->Uniform(model_.size());
        iter.Seek(model_[i].key);
        continue;
      }
      if (rnd_->OneIn(2)) {
        iter.Next();
        ++i;
      } else if (i == 0) {
        iter.Prev();
        ASSERT_OK(iter.status());
        ASSERT_FALSE(iter.Valid());
        iter.SeekToFirst();
      } else {
        iter.Prev();
        --i;
      }
    }
  }

 private:
  const Block* block_;
  BlockIterOptions options_;
  const std::vector<Entry>& model_;
  test::Random* rnd_;
};

std::vector<std::string> InternalTargets(const std::vector<Entry>& model,
                                         test::Random* rnd) {
  std::vector<std::string> targets;
  // Before everything and after everything.
  targets.push_back(MakeInternalKey("", kMaxSequenceNumber, kValueTypeForSeek));
  targets.push_back(
      MakeInternalKey(std::string(400, '\xff'), 0, ValueType::kDeletion));
  for (const Entry& e : model) {
    const ParsedInternalKey p(
        ExtractUserKey(e.key), ExtractSequenceNumber(e.key),
        static_cast<ValueType>(ExtractValueTypeByte(e.key)));
    // Between versions of this user key, and around it.
    targets.push_back(MakeInternalKey(p.user_key, p.sequence + 1, p.type));
    if (p.sequence > 0) {
      targets.push_back(MakeInternalKey(p.user_key, p.sequence - 1,
                                        ValueType::kWideColumnEntity));
    }
    targets.push_back(
        MakeInternalKey(p.user_key, kMaxSequenceNumber, kValueTypeForSeek));
    targets.push_back(
        MakeInternalKey(p.user_key.ToString() + '\x00', 0, ValueType::kValue));
  }
  for (int i = 0; i < 300; ++i) {
    targets.push_back(MakeInternalKey(RandomUserKey(rnd, 7), rnd->Uniform(1000),
                                      RandomType(rnd)));
  }
  return targets;
}

struct DataBlockParam {
  int restart_interval;
  KeyMode mode;
  size_t num_entries;
};

class DataBlockIterTest : public testing::TestWithParam<DataBlockParam> {};

TEST_P(DataBlockIterTest, MatchesSortedModel) {
  const DataBlockParam param = GetParam();
  test::Random rnd(1000 + param.restart_interval * 7 +
                   static_cast<int>(param.mode));
  const std::vector<Entry> model =
      MakeInternalEntries(&rnd, param.mode, param.num_entries);
  for (DataBlockIndexType type : {DataBlockIndexType::kBinarySearch,
                                  DataBlockIndexType::kBinaryAndHash}) {
    SCOPED_TRACE(type == DataBlockIndexType::kBinaryAndHash ? "hash"
                                                            : "binary");
    std::unique_ptr<Block> block = Build(model, param.restart_interval, type);
    for (bool prefixes : {false, true}) {
      SCOPED_TRACE(prefixes ? "with restart key prefixes" : "plain");
      if (prefixes) {
        ASSERT_NO_FATAL_FAILURE(
            AddRestartKeyPrefixes(block.get(), BlockIterOptions::DataBlock()));
      }
      // A block just read skips Seek's prefetch hints, nothing else.
      for (bool hot : {false, true}) {
        SCOPED_TRACE(hot ? "hot" : "maybe cold");
        const BlockIterOptions options =
            BlockIterOptions::DataBlock(kDisableGlobalSequenceNumber, hot);
        ModelChecker checker(block.get(), options, model, &rnd);
        ASSERT_NO_FATAL_FAILURE(checker.CheckForwardAndBackward());
        ASSERT_NO_FATAL_FAILURE(
            checker.CheckSeeks(InternalTargets(model, &rnd)));
        ASSERT_NO_FATAL_FAILURE(checker.CheckRandomWalk(5000));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Blocks, DataBlockIterTest,
    testing::Values(DataBlockParam{1, KeyMode::kMixed, 2000},
                    DataBlockParam{5, KeyMode::kMixed, 2000},
                    DataBlockParam{16, KeyMode::kMixed, 3000},
                    DataBlockParam{1, KeyMode::kManyVersions, 1500},
                    DataBlockParam{16, KeyMode::kManyVersions, 1500},
                    DataBlockParam{5, KeyMode::kLong, 800},
                    DataBlockParam{16, KeyMode::kLong, 800}),
    [](const testing::TestParamInfo<DataBlockParam>& info) {
      return std::string(KeyModeName(info.param.mode)) + "_Restart" +
             std::to_string(info.param.restart_interval);
    });

// SeekForGet against the model, with blocks small enough to keep their hash
// index (at most 254 restart intervals).
TEST(BlockIterTest, SeekForGetAgreesWithModel) {
  test::Random rnd(4242);
  for (int restart_interval : {1, 4, 16}) {
    for (KeyMode mode : {KeyMode::kMixed, KeyMode::kManyVersions}) {
      SCOPED_TRACE(std::to_string(restart_interval) + KeyModeName(mode));
      const std::vector<Entry> model =
          MakeInternalEntries(&rnd, mode, restart_interval == 1 ? 200 : 1000);
      bool has_hash = false;
      std::unique_ptr<Block> block =
          Build(model, restart_interval, DataBlockIndexType::kBinaryAndHash,
                &has_hash);
      ASSERT_TRUE(has_hash);
      ASSERT_TRUE(block->has_hash_index());
      ModelChecker checker(block.get(), BlockIterOptions::DataBlock(), model,
                           &rnd);
      for (const std::string& target : InternalTargets(model, &rnd)) {
        BlockIter iter(block.get(), BlockIterOptions::DataBlock());
        const bool may_continue = iter.SeekForGet(target);
        ASSERT_OK(iter.status());
        const size_t lb = checker.LowerBound(target);
        const bool present_at_or_after =
            lb < model.size() &&
            ExtractUserKey(model[lb].key) == ExtractUserKey(target);
        if (!may_continue) {
          EXPECT_FALSE(present_at_or_after) << Slice(target).ToHex();
        } else if (iter.Valid()) {
          ASSERT_NO_FATAL_FAILURE(checker.ExpectAt(iter, lb));
        } else {
          EXPECT_FALSE(present_at_or_after) << Slice(target).ToHex();
        }
        if (present_at_or_after) {
          ASSERT_TRUE(iter.Valid());
          EXPECT_EQ(Slice(model[lb].key), iter.key());
        }
      }
    }
  }
}

TEST(BlockIterTest, SeekForGetWithoutHashIndexIsSeek) {
  test::Random rnd(99);
  const std::vector<Entry> model =
      MakeInternalEntries(&rnd, KeyMode::kMixed, 100);
  std::unique_ptr<Block> block =
      Build(model, 16, DataBlockIndexType::kBinarySearch);
  ASSERT_FALSE(block->has_hash_index());
  for (const Entry& e : model) {
    BlockIter iter(block.get(), BlockIterOptions::DataBlock());
    EXPECT_TRUE(iter.SeekForGet(e.key));
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(Slice(e.key), iter.key());
  }
}

TEST(BlockIterTest, EmptyBlockIsNeverValid) {
  BlockBuilder builder(16);
  std::unique_ptr<Block> block;
  ASSERT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  EXPECT_TRUE(block->empty());
  BlockIter iter(block.get(), BlockIterOptions::DataBlock());
  iter.SeekToFirst();
  EXPECT_FALSE(iter.Valid());
  iter.SeekToLast();
  EXPECT_FALSE(iter.Valid());
  iter.Seek(MakeInternalKey("a", 0, ValueType::kValue));
  EXPECT_FALSE(iter.Valid());
  iter.SeekForPrev(MakeInternalKey("a", 0, ValueType::kValue));
  EXPECT_FALSE(iter.Valid());
  EXPECT_TRUE(iter.SeekForGet(MakeInternalKey("a", 0, ValueType::kValue)));
  EXPECT_FALSE(iter.Valid());
  EXPECT_OK(iter.status());
}

TEST(BlockIterTest, GlobalSequenceNumberReplacesZeroSequences) {
  std::vector<Entry> model;
  for (const char* user_key : {"apple", "banana", "cherry"}) {
    model.push_back(
        {MakeInternalKey(user_key, 0, ValueType::kValue), "v", BlockHandle()});
  }
  std::unique_ptr<Block> block =
      Build(model, 2, DataBlockIndexType::kBinaryAndHash);
  const BlockIterOptions options = BlockIterOptions::DataBlock(77);
  BlockIter iter(block.get(), options);
  std::vector<std::string> seen;
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    EXPECT_EQ(77u, ExtractSequenceNumber(iter.key()));
    EXPECT_EQ(0x01, ExtractValueTypeByte(iter.key()));
    seen.push_back(ExtractUserKey(iter.key()).ToString());
  }
  ASSERT_OK(iter.status());
  EXPECT_EQ((std::vector<std::string>{"apple", "banana", "cherry"}), seen);

  // Comparisons use the reported sequence number: a snapshot at 76 sorts
  // after (apple, 77), at 78 before it.
  iter.Seek(MakeInternalKey("apple", 76, ValueType::kValue));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(Slice("banana"), ExtractUserKey(iter.key()));
  iter.Seek(MakeInternalKey("apple", 78, ValueType::kValue));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(Slice("apple"), ExtractUserKey(iter.key()));
  EXPECT_TRUE(
      iter.SeekForGet(MakeInternalKey("cherry", 100, kValueTypeForSeek)));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(MakeInternalKey("cherry", 77, ValueType::kValue),
            iter.key().ToString());
  iter.SeekForPrev(MakeInternalKey("banana", 0, ValueType::kValue));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(MakeInternalKey("banana", 77, ValueType::kValue),
            iter.key().ToString());
  iter.SeekToLast();
  iter.Prev();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(MakeInternalKey("banana", 77, ValueType::kValue),
            iter.key().ToString());
}

// Keys that share bytes past the previous key's user key: the stored bytes,
// not the rewritten sequence number, must rebuild the next key.
TEST(BlockIterTest, GlobalSequenceNumberDoesNotLeakIntoSharedPrefixes) {
  std::vector<Entry> model;
  model.push_back({MakeInternalKey("a", 0, ValueType::kValue), "1", {}});
  model.push_back(
      {MakeInternalKey(std::string("a\x01\x00\x00", 4), 0, ValueType::kValue),
       "2",
       {}});
  std::unique_ptr<Block> block =
      Build(model, 16, DataBlockIndexType::kBinarySearch);
  BlockIter iter(block.get(), BlockIterOptions::DataBlock(0x0505));
  iter.SeekToFirst();
  iter.Next();
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(Slice(std::string("a\x01\x00\x00", 4)), ExtractUserKey(iter.key()));
}

TEST(BlockIterTest, BytewiseKeysWithRawValues) {
  test::Random rnd(31337);
  std::set<std::string> keys = {""};
  while (keys.size() < 1500) {
    keys.insert(RandomUserKey(&rnd, 8));
  }
  std::vector<Entry> model;
  for (const std::string& k : keys) {
    model.push_back({k, rnd.RandomBytes(rnd.Uniform(10)), BlockHandle()});
  }
  for (int restart_interval : {1, 5, 16}) {
    std::unique_ptr<Block> block =
        Build(model, restart_interval, DataBlockIndexType::kBinarySearch);
    const BlockIterOptions options = BlockIterOptions::MetaBlock(false);
    ModelChecker checker(block.get(), options, model, &rnd);
    ASSERT_NO_FATAL_FAILURE(checker.CheckForwardAndBackward());
    std::vector<std::string> targets = {std::string(20, '\xff')};
    for (int i = 0; i < 500; ++i) {
      targets.push_back(RandomUserKey(&rnd, 9));
    }
    ASSERT_NO_FATAL_FAILURE(checker.CheckSeeks(targets));
    ASSERT_NO_FATAL_FAILURE(checker.CheckRandomWalk(3000));
  }
}

// Index blocks: separators with handles, in every key and value form.
struct IndexParam {
  bool user_keys;
  bool delta;
  int restart_interval;
};

class IndexBlockIterTest : public testing::TestWithParam<IndexParam> {};

TEST_P(IndexBlockIterTest, MatchesSortedModel) {
  const IndexParam param = GetParam();
  test::Random rnd(77 + param.restart_interval + 10 * param.user_keys +
                   100 * param.delta);
  std::vector<Entry> model;
  if (param.user_keys) {
    std::set<std::string> keys;
    while (keys.size() < 2000) {
      // Some keys share their first 8 bytes (tied restart key prefixes);
      // short ones tie with their zero-padded extensions.
      keys.insert(rnd.OneIn(3) ? "prefix08" + RandomUserKey(&rnd, 4)
                               : RandomUserKey(&rnd, 8));
    }
    for (const std::string& k : keys) {
      model.push_back({k, "", BlockHandle()});
    }
  } else {
    model = MakeInternalEntries(&rnd, KeyMode::kManyVersions, 2000);
  }
  uint64_t offset = 0;
  for (Entry& e : model) {
    // Sizes from empty to larger than the previous, to exercise negative
    // and positive deltas.
    e.handle =
        BlockHandle(offset, rnd.Uniform(3) == 0 ? rnd.Uniform(100000)
                                                : 4000 + rnd.Uniform(200));
    offset = e.handle.end_offset_with_trailer();
  }
  BlockBuilder builder(param.restart_interval, true, param.delta);
  for (size_t i = 0; i < model.size(); ++i) {
    std::string encoded = model[i].handle.Encode();
    std::string delta;
    if (i > 0) {
      EncodeHandleSizeDelta(model[i].handle, model[i - 1].handle, &delta);
    }
    const Slice delta_slice(delta);
    builder.Add(model[i].key, encoded, &delta_slice);
  }
  std::unique_ptr<Block> block;
  ASSERT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  const BlockIterOptions options =
      BlockIterOptions::IndexBlock(param.user_keys, param.delta);
  std::vector<std::string> targets;
  if (param.user_keys) {
    for (int i = 0; i < 500; ++i) {
      targets.push_back(RandomUserKey(&rnd, 9));
      targets.push_back("prefix08" + RandomUserKey(&rnd, 5));
    }
  } else {
    targets = InternalTargets(model, &rnd);
  }
  // The table reader gives its index blocks restart key prefixes.
  for (bool prefixes : {false, true}) {
    SCOPED_TRACE(prefixes ? "with restart key prefixes" : "plain");
    if (prefixes) {
      ASSERT_NO_FATAL_FAILURE(AddRestartKeyPrefixes(block.get(), options));
    }
    ModelChecker checker(block.get(), options, model, &rnd);
    ASSERT_NO_FATAL_FAILURE(checker.CheckForwardAndBackward());
    ASSERT_NO_FATAL_FAILURE(checker.CheckSeeks(targets));
    ASSERT_NO_FATAL_FAILURE(checker.CheckRandomWalk(5000));
  }
}

TEST(RestartKeyPrefixTest, PreservesBytewiseOrder) {
  test::Random rnd(4242);
  for (int i = 0; i < 20000; ++i) {
    const std::string a = RandomUserKey(&rnd, 10);
    const std::string b = RandomUserKey(&rnd, 10);
    if (RestartKeyPrefix(a) < RestartKeyPrefix(b)) {
      ASSERT_LT(Slice(a).compare(b), 0)
          << Slice(a).ToHex() << " " << Slice(b).ToHex();
    }
    if (Slice(a).compare(b) == 0) {
      ASSERT_EQ(RestartKeyPrefix(a), RestartKeyPrefix(b));
    }
  }
  EXPECT_EQ(0x0102000000000000u, RestartKeyPrefix(Slice("\x01\x02", 2)));
  EXPECT_EQ(0x6162636465666768u, RestartKeyPrefix("abcdefghij"));
}

// Seek trusts the prefixes to skip restart points: prefixes that disagree
// with the keys (as corrupt ones would) must be what moves it, so a test
// with deliberately wrong prefixes shows they are used at all.
TEST(RestartKeyPrefixTest, SeekUsesThePrefixes) {
  BlockBuilder builder(1);
  for (const char* k : {"apple", "banana", "cherry", "damson"}) {
    builder.Add(MakeInternalKey(k, 1, ValueType::kValue), k);
  }
  std::unique_ptr<Block> block;
  ASSERT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  const std::string target = MakeInternalKey("cherry", 1, ValueType::kValue);
  {
    BlockIter iter(block.get(), BlockIterOptions::DataBlock());
    iter.Seek(target);
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ("cherry", iter.value());
  }
  // Claim every restart key is larger than any target: Seek then lands on
  // the first entry without reading a key.
  block->SetRestartKeyPrefixes(std::vector<uint64_t>(4, ~uint64_t{0}), true);
  BlockIter iter(block.get(), BlockIterOptions::DataBlock());
  iter.Seek(target);
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ("apple", iter.value());
}

TEST(RestartKeyPrefixTest, SummarySearchEqualsLowerBound) {
  // Sorted prefix arrays around the summary stride, with runs of equal
  // values; every probe must land where std::lower_bound does.
  test::Random rnd(99);
  BlockBuilder builder(1);
  builder.Add(MakeInternalKey("k", 1, ValueType::kValue), "v");
  std::unique_ptr<Block> block;
  ASSERT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  const size_t stride = Block::kPrefixSummaryStride;
  for (size_t n : {size_t{1}, size_t{2}, stride - 1, stride, stride + 1,
                   2 * stride, 5 * stride + 7, size_t{10000}}) {
    std::vector<uint64_t> prefixes(n);
    uint64_t v = 10;
    for (size_t i = 0; i < n; ++i) {
      if (!rnd.OneIn(4)) v += 1 + rnd.Uniform(5);  // Some repeats.
      prefixes[i] = v;
    }
    block->SetRestartKeyPrefixes(prefixes, true);
    for (uint64_t probe = 0; probe <= v + 2; ++probe) {
      const size_t want = static_cast<size_t>(
          std::lower_bound(prefixes.begin(), prefixes.end(), probe) -
          prefixes.begin());
      ASSERT_EQ(block->LowerBoundPrefix(probe), want)
          << "n " << n << " probe " << probe;
    }
  }
}

TEST(RestartKeyPrefixTest, MalformedRestartEntryIsCorruption) {
  BlockBuilder builder(1);
  builder.Add(MakeInternalKey("apple", 1, ValueType::kValue), "red");
  builder.Add(MakeInternalKey("banana", 1, ValueType::kValue), "yellow");
  std::string contents = builder.Finish().ToString();
  // The second restart entry's key length runs past the entries.
  contents[19 + 1] = '\x7f';
  std::unique_ptr<Block> block;
  ASSERT_OK(Block::Create(BlockContents::Own(std::move(contents)), &block));
  std::vector<uint64_t> prefixes = {1, 2, 3};
  const Status s =
      BuildRestartKeyPrefixes(*block, BlockIterOptions::DataBlock(), &prefixes);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_TRUE(prefixes.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Blocks, IndexBlockIterTest,
    testing::Values(IndexParam{true, true, 1}, IndexParam{true, true, 4},
                    IndexParam{true, true, 16}, IndexParam{true, false, 1},
                    IndexParam{true, false, 16}, IndexParam{false, true, 1},
                    IndexParam{false, true, 16}, IndexParam{false, false, 1},
                    IndexParam{false, false, 5}),
    [](const testing::TestParamInfo<IndexParam>& info) {
      return std::string(info.param.user_keys ? "UserKeys" : "InternalKeys") +
             (info.param.delta ? "_DeltaHandles" : "_FullHandles") +
             "_Restart" + std::to_string(info.param.restart_interval);
    });

// The 8-byte big-endian form of `prefix`: a key whose RestartKeyPrefix is
// exactly `prefix`.
std::string KeyWithPrefix(uint64_t prefix) {
  std::string key(8, '\0');
  EncodeFixed64(key.data(), __builtin_bswap64(prefix));
  return key;
}

std::unique_ptr<Block> BuildIndex(const std::vector<std::string>& user_keys,
                                  int restart_interval, bool delta) {
  BlockBuilder builder(restart_interval, true, delta);
  BlockHandle previous;
  uint64_t offset = 0;
  for (const std::string& k : user_keys) {
    const BlockHandle handle(offset, 100 + offset % 7);
    std::string delta_bytes;
    if (offset > 0) {
      EncodeHandleSizeDelta(handle, previous, &delta_bytes);
    }
    offset = handle.end_offset_with_trailer();
    const Slice delta_slice(delta_bytes);
    builder.Add(k, handle.Encode(), &delta_slice);
    previous = handle;
  }
  std::unique_ptr<Block> block;
  EXPECT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  return block;
}

TEST(RestartKeyPrefixTest, TellsWhetherEveryEntryIsARestartPoint) {
  const std::vector<std::string> keys = {"apple", "banana", "cherry", "date",
                                         "elder"};
  for (bool delta : {false, true}) {
    for (int interval : {1, 2, 16}) {
      SCOPED_TRACE(std::to_string(interval) + (delta ? " delta" : " full"));
      std::unique_ptr<Block> block = BuildIndex(keys, interval, delta);
      std::vector<uint64_t> prefixes;
      bool one = !(interval == 1);
      ASSERT_OK(BuildRestartKeyPrefixes(
          *block, BlockIterOptions::IndexBlock(true, delta), &prefixes, &one));
      EXPECT_EQ(interval == 1, one);
    }
  }
  // Data blocks: raw values; a lone entry fills its interval.
  for (size_t n : {size_t{1}, size_t{3}}) {
    BlockBuilder builder(16);
    for (size_t i = 0; i < n; ++i) {
      builder.Add(
          MakeInternalKey("k" + std::to_string(i), 1, ValueType::kValue), "v");
    }
    std::unique_ptr<Block> block;
    ASSERT_OK(
        Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
    std::vector<uint64_t> prefixes;
    bool one = n != 1;
    ASSERT_OK(BuildRestartKeyPrefixes(*block, BlockIterOptions::DataBlock(),
                                      &prefixes, &one));
    EXPECT_EQ(n == 1, one) << n;
  }
}

// With one entry per restart point, a target whose prefix no restart key
// shares is placed by the prefixes alone. Prefixes that disagree with the
// keys (as corrupt ones would) show which path Seek took.
TEST(RestartKeyPrefixTest, OneEntryPerRestartLandsWithoutReadingKeys) {
  std::unique_ptr<Block> block =
      BuildIndex({"apple", "banana", "cherry", "date"}, 1, true);
  const BlockIterOptions options = BlockIterOptions::IndexBlock(true, true);
  const std::vector<uint64_t> lies = {1, 2, 4, 5};
  struct Case {
    uint64_t target_prefix;
    bool one_entry_per_restart;
    const char* expected;  // nullptr: not valid.
  };
  for (const Case& c : {
           // Decisive: the entry at the first larger prefix.
           Case{3, true, "cherry"},
           Case{0, true, "apple"},
           Case{6, true, nullptr},
           // Without the flag the interval before is scanned by key.
           Case{3, false, "banana"},
           Case{6, false, "date"},
       }) {
    SCOPED_TRACE(std::to_string(c.target_prefix) +
                 (c.one_entry_per_restart ? " one" : " many"));
    block->SetRestartKeyPrefixes(lies, false, c.one_entry_per_restart);
    BlockIter iter(block.get(), options);
    iter.Seek(KeyWithPrefix(c.target_prefix));
    ASSERT_OK(iter.status());
    if (c.expected == nullptr) {
      EXPECT_FALSE(iter.Valid());
      continue;
    }
    ASSERT_TRUE(iter.Valid());
    EXPECT_EQ(c.expected, iter.key().ToString());
    // The position is a real one: Next and Prev continue from it.
    const BlockHandle here = iter.handle();
    iter.Next();
    if (iter.Valid()) {
      iter.Prev();
      ASSERT_TRUE(iter.Valid());
      EXPECT_EQ(here, iter.handle());
    }
  }
  // A restart key with the target's prefix: the keys decide (apple is the
  // first key above the 8-byte target), even with the flag.
  block->SetRestartKeyPrefixes({1, 3, 3, 5}, false, true);
  BlockIter iter(block.get(), options);
  iter.Seek(KeyWithPrefix(3));
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ("apple", iter.key().ToString());
}

// The forward scan of Seek passes over the entries the shared-prefix
// lengths prove smaller than the target without decoding their keys: a
// passed-over entry that breaks the global sequence number rule (which a
// decoded one reports as Corruption) does not stop it.
TEST(BlockIterTest, ScanPassesOverSmallerEntriesWithoutDecodingThem) {
  std::vector<Entry> model;
  for (int i = 1; i <= 4; ++i) {
    model.push_back({MakeInternalKey("key" + std::to_string(i), i == 2 ? 5 : 0,
                                     ValueType::kValue),
                     "v" + std::to_string(i),
                     {}});
  }
  std::unique_ptr<Block> block =
      Build(model, 16, DataBlockIndexType::kBinarySearch);
  const BlockIterOptions options = BlockIterOptions::DataBlock(9);
  {
    BlockIter iter(block.get(), options);
    iter.SeekToFirst();
    iter.Next();
    EXPECT_TRUE(iter.status().IsCorruption()) << iter.status().ToString();
  }
  BlockIter iter(block.get(), options);
  iter.Seek(MakeInternalKey("key4", kMaxSequenceNumber, kValueTypeForSeek));
  ASSERT_OK(iter.status());
  ASSERT_TRUE(iter.Valid());
  EXPECT_EQ(MakeInternalKey("key4", 9, ValueType::kValue),
            iter.key().ToString());
  EXPECT_EQ("v4", iter.value().ToString());
  iter.Next();
  EXPECT_FALSE(iter.Valid());
  EXPECT_OK(iter.status());
}

// With a global sequence number every key is reported with it; Seek,
// SeekForPrev and SeekForGet compare the reported keys, through the fast
// forward scan too.
TEST(BlockIterTest, GlobalSequenceNumberSeeksMatchTheModel) {
  test::Random rnd(2024);
  constexpr SequenceNumber kGlobal = 500;
  for (KeyMode mode : {KeyMode::kMixed, KeyMode::kLong}) {
    std::vector<Entry> stored;
    std::vector<Entry> reported;
    std::set<std::string> user_keys;
    for (const Entry& e : MakeInternalEntries(&rnd, mode, 800)) {
      const std::string user_key = ExtractUserKey(e.key).ToString();
      if (!user_keys.insert(user_key).second) continue;
      const auto type = static_cast<ValueType>(ExtractValueTypeByte(e.key));
      stored.push_back({MakeInternalKey(user_key, 0, type), e.value, {}});
      reported.push_back(
          {MakeInternalKey(user_key, kGlobal, type), e.value, {}});
    }
    for (int restart_interval : {1, 16}) {
      for (DataBlockIndexType type : {DataBlockIndexType::kBinarySearch,
                                      DataBlockIndexType::kBinaryAndHash}) {
        SCOPED_TRACE(std::string(KeyModeName(mode)) + " " +
                     std::to_string(restart_interval));
        std::unique_ptr<Block> block = Build(stored, restart_interval, type);
        const BlockIterOptions options = BlockIterOptions::DataBlock(kGlobal);
        ModelChecker checker(block.get(), options, reported, &rnd);
        ASSERT_NO_FATAL_FAILURE(checker.CheckForwardAndBackward());
        const std::vector<std::string> targets =
            InternalTargets(reported, &rnd);
        ASSERT_NO_FATAL_FAILURE(checker.CheckSeeks(targets));
        for (const std::string& target : targets) {
          BlockIter iter(block.get(), options);
          const bool may_continue = iter.SeekForGet(target);
          ASSERT_OK(iter.status());
          const size_t lb = checker.LowerBound(target);
          const bool present =
              lb < reported.size() &&
              ExtractUserKey(reported[lb].key) == ExtractUserKey(target);
          if (present) {
            ASSERT_TRUE(may_continue);
            ASSERT_NO_FATAL_FAILURE(checker.ExpectAt(iter, lb));
          } else if (may_continue && iter.Valid()) {
            ASSERT_NO_FATAL_FAILURE(checker.ExpectAt(iter, lb));
          }
        }
      }
    }
  }
}

TEST(BlockIterTest, EntryOffsetIsPositionInBlock) {
  BlockBuilder builder(16);
  builder.Add(MakeInternalKey("apple", 0, ValueType::kValue), "red");
  builder.Add(MakeInternalKey("banana", 0, ValueType::kValue), "yellow");
  std::unique_ptr<Block> block;
  ASSERT_OK(
      Block::Create(BlockContents::Own(builder.Finish().ToString()), &block));
  BlockIter iter(block.get(), BlockIterOptions::DataBlock());
  iter.SeekToFirst();
  EXPECT_EQ(0u, iter.entry_offset());
  iter.Next();
  EXPECT_EQ(19u, iter.entry_offset());
}

}  // namespace
}  // namespace strata
