// make_corpus: writes table_fuzzer's seed corpus, small SST files that cover
// the reader's formats and features, plus a few invalid ones.
//
//   make_corpus <output dir>     (the committed corpus is tests/fuzz/corpus)
//
// Valid seeds (<name>.sst, each under kMaxSeedBytes) cover format_version 2
// to 5, every checksum type, no compression, zstd, snappy and lz4 (those two
// only when the build has them; otherwise the seed is skipped with a note),
// bloom filters on and off, several block sizes and restart intervals,
// deletions, merges, range tombstones, empty keys and values, empty tables,
// and (written with TableBuilder directly, as a DB flush would) several
// versions per key with non-zero sequence numbers, SingleDelete, BlobIndex
// and WideColumnEntity entries, and data blocks with a hash index.
// Invalid seeds (bad_<name>) are derived from a valid seed: empty, truncated
// footer, wrong magic, legacy magic, unknown format version and checksum
// type, a footer alone, a flipped data byte.
//
// Files are overwritten; files of other names in the directory (crash-*
// regression inputs) are left alone. The bytes are deterministic except the
// 20-character db_session_id that SstFileWriter draws at random, as RocksDB
// does, so regenerating changes every valid seed slightly: regenerate only
// to add or change seeds. Exits non-zero if a seed cannot be written or is
// too large.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "env/writable_file_writer.h"
#include "strata/sst_file_reader.h"
#include "strata/sst_file_writer.h"
#include "strata/status.h"
#include "strata/table_options.h"
#include "table/data_block_hash_index.h"
#include "table/internal_key.h"
#include "table/table_builder.h"

namespace strata {
namespace {

// Small seeds mutate faster and stay far below table_fuzzer's -max_len.
constexpr size_t kMaxSeedBytes = 8 << 10;

// Deterministic randomness (SplitMix64, as shared/golden uses).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Uniform(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// Contents.

enum class Op { kPut, kMerge, kDelete };
struct UserOp {
  Op op;
  std::string key;
  std::string value;
};
struct RangeDel {
  std::string begin;
  std::string end;
};
// What SstFileWriter is given: point operations in key order, then range
// deletions.
struct UserContent {
  std::vector<UserOp> ops;
  std::vector<RangeDel> range_dels;
};

enum class KeyKind { kText, kBinary };
enum class ValueKind { kRandom, kText, kEmpty };

std::string MakeValue(SplitMix64* rng, ValueKind kind, size_t max_len) {
  if (kind == ValueKind::kEmpty) return "";
  std::string v(rng->Uniform(max_len + 1), '\0');
  for (char& c : v) {
    const uint64_t r = rng->Next();
    c = kind == ValueKind::kText ? static_cast<char>('a' + (r & 3))
                                 : static_cast<char>(r & 0xff);
  }
  return v;
}

// Strictly increasing keys: a fixed-width prefix from the index, then a
// random suffix.
std::string MakeKey(SplitMix64* rng, KeyKind kind, int i, int n) {
  std::string key;
  if (kind == KeyKind::kText) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "key%05d", i);
    key = buf;
    for (uint64_t s = rng->Uniform(4); s > 0; --s) {
      key.push_back(static_cast<char>('a' + rng->Uniform(26)));
    }
  } else {
    const uint32_t step = 0xFFFFFFFFu / static_cast<uint32_t>(n);
    const uint32_t prefix = static_cast<uint32_t>(i) * step;
    for (int shift = 24; shift >= 0; shift -= 8) {
      key.push_back(static_cast<char>((prefix >> shift) & 0xff));
    }
    for (uint64_t s = rng->Uniform(3); s > 0; --s) {
      const uint64_t r = rng->Next();
      key.push_back(r % 4 == 0   ? '\0'
                    : r % 4 == 1 ? '\xff'
                                 : static_cast<char>((r >> 8) & 0xff));
    }
  }
  return key;
}

struct ContentSpec {
  int num_keys = 40;
  KeyKind keys = KeyKind::kText;
  ValueKind values = ValueKind::kRandom;
  size_t max_value_len = 24;
  bool empty_first_key = false;  // Key 0 is "" (sorts first).
  int delete_every = 0;          // Every n-th key is a Delete (0: none).
  int merge_every = 0;           // Every n-th key is a Merge (0: none).
  int num_range_dels = 0;
  uint64_t seed = 1;
};

UserContent MakeUserContent(const ContentSpec& spec) {
  SplitMix64 rng(spec.seed);
  UserContent c;
  for (int i = 0; i < spec.num_keys; ++i) {
    UserOp op;
    op.key = (spec.empty_first_key && i == 0)
                 ? std::string()
                 : MakeKey(&rng, spec.keys, i, spec.num_keys);
    if (spec.delete_every > 0 &&
        i % spec.delete_every == spec.delete_every - 1) {
      op.op = Op::kDelete;
    } else {
      op.op = (spec.merge_every > 0 && i % spec.merge_every == 1) ? Op::kMerge
                                                                  : Op::kPut;
      op.value = MakeValue(&rng, spec.values, spec.max_value_len);
    }
    c.ops.push_back(std::move(op));
  }
  for (int r = 0; r < spec.num_range_dels && !c.ops.empty(); ++r) {
    // Overlapping ranges between existing keys, and one past the last key.
    const size_t a = rng.Uniform(c.ops.size());
    const size_t b = a + 1 + rng.Uniform(5);
    c.range_dels.push_back({c.ops[a].key, b < c.ops.size()
                                              ? c.ops[b].key
                                              : c.ops.back().key + "\xff"});
  }
  return c;
}

// ---------------------------------------------------------------------------
// Writers. Both write into an in-memory file system and return the bytes.

Status WriteUserTable(const TableOptions& table, const UserContent& content,
                      std::string* bytes) {
  FakeFileSystem fs;
  SstFileWriterOptions o;
  o.table = table;
  o.file_system = &fs;
  o.allow_empty = true;
  o.db_host_id = "strata-fuzz-corpus";
  SstFileWriter writer(o);
  STRATA_RETURN_IF_ERROR(writer.Open("/t.sst"));
  for (const UserOp& op : content.ops) {
    switch (op.op) {
      case Op::kPut:
        STRATA_RETURN_IF_ERROR(writer.Put(op.key, op.value));
        break;
      case Op::kMerge:
        STRATA_RETURN_IF_ERROR(writer.Merge(op.key, op.value));
        break;
      case Op::kDelete:
        STRATA_RETURN_IF_ERROR(writer.Delete(op.key));
        break;
    }
  }
  for (const RangeDel& r : content.range_dels) {
    STRATA_RETURN_IF_ERROR(writer.DeleteRange(r.begin, r.end));
  }
  STRATA_RETURN_IF_ERROR(writer.Finish());
  return fs.ReadFileContent("/t.sst", bytes);
}

// Internal keys in InternalKeyComparator order.
using InternalEntries =
    std::map<std::string, std::string, InternalKeyComparator>;
struct InternalContent {
  InternalEntries entries;
  struct Tombstone {
    std::string begin;
    std::string end;
    uint64_t sequence;
  };
  std::vector<Tombstone> tombstones;
};

// What a DB flush with snapshots keeps: up to three versions per user key,
// of every type a table may hold, and tombstones newer than some versions.
InternalContent MakeVersionedContent(uint64_t seed, int num_keys) {
  SplitMix64 rng(seed);
  InternalContent c;
  static constexpr ValueType kTypes[] = {ValueType::kValue,
                                         ValueType::kValue,
                                         ValueType::kValue,
                                         ValueType::kDeletion,
                                         ValueType::kSingleDeletion,
                                         ValueType::kMerge,
                                         ValueType::kBlobIndex,
                                         ValueType::kWideColumnEntity,
                                         ValueType::kDeletionWithTimestamp};
  uint64_t seq = 1;
  std::vector<std::string> user_keys;
  for (int i = 0; i < num_keys; ++i) {
    const std::string user_key =
        i == 0 ? std::string() : MakeKey(&rng, KeyKind::kText, i, num_keys);
    user_keys.push_back(user_key);
    const uint64_t versions = 1 + rng.Uniform(3);
    for (uint64_t v = 0; v < versions; ++v) {
      const ValueType type = kTypes[rng.Uniform(std::size(kTypes))];
      const bool has_value = type != ValueType::kDeletion &&
                             type != ValueType::kSingleDeletion &&
                             type != ValueType::kDeletionWithTimestamp;
      c.entries[MakeInternalKey(user_key, seq, type)] =
          has_value ? MakeValue(&rng, ValueKind::kRandom, 20) : "";
      seq += 1 + rng.Uniform(3);
    }
  }
  // One tombstone newer than everything it covers, one older, one in the
  // middle of the sequence range.
  for (uint64_t tseq : {seq + 1, uint64_t{1}, seq / 2}) {
    const size_t a = rng.Uniform(user_keys.size());
    const size_t b = a + 1 + rng.Uniform(6);
    c.tombstones.push_back(
        {user_keys[a],
         b < user_keys.size() ? user_keys[b] : user_keys.back() + "\xff",
         tseq});
  }
  return c;
}

// Distinct user keys, one Put each, at sequence 0: what the hash index
// serves best (it indexes user keys of a block).
InternalContent MakeHashIndexContent(uint64_t seed, int num_keys) {
  SplitMix64 rng(seed);
  InternalContent c;
  for (int i = 0; i < num_keys; ++i) {
    c.entries[MakeInternalKey(MakeKey(&rng, KeyKind::kBinary, i, num_keys), 0,
                              ValueType::kValue)] =
        MakeValue(&rng, ValueKind::kText, 16);
  }
  return c;
}

Status WriteInternalTable(const TableBuilderOptions& options,
                          const InternalContent& content, std::string* bytes) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(fs.NewWritableFile("/t.sst", FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  STRATA_RETURN_IF_ERROR(WritableFileWriter::Create(
      std::move(file), WritableFileWriterOptions(), &writer));
  TableBuilder builder(options, writer.get());
  Status s = builder.status();
  for (const auto& [key, value] : content.entries) {
    if (!s.ok()) break;
    s = builder.Add(key, value);
  }
  for (const auto& t : content.tombstones) {
    if (!s.ok()) break;
    s = builder.AddRangeTombstone(t.begin, t.end, t.sequence);
  }
  if (s.ok()) {
    s = builder.Finish();
  } else {
    builder.Abandon();
  }
  const Status close = writer->Close();
  STRATA_RETURN_IF_ERROR(s);
  STRATA_RETURN_IF_ERROR(close);
  return fs.ReadFileContent("/t.sst", bytes);
}

// Checks that strata reads `bytes` back as a valid table: it opens, every
// checksum matches and the entry count agrees with the properties.
Status CheckReadable(const std::string& bytes) {
  FakeFileSystem fs;
  STRATA_RETURN_IF_ERROR(fs.WriteFileContent("/t.sst", bytes));
  SstFileReaderOptions o;
  o.file_system = &fs;
  SstFileReader reader(o);
  STRATA_RETURN_IF_ERROR(reader.Open("/t.sst"));
  STRATA_RETURN_IF_ERROR(reader.VerifyChecksum());
  return reader.VerifyNumEntries();
}

// ---------------------------------------------------------------------------
// The seeds.

const char* ChecksumName(ChecksumType t) {
  switch (t) {
    case ChecksumType::kNoChecksum:
      return "nocksum";
    case ChecksumType::kCRC32c:
      return "crc32c";
    case ChecksumType::kxxHash:
      return "xxh32";
    case ChecksumType::kxxHash64:
      return "xxh64";
    case ChecksumType::kXXH3:
      return "xxh3";
  }
  return "unknown";
}

const char* CompressionName(CompressionType t) {
  switch (t) {
    case CompressionType::kNoCompression:
      return "nocomp";
    case CompressionType::kSnappyCompression:
      return "snappy";
    case CompressionType::kLZ4Compression:
      return "lz4";
    case CompressionType::kLZ4HCCompression:
      return "lz4hc";
    case CompressionType::kZSTD:
      return "zstd";
    default:
      return "othercomp";
  }
}

// "<group>_fv5_xxh3_zstd_b1024_r16_ir1_bloom": the options in the name.
std::string SeedName(const std::string& group, uint32_t format_version,
                     ChecksumType checksum, CompressionType compression,
                     uint64_t block_size, int restart_interval,
                     int index_restart_interval, bool bloom) {
  return group + "_fv" + std::to_string(format_version) + "_" +
         ChecksumName(checksum) + "_" + CompressionName(compression) + "_b" +
         std::to_string(block_size) + "_r" + std::to_string(restart_interval) +
         "_ir" + std::to_string(index_restart_interval) +
         (bloom ? "_bloom" : "") + ".sst";
}

class CorpusWriter {
 public:
  explicit CorpusWriter(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Writes one seed built by SstFileWriter.
  void User(const std::string& group, const TableOptions& t,
            const ContentSpec& spec) {
    const std::string name =
        SeedName(group, t.format_version, t.checksum, t.compression,
                 t.block_size, t.block_restart_interval,
                 t.index_block_restart_interval, t.bloom_bits_per_key > 0);
    std::string bytes;
    const Status s = WriteUserTable(t, MakeUserContent(spec), &bytes);
    Save(name, s, bytes, t.compression);
  }

  // Writes one seed built by TableBuilder.
  void Internal(const std::string& group, const TableBuilderOptions& o,
                const InternalContent& content) {
    const std::string name =
        SeedName(group, o.format_version, o.checksum_type, o.compression,
                 o.block_size, o.block_restart_interval,
                 o.index_block_restart_interval, o.bloom_bits_per_key > 0);
    std::string bytes;
    const Status s = WriteInternalTable(o, content, &bytes);
    Save(name, s, bytes, o.compression);
  }

  // Checks a written table (`s` is how writing it went) and saves it. A
  // compression this build lacks skips the seed; any other failure, or a
  // seed of kMaxSeedBytes or more, fails the run.
  void Save(const std::string& name, const Status& s, const std::string& bytes,
            CompressionType compression) {
    if (s.IsNotSupported() && compression != CompressionType::kNoCompression &&
        compression != CompressionType::kZSTD) {
      std::fprintf(stderr, "skipped %s: %s\n", name.c_str(),
                   s.ToString().c_str());
      return;
    }
    const Status check = s.ok() ? CheckReadable(bytes) : s;
    if (!check.ok()) {
      std::fprintf(stderr, "FAILED %s: %s\n", name.c_str(),
                   check.ToString().c_str());
      failed_ = true;
      return;
    }
    if (bytes.size() >= kMaxSeedBytes) {
      std::fprintf(stderr, "FAILED %s: %zu bytes, the limit is %zu\n",
                   name.c_str(), bytes.size(), kMaxSeedBytes);
      failed_ = true;
      return;
    }
    WriteFile(name, bytes);
  }

  // Writes bytes as they are (the invalid seeds).
  void Raw(const std::string& name, const std::string& bytes) {
    WriteFile(name, bytes);
  }

  // The bytes of an already written seed.
  const std::string& Written(const std::string& name) const {
    return written_.at(name);
  }

  bool failed() const { return failed_; }
  size_t total_bytes() const { return total_bytes_; }
  size_t num_files() const { return num_files_; }

 private:
  void WriteFile(const std::string& name, const std::string& bytes) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::fprintf(stderr, "FAILED %s: cannot write\n", path.c_str());
      failed_ = true;
      return;
    }
    written_[name] = bytes;
    total_bytes_ += bytes.size();
    ++num_files_;
    std::printf("%6zu  %s\n", bytes.size(), name.c_str());
  }

  const std::filesystem::path dir_;
  std::map<std::string, std::string> written_;
  bool failed_ = false;
  size_t total_bytes_ = 0;
  size_t num_files_ = 0;
};

TableOptions Table(uint32_t format_version, ChecksumType checksum,
                   CompressionType compression, uint64_t block_size,
                   int restart_interval, int index_restart_interval,
                   double bloom_bits_per_key) {
  TableOptions t;
  t.format_version = format_version;
  t.checksum = checksum;
  t.compression = compression;
  t.block_size = block_size;
  t.block_restart_interval = restart_interval;
  t.index_block_restart_interval = index_restart_interval;
  t.bloom_bits_per_key = bloom_bits_per_key;
  return t;
}

TableBuilderOptions Builder(const TableOptions& t) {
  TableBuilderOptions o;
  o.format_version = t.format_version;
  o.checksum_type = t.checksum;
  o.compression = t.compression;
  o.block_size = t.block_size;
  o.block_restart_interval = t.block_restart_interval;
  o.index_block_restart_interval = t.index_block_restart_interval;
  o.bloom_bits_per_key = t.bloom_bits_per_key;
  o.identity.db_id = "strata-fuzz-corpus";
  o.identity.db_session_id = "FUZZCORPUS0000000000";
  o.identity.db_host_id = "strata-fuzz-corpus";
  o.identity.column_family_name = "default";
  o.identity.column_family_id = 0;
  return o;
}

void WriteValidSeeds(CorpusWriter* w) {
  using C = ChecksumType;
  using Z = CompressionType;

  // Mixed content (puts, merges, deletes, range deletions, an empty key and
  // empty values) over a pairwise spread of format version, checksum,
  // compression, bloom, block size and restart intervals.
  ContentSpec mixed;
  mixed.empty_first_key = true;
  mixed.delete_every = 7;
  mixed.merge_every = 5;
  mixed.num_range_dels = 2;
  struct Combo {
    uint32_t fv;
    C checksum;
    Z compression;
    uint64_t block_size;
    int restart;
    int index_restart;
    double bloom;
  };
  static constexpr Combo kMixed[] = {
      {2, C::kCRC32c, Z::kNoCompression, 512, 16, 1, 0},
      {2, C::kNoChecksum, Z::kZSTD, 256, 4, 4, 10},
      {2, C::kXXH3, Z::kLZ4Compression, 1024, 1, 16, 10},
      {3, C::kxxHash, Z::kZSTD, 1024, 4, 1, 10},
      {3, C::kCRC32c, Z::kSnappyCompression, 512, 16, 4, 10},
      {3, C::kxxHash64, Z::kNoCompression, 256, 2, 1, 0},
      {4, C::kxxHash64, Z::kNoCompression, 256, 1, 1, 10},
      {4, C::kXXH3, Z::kLZ4Compression, 512, 16, 16, 0},
      {4, C::kNoChecksum, Z::kZSTD, 1024, 8, 1, 10},
      {4, C::kxxHash, Z::kLZ4HCCompression, 512, 4, 1, 0},
      {5, C::kXXH3, Z::kZSTD, 1024, 16, 1, 10},
      {5, C::kNoChecksum, Z::kNoCompression, 512, 2, 1, 10},
      {5, C::kxxHash64, Z::kSnappyCompression, 256, 16, 4, 0},
      {5, C::kxxHash, Z::kNoCompression, 512, 1, 16, 5},
      {5, C::kCRC32c, Z::kLZ4Compression, 1024, 4, 1, 20},
  };
  uint64_t seed = 100;
  for (const Combo& c : kMixed) {
    mixed.seed = ++seed;
    w->User("mixed",
            Table(c.fv, c.checksum, c.compression, c.block_size, c.restart,
                  c.index_restart, c.bloom),
            mixed);
  }

  // Compressible values, so that compressed blocks really are compressed.
  ContentSpec text;
  text.num_keys = 60;
  text.values = ValueKind::kText;
  text.max_value_len = 80;
  for (Z z : {Z::kZSTD, Z::kSnappyCompression, Z::kLZ4Compression}) {
    text.seed = ++seed;
    w->User("text", Table(5, C::kXXH3, z, 1024, 16, 1, 10), text);
  }
  text.seed = ++seed;
  w->User("text", Table(2, C::kCRC32c, Z::kZSTD, 2048, 16, 1, 0), text);

  // Binary keys with 0x00 and 0xff bytes.
  ContentSpec binary;
  binary.keys = KeyKind::kBinary;
  binary.num_keys = 50;
  binary.seed = ++seed;
  w->User("binary", Table(5, C::kCRC32c, Z::kNoCompression, 256, 4, 4, 10),
          binary);
  binary.seed = ++seed;
  w->User("binary", Table(3, C::kXXH3, Z::kNoCompression, 512, 1, 16, 0),
          binary);

  // Tiny blocks: many data blocks, long index.
  ContentSpec many;
  many.num_keys = 80;
  many.max_value_len = 8;
  many.seed = ++seed;
  w->User("manyblocks", Table(5, C::kXXH3, Z::kNoCompression, 64, 1, 1, 10),
          many);
  many.seed = ++seed;
  w->User("manyblocks",
          Table(2, C::kNoChecksum, Z::kNoCompression, 64, 1, 2, 0), many);

  // One value per block, larger than block_size.
  ContentSpec big;
  big.num_keys = 3;
  big.values = ValueKind::kText;
  big.max_value_len = 2000;
  big.seed = ++seed;
  w->User("bigvalues", Table(4, C::kCRC32c, Z::kZSTD, 512, 16, 1, 0), big);
  big.values = ValueKind::kRandom;
  big.seed = ++seed;
  w->User("bigvalues", Table(5, C::kXXH3, Z::kNoCompression, 512, 16, 1, 10),
          big);

  // Edge contents.
  ContentSpec empty;
  empty.num_keys = 0;
  w->User("empty", Table(5, C::kXXH3, Z::kNoCompression, 4096, 16, 1, 10),
          empty);
  w->User("empty", Table(2, C::kCRC32c, Z::kNoCompression, 4096, 16, 1, 0),
          empty);

  ContentSpec single;
  single.num_keys = 1;
  single.empty_first_key = true;
  single.values = ValueKind::kEmpty;
  w->User("single_emptykey",
          Table(5, C::kXXH3, Z::kNoCompression, 4096, 16, 1, 10), single);
  w->User("single_emptykey",
          Table(3, C::kxxHash, Z::kNoCompression, 4096, 16, 1, 0), single);

  ContentSpec empty_values;
  empty_values.values = ValueKind::kEmpty;
  empty_values.seed = ++seed;
  w->User("emptyvalues",
          Table(5, C::kCRC32c, Z::kNoCompression, 512, 16, 1, 10),
          empty_values);

  ContentSpec deletes;
  deletes.delete_every = 1;
  deletes.seed = ++seed;
  w->User("deletes", Table(5, C::kXXH3, Z::kNoCompression, 512, 16, 1, 10),
          deletes);

  ContentSpec merges;
  merges.merge_every = 2;  // Every other key.
  merges.seed = ++seed;
  w->User("merges", Table(4, C::kxxHash64, Z::kZSTD, 512, 16, 1, 0), merges);

  ContentSpec rangedels;
  rangedels.num_keys = 30;
  rangedels.num_range_dels = 6;
  rangedels.seed = ++seed;
  w->User("rangedels", Table(5, C::kXXH3, Z::kNoCompression, 512, 16, 1, 10),
          rangedels);
  rangedels.seed = ++seed;
  w->User("rangedels",
          Table(2, C::kNoChecksum, Z::kNoCompression, 512, 4, 1, 0), rangedels);

  // Only range deletions: no data block at all.
  {
    UserContent only;
    only.range_dels = {{"", "a"}, {"b", "d"}, {"c", "\xff\xff"}};
    std::string bytes;
    const TableOptions t =
        Table(5, C::kXXH3, Z::kNoCompression, 4096, 16, 1, 10);
    const Status s = WriteUserTable(t, only, &bytes);
    w->Save("rangedels_only_fv5_xxh3_nocomp_b4096_r16_ir1_bloom.sst", s, bytes,
            t.compression);
  }

  // DB-flush-like tables, through TableBuilder: several versions per key,
  // every storable type, tombstones with sequence numbers.
  w->Internal("versions",
              Builder(Table(5, C::kXXH3, Z::kNoCompression, 512, 16, 1, 10)),
              MakeVersionedContent(++seed, 25));
  w->Internal("versions",
              Builder(Table(2, C::kCRC32c, Z::kZSTD, 512, 4, 1, 10)),
              MakeVersionedContent(++seed, 25));
  w->Internal(
      "versions",
      Builder(Table(4, C::kNoChecksum, Z::kNoCompression, 256, 1, 4, 0)),
      MakeVersionedContent(++seed, 25));
  w->Internal("versions",
              Builder(Table(3, C::kxxHash, Z::kNoCompression, 1024, 2, 1, 10)),
              MakeVersionedContent(++seed, 25));

  // Data blocks with a hash index.
  for (const Combo& c :
       {Combo{5, C::kXXH3, Z::kNoCompression, 1024, 16, 1, 10},
        Combo{5, C::kNoChecksum, Z::kNoCompression, 512, 4, 1, 0},
        Combo{3, C::kCRC32c, Z::kZSTD, 1024, 16, 1, 10}}) {
    TableBuilderOptions o =
        Builder(Table(c.fv, c.checksum, c.compression, c.block_size, c.restart,
                      c.index_restart, c.bloom));
    o.data_block_index_type = DataBlockIndexType::kBinaryAndHash;
    w->Internal("hashindex", o, MakeHashIndexContent(++seed, 60));
  }
}

// Invalid inputs derived from `valid` (a format_version >= 1 file: its
// footer is checksum type (1), metaindex and index handles padded to 40
// bytes, format_version (4), magic (8)).
void WriteInvalidSeeds(CorpusWriter* w, const std::string& valid) {
  constexpr size_t kFooterSize = 53;
  w->Raw("bad_empty", "");
  w->Raw("bad_one_byte", std::string(1, '\0'));
  w->Raw("bad_truncated_footer", valid.substr(0, valid.size() - 5));
  w->Raw("bad_footer_only", valid.substr(valid.size() - kFooterSize));
  w->Raw("bad_footer_zeros", std::string(kFooterSize, '\0'));

  std::string wrong_magic = valid;
  wrong_magic[wrong_magic.size() - 1] ^= 0x01;
  w->Raw("bad_wrong_magic", wrong_magic);

  // The legacy block-based magic (0xdb4775248b80fb57, little-endian): read
  // as a format_version 0 footer, laid out differently.
  std::string legacy = valid;
  static constexpr unsigned char kLegacyMagic[8] = {0x57, 0xfb, 0x80, 0x8b,
                                                    0x24, 0x75, 0x47, 0xdb};
  for (size_t i = 0; i < 8; ++i) {
    legacy[legacy.size() - 8 + i] = static_cast<char>(kLegacyMagic[i]);
  }
  w->Raw("bad_legacy_magic", legacy);

  std::string version = valid;
  version[version.size() - 12] = 9;
  w->Raw("bad_format_version_9", version);

  std::string checksum = valid;
  checksum[checksum.size() - kFooterSize] = 9;
  w->Raw("bad_checksum_type_9", checksum);

  std::string flipped = valid;
  flipped[10] ^= 0x40;
  w->Raw("bad_flipped_data_byte", flipped);
}

int Run(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "cannot create %s: %s\n", dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  CorpusWriter w(dir);
  WriteValidSeeds(&w);
  if (!w.failed()) {
    WriteInvalidSeeds(&w,
                      w.Written("mixed_fv5_xxh3_zstd_b1024_r16_ir1_bloom.sst"));
  }
  std::printf("%zu files, %zu bytes in %s\n", w.num_files(), w.total_bytes(),
              dir.c_str());
  return w.failed() ? 1 : 0;
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <output dir>\n", argv[0]);
    return 2;
  }
  return strata::Run(argv[1]);
}
