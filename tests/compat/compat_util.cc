#include "compat/compat_util.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/sst_file_reader.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include "env/posix_file_system.h"
#include "env/random_access_file_reader.h"
#include "env/writable_file_writer.h"
#include "table/block.h"
#include "table/block_iter.h"
#include "table/meta_index.h"
#include "table/table_builder.h"
#include "table/table_iterator.h"
#include "util/coding.h"

extern char** environ;

namespace strata::compat {

namespace {

std::string Hex(std::string_view bytes, size_t max_bytes = 32) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  const size_t n = std::min(bytes.size(), max_bytes);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  if (n < bytes.size()) {
    out += "...(" + std::to_string(bytes.size()) + " bytes)";
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigit(hex[i]);
    const int lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

bool ParseDecimal(std::string_view text, uint64_t* value) {
  if (text.empty()) return false;
  *value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    *value = *value * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// Values that zstd shrinks (a four-letter alphabet) or cannot (random
// bytes), so compressed and raw blocks both occur.
std::string CompressibleValue(test::Random* rnd, size_t size) {
  std::string value(size, 'a');
  for (char& c : value) c = static_cast<char>('a' + rnd->Uniform(4));
  return value;
}

std::string RandomValue(test::Random* rnd, size_t size) {
  return rnd->OneIn(2) ? rnd->RandomBytes(size) : CompressibleValue(rnd, size);
}

std::string NumberedKey(std::string_view prefix, uint64_t n, int width) {
  std::ostringstream os;
  os << prefix << std::setw(width) << std::setfill('0') << n;
  return os.str();
}

Entry MakeEntry(std::string key, ValueType type, std::string value) {
  Entry e;
  e.user_key = std::move(key);
  e.type = type;
  e.value = type == ValueType::kDeletion ? std::string() : std::move(value);
  return e;
}

// Entries for sorted unique `keys` with types drawn as
// delete_percent / merge_percent / rest Put.
std::vector<Entry> EntriesFor(const std::set<std::string>& keys,
                              test::Random* rnd, int delete_percent,
                              int merge_percent, size_t max_value_size) {
  std::vector<Entry> entries;
  entries.reserve(keys.size());
  for (const std::string& key : keys) {
    const int r = static_cast<int>(rnd->Uniform(100));
    const ValueType type = r < delete_percent ? ValueType::kDeletion
                           : r < delete_percent + merge_percent
                               ? ValueType::kMerge
                               : ValueType::kValue;
    const size_t size =
        rnd->OneIn(8) ? rnd->Uniform(max_value_size + 1) : rnd->Uniform(64);
    entries.push_back(MakeEntry(key, type, RandomValue(rnd, size)));
  }
  return entries;
}

std::string_view ChecksumLabel(ChecksumType type) {
  std::string_view name = ChecksumTypeEnumName(type);  // "kXXH3".
  if (!name.empty() && name.front() == 'k') name.remove_prefix(1);
  return name;
}

rocksdb::ChecksumType ToRocksDb(ChecksumType type) {
  switch (type) {
    case ChecksumType::kNoChecksum:
      return rocksdb::kNoChecksum;
    case ChecksumType::kCRC32c:
      return rocksdb::kCRC32c;
    case ChecksumType::kxxHash:
      return rocksdb::kxxHash;
    case ChecksumType::kxxHash64:
      return rocksdb::kxxHash64;
    case ChecksumType::kXXH3:
      return rocksdb::kXXH3;
  }
  return rocksdb::kCRC32c;
}

}  // namespace

// ---------------------------------------------------------------------------
// Options

std::string ComboName(const Combo& c) {
  return "Fv" + std::to_string(c.format_version) + "_" +
         std::string(ChecksumLabel(c.checksum)) + "_" +
         (c.compression == CompressionType::kZSTD ? "Zstd" : "NoComp") + "_B" +
         std::to_string(c.block_size) + "_R" +
         std::to_string(c.restart_interval) + "_Ir" +
         std::to_string(c.index_restart_interval) +
         (c.bloom ? "_Bloom" : "_NoFilter") + (c.block_align ? "_Align" : "");
}

std::vector<Combo> PairwiseCombos() {
  using C = ChecksumType;
  constexpr CompressionType kNone = CompressionType::kNoCompression;
  constexpr CompressionType kZstd = CompressionType::kZSTD;
  // format_version x checksum in full; the other five options assigned so
  // that every pair of values appears (found by a small search, checked by
  // CompatMatrixTest.PairwiseCombosCoverEveryPairOfValues).
  return {
      {2, C::kCRC32c, kNone, 16384, 1, 1, false},
      {2, C::kxxHash, kZstd, 16384, 1, 16, false},
      {2, C::kxxHash64, kZstd, 512, 16, 1, true},
      {2, C::kXXH3, kZstd, 4096, 1, 16, true},
      {3, C::kCRC32c, kZstd, 4096, 16, 1, false},
      {3, C::kxxHash, kNone, 16384, 16, 16, false},
      {3, C::kxxHash64, kNone, 16384, 16, 16, false},
      {3, C::kXXH3, kZstd, 512, 1, 1, true},
      {4, C::kCRC32c, kNone, 16384, 16, 1, true},
      {4, C::kxxHash, kZstd, 512, 16, 1, true},
      {4, C::kxxHash64, kNone, 4096, 16, 1, false},
      {4, C::kXXH3, kNone, 16384, 1, 16, false},
      {5, C::kCRC32c, kZstd, 512, 1, 16, true},
      {5, C::kxxHash, kZstd, 4096, 1, 1, true},
      {5, C::kxxHash64, kNone, 16384, 1, 16, true},
      {5, C::kXXH3, kNone, 512, 16, 1, false},
  };
}

std::vector<Combo> EdgeCaseCombos() {
  return {
      {5, ChecksumType::kXXH3, CompressionType::kZSTD, 4096, 16, 1, true},
      {2, ChecksumType::kCRC32c, CompressionType::kNoCompression, 512, 1, 16,
       true},
  };
}

// ---------------------------------------------------------------------------
// Entries

std::ostream& operator<<(std::ostream& os, const Entry& e) {
  return os << "'" << Hex(e.user_key, 64) << "' seq:" << e.sequence
            << ", type:" << static_cast<int>(e.type) << " => " << Hex(e.value);
}

std::ostream& operator<<(std::ostream& os, const RangeDeletion& t) {
  return os << "['" << Hex(t.begin, 64) << "', '" << Hex(t.end, 64)
            << "') seq:" << t.sequence;
}

::testing::AssertionResult SameEntries(const std::vector<Entry>& want,
                                       const std::vector<Entry>& got) {
  const size_t n = std::min(want.size(), got.size());
  for (size_t i = 0; i < n; ++i) {
    if (!(want[i] == got[i])) {
      return ::testing::AssertionFailure()
             << "entry " << i << " differs:\n  want " << want[i] << "\n  got  "
             << got[i] << "\n(" << want.size() << " entries wanted, "
             << got.size() << " got)";
    }
  }
  if (want.size() != got.size()) {
    auto failure = ::testing::AssertionFailure();
    failure << want.size() << " entries wanted, " << got.size() << " got; ";
    if (want.size() > n) {
      failure << "first missing: " << want[n];
    } else {
      failure << "first extra: " << got[n];
    }
    return failure;
  }
  return ::testing::AssertionSuccess();
}

bool EntryLess(const Entry& a, const Entry& b) {
  const int c = Slice(a.user_key).compare(Slice(b.user_key));
  if (c != 0) return c < 0;
  return PackSequenceAndType(a.sequence, a.type) >
         PackSequenceAndType(b.sequence, b.type);
}

// ---------------------------------------------------------------------------
// Data sets

std::string DataSetName(DataSetKind kind) {
  switch (kind) {
    case DataSetKind::kRandom:
      return "Random";
    case DataSetKind::kEdgeKeys:
      return "EdgeKeys";
    case DataSetKind::kEmptyValues:
      return "EmptyValues";
    case DataSetKind::kBigValues:
      return "BigValues100KiB";
    case DataSetKind::kOneEntry:
      return "OneEntry";
    case DataSetKind::kManyEntries:
      return "ManyEntries100k";
    case DataSetKind::kDeletesAndMerges:
      return "DeletesAndMerges";
    case DataSetKind::kRangeTombstones:
      return "RangeTombstones";
    case DataSetKind::kOnlyRangeTombstones:
      return "OnlyRangeTombstones";
  }
  return "Unknown";
}

DataSet MakeDataSet(DataSetKind kind) {
  test::Random rnd(kDataSeed + static_cast<uint64_t>(kind));
  DataSet data;
  switch (kind) {
    case DataSetKind::kRandom: {
      std::set<std::string> keys;
      while (keys.size() < 1200) {
        keys.insert(NumberedKey("key", rnd.Uniform(10000000), 7) +
                    rnd.RandomBytes(rnd.Uniform(5)));
      }
      data.entries = EntriesFor(keys, &rnd, 10, 10, 1000);
      const std::vector<std::string> sorted(keys.begin(), keys.end());
      data.tombstones.push_back({sorted[100], sorted[130], 0});
      data.tombstones.push_back({sorted[50] + "x", sorted[900], 0});
      break;
    }
    case DataSetKind::kEdgeKeys: {
      const std::set<std::string> keys = {
          std::string(),
          std::string(1, '\0'),
          std::string(2, '\0'),
          std::string("\0\xff", 2),
          "\x01",
          "a",
          std::string("a\0", 2),
          "\x7f",
          "\x80",
          "\xfe\xff",
          "\xff",
          "\xff\xff",
          std::string(300, '\xff'),
      };
      int i = 0;
      for (const std::string& key : keys) {
        // Every other value empty, and one Delete.
        const ValueType type =
            i == 2 ? ValueType::kDeletion : ValueType::kValue;
        data.entries.push_back(MakeEntry(
            key, type, i % 2 == 0 ? std::string() : RandomValue(&rnd, 20)));
        ++i;
      }
      break;
    }
    case DataSetKind::kEmptyValues:
      for (int i = 0; i < 300; ++i) {
        data.entries.push_back(
            MakeEntry(NumberedKey("ev", i * 3, 5), ValueType::kValue, ""));
      }
      break;
    case DataSetKind::kBigValues:
      // Incompressible and compressible 100 KiB values, each followed by a
      // small entry.
      for (int i = 0; i < 8; ++i) {
        data.entries.push_back(
            MakeEntry(NumberedKey("big", i, 2), ValueType::kValue,
                      i % 2 == 0 ? rnd.RandomBytes(100 << 10)
                                 : CompressibleValue(&rnd, 100 << 10)));
        data.entries.push_back(MakeEntry(NumberedKey("big", i, 2) + "s",
                                         ValueType::kValue,
                                         RandomValue(&rnd, 10)));
      }
      break;
    case DataSetKind::kOneEntry:
      data.entries.push_back(MakeEntry("only", ValueType::kValue, "value"));
      break;
    case DataSetKind::kManyEntries:
      data.entries.reserve(100000);
      for (int i = 0; i < 100000; ++i) {
        std::string value = "v" + std::to_string(i);
        value.append(rnd.Uniform(24), static_cast<char>('a' + i % 4));
        data.entries.push_back(
            MakeEntry(NumberedKey("m", i * 2ull, 8), ValueType::kValue, value));
      }
      break;
    case DataSetKind::kDeletesAndMerges: {
      std::set<std::string> keys;
      for (int i = 0; i < 600; ++i) keys.insert(NumberedKey("dm", i * 2, 5));
      data.entries = EntriesFor(keys, &rnd, 45, 45, 200);
      break;
    }
    case DataSetKind::kRangeTombstones: {
      for (int i = 0; i < 300; ++i) {
        data.entries.push_back(MakeEntry(NumberedKey("rt", i * 3, 5),
                                         ValueType::kValue,
                                         RandomValue(&rnd, rnd.Uniform(40))));
      }
      // Overlapping, unsorted, some between keys, some past the last key.
      for (int i = 0; i < 25; ++i) {
        const uint64_t begin = rnd.Uniform(950);
        const uint64_t end = begin + 1 + rnd.Uniform(60);
        data.tombstones.push_back(
            {NumberedKey("rt", begin, 5) + (rnd.OneIn(3) ? "x" : ""),
             NumberedKey("rt", end, 5), 0});
      }
      break;
    }
    case DataSetKind::kOnlyRangeTombstones:
      data.tombstones = {{"a", "c", 0}, {"b", "d", 0}, {"x", "z", 0}};
      break;
  }
  return data;
}

std::vector<std::string> AbsentKeys(const DataSet& data, size_t count) {
  test::Random rnd(kDataSeed ^ 0xabcdefull);
  std::set<std::string> present;
  for (const Entry& e : data.entries) present.insert(e.user_key);
  std::set<std::string> absent;
  const std::vector<std::string> fixed = {std::string(), std::string(1, '\0'),
                                          "0", "zzzz", std::string(8, '\xff')};
  for (const std::string& k : fixed) {
    if (!present.contains(k)) absent.insert(k);
  }
  for (size_t tries = 0; absent.size() < count && tries < count * 20; ++tries) {
    std::string key;
    if (data.entries.empty()) {
      key = rnd.RandomBytes(1 + rnd.Uniform(6));
    } else {
      key = data.entries[rnd.Uniform(data.entries.size())].user_key;
      switch (rnd.Uniform(3)) {
        case 0:
          key.push_back(static_cast<char>(rnd.Uniform(256)));
          break;
        case 1:
          if (!key.empty()) key.back() = static_cast<char>(key.back() ^ 1);
          break;
        default:
          key += "~absent";
          break;
      }
    }
    if (!present.contains(key)) absent.insert(key);
  }
  return {absent.begin(), absent.end()};
}

std::vector<std::string> ProbeKeys(const DataSet& data, size_t count) {
  std::vector<std::string> keys = AbsentKeys(data, count / 2);
  const size_t stride = std::max<size_t>(1, data.entries.size() / (count / 2));
  for (size_t i = 0; i < data.entries.size(); i += stride) {
    keys.push_back(data.entries[i].user_key);
  }
  if (!data.entries.empty()) keys.push_back(data.entries.back().user_key);
  return keys;
}

std::string CaseName(const Case& c) {
  return DataSetName(c.data) + "_" + ComboName(c.combo);
}

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  for (const Combo& combo : PairwiseCombos()) {
    cases.push_back({DataSetKind::kRandom, combo});
  }
  for (DataSetKind kind :
       {DataSetKind::kEdgeKeys, DataSetKind::kEmptyValues,
        DataSetKind::kBigValues, DataSetKind::kOneEntry,
        DataSetKind::kManyEntries, DataSetKind::kDeletesAndMerges,
        DataSetKind::kRangeTombstones, DataSetKind::kOnlyRangeTombstones}) {
    for (const Combo& combo : EdgeCaseCombos()) {
      cases.push_back({kind, combo});
    }
  }
  return cases;
}

std::vector<Case> BloomCases() {
  std::vector<Case> cases;
  for (const Case& c : AllCases()) {
    if (c.combo.bloom && c.data != DataSetKind::kOnlyRangeTombstones &&
        c.data != DataSetKind::kOneEntry) {
      cases.push_back(c);
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------
// RocksDB side

::testing::AssertionResult RocksOk(const rocksdb::Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "RocksDB: " << s.ToString();
}

std::shared_ptr<rocksdb::MergeOperator> StringAppendOperator() {
  std::shared_ptr<rocksdb::MergeOperator> op;
  const rocksdb::Status s = rocksdb::MergeOperator::CreateFromString(
      rocksdb::ConfigOptions(), "stringappend", &op);
  EXPECT_TRUE(RocksOk(s));
  return op;
}

rocksdb::Options RocksDbOptions(const Combo& combo) {
  rocksdb::BlockBasedTableOptions table;
  table.format_version = combo.format_version;
  table.checksum = ToRocksDb(combo.checksum);
  table.block_size = combo.block_size;
  table.block_restart_interval = combo.restart_interval;
  table.index_block_restart_interval = combo.index_restart_interval;
  if (combo.bloom) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  table.block_align = combo.block_align;
  rocksdb::Options options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compression = combo.compression == CompressionType::kZSTD
                            ? rocksdb::kZSTD
                            : rocksdb::kNoCompression;
  return options;
}

rocksdb::Status WriteWithSstFileWriter(const Combo& combo, const DataSet& data,
                                       const std::string& path) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), RocksDbOptions(combo));
  rocksdb::Status s = writer.Open(path);
  for (size_t i = 0; s.ok() && i < data.entries.size(); ++i) {
    const Entry& e = data.entries[i];
    switch (e.type) {
      case ValueType::kValue:
        s = writer.Put(e.user_key, e.value);
        break;
      case ValueType::kDeletion:
        s = writer.Delete(e.user_key);
        break;
      case ValueType::kMerge:
        s = writer.Merge(e.user_key, e.value);
        break;
      default:
        s = rocksdb::Status::InvalidArgument(
            "SstFileWriter cannot write type " + std::to_string(int(e.type)));
    }
  }
  for (size_t i = 0; s.ok() && i < data.tombstones.size(); ++i) {
    s = writer.DeleteRange(data.tombstones[i].begin, data.tombstones[i].end);
  }
  if (s.ok()) s = writer.Finish();
  return s;
}

rocksdb::Status ReadWithSstFileReader(const std::string& path,
                                      RocksDbView* view) {
  rocksdb::Options options;
  options.merge_operator = StringAppendOperator();
  rocksdb::SstFileReader reader(options);
  rocksdb::Status s = reader.Open(path);
  if (!s.ok()) return s;
  view->properties = reader.GetTableProperties();
  view->visible.clear();
  std::unique_ptr<rocksdb::Iterator> it(
      reader.NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    view->visible.emplace_back(it->key().ToString(), it->value().ToString());
  }
  return it->status();
}

std::vector<std::pair<std::string, std::string>> VisiblePairs(
    const std::vector<Entry>& entries) {
  std::vector<std::pair<std::string, std::string>> visible;
  for (const Entry& e : entries) {
    if (e.type == ValueType::kValue || e.type == ValueType::kMerge) {
      visible.emplace_back(e.user_key, e.value);
    }
  }
  return visible;
}

ToolResult RunSstDump(const std::vector<std::string>& args,
                      const std::string& dir) {
  ToolResult result;
  const std::string out_path = dir + "/sst_dump.stdout";
  const std::string err_path = dir + "/sst_dump.stderr";
  std::vector<std::string> argv_strings = {STRATA_SST_DUMP};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.err = std::string("posix_spawn ") + STRATA_SST_DUMP +
                 " failed: " + std::to_string(rc);
    return result;
  }
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) break;
  }
  result.exit_code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  result.out = ReadFileBytes(out_path);
  result.err = ReadFileBytes(err_path);
  return result;
}

bool ParseSstDumpScan(const std::string& out, std::vector<Entry>* entries,
                      std::string* error) {
  entries->clear();
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] != '\'') continue;
    // '<KEY>' seq:<n>, type:<t> => <VALUE>
    const size_t key_end = line.find('\'', 1);
    const size_t seq_at = line.find(" seq:", key_end);
    const size_t type_at = line.find(", type:", seq_at);
    const size_t arrow_at = line.find(" => ", type_at);
    Entry e;
    uint64_t seq = 0;
    uint64_t type = 0;
    if (key_end == std::string::npos || seq_at != key_end + 1 ||
        type_at == std::string::npos || arrow_at == std::string::npos ||
        !FromHex(std::string_view(line).substr(1, key_end - 1), &e.user_key) ||
        !ParseDecimal(
            std::string_view(line).substr(seq_at + 5, type_at - seq_at - 5),
            &seq) ||
        !ParseDecimal(
            std::string_view(line).substr(type_at + 7, arrow_at - type_at - 7),
            &type) ||
        type > 0xff ||
        !FromHex(std::string_view(line).substr(arrow_at + 4), &e.value)) {
      *error = "unparsable sst_dump scan line: " + line.substr(0, 200);
      return false;
    }
    e.sequence = seq;
    e.type = static_cast<ValueType>(type);
    entries->push_back(std::move(e));
  }
  return true;
}

::testing::AssertionResult SameProperties(const rocksdb::TableProperties& w,
                                          const TableProperties& g) {
  std::ostringstream diffs;
  auto check = [&diffs](const char* name, const auto& want, const auto& got) {
    if (!(want == got)) {
      diffs << "\n  " << name << ": RocksDB " << want << ", strata " << got;
    }
  };
  check("num_entries", w.num_entries, g.num_entries);
  check("data_size", w.data_size, g.data_size);
  check("index_size", w.index_size, g.index_size);
  check("filter_size", w.filter_size, g.filter_size);
  check("raw_key_size", w.raw_key_size, g.raw_key_size);
  check("raw_value_size", w.raw_value_size, g.raw_value_size);
  check("num_data_blocks", w.num_data_blocks, g.num_data_blocks);
  check("num_filter_entries", w.num_filter_entries, g.num_filter_entries);
  check("num_deletions", w.num_deletions, g.num_deletions);
  check("num_merge_operands", w.num_merge_operands, g.num_merge_operands);
  check("num_range_deletions", w.num_range_deletions, g.num_range_deletions);
  check("index_key_is_user_key", w.index_key_is_user_key,
        g.index_key_is_user_key);
  check("index_value_is_delta_encoded", w.index_value_is_delta_encoded,
        g.index_value_is_delta_encoded);
  check("index_partitions", w.index_partitions, g.index_partitions);
  check("format_version", w.format_version, g.format_version);
  check("fixed_key_len", w.fixed_key_len, g.fixed_key_len);
  check("column_family_id", w.column_family_id, g.column_family_id);
  check("creation_time", w.creation_time, g.creation_time);
  check("oldest_key_time", w.oldest_key_time, g.oldest_key_time);
  check("file_creation_time", w.file_creation_time, g.file_creation_time);
  check("orig_file_number", w.orig_file_number, g.original_file_number);
  check("compression_name", w.compression_name, g.compression_name);
  check("compression_options", w.compression_options, g.compression_options);
  check("filter_policy_name", w.filter_policy_name, g.filter_policy_name);
  check("comparator_name", w.comparator_name, g.comparator_name);
  check("merge_operator_name", w.merge_operator_name, g.merge_operator_name);
  check("prefix_extractor_name", w.prefix_extractor_name,
        g.prefix_extractor_name);
  check("property_collectors_names", w.property_collectors_names,
        g.property_collectors_names);
  check("column_family_name", w.column_family_name, g.column_family_name);
  check("db_id", w.db_id, g.db_id);
  check("db_session_id", w.db_session_id, g.db_session_id);
  check("db_host_id", w.db_host_id, g.db_host_id);
  // SstFileWriter's external-file properties reach RocksDB's API as
  // user-collected properties (fixed32 version, fixed64 global seqno).
  const auto& user = w.user_collected_properties;
  const auto version = user.find(property_names::kExternalVersion);
  const bool rocksdb_external = version != user.end();
  check("is_external", rocksdb_external, g.is_external);
  if (rocksdb_external && version->second.size() == 4) {
    check("external_sst_file_version", DecodeFixed32(version->second.data()),
          g.external_sst_file_version);
  }
  const auto seqno = user.find(property_names::kGlobalSeqno);
  if (seqno != user.end() && seqno->second.size() == 8) {
    check("external_sst_file_global_seqno", DecodeFixed64(seqno->second.data()),
          g.external_sst_file_global_seqno);
  }
  if (diffs.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "properties differ:" << diffs.str();
}

// ---------------------------------------------------------------------------
// strata side

TableProperties SstFileWriterIdentity(const std::string& session_id,
                                      const std::string& host_id) {
  TableProperties identity;
  identity.db_id = "SST Writer";
  identity.db_session_id = session_id;
  identity.db_host_id = host_id;
  identity.original_file_number = 1;
  identity.column_family_id = kUnknownColumnFamilyId;
  identity.is_external = true;
  identity.external_sst_file_version = 2;
  identity.external_sst_file_global_seqno = 0;
  return identity;
}

std::string MakeSessionId(uint64_t seed) {
  static const char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  test::Random rnd(seed);
  std::string id(20, '0');
  for (char& c : id) c = kChars[rnd.Uniform(36)];
  return id;
}

Status BuildWithStrata(const Combo& combo, const DataSet& data,
                       const TableProperties& identity,
                       const std::string& path) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewWritableFile(path, FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  STRATA_RETURN_IF_ERROR(WritableFileWriter::Create(
      std::move(file), WritableFileWriterOptions(), &writer));
  TableBuilderOptions o;
  o.format_version = combo.format_version;
  o.checksum_type = combo.checksum;
  o.compression = combo.compression;
  o.block_size = combo.block_size;
  o.block_restart_interval = combo.restart_interval;
  o.index_block_restart_interval = combo.index_restart_interval;
  o.bloom_bits_per_key = combo.bloom ? 10 : 0;
  o.block_align = combo.block_align;
  o.identity = identity;
  TableBuilder builder(o, writer.get());
  Status s;
  for (size_t i = 0; s.ok() && i < data.entries.size(); ++i) {
    const Entry& e = data.entries[i];
    s = builder.Add(MakeInternalKey(e.user_key, e.sequence, e.type), e.value);
  }
  for (size_t i = 0; s.ok() && i < data.tombstones.size(); ++i) {
    const RangeDeletion& t = data.tombstones[i];
    s = builder.AddRangeTombstone(t.begin, t.end, t.sequence);
  }
  if (s.ok()) {
    s = builder.Finish();
  } else {
    builder.Abandon();
  }
  Status close = writer->Close();
  return s.ok() ? close : s;
}

Status OpenWithStrata(const std::string& path,
                      std::unique_ptr<TableReader>* table) {
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewRandomAccessFile(path, FileOptions(), &file));
  uint64_t size = 0;
  STRATA_RETURN_IF_ERROR(file->GetFileSize(&size));
  return TableReader::Open(
      TableReaderOptions(),
      std::make_unique<RandomAccessFileReader>(std::move(file)), size, table);
}

Status ToEntry(Slice internal_key, Slice value, Entry* entry) {
  ParsedInternalKey parsed;
  STRATA_RETURN_IF_ERROR(ParseInternalKey(internal_key, &parsed));
  entry->user_key = parsed.user_key.ToString();
  entry->sequence = parsed.sequence;
  entry->type = parsed.type;
  entry->value = value.ToString();
  return Status::OK();
}

Status ReadAllWithStrata(const TableReader& table, bool backward,
                         std::vector<Entry>* entries) {
  entries->clear();
  std::unique_ptr<TableIterator> it = table.NewIterator(TableReadOptions());
  if (backward) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  while (it->Valid()) {
    Entry e;
    STRATA_RETURN_IF_ERROR(ToEntry(it->key(), it->value(), &e));
    entries->push_back(std::move(e));
    if (backward) {
      it->Prev();
    } else {
      it->Next();
    }
  }
  return it->status();
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string DescribeFirstDifference(const std::string& want,
                                    const std::string& got,
                                    const std::string& rocksdb_path) {
  size_t offset = 0;
  const size_t common = std::min(want.size(), got.size());
  while (offset < common && want[offset] == got[offset]) ++offset;
  if (offset == common && want.size() == got.size()) return "";

  std::ostringstream os;
  os << "RocksDB's file has " << want.size() << " bytes, strata's "
     << got.size() << "; first difference at offset " << offset;

  // Locate the offset through RocksDB's own file.
  std::string where = "between blocks";
  std::unique_ptr<TableReader> table;
  Status s = OpenWithStrata(rocksdb_path, &table);
  if (!s.ok()) {
    where = "(strata cannot open RocksDB's file: " + s.ToString() + ")";
  } else {
    auto in_block = [offset](const BlockHandle& h) {
      return offset >= h.offset() && offset < h.end_offset_with_trailer();
    };
    auto describe = [offset](const std::string& name, const BlockHandle& h) {
      std::ostringstream d;
      d << name << " @ " << h.offset() << "+" << h.size() << ", ";
      if (offset < h.offset() + h.size()) {
        d << "byte " << offset - h.offset() << " of the block";
      } else {
        d << "trailer byte " << offset - h.offset() - h.size()
          << " (0 = compression type, 1-4 = checksum)";
      }
      return d.str();
    };
    const Footer& footer = table->footer();
    if (offset >= want.size() - footer.EncodedLength()) {
      where = "footer, byte " +
              std::to_string(offset - (want.size() - footer.EncodedLength()));
    } else if (in_block(footer.index_handle)) {
      where = describe("index block", footer.index_handle);
    } else if (in_block(footer.metaindex_handle)) {
      where = describe("metaindex block", footer.metaindex_handle);
    } else {
      BlockIter index(&table->index_block(), table->IndexIterOptions());
      int block = 0;
      for (index.SeekToFirst(); index.Valid(); index.Next(), ++block) {
        if (in_block(index.handle())) {
          where =
              describe("data block #" + std::to_string(block), index.handle());
          break;
        }
      }
      const BlockHandle& mh = footer.metaindex_handle;
      std::unique_ptr<Block> metaindex;
      std::map<std::string, BlockHandle> metas;
      if (mh.offset() + mh.size() <= want.size() &&
          Block::Create(BlockContents::Own(want.substr(mh.offset(), mh.size())),
                        &metaindex)
              .ok() &&
          ReadMetaIndex(*metaindex, &metas).ok()) {
        for (const auto& [name, handle] : metas) {
          if (in_block(handle)) where = describe("meta block " + name, handle);
        }
      }
    }
  }
  os << " (in RocksDB's layout: " << where << ")";
  const size_t from = offset >= 16 ? offset - 16 : 0;
  auto window = [from](const std::string& bytes) {
    return Hex(std::string_view(bytes).substr(std::min(from, bytes.size()), 48),
               48);
  };
  os << "\n  RocksDB bytes from " << from << ": " << window(want)
     << "\n  strata  bytes from " << from << ": " << window(got);
  return os.str();
}

}  // namespace strata::compat
