// The matrix's evidence checks can fail: a synthetic recording that obeys
// every rule passes, and each broken rule (a direct WAL, an unaligned direct
// read, a short compaction read, an SST installed before it was synced, a
// direct SST closed without truncate, statistics that disagree, a file kind
// the workload never touched) is reported. The clean-tail detector counts a
// repeated write and nothing else.
#include "matrix/matrix_evidence.h"

#include <gtest/gtest.h>

#include <functional>

#include "env/fake_file_system.h"
#include "matrix/tail_rewrite_detector.h"
#include "testutil/testutil.h"

namespace strata::matrix {
namespace {

constexpr size_t kAlign = 4096;
constexpr size_t kReadahead = 8192;

IORecord Rec(FileOp op, const std::string& path, FileKind kind, IOMode mode,
             uint64_t offset = 0, uint64_t length = 0) {
  IORecord r;
  r.op = op;
  r.path = path;
  r.kind = kind;
  r.mode = mode;
  r.offset = offset;
  r.length = length;
  r.result_length = length;
  r.buffer_alignment = kAlign;
  return r;
}

// A recording of direct flush, compaction, user reads and SstFileWriter
// that obeys every rule.
std::vector<IORecord> GoodRecords() {
  const IOMode D = IOMode::kDirect, B = IOMode::kBuffered;
  std::vector<IORecord> v;
  auto sst = [&](const std::string& path, FileKind kind, uint64_t size) {
    v.push_back(Rec(FileOp::kOpenWritable, path, kind, D));
    v.push_back(Rec(FileOp::kWrite, path, kind, D, 0, 8192));
    v.push_back(Rec(FileOp::kWrite, path, kind, D, 8192, 4096));
    v.push_back(Rec(FileOp::kTruncate, path, kind, D, size));
    v.push_back(Rec(FileOp::kFsync, path, kind, D));
  };
  v.push_back(Rec(FileOp::kWrite, "/db/1.log", FileKind::kWal, B, 0, 100));
  sst("/db/2.sst", FileKind::kTableFlush, 12000);
  v.push_back(
      Rec(FileOp::kWrite, "/db/MANIFEST-1", FileKind::kManifest, B, 0, 50));
  v.push_back(
      Rec(FileOp::kRead, "/db/2.sst", FileKind::kTableVerify, D, 0, 12288));
  v.back().result_length = 12000;
  // A compaction input of 100,000 bytes read in 8 KiB chunks, the last
  // one short at the end of the file.
  v.push_back(Rec(FileOp::kGetFileSize, "/db/3.sst", FileKind::kOther, B));
  v.back().result_length = 100000;
  for (uint64_t off = 0; off < 100000; off += kReadahead) {
    v.push_back(Rec(FileOp::kRead, "/db/3.sst", FileKind::kTableCompactionInput,
                    D, off, kReadahead));
    v.back().result_length = std::min<uint64_t>(kReadahead, 100000 - off);
  }
  sst("/db/4.sst", FileKind::kTableCompactionOutput, 12001);
  v.push_back(
      Rec(FileOp::kWrite, "/db/MANIFEST-1", FileKind::kManifest, B, 50, 50));
  v.push_back(
      Rec(FileOp::kRead, "/db/4.sst", FileKind::kTableUserRead, D, 4096, 4096));
  sst("/ext/x.sst", FileKind::kTableExternal, 9000);
  v.push_back(
      Rec(FileOp::kRead, "/ext/x.sst", FileKind::kTableExternal, D, 0, 4096));
  v.push_back(
      Rec(FileOp::kWrite, "/db/MANIFEST-1", FileKind::kManifest, B, 100, 50));
  v.push_back(Rec(FileOp::kRead, "/db/1.log", FileKind::kWal, B, 0, 100));
  v.push_back(
      Rec(FileOp::kRead, "/db/MANIFEST-1", FileKind::kManifest, B, 0, 150));
  v.push_back(Rec(FileOp::kWrite, "/db/CURRENT", FileKind::kCurrent, B, 0, 16));
  v.push_back(Rec(FileOp::kWrite, "/db/LOG", FileKind::kInfoLog, B, 0, 300));
  for (size_t i = 0; i < v.size(); ++i) v[i].seq = i + 1;
  return v;
}

// Statistics that saw exactly what the recorder saw.
std::shared_ptr<Statistics> StatsOf(const std::vector<IORecord>& records) {
  auto stats = CreateDBStatistics();
  for (const IORecord& r : records) {
    if (r.op == FileOp::kWrite) stats->RecordWrite(r.kind, r.mode, r.length);
    if (r.op == FileOp::kRead) {
      stats->RecordRead(r.kind, r.mode, r.result_length);
    }
  }
  return stats;
}

EvidenceInput DirectInput() {
  EvidenceInput in;
  in.direct_reads = true;
  in.direct_flush = true;
  in.sst_writer_direct = true;
  in.offset_alignment = kAlign;
  in.memory_alignment = kAlign;
  in.compaction_readahead = kReadahead;
  in.block_size = 1024;
  in.max_entry_bytes = 100;
  return in;
}

// Runs the checks on GoodRecords() changed by `mutate`; the failures.
std::vector<std::string> Check(
    const std::function<void(std::vector<IORecord>*)>& mutate,
    bool stats_from_good = false) {
  std::vector<IORecord> records = GoodRecords();
  mutate(&records);
  RowResult result;
  CheckIOEvidence(DirectInput(), records,
                  *StatsOf(stats_from_good ? GoodRecords() : records), &result);
  return result.failures;
}

std::string Joined(const std::vector<std::string>& failures) {
  std::string s;
  for (const auto& f : failures) s += f + "\n";
  return s;
}

TEST(MatrixEvidence, RecordingThatObeysEveryRulePasses) {
  EXPECT_EQ("", Joined(Check([](std::vector<IORecord>*) {})));
}

TEST(MatrixEvidence, DirectWalIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    for (auto& r : *v) {
      if (r.kind == FileKind::kWal) r.mode = IOMode::kDirect;
    }
  });
  EXPECT_NE(std::string::npos, Joined(f).find("mode: expected buffered"))
      << Joined(f);
}

TEST(MatrixEvidence, BufferedUserReadUnderDirectReadsIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    for (auto& r : *v) {
      if (r.kind == FileKind::kTableUserRead) r.mode = IOMode::kBuffered;
    }
  });
  EXPECT_NE(std::string::npos, Joined(f).find("mode: expected direct"))
      << Joined(f);
}

TEST(MatrixEvidence, UnalignedDirectReadIsReported) {
  for (auto field : {0, 1, 2}) {
    const auto f = Check([field](std::vector<IORecord>* v) {
      for (auto& r : *v) {
        if (r.kind != FileKind::kTableUserRead) continue;
        if (field == 0) r.offset += 512;
        if (field == 1) r.length -= 512;
        if (field == 2) r.buffer_alignment = 512;
      }
    });
    EXPECT_NE(std::string::npos, Joined(f).find("alignment: not aligned"))
        << field << ": " << Joined(f);
  }
}

TEST(MatrixEvidence, CompactionReadShorterThanReadaheadIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    for (auto& r : *v) {
      if (r.kind == FileKind::kTableCompactionInput && r.offset == kReadahead) {
        r.length = r.result_length = 4096;
      }
    }
  });
  EXPECT_NE(std::string::npos,
            Joined(f).find("compaction readahead: expected 8192-byte reads"))
      << Joined(f);
}

TEST(MatrixEvidence, ManifestWriteBeforeSstSyncIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    // Move the first MANIFEST write before the flush SST's fsync.
    auto manifest = std::find_if(v->begin(), v->end(), [](const IORecord& r) {
      return r.kind == FileKind::kManifest && r.op == FileOp::kWrite;
    });
    auto fsync = std::find_if(v->begin(), v->end(), [](const IORecord& r) {
      return r.path == "/db/2.sst" && r.op == FileOp::kFsync;
    });
    std::iter_swap(manifest, fsync);
    for (size_t i = 0; i < v->size(); ++i) (*v)[i].seq = i + 1;
  });
  EXPECT_NE(std::string::npos,
            Joined(f).find("/db/2.sst (last written at #5) not synced before "
                           "MANIFEST write #6"))
      << Joined(f);
}

TEST(MatrixEvidence, DirectSstClosedWithoutTruncateIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    v->erase(std::remove_if(v->begin(), v->end(),
                            [](const IORecord& r) {
                              return r.path == "/db/4.sst" &&
                                     r.op == FileOp::kTruncate;
                            }),
             v->end());
  });
  EXPECT_NE(std::string::npos,
            Joined(f).find("/db/4.sst: a direct SST must end with truncate, "
                           "fsync"))
      << Joined(f);
}

TEST(MatrixEvidence, StatisticsThatDisagreeAreReported) {
  const auto f = Check(
      [](std::vector<IORecord>* v) {
        for (auto& r : *v) {
          if (r.kind == FileKind::kTableFlush && r.op == FileOp::kWrite) {
            r.length += kAlign;
          }
        }
      },
      /*stats_from_good=*/true);
  EXPECT_NE(std::string::npos,
            Joined(f).find("statistics: table_flush direct: statistics say"))
      << Joined(f);
}

TEST(MatrixEvidence, KindTheWorkloadNeverTouchedIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    v->erase(std::remove_if(v->begin(), v->end(),
                            [](const IORecord& r) {
                              return r.kind == FileKind::kTableUserRead;
                            }),
             v->end());
  });
  EXPECT_NE(std::string::npos,
            Joined(f).find("the workload produced no read of table_user_read"))
      << Joined(f);
}

TEST(MatrixEvidence, RangeSyncOfDirectSstIsReported) {
  const auto f = Check([](std::vector<IORecord>* v) {
    v->push_back(Rec(FileOp::kRangeSync, "/db/2.sst", FileKind::kTableFlush,
                     IOMode::kDirect, 0, 4096));
  });
  EXPECT_NE(std::string::npos,
            Joined(f).find("bytes_per_sync: unexpected range sync"))
      << Joined(f);
}

TEST(MatrixEvidence, TouchedPagesFollowHardLinks) {
  std::vector<IORecord> v;
  v.push_back(Rec(FileOp::kRead, "/ext/x.sst", FileKind::kTableExternal,
                  IOMode::kBuffered, 5000, 100));
  IORecord link =
      Rec(FileOp::kLink, "/ext/x.sst", FileKind::kOther, IOMode::kBuffered);
  link.target = "/db/7.sst";
  v.push_back(link);
  v.push_back(Rec(FileOp::kRead, "/db/7.sst", FileKind::kTableUserRead,
                  IOMode::kBuffered, 9000, 8192));
  v.push_back(Rec(FileOp::kRead, "/db/7.sst", FileKind::kTableUserRead,
                  IOMode::kDirect, 40960, 4096));  // Fills no page.
  // Pages 1 (via the other name), 2, 3 and 4.
  EXPECT_EQ(4u * 4096, TouchedPageBytes(v, "/db/7.sst", 1 << 20));
  EXPECT_EQ(10000u, TouchedPageBytes(v, "/db/7.sst", 10000));
}

TEST(TailRewriteDetector, CountsOnlyRepeatedIdenticalWrites) {
  FakeFileSystem fake;
  TailRewriteDetector detector(&fake);
  FileOptions fo;  // Buffered: the detector looks at bytes, not modes.
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(detector.NewWritableFile("/f", fo, &file));
  std::string page(4096, 'a');
  ASSERT_OK(file->PositionedAppend(page, 0));
  page[10] = 'b';  // A carried-over tail that gained data: fine.
  ASSERT_OK(file->PositionedAppend(page, 0));
  EXPECT_EQ(0u, detector.clean_rewrites());
  ASSERT_OK(file->PositionedAppend(page, 0));  // Nothing new: clean tail.
  EXPECT_EQ(1u, detector.clean_rewrites());
  ASSERT_EQ(1u, detector.examples().size());
  EXPECT_EQ("/f @ 0+4096", detector.examples()[0]);
  ASSERT_OK(file->Close());
}

}  // namespace
}  // namespace strata::matrix
