// SstFileWriter + SstFileReader, through the public API.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "env/io_errors.h"
#include "strata/cache.h"
#include "strata/sst_file_reader.h"
#include "strata/sst_file_writer.h"
#include "table/internal_key.h"
#include "table/table_builder.h"
#include "testutil/testutil.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

class SstFileTest : public ::testing::Test {
 protected:
  SstFileWriterOptions WriterOptions() {
    SstFileWriterOptions o;
    o.file_system = &fs_;
    return o;
  }
  SstFileReaderOptions ReaderOptions() {
    SstFileReaderOptions o;
    o.file_system = &fs_;
    return o;
  }
  // Writes `model` (all Puts) and returns the info.
  ExternalSstFileInfo Write(const std::string& path,
                            const std::map<std::string, std::string>& model,
                            const SstFileWriterOptions& options) {
    SstFileWriter writer(options);
    EXPECT_OK(writer.Open(path));
    for (const auto& [k, v] : model) {
      EXPECT_OK(writer.Put(k, v));
    }
    ExternalSstFileInfo info;
    EXPECT_OK(writer.Finish(&info));
    return info;
  }
  std::map<std::string, std::string> RandomModel(uint64_t seed, int n) {
    test::Random rnd(seed);
    std::map<std::string, std::string> m;
    while (static_cast<int>(m.size()) < n) {
      m["k" + std::to_string(rnd.Uniform(1000000))] =
          rnd.RandomBytes(rnd.Uniform(200));
    }
    return m;
  }

  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_{&fake_};
};

TEST_F(SstFileTest, RoundTripThroughPublicApi) {
  const auto model = RandomModel(1, 5000);
  for (CompressionType c :
       {CompressionType::kNoCompression, CompressionType::kZSTD}) {
    for (uint32_t fv : {2u, 3u, 4u, 5u}) {
      SstFileWriterOptions wo = WriterOptions();
      wo.table.format_version = fv;
      wo.table.compression = c;
      wo.table.bloom_bits_per_key = 10;
      Write("/r.sst", model, wo);
      SstFileReader reader(ReaderOptions());
      ASSERT_OK(reader.Open("/r.sst"));
      ASSERT_OK(reader.VerifyChecksum());
      ASSERT_OK(reader.VerifyNumEntries());
      auto it = reader.NewIterator(SstReadOptions());
      auto m = model.begin();
      for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
        ASSERT_EQ(it->key().ToString(), m->first);
        ASSERT_EQ(it->value().ToString(), m->second);
      }
      ASSERT_OK(it->status());
      ASSERT_EQ(m, model.end());
      auto r = model.rbegin();
      for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) {
        ASSERT_EQ(it->key().ToString(), r->first);
      }
      ASSERT_EQ(r, model.rend());
      std::string value;
      ASSERT_OK(reader.Get(SstReadOptions(), model.begin()->first, &value));
      EXPECT_EQ(value, model.begin()->second);
      EXPECT_TRUE(reader.Get(SstReadOptions(), "absent", &value).IsNotFound());
      EXPECT_EQ(reader.GetTableProperties().num_entries, model.size());
      EXPECT_EQ(reader.GetTableProperties().db_id, "SST Writer");
    }
  }
}

// Get builds its lookup key on the stack for short user keys and on the
// heap for long ones: both sides of the boundary, and the empty key.
TEST_F(SstFileTest, GetFindsShortAndLongUserKeys) {
  std::map<std::string, std::string> model;
  for (size_t len : {size_t{0}, size_t{1}, size_t{8}, size_t{55}, size_t{56},
                     size_t{57}, size_t{64}, size_t{300}}) {
    model[std::string(len, 'k')] = "len" + std::to_string(len);
    model[std::string(len, 'm') + "x"] = "mx" + std::to_string(len);
  }
  Write("/long.sst", model, WriterOptions());
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/long.sst"));
  for (const auto& [k, v] : model) {
    std::string value;
    ASSERT_OK(reader.Get(SstReadOptions(), k, &value));
    EXPECT_EQ(v, value);
    Status s = reader.Get(SstReadOptions(), k + "\x01", &value);
    EXPECT_TRUE(s.IsNotFound()) << s.ToString();
    EXPECT_TRUE(value.empty());
  }
}

// Get sees only the found key's trailer; a type byte no SST may hold is
// still Corruption naming the key, as ParseInternalKey words it.
TEST_F(SstFileTest, GetOfKeyWithImpossibleTypeIsCorruption) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs_.NewWritableFile("/type.sst", FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  ASSERT_OK(WritableFileWriter::Create(std::move(file),
                                       WritableFileWriterOptions(), &writer));
  TableBuilder builder(TableBuilderOptions(), writer.get());
  ASSERT_OK(builder.Add(MakeInternalKey("a", 1, ValueType::kValue), "va"));
  std::string bad_key = "b";
  PutFixed64(&bad_key, (uint64_t{1} << 8) | 0x30);
  ASSERT_OK(builder.Add(bad_key, "vb"));
  ASSERT_OK(builder.Finish());
  ASSERT_OK(writer->Close());
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/type.sst"));
  std::string value;
  ASSERT_OK(reader.Get(SstReadOptions(), "a", &value));
  EXPECT_EQ("va", value);
  Status s = reader.Get(SstReadOptions(), "b", &value);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("value type 48"));
  EXPECT_THAT(s.ToString(), HasSubstr("'62'"));
}

TEST_F(SstFileTest, ParallelThreadsWriteTheSameBytes) {
  const auto model = RandomModel(21, 20000);
  SstFileWriterOptions o = WriterOptions();
  o.table.compression = CompressionType::kZSTD;
  o.db_host_id = "h";
  std::string serial, parallel;
  Write("/s1.sst", model, o);
  ASSERT_OK(fake_.ReadFileContent("/s1.sst", &serial));
  o.parallel_threads = 3;
  Write("/p1.sst", model, o);
  ASSERT_OK(fake_.ReadFileContent("/p1.sst", &parallel));
  // Equal except the random 20-character session id.
  ASSERT_EQ(serial.size(), parallel.size());
  size_t differing = 0;
  for (size_t i = 0; i < serial.size(); ++i) differing += serial[i] != parallel[i];
  EXPECT_LE(differing, 20u + 4u);  // Session id + properties checksum.
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/p1.sst"));
  ASSERT_OK(reader.VerifyChecksum());
  ASSERT_OK(reader.VerifyNumEntries());
}

TEST_F(SstFileTest, BackgroundWritesWriteTheSameBytes) {
  const auto model = RandomModel(22, 20000);
  for (bool direct : {false, true}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    SstFileWriterOptions o = WriterOptions();
    o.use_direct_io_for_flush_and_compaction = direct;
    o.writable_file_max_buffer_size = 8192;  // Many queued buffers.
    o.background_writes = false;
    std::string synchronous, background;
    Write("/w1.sst", model, o);
    ASSERT_OK(fake_.ReadFileContent("/w1.sst", &synchronous));
    o.background_writes = true;
    const ExternalSstFileInfo info = Write("/w2.sst", model, o);
    ASSERT_OK(fake_.ReadFileContent("/w2.sst", &background));
    EXPECT_EQ(info.file_size, background.size());
    EXPECT_EQ(info.file_checksum,
              crc32c::Value(background.data(), background.size()));
    // Equal except the random 20-character session id.
    ASSERT_EQ(synchronous.size(), background.size());
    size_t differing = 0;
    for (size_t i = 0; i < background.size(); ++i) {
      differing += synchronous[i] != background[i];
    }
    EXPECT_LE(differing, 20u + 4u);  // Session id + properties checksum.
  }
}

TEST_F(SstFileTest, SeekSeekForPrevAndBoundsFollowTheModel) {
  const auto model = RandomModel(2, 2000);
  Write("/b.sst", model, WriterOptions());
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/b.sst"));
  test::Random rnd(3);
  for (int i = 0; i < 300; ++i) {
    const std::string target = "k" + std::to_string(rnd.Uniform(1000000));
    const std::string lower = "k" + std::to_string(rnd.Uniform(1000000));
    const std::string upper = "k" + std::to_string(rnd.Uniform(1000000));
    const Slice lo(lower), up(upper);
    SstReadOptions ro;
    ro.lower_bound = &lo;
    ro.upper_bound = &up;
    auto it = reader.NewIterator(ro);
    auto in_bounds = [&](const std::string& k) {
      return k >= lower && k < upper;
    };
    // Seek: first key >= max(target, lower) that is < upper.
    it->Seek(target);
    auto want = model.lower_bound(std::max(target, lower));
    if (want != model.end() && in_bounds(want->first)) {
      ASSERT_TRUE(it->Valid()) << target;
      ASSERT_EQ(it->key().ToString(), want->first);
    } else {
      ASSERT_FALSE(it->Valid()) << target;
    }
    // SeekForPrev: last key <= target within bounds.
    it->SeekForPrev(target);
    auto up_it = model.upper_bound(target);
    std::string expect;
    while (up_it != model.begin()) {
      --up_it;
      if (up_it->first < upper) {
        if (up_it->first >= lower) expect = up_it->first;
        break;
      }
    }
    if (!expect.empty()) {
      ASSERT_TRUE(it->Valid()) << target;
      ASSERT_EQ(it->key().ToString(), expect);
    } else {
      ASSERT_FALSE(it->Valid()) << target;
    }
    // Full scan within bounds, both directions.
    std::vector<std::string> fwd, bwd;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      fwd.push_back(it->key().ToString());
    }
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      bwd.insert(bwd.begin(), it->key().ToString());
    }
    std::vector<std::string> want_keys;
    for (const auto& [k, v] : model) {
      if (in_bounds(k)) want_keys.push_back(k);
    }
    ASSERT_EQ(fwd, want_keys);
    ASSERT_EQ(bwd, want_keys);
  }
}

TEST_F(SstFileTest, NextAfterPrevAndPrevAfterNextAlternate) {
  const auto model = RandomModel(4, 300);
  Write("/a.sst", model, WriterOptions());
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/a.sst"));
  auto it = reader.NewIterator(SstReadOptions());
  std::vector<std::string> keys;
  for (const auto& [k, v] : model) keys.push_back(k);
  test::Random rnd(5);
  size_t pos = 0;
  it->SeekToFirst();
  for (int i = 0; i < 2000; ++i) {
    if (rnd.OneIn(2) && pos + 1 < keys.size()) {
      it->Next();
      ++pos;
    } else if (pos > 0) {
      it->Prev();
      --pos;
    }
    ASSERT_TRUE(it->Valid());
    ASSERT_EQ(it->key().ToString(), keys[pos]) << "step " << i;
  }
}

TEST_F(SstFileTest, OutOfOrderKeyShowsBothKeysAndRemovesFile) {
  SstFileWriter writer(WriterOptions());
  ASSERT_OK(writer.Open("/o.sst"));
  ASSERT_OK(writer.Put("b", "1"));
  ASSERT_OK(writer.Put("c", "2"));
  Status s = writer.Put("b", "3");
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("entry #2"));
  EXPECT_THAT(s.ToString(), HasSubstr("0x62"));  // "b"
  EXPECT_THAT(s.ToString(), HasSubstr("0x63"));  // "c"
  EXPECT_THAT(s.ToString(), HasSubstr("/o.sst"));
  EXPECT_TRUE(fs_.FileExists("/o.sst").IsNotFound());
  EXPECT_FALSE(writer.Finish().ok());
}

TEST_F(SstFileTest, EmptyFileNeedsAllowEmpty) {
  {
    SstFileWriter writer(WriterOptions());
    ASSERT_OK(writer.Open("/e.sst"));
    Status s = writer.Finish();
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_THAT(s.ToString(), HasSubstr("no entries"));
    EXPECT_TRUE(fs_.FileExists("/e.sst").IsNotFound());
  }
  SstFileWriterOptions o = WriterOptions();
  o.allow_empty = true;
  SstFileWriter writer(o);
  ASSERT_OK(writer.Open("/e.sst"));
  ASSERT_OK(writer.Finish());
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/e.sst"));
  auto it = reader.NewIterator(SstReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_OK(it->status());
}

TEST_F(SstFileTest, DeletesAreHiddenButVisibleRaw) {
  SstFileWriter writer(WriterOptions());
  ASSERT_OK(writer.Open("/d.sst"));
  ASSERT_OK(writer.Put("a", "1"));
  ASSERT_OK(writer.Delete("b"));
  ASSERT_OK(writer.Merge("c", "m"));
  ASSERT_OK(writer.Put("d", "4"));
  ASSERT_OK(writer.DeleteRange("a", "z"));  // Same seqno: hides nothing.
  ExternalSstFileInfo info;
  ASSERT_OK(writer.Finish(&info));
  EXPECT_EQ(info.num_entries, 4u);
  EXPECT_EQ(info.num_range_del_entries, 1u);
  EXPECT_EQ(info.smallest_key, "a");
  EXPECT_EQ(info.largest_key, "d");

  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/d.sst"));
  ASSERT_OK(reader.VerifyNumEntries());
  auto it = reader.NewIterator(SstReadOptions());
  std::vector<std::string> seen;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    seen.push_back(it->key().ToString() + "=" + it->value().ToString());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1", "c=m", "d=4"}));
  std::string v;
  EXPECT_TRUE(reader.Get(SstReadOptions(), "b", &v).IsNotFound());
  auto raw = reader.NewRawIterator(SstReadOptions());
  std::vector<int> types;
  for (raw->SeekToFirst(); raw->Valid(); raw->Next()) {
    RawKey k;
    ASSERT_TRUE(ParseRawKey(raw->key(), &k));
    EXPECT_EQ(k.sequence, 0u);
    types.push_back(k.type);
  }
  EXPECT_EQ(types, (std::vector<int>{1, 0, 2, 1}));
  const TableProperties& p = reader.GetTableProperties();
  EXPECT_EQ(p.num_deletions, 2u);  // The Delete and the range tombstone.
  EXPECT_EQ(p.num_merge_operands, 1u);
  EXPECT_EQ(p.num_range_deletions, 1u);
  EXPECT_TRUE(p.is_external);
  EXPECT_EQ(p.external_sst_file_version, 2u);
}

TEST_F(SstFileTest, InfoReportsSizeAndWholeFileChecksum) {
  const auto model = RandomModel(6, 3000);
  const ExternalSstFileInfo info = Write("/i.sst", model, WriterOptions());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/i.sst", &content));
  EXPECT_EQ(info.file_size, content.size());
  EXPECT_EQ(info.file_checksum, crc32c::Value(content.data(), content.size()));
  EXPECT_EQ(info.file_path, "/i.sst");
  EXPECT_EQ(info.smallest_key, model.begin()->first);
  EXPECT_EQ(info.largest_key, model.rbegin()->first);
}

TEST_F(SstFileTest, FileSizeIncludesBufferedBytes) {
  SstFileWriter writer(WriterOptions());
  ASSERT_OK(writer.Open("/f.sst"));
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(writer.Put("key" + std::to_string(1000 + i), std::string(100, 'v')));
  }
  // A block or more was appended to the writer but nothing reached the file.
  EXPECT_GT(writer.FileSize(), 4096u);
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/f.sst", &content));
  EXPECT_EQ(content.size(), 0u);
  ASSERT_OK(writer.Finish());
}

// Direct writes: aligned, in buffer-sized pieces (no flush per block), one
// padded tail, then truncate and fsync.
TEST_F(SstFileTest, DirectWriterWritesWholeBuffersThenTruncatesAndFsyncs) {
  SstFileWriterOptions o = WriterOptions();
  o.use_direct_io_for_flush_and_compaction = true;
  o.writable_file_max_buffer_size = 64 << 10;
  const auto model = RandomModel(7, 4000);
  fs_.recorder().Clear();
  const ExternalSstFileInfo info = Write("/direct.sst", model, o);
  const auto writes = fs_.recorder().Records([](const IORecord& r) {
    return r.op == FileOp::kWrite && r.path == "/direct.sst";
  });
  ASSERT_GE(writes.size(), 3u);
  for (size_t i = 0; i < writes.size(); ++i) {
    EXPECT_EQ(writes[i].mode, IOMode::kDirect);
    EXPECT_EQ(writes[i].offset, i * (64u << 10)) << writes[i].ToString();
    if (i + 1 < writes.size()) {
      EXPECT_EQ(writes[i].length, 64u << 10) << writes[i].ToString();
    } else {
      EXPECT_EQ(writes[i].length % 4096, 0u) << writes[i].ToString();
    }
  }
  const auto tail = fs_.recorder().Records([](const IORecord& r) {
    return r.path == "/direct.sst" &&
           (r.op == FileOp::kTruncate || r.op == FileOp::kFsync ||
            r.op == FileOp::kClose);
  });
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail[0].op, FileOp::kTruncate);
  EXPECT_EQ(tail[0].offset, info.file_size);
  EXPECT_EQ(tail[1].op, FileOp::kFsync);
  EXPECT_EQ(tail[2].op, FileOp::kClose);
  // Written direct: nothing in the page cache.
  EXPECT_EQ(fake_.ResidentBytes("/direct.sst"), 0u);
  SstFileReaderOptions ro = ReaderOptions();
  ro.use_direct_reads = true;
  SstFileReader reader(ro);
  ASSERT_OK(reader.Open("/direct.sst"));
  ASSERT_OK(reader.VerifyChecksum());
  // Read direct too: still nothing cached.
  EXPECT_EQ(fake_.ResidentBytes("/direct.sst"), 0u);
}

TEST_F(SstFileTest, BufferedWriterDropsWrittenPagesFromCache) {
  const auto model = RandomModel(8, 20000);
  Write("/cached.sst", model, WriterOptions());
  EXPECT_EQ(fake_.ResidentBytes("/cached.sst"), 0u);
  SstFileWriterOptions keep = WriterOptions();
  keep.invalidate_page_cache = false;
  Write("/kept.sst", model, keep);
  uint64_t size = 0;
  ASSERT_OK(fs_.GetFileSize("/kept.sst", &size));
  EXPECT_EQ(fake_.ResidentBytes("/kept.sst"), size);
  const auto advice = fs_.recorder().Count([](const IORecord& r) {
    return r.op == FileOp::kInvalidateCache && r.path == "/cached.sst";
  });
  EXPECT_GE(advice, 2u);  // Every 1 MiB and at Finish.
}

TEST_F(SstFileTest, DirectAndMmapReadsTogetherAreNotSupported) {
  Write("/m.sst", RandomModel(9, 10), WriterOptions());
  SstFileReaderOptions o = ReaderOptions();
  o.use_direct_reads = true;
  o.allow_mmap_reads = true;
  SstFileReader reader(o);
  Status s = reader.Open("/m.sst");
  EXPECT_EQ(s.ToString(),
            "Not implemented: If memory mapped reads (allow_mmap_reads) are "
            "enabled then direct I/O reads (use_direct_reads) must be "
            "disabled. ");
}

TEST_F(SstFileTest, DirectAndMmapReadersSeeTheSameData) {
  const auto model = RandomModel(10, 3000);
  Write("/x.sst", model, WriterOptions());
  for (int mode = 0; mode < 3; ++mode) {
    SstFileReaderOptions o = ReaderOptions();
    o.use_direct_reads = mode == 1;
    o.allow_mmap_reads = mode == 2;
    SstFileReader reader(o);
    ASSERT_OK(reader.Open("/x.sst"));
    auto it = reader.NewIterator(SstReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    ASSERT_OK(it->status());
    EXPECT_EQ(n, model.size()) << "mode " << mode;
  }
}

TEST_F(SstFileTest, BlockCacheServesRepeatedScans) {
  Write("/bc.sst", RandomModel(12, 3000), WriterOptions());
  SstFileReaderOptions o = ReaderOptions();
  o.use_direct_reads = true;
  o.block_cache = NewLRUCache(32 << 20);
  o.cache_index_and_filter_blocks = true;
  SstFileReader reader(o);
  ASSERT_OK(reader.Open("/bc.sst"));
  EXPECT_GT(o.block_cache->GetPinnedUsage(), 0u);  // Index (+ filter).
  auto scan = [&] {
    auto it = reader.NewIterator(SstReadOptions());
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  };
  EXPECT_EQ(scan(), 3000u);
  fs_.recorder().Clear();
  EXPECT_EQ(scan(), 3000u);
  EXPECT_EQ(fs_.recorder().Count([](const IORecord& r) {
              return r.op == FileOp::kRead;
            }),
            0u);
}

// The global seqno value may legitimately differ from what the properties
// checksum covered (ingestion writes it in place), so a damaged one must be
// caught by its range: Corruption, never a crash.
TEST_F(SstFileTest, OutOfRangeGlobalSeqnoIsCorruption) {
  Write("/g.sst", RandomModel(22, 10), WriterOptions());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/g.sst", &content));
  const size_t name = content.find("global_seqno");
  ASSERT_NE(name, std::string::npos);
  // The fixed64 value follows the name; its top byte set is > 2^56 - 1.
  content[name + std::string("global_seqno").size() + 7] = '\x41';
  ASSERT_OK(fake_.WriteFileContent("/g.sst", content));
  SstFileReader reader(ReaderOptions());
  Status s = reader.Open("/g.sst");
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/g.sst @ "));
  EXPECT_THAT(s.ToString(), HasSubstr("global_seqno"));
}

// Every byte of a small file (filter, external properties, all blocks and
// the footer), flipped in turn: opening, verifying, scanning and Get either
// work and return exactly the data, or report Corruption (or NotSupported
// for a flipped compression type); nothing crashes.
TEST_F(SstFileTest, EveryByteFlipIsDetectedOrHarmless) {
  std::map<std::string, std::string> model;
  for (int i = 0; i < 20; ++i) {
    model["key" + std::to_string(100 + i)] = "value" + std::to_string(i);
  }
  SstFileWriterOptions o = WriterOptions();
  o.table.bloom_bits_per_key = 10;
  o.table.compression = CompressionType::kZSTD;
  Write("/flip.sst", model, o);
  std::string good;
  ASSERT_OK(fake_.ReadFileContent("/flip.sst", &good));
  size_t detected = 0;
  for (size_t pos = 0; pos < good.size(); ++pos) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x41);
    ASSERT_OK(fake_.WriteFileContent("/bad.sst", bad));
    SstFileReader reader(ReaderOptions());
    Status s = reader.Open("/bad.sst");
    if (s.ok()) s = reader.VerifyChecksum();
    if (s.ok()) {
      auto it = reader.NewIterator(SstReadOptions());
      auto m = model.begin();
      for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
        ASSERT_NE(m, model.end()) << "byte " << pos;
        ASSERT_EQ(it->key().ToString(), m->first) << "byte " << pos;
        ASSERT_EQ(it->value().ToString(), m->second) << "byte " << pos;
      }
      ASSERT_OK(it->status());
      ASSERT_EQ(m, model.end()) << "byte " << pos;
      std::string value;
      // A flipped filter bit may only make the filter less selective.
      ASSERT_OK(reader.Get(SstReadOptions(), "key105", &value));
      ASSERT_EQ(value, "value5");
    } else {
      ++detected;
      ASSERT_TRUE(s.IsCorruption() || s.IsNotSupported())
          << "byte " << pos << ": " << s.ToString();
      ASSERT_THAT(s.ToString(), HasSubstr("/bad.sst")) << "byte " << pos;
    }
  }
  // Most bytes are covered by a checksum.
  EXPECT_GT(detected, good.size() * 9 / 10);
}

TEST_F(SstFileTest, CorruptDataBlockIsCorruptionNamingFileAndOffset) {
  Write("/c.sst", RandomModel(11, 2000), WriterOptions());
  std::string content;
  ASSERT_OK(fake_.ReadFileContent("/c.sst", &content));
  content[100] ^= 0x40;  // Inside the first data block.
  ASSERT_OK(fake_.WriteFileContent("/c.sst", content));
  SstFileReader reader(ReaderOptions());
  ASSERT_OK(reader.Open("/c.sst"));
  Status s = reader.VerifyChecksum();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/c.sst @ 0+"));
  EXPECT_THAT(s.ToString(), HasSubstr("checksum mismatch"));
  auto it = reader.NewIterator(SstReadOptions());
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().IsCorruption());
}

}  // namespace
}  // namespace strata
