#include "env/random_access_file_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "env/io_errors.h"
#include "env/posix_file_system.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<RandomAccessFileReader> OpenReader(FileSystem* fs,
                                                   const std::string& path,
                                                   bool direct) {
  FileOptions fo;
  fo.use_direct_reads = direct;
  fo.kind = FileKind::kTableUserRead;
  std::unique_ptr<RandomAccessFile> file;
  Status s = fs->NewRandomAccessFile(path, fo, &file);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return nullptr;
  return std::make_unique<RandomAccessFileReader>(std::move(file));
}

void WriteWholeFile(FileSystem* fs, const std::string& path,
                    const std::string& content) {
  std::unique_ptr<WritableFile> file;
  ASSERT_OK(fs->NewWritableFile(path, FileOptions(), &file));
  ASSERT_OK(file->Append(content));
  ASSERT_OK(file->Close());
}

// Every direct read the recorder saw is aligned in offset, length and buffer.
void ExpectAlignedReads(const IORecorder& recorder, const std::string& path,
                        const DirectIOAlignment& a) {
  for (const IORecord& r : recorder.Records()) {
    if (r.op != FileOp::kRead || r.path != path) continue;
    ASSERT_TRUE(r.ok()) << r.ToString();
    ASSERT_EQ(r.mode, IOMode::kDirect) << r.ToString();
    ASSERT_EQ(r.offset % a.offset, 0u) << r.ToString();
    ASSERT_EQ(r.length % a.offset, 0u) << r.ToString();
    if (r.length > 0) {
      ASSERT_GE(r.buffer_alignment, a.memory) << r.ToString();
    }
  }
}

std::string Expected(const std::string& content, uint64_t offset, size_t n) {
  if (offset >= content.size()) return "";
  return content.substr(offset, n);
}

// --- D7: random reads, in memory and on the real disk -----------------------

struct ReaderParam {
  size_t alignment;
  bool direct;
};

class RandomAccessFileReaderRandomTest
    : public ::testing::TestWithParam<ReaderParam> {};

// Picks a read that stresses the edges: n = 0, crossing EOF, at and past
// EOF, already aligned, or anywhere.
void PickRead(test::Random* rnd, uint64_t size, size_t a, uint64_t* offset,
              size_t* n) {
  switch (rnd->Uniform(7)) {
    case 0:
      *offset = rnd->Uniform(size + 1);
      *n = 0;
      break;
    case 1:  // Crosses EOF.
      *offset = size - std::min<uint64_t>(size, 1 + rnd->Uniform(3 * a));
      *n = 1 + rnd->Uniform(4 * a);
      break;
    case 2:  // Starts at EOF.
      *offset = size;
      *n = 1 + rnd->Uniform(2 * a);
      break;
    case 3:  // Past EOF.
      *offset = size + 1 + rnd->Uniform(3 * a);
      *n = 1 + rnd->Uniform(2 * a);
      break;
    case 4:  // Already aligned.
      *offset = RoundDown(rnd->Uniform(size + 1), a);
      *n = a * (1 + rnd->Uniform(4));
      break;
    default:
      *offset = rnd->Uniform(size + 1);
      *n = 1 + rnd->Uniform(5 * a);
      break;
  }
}

void RunRandomReads(FaultInjectionFileSystem* fs, const std::string& path,
                    bool direct, int first_seed, int num_seeds) {
  for (int seed = first_seed; seed < first_seed + num_seeds; ++seed) {
    test::Random rnd(seed);
    size_t a = 0;
    {
      // Learn the alignment from a file opened the same way.
      WriteWholeFile(fs, path, "x");
      auto probe = OpenReader(fs, path, direct);
      ASSERT_NE(probe, nullptr);
      a = probe->alignment().offset;
    }
    uint64_t size = 1 + rnd.Uniform(12 * a);
    // Every 4th file is a whole number of pages.
    if (seed % 4 == 0) size = RoundUp(size, a);
    const std::string content = rnd.RandomBytes(size);
    WriteWholeFile(fs, path, content);
    auto reader = OpenReader(fs, path, direct);
    ASSERT_NE(reader, nullptr);
    fs->recorder().Clear();
    // Kept across the file's reads, as a Get's per-thread buffer is.
    AlignedBuffer reused(alignof(std::max_align_t));
    for (int i = 0; i < 20; ++i) {
      uint64_t offset;
      size_t n;
      PickRead(&rnd, size, a, &offset, &n);
      SCOPED_TRACE("seed " + std::to_string(seed) + " read " +
                   std::to_string(n) + " @ " + std::to_string(offset) + " of " +
                   std::to_string(size));
      const std::string want = Expected(content, offset, n);
      const uint32_t how = rnd.Uniform(3);
      if (how == 2) {
        // Into the reused buffer: the result points inside it.
        Slice got;
        ASSERT_OK(reader->ReadInto(offset, n, &got, &reused));
        ASSERT_EQ(got.ToString(), want);
        if (!want.empty()) {
          ASSERT_GE(got.data(), reused.data());
          ASSERT_LE(got.data() + got.size(), reused.data() + reused.capacity());
        }
      } else if (how == 0) {
        // Into the caller's scratch, at a random misalignment (or aligned).
        AlignedBuffer scratch(a);
        scratch.Allocate(n + a);
        char* dst = scratch.data() + (rnd.OneIn(3) ? 0 : rnd.Uniform(a));
        Slice got;
        ASSERT_OK(reader->Read(offset, n, &got, dst));
        ASSERT_EQ(got.ToString(), want);
        if (n > 0) {
          ASSERT_EQ(got.data(), dst);
        }
      } else {
        // Handing over the aligned buffer: the result points inside it.
        AlignedMemory buf;
        Slice got;
        ASSERT_OK(reader->Read(offset, n, &got, &buf));
        ASSERT_EQ(got.ToString(), want);
        if (!want.empty()) {
          ASSERT_NE(buf, nullptr);
          ASSERT_GE(got.data(), buf.get());
          ASSERT_LT(got.data() - buf.get(),
                    static_cast<ptrdiff_t>(RoundUp(n + a, a)));
        }
      }
    }
    if (direct) {
      ExpectAlignedReads(fs->recorder(), path, reader->alignment());
    }
    if (::testing::Test::HasFailure()) return;
  }
}

TEST_P(RandomAccessFileReaderRandomTest, ReadsEqualReferenceBytes) {
  FakeFileSystem::Options options;
  options.offset_alignment = GetParam().alignment;
  FakeFileSystem fake(options);
  FaultInjectionFileSystem fs(&fake);
  RunRandomReads(&fs, "/r.sst", GetParam().direct, 0, 1000);
}

INSTANTIATE_TEST_SUITE_P(
    Modes, RandomAccessFileReaderRandomTest,
    ::testing::Values(ReaderParam{512, true}, ReaderParam{4096, true},
                      ReaderParam{16384, true}, ReaderParam{4096, false}),
    [](const ::testing::TestParamInfo<ReaderParam>& info) {
      return std::string(info.param.direct ? "Direct" : "Buffered") + "_Align" +
             std::to_string(info.param.alignment);
    });

TEST(RandomAccessFileReaderRealDiskTest, DirectReadsEqualReferenceBytes) {
  test::ScratchDir dir;
  const std::string why = test::DirectIOUnavailableReason(dir.path());
  if (!why.empty()) GTEST_SKIP() << why;
  auto posix = NewPosixFileSystem();
  FaultInjectionFileSystem fs(posix.get());
  RunRandomReads(&fs, dir.Join("r.sst"), /*direct=*/true, 0, 1000);
}

// --- Targeted cases ---------------------------------------------------------

class RandomAccessFileReaderTest : public ::testing::Test {
 protected:
  RandomAccessFileReaderTest() : fake_(Options()), fs_(&fake_) {}
  static FakeFileSystem::Options Options() {
    FakeFileSystem::Options o;
    o.offset_alignment = 4096;
    return o;
  }
  std::vector<IORecord> Reads(const std::string& path) {
    return fs_.recorder().Records([&](const IORecord& r) {
      return r.op == FileOp::kRead && r.path == path;
    });
  }
  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
};

TEST_F(RandomAccessFileReaderTest, AlignedRequestSkipsBounceBuffer) {
  test::Random rnd(1);
  const std::string content = rnd.RandomBytes(5 * 4096);
  WriteWholeFile(&fs_, "/a", content);
  auto reader = OpenReader(&fs_, "/a", true);
  AlignedBuffer scratch(4096);
  scratch.Allocate(8192 + 4096);  // Room for the misaligned read below.
  fs_.recorder().Clear();
  Slice got;
  ASSERT_OK(reader->Read(4096, 8192, &got, scratch.data()));
  EXPECT_EQ(got.ToString(), content.substr(4096, 8192));
  EXPECT_EQ(reader->counters().bounce_reads, 0u);
  auto reads = Reads("/a");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].offset, 4096u);
  EXPECT_EQ(reads[0].length, 8192u);
  EXPECT_EQ(got.data(), scratch.data());
  // Misaligned scratch: the same request needs the bounce buffer.
  ASSERT_OK(reader->Read(4096, 8192, &got, scratch.data() + 1));
  EXPECT_EQ(reader->counters().bounce_reads, 1u);
  EXPECT_EQ(got.ToString(), content.substr(4096, 8192));
}

TEST_F(RandomAccessFileReaderTest, ReadIntoReusesItsBufferAndAlignsItOnce) {
  test::Random rnd(3);
  const std::string content = rnd.RandomBytes(6 * 4096);
  WriteWholeFile(&fs_, "/r", content);
  auto reader = OpenReader(&fs_, "/r", true);
  AlignedBuffer reused(alignof(std::max_align_t));
  Slice got;
  ASSERT_OK(reader->ReadInto(5000, 4101, &got, &reused));
  EXPECT_EQ(got.ToString(), content.substr(5000, 4101));
  EXPECT_EQ(reused.alignment(), 4096u);
  const char* memory = reused.data();
  fs_.recorder().Clear();
  for (uint64_t offset : {uint64_t{0}, uint64_t{4096}, uint64_t{9000}}) {
    ASSERT_OK(reader->ReadInto(offset, 4000, &got, &reused));
    EXPECT_EQ(got.ToString(), content.substr(offset, 4000));
    EXPECT_EQ(memory, reused.data()) << "reallocated at " << offset;
  }
  // The device saw aligned reads straight into the buffer.
  for (const IORecord& r : Reads("/r")) {
    EXPECT_EQ(r.offset % 4096, 0u);
    EXPECT_EQ(r.length % 4096, 0u);
  }
  EXPECT_EQ(reader->counters().bounce_reads, 0u);
  // A larger read grows it.
  ASSERT_OK(reader->ReadInto(0, 5 * 4096, &got, &reused));
  EXPECT_EQ(got.ToString(), content.substr(0, 5 * 4096));
  EXPECT_GE(reused.capacity(), 5u * 4096);
}

// With a device alignment below a page, a one-page read must still land in
// one page of memory: across two, the kernel pins two pages and the device
// gets two segments (a direct Get measured 8% slower than a bare pread).
TEST(RandomAccessFileReaderPageTest, PageSizedDirectReadsLandInOnePage) {
  FakeFileSystem::Options options;
  options.offset_alignment = 512;
  options.memory_alignment = 512;
  FakeFileSystem fake(options);
  FaultInjectionFileSystem fs(&fake);
  test::Random rnd(5);
  const std::string content = rnd.RandomBytes(8 * 4096);
  WriteWholeFile(&fs, "/p", content);
  auto reader = OpenReader(&fs, "/p", true);
  ASSERT_EQ(reader->alignment().both(), 512u);

  AlignedBuffer reused(alignof(std::max_align_t));
  Slice got;
  for (uint64_t offset : {uint64_t{4096}, uint64_t{3 * 4096 + 512}}) {
    ASSERT_OK(reader->ReadInto(offset, 4096, &got, &reused));
    EXPECT_EQ(got.ToString(), content.substr(offset, 4096));
    EXPECT_TRUE(IsAligned(got.data(), 4096)) << "at " << offset;
  }

  AlignedMemory kept;
  ASSERT_OK(reader->Read(2 * 4096, 4096, &got, &kept));
  EXPECT_EQ(got.ToString(), content.substr(2 * 4096, 4096));
  EXPECT_TRUE(IsAligned(got.data(), 4096));
  // So does a sub-page read (a compressed block): its 2048-byte hull starts
  // 488 bytes before the block.
  ASSERT_OK(reader->Read(5 * 4096 + 1000, 1500, &got, &kept));
  EXPECT_EQ(got.ToString(), content.substr(5 * 4096 + 1000, 1500));
  EXPECT_TRUE(IsAligned(got.data() - 488, 4096));
  // A read of more than a page whose hull is not a page multiple keeps the
  // device's alignment, so no memory is rounded up; it still works.
  ASSERT_OK(reader->Read(1024, 4101, &got, &kept));
  EXPECT_EQ(got.ToString(), content.substr(1024, 4101));
  EXPECT_EQ(reader->counters().bounce_reads, 0u);
}

TEST_F(RandomAccessFileReaderTest, UnalignedRequestReadsEnclosingRange) {
  const std::string content(3 * 4096 + 100, 'z');
  WriteWholeFile(&fs_, "/u", content);
  auto reader = OpenReader(&fs_, "/u", true);
  fs_.recorder().Clear();
  std::string scratch(5000, '\0');
  Slice got;
  ASSERT_OK(reader->Read(4000, 5000, &got, scratch.data()));
  EXPECT_EQ(got.size(), 5000u);
  auto reads = Reads("/u");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].offset, 0u);
  EXPECT_EQ(reads[0].length, 12288u);
}

TEST_F(RandomAccessFileReaderTest, ShortAlignedReadsMidFileAreContinued) {
  test::Random rnd(2);
  const std::string content = rnd.RandomBytes(10 * 4096 + 77);
  WriteWholeFile(&fs_, "/s", content);
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/s";
  rule.nth = 1;
  rule.count = FaultRule::kUnlimited;
  rule.fault = Fault::kShortRead;
  rule.short_read_bytes = 4096;  // Every call returns one page.
  fs_.AddRule(rule);
  for (bool direct : {true, false}) {
    auto reader = OpenReader(&fs_, "/s", direct);
    std::string scratch(content.size() + 100, '\0');
    Slice got;
    ASSERT_OK(reader->Read(0, content.size() + 100, &got, scratch.data()));
    EXPECT_EQ(got.ToString(), content) << (direct ? "direct" : "buffered");
    EXPECT_GE(reader->counters().read_calls, 11u);
  }
}

TEST_F(RandomAccessFileReaderTest, ReadErrorNamesFileOffsetAndLength) {
  WriteWholeFile(&fs_, "/e", std::string(3 * 4096, 'e'));
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/e";
  rule.nth = 1;
  rule.error_number = EIO;
  fs_.AddRule(rule);
  auto reader = OpenReader(&fs_, "/e", true);
  std::string scratch(100, '\0');
  Slice got;
  Status s = reader->Read(5000, 100, &got, scratch.data());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("While pread offset 4096 len 4096: /e"));
  EXPECT_TRUE(got.empty());
}

// --- D8: MultiRead ----------------------------------------------------------

// The aligned ranges a correct reader must read for `requests`: aligned
// hulls, merged when they overlap or touch.
std::vector<std::pair<uint64_t, uint64_t>> MergedRanges(
    std::vector<ReadRequest> requests, size_t a) {
  std::sort(requests.begin(), requests.end(),
            [](const ReadRequest& x, const ReadRequest& y) {
              return x.offset < y.offset;
            });
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const ReadRequest& r : requests) {
    const uint64_t s = RoundDown(r.offset, a);
    const uint64_t e = RoundUp(r.offset + r.len, a);
    if (!out.empty() && s <= out.back().second) {
      out.back().second = std::max(out.back().second, e);
    } else {
      out.emplace_back(s, e);
    }
  }
  return out;
}

class MultiReadTest : public ::testing::TestWithParam<size_t> {};

TEST_P(MultiReadTest, RandomBatchesMatchReferenceAndMergeRanges) {
  const size_t a = GetParam();
  FakeFileSystem::Options options;
  options.offset_alignment = a;
  FakeFileSystem fake(options);
  FaultInjectionFileSystem fs(&fake);
  for (int seed = 0; seed < 1000; ++seed) {
    test::Random rnd(seed);
    const uint64_t size = 1 + rnd.Uniform(20 * a);
    const std::string content = rnd.RandomBytes(size);
    WriteWholeFile(&fs, "/m", content);
    for (bool direct : {true, false}) {
      auto reader = OpenReader(&fs, "/m", direct);
      std::vector<ReadRequest> requests(1 + rnd.Uniform(8));
      for (size_t i = 0; i < requests.size(); ++i) {
        ReadRequest& r = requests[i];
        switch (rnd.Uniform(5)) {
          case 0:  // Duplicate of the previous one.
            if (i > 0) {
              r.offset = requests[i - 1].offset;
              r.len = requests[i - 1].len;
              break;
            }
            [[fallthrough]];
          case 1:  // Touches the previous one's aligned end.
            if (i > 0) {
              r.offset =
                  RoundUp(requests[i - 1].offset + requests[i - 1].len, a);
              r.len = 1 + rnd.Uniform(2 * a);
              break;
            }
            [[fallthrough]];
          case 2:  // Past or across EOF.
            r.offset = size - std::min<uint64_t>(size, rnd.Uniform(a)) +
                       rnd.Uniform(2) * a;
            r.len = 1 + rnd.Uniform(2 * a);
            break;
          default:
            r.offset = rnd.Uniform(size);
            r.len = 1 + rnd.Uniform(3 * a);
            break;
        }
      }
      // Sorted batches, as callers pass them.
      std::sort(requests.begin(), requests.end(),
                [](const ReadRequest& x, const ReadRequest& y) {
                  return x.offset < y.offset;
                });
      fs.recorder().Clear();
      AlignedMemory buf;
      ASSERT_OK(reader->MultiRead(requests.data(), requests.size(), &buf));
      for (const ReadRequest& r : requests) {
        ASSERT_OK(r.status);
        ASSERT_EQ(r.result.ToString(), Expected(content, r.offset, r.len))
            << "seed " << seed << " request " << r.len << " @ " << r.offset;
      }
      if (direct) {
        auto reads = fs.recorder().Records(
            [](const IORecord& r) { return r.op == FileOp::kRead; });
        auto want = MergedRanges(requests, a);
        ASSERT_EQ(reads.size(), want.size()) << "seed " << seed;
        for (size_t i = 0; i < want.size(); ++i) {
          EXPECT_EQ(reads[i].offset, want[i].first) << "seed " << seed;
          EXPECT_EQ(reads[i].length, want[i].second - want[i].first)
              << "seed " << seed;
        }
        ExpectAlignedReads(fs.recorder(), "/m", reader->alignment());
      }
      if (HasFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Alignments, MultiReadTest,
                         ::testing::Values(512, 4096, 16384),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return "Align" + std::to_string(info.param);
                         });

TEST_F(RandomAccessFileReaderTest, MultiReadUnsortedRequestsMapBack) {
  test::Random rnd(3);
  const std::string content = rnd.RandomBytes(6 * 4096);
  WriteWholeFile(&fs_, "/us", content);
  auto reader = OpenReader(&fs_, "/us", true);
  ReadRequest reqs[3];
  reqs[0].offset = 9000;
  reqs[0].len = 100;
  reqs[1].offset = 10;
  reqs[1].len = 50;
  reqs[2].offset = 9050;
  reqs[2].len = 4000;
  AlignedMemory buf;
  ASSERT_OK(reader->MultiRead(reqs, 3, &buf));
  for (const ReadRequest& r : reqs) {
    EXPECT_EQ(r.result.ToString(), content.substr(r.offset, r.len));
  }
}

}  // namespace
}  // namespace strata
