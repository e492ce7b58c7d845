// WalWriter and WalReader: round trips, the exact bytes of the format,
// corruption (detected, reported with its offset, and recovered from) and
// torn tails (never reported as corruption).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "db/wal_format.h"
#include "db/wal_reader.h"
#include "db/wal_writer.h"
#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "env/posix_file_system.h"
#include "env/sequential_file_reader.h"
#include "env/writable_file_writer.h"
#include "testutil/testutil.h"
#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

constexpr size_t kBlock = kWalBlockSize;
constexpr size_t kHeader = kWalHeaderSize;

// --- Independent encoder ----------------------------------------------------
// The format written out from its description (db/wal_format.h), without
// sharing code with WalWriter: what the file must contain.

void AppendFragment(std::string* out, uint8_t type, const std::string& data) {
  std::string typed(1, static_cast<char>(type));
  typed += data;
  const uint32_t crc = crc32c::Mask(crc32c::Value(typed.data(), typed.size()));
  for (int i = 0; i < 4; ++i) {
    out->push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  }
  out->push_back(static_cast<char>(data.size() & 0xff));
  out->push_back(static_cast<char>((data.size() >> 8) & 0xff));
  out->push_back(static_cast<char>(type));
  out->append(data);
}

std::string ExpectedFile(const std::vector<std::string>& records) {
  std::string out;
  for (const std::string& r : records) {
    size_t pos = 0;
    bool first = true;
    while (true) {
      size_t room = kBlock - out.size() % kBlock;
      if (room < kHeader) {
        out.append(room, '\0');
        room = kBlock;
      }
      const size_t n = std::min(r.size() - pos, room - kHeader);
      const bool last = (pos + n == r.size());
      const uint8_t type = first && last ? 1 : first ? 2 : last ? 4 : 3;
      AppendFragment(&out, type, r.substr(pos, n));
      pos += n;
      first = false;
      if (last) {
        break;
      }
    }
  }
  return out;
}

// --- Reading and writing through the real classes --------------------------

struct Report {
  uint64_t offset;
  uint64_t bytes;
  Status status;
};

class RecordingReporter : public WalReader::Reporter {
 public:
  void Corruption(uint64_t offset, uint64_t bytes_dropped,
                  const Status& status) override {
    reports.push_back({offset, bytes_dropped, status});
  }
  std::vector<Report> reports;
};

struct ReadResult {
  std::vector<std::string> records;
  std::vector<uint64_t> record_offsets;  // last_record_offset() per record.
  std::vector<uint64_t> record_ends;     // end_of_good_data() per record.
  std::vector<Report> reports;
  bool tail_torn = false;
  uint64_t torn_tail_bytes = 0;
  uint64_t end_of_good_data = 0;
  Status status;
};

ReadResult ReadAll(FileSystem* fs, const std::string& path,
                   bool verify_checksums = true) {
  ReadResult result;
  std::unique_ptr<SequentialFile> file;
  FileOptions fo;
  fo.kind = FileKind::kWal;
  result.status = fs->NewSequentialFile(path, fo, &file);
  if (!result.status.ok()) {
    return result;
  }
  std::unique_ptr<SequentialFileReader> file_reader;
  result.status = SequentialFileReader::Create(std::move(file), &file_reader);
  if (!result.status.ok()) {
    return result;
  }
  RecordingReporter reporter;
  WalReader reader(std::move(file_reader), &reporter, verify_checksums);
  Slice record;
  std::string scratch;
  while (reader.ReadRecord(&record, &scratch)) {
    result.records.emplace_back(record.data(), record.size());
    result.record_offsets.push_back(reader.last_record_offset());
    result.record_ends.push_back(reader.end_of_good_data());
  }
  result.tail_torn = reader.tail_torn();
  result.torn_tail_bytes = reader.torn_tail_bytes();
  result.end_of_good_data = reader.end_of_good_data();
  result.status = reader.status();
  // Reading on after the end changes nothing.
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
  EXPECT_EQ(reader.tail_torn(), result.tail_torn);
  EXPECT_EQ(reader.torn_tail_bytes(), result.torn_tail_bytes);
  EXPECT_EQ(reader.end_of_good_data(), result.end_of_good_data);
  result.reports = reporter.reports;
  return result;
}

std::unique_ptr<WalWriter> OpenWriter(FileSystem* fs, const std::string& path,
                                      bool manual_flush = false) {
  FileOptions fo;
  fo.kind = FileKind::kWal;
  std::unique_ptr<WritableFile> file;
  Status s = fs->NewWritableFile(path, fo, &file);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) {
    return nullptr;
  }
  std::unique_ptr<WritableFileWriter> writer;
  s = WritableFileWriter::Create(std::move(file), WritableFileWriterOptions(),
                                 &writer);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::make_unique<WalWriter>(std::move(writer), /*log_number=*/7,
                                     manual_flush);
}

// Writes `records` to `path`; returns the file size after each record.
std::vector<uint64_t> WriteAll(FileSystem* fs, const std::string& path,
                               const std::vector<std::string>& records) {
  std::vector<uint64_t> ends;
  auto writer = OpenWriter(fs, path);
  if (writer == nullptr) {
    return ends;
  }
  for (const std::string& r : records) {
    EXPECT_OK(writer->AddRecord(r));
    ends.push_back(writer->file_size());
  }
  EXPECT_OK(writer->Close());
  return ends;
}

std::string Content(FakeFileSystem* fs, const std::string& path) {
  std::string content;
  EXPECT_OK(fs->ReadFileContent(path, &content));
  return content;
}

std::string Filler(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>(seed + i * 7);
  }
  return s;
}

std::string DescribeReports(const std::vector<Report>& reports) {
  std::string out;
  for (const Report& r : reports) {
    out += r.status.ToString() + "\n";
  }
  return out;
}

class WalTest : public ::testing::Test {
 protected:
  FakeFileSystem fs_;
};

// --- Round trips and bytes --------------------------------------------------

TEST_F(WalTest, EmptyFileHasNoRecordsAndNoTornTail) {
  WriteAll(&fs_, "/empty.log", {});
  ReadResult r = ReadAll(&fs_, "/empty.log");
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.records.empty());
  EXPECT_FALSE(r.tail_torn);
  EXPECT_EQ(r.end_of_good_data, 0u);
  EXPECT_TRUE(r.reports.empty());
}

TEST_F(WalTest, EdgeSizesRoundTripAndMatchTheFormat) {
  const std::vector<size_t> sizes = {0,
                                     1,
                                     100,
                                     kBlock - kHeader,  // Fills a block.
                                     kBlock - kHeader - 1,
                                     kBlock,
                                     kBlock - 2 * kHeader,
                                     2 * (kBlock - kHeader),
                                     3 * kBlock + 5,
                                     100000,
                                     0,
                                     0};
  std::vector<std::string> records;
  for (size_t i = 0; i < sizes.size(); ++i) {
    records.push_back(Filler(sizes[i], static_cast<char>('a' + i)));
  }
  const std::vector<uint64_t> ends = WriteAll(&fs_, "/edge.log", records);
  const std::string content = Content(&fs_, "/edge.log");
  EXPECT_TRUE(content == ExpectedFile(records));
  EXPECT_EQ(ends.back(), content.size());

  ReadResult r = ReadAll(&fs_, "/edge.log");
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.records == records);
  EXPECT_TRUE(r.reports.empty()) << DescribeReports(r.reports);
  EXPECT_FALSE(r.tail_torn);
  EXPECT_EQ(r.record_ends, ends);
}

// A first record leaves `trailer` bytes (0..7) in its block; the second
// record must start in the next block after zero padding (0..6), or with a
// zero-length FIRST fragment when exactly a header fits (7).
TEST_F(WalTest, EveryTrailerSizeIsPaddedAsTheFormatSays) {
  for (size_t trailer = 0; trailer <= kHeader; ++trailer) {
    SCOPED_TRACE("trailer " + std::to_string(trailer));
    const std::vector<std::string> records = {
        Filler(kBlock - kHeader - trailer, 'x'), Filler(30, 'y'), ""};
    const std::string path = "/t" + std::to_string(trailer) + ".log";
    const std::vector<uint64_t> ends = WriteAll(&fs_, path, records);
    const std::string content = Content(&fs_, path);
    ASSERT_TRUE(content == ExpectedFile(records));
    ASSERT_EQ(ends[0], kBlock - trailer);
    if (trailer < kHeader) {
      EXPECT_EQ(content.substr(kBlock - trailer, trailer),
                std::string(trailer, '\0'));
      EXPECT_EQ(content[kBlock + 6], 1);  // FULL at the next block.
    } else {
      EXPECT_EQ(content[kBlock - kHeader + 4], 0);  // Length 0.
      EXPECT_EQ(content[kBlock - kHeader + 6], 2);  // FIRST.
      EXPECT_EQ(content[kBlock + 6], 4);            // LAST.
    }
    ReadResult r = ReadAll(&fs_, path);
    EXPECT_TRUE(r.records == records);
    EXPECT_TRUE(r.reports.empty()) << DescribeReports(r.reports);
    EXPECT_FALSE(r.tail_torn);
    // The second record starts where its first fragment does.
    EXPECT_EQ(r.record_offsets[1],
              trailer < kHeader ? kBlock : kBlock - kHeader);
  }
}

TEST_F(WalTest, HeaderLayoutOfOneSmallRecord) {
  WriteAll(&fs_, "/one.log", {"hello"});
  const std::string content = Content(&fs_, "/one.log");
  ASSERT_EQ(content.size(), kHeader + 5);
  const std::string typed = std::string(1, '\x01') + "hello";
  EXPECT_EQ(DecodeFixed32(content.data()),
            crc32c::Mask(crc32c::Value(typed.data(), typed.size())));
  EXPECT_EQ(content[4], 5);
  EXPECT_EQ(content[5], 0);
  EXPECT_EQ(content[6], 1);
  EXPECT_EQ(content.substr(kHeader), "hello");
}

// Sizes skewed towards block edges: small, around a block, several blocks.
size_t RandomRecordSize(test::Random* rnd) {
  switch (rnd->Uniform(4)) {
    case 0:
      return rnd->Uniform(20);
    case 1:
      return rnd->Uniform(2000);
    case 2:
      return kBlock - kHeader - 10 + rnd->Uniform(20);
    default:
      return rnd->Uniform(4 * kBlock);
  }
}

TEST_F(WalTest, RandomRecordsRoundTripAndMatchTheFormat) {
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    test::Random rnd(seed);
    std::vector<std::string> records(1 + rnd.Uniform(8));
    for (std::string& r : records) {
      r = rnd.RandomBytes(RandomRecordSize(&rnd));
    }
    const std::string path = "/random.log";
    const std::vector<uint64_t> ends = WriteAll(&fs_, path, records);
    const std::string content = Content(&fs_, path);
    ASSERT_TRUE(content == ExpectedFile(records));
    ReadResult r = ReadAll(&fs_, path);
    ASSERT_OK(r.status);
    ASSERT_TRUE(r.records == records);
    ASSERT_TRUE(r.reports.empty()) << DescribeReports(r.reports);
    ASSERT_FALSE(r.tail_torn);
    ASSERT_EQ(r.record_ends, ends);
    ASSERT_EQ(r.end_of_good_data, content.size());
  }
}

TEST_F(WalTest, RecordOffsetsPointAtFirstFragments) {
  const std::vector<std::string> records = {"a", Filler(2 * kBlock, 'b'), "c"};
  const std::vector<uint64_t> ends = WriteAll(&fs_, "/off.log", records);
  ReadResult r = ReadAll(&fs_, "/off.log");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.record_offsets, (std::vector<uint64_t>{0, ends[0], ends[1]}));
  EXPECT_EQ(r.record_ends, ends);
}

// --- Writer behaviour -------------------------------------------------------

TEST_F(WalTest, AddRecordFlushesToTheOsUnlessManualFlush) {
  auto automatic = OpenWriter(&fs_, "/auto.log");
  ASSERT_OK(automatic->AddRecord("abc"));
  EXPECT_EQ(Content(&fs_, "/auto.log").size(), kHeader + 3);
  ASSERT_OK(automatic->Close());

  auto manual = OpenWriter(&fs_, "/manual.log", /*manual_flush=*/true);
  ASSERT_OK(manual->AddRecord("abc"));
  EXPECT_EQ(Content(&fs_, "/manual.log").size(), 0u);
  EXPECT_EQ(manual->file_size(), kHeader + 3);
  ASSERT_OK(manual->Flush());
  EXPECT_EQ(Content(&fs_, "/manual.log").size(), kHeader + 3);
  ASSERT_OK(manual->Close());
}

TEST_F(WalTest, SyncUsesFdatasyncOrFsync) {
  FaultInjectionFileSystem faulty(&fs_);
  auto writer = OpenWriter(&faulty, "/sync.log");
  EXPECT_EQ(writer->log_number(), 7u);
  ASSERT_OK(writer->AddRecord("one"));
  ASSERT_OK(writer->Sync(/*use_fsync=*/false));
  EXPECT_EQ(fs_.SyncedSize("/sync.log"), kHeader + 3);
  ASSERT_OK(writer->AddRecord("two"));
  ASSERT_OK(writer->Sync(/*use_fsync=*/true));
  EXPECT_EQ(fs_.SyncedSize("/sync.log"), 2 * (kHeader + 3));
  auto count = [&](FileOp op) {
    return faulty.recorder().Count(
        [&](const IORecord& r) { return r.path == "/sync.log" && r.op == op; });
  };
  EXPECT_EQ(count(FileOp::kSync), 1u);
  EXPECT_EQ(count(FileOp::kFsync), 1u);
  EXPECT_EQ(writer->file()->counters().fsyncs, 1u);
  ASSERT_OK(writer->Close());
}

TEST_F(WalTest, ErrorsAreStickyAndKeepTheFirstMessage) {
  FaultInjectionFileSystem faulty(&fs_);
  auto writer = OpenWriter(&faulty, "/err.log");
  ASSERT_OK(writer->AddRecord("fine"));
  FaultRule rule;
  rule.op = FileOp::kWrite;
  rule.path_pattern = "/err.log";
  rule.nth = 1;
  faulty.AddRule(rule);
  const Status first = writer->AddRecord("lost");
  ASSERT_TRUE(first.IsIOError()) << first.ToString();
  EXPECT_THAT(first.ToString(), HasSubstr("/err.log"));
  faulty.ClearRules();
  const Status again = writer->AddRecord("after");
  EXPECT_EQ(again.ToString(), first.ToString());
  EXPECT_EQ(writer->Flush().ToString(), first.ToString());
  EXPECT_EQ(writer->Sync(false).ToString(), first.ToString());
  EXPECT_EQ(writer->Close().ToString(), first.ToString());
  // Only the record before the error reached the file.
  ReadResult r = ReadAll(&fs_, "/err.log");
  EXPECT_EQ(r.records, std::vector<std::string>{"fine"});
}

// --- Truncation: torn tails, never corruption -------------------------------

void CheckEveryCut(FakeFileSystem* fs, const std::vector<std::string>& records,
                   const std::vector<uint64_t>& cuts_hint, bool all_cuts) {
  const std::vector<uint64_t> ends = WriteAll(fs, "/full.log", records);
  const std::string content = Content(fs, "/full.log");
  std::vector<uint64_t> cuts;
  if (all_cuts) {
    for (uint64_t c = 0; c <= content.size(); ++c) {
      cuts.push_back(c);
    }
  } else {
    cuts = cuts_hint;
  }
  for (uint64_t cut : cuts) {
    if (cut > content.size()) {
      continue;
    }
    SCOPED_TRACE("cut at " + std::to_string(cut));
    ASSERT_OK(fs->WriteFileContent("/cut.log", Slice(content.data(), cut)));
    ReadResult r = ReadAll(fs, "/cut.log");
    ASSERT_OK(r.status);
    ASSERT_TRUE(r.reports.empty()) << DescribeReports(r.reports);
    // The complete records are exactly those that end at or before the cut.
    size_t complete = 0;
    while (complete < ends.size() && ends[complete] <= cut) {
      ++complete;
    }
    ASSERT_EQ(r.records.size(), complete);
    for (size_t i = 0; i < complete; ++i) {
      ASSERT_TRUE(r.records[i] == records[i]) << "record " << i;
    }
    const uint64_t good_end = complete == 0 ? 0 : ends[complete - 1];
    ASSERT_EQ(r.end_of_good_data, good_end);
    ASSERT_EQ(r.tail_torn, cut != good_end);
    ASSERT_EQ(r.torn_tail_bytes, cut - good_end);
  }
}

TEST_F(WalTest, TruncationAtEveryOffsetGivesAPrefixAndATornTail) {
  CheckEveryCut(&fs_, {"alpha", "", Filler(300, 'p'), "z", Filler(40, 'q')}, {},
                /*all_cuts=*/true);
}

TEST_F(WalTest, TruncationAcrossBlocksGivesAPrefixAndATornTail) {
  const std::vector<std::string> records = {Filler(100, 'a'),
                                            Filler(40000, 'b'),
                                            Filler(kBlock - 3 * kHeader, 'c'),
                                            Filler(20, 'd'),
                                            Filler(3 * kBlock, 'e'),
                                            Filler(5, 'f')};
  // Every offset within 9 bytes of a block boundary or a record end, plus a
  // stride through everything else.
  std::vector<uint64_t> ends = WriteAll(&fs_, "/probe.log", records);
  std::vector<uint64_t> cuts;
  std::vector<uint64_t> points = ends;
  for (uint64_t b = 0; b <= ends.back() + kBlock; b += kBlock) {
    points.push_back(b);
  }
  for (uint64_t p : points) {
    for (uint64_t d = 0; d <= 18; ++d) {
      if (p + d >= 9) {
        cuts.push_back(p + d - 9);
      }
    }
  }
  for (uint64_t c = 0; c <= ends.back(); c += 251) {
    cuts.push_back(c);
  }
  CheckEveryCut(&fs_, records, cuts, /*all_cuts=*/false);
}

TEST_F(WalTest, ZeroFilledTailIsTornNotCorrupt) {
  const std::vector<std::string> records = {"a", "bb", "ccc"};
  WriteAll(&fs_, "/z.log", records);
  std::string content = Content(&fs_, "/z.log");
  const uint64_t good = content.size();
  content.append(1000, '\0');  // What preallocation leaves after a crash.
  ASSERT_OK(fs_.WriteFileContent("/z.log", content));
  ReadResult r = ReadAll(&fs_, "/z.log");
  EXPECT_TRUE(r.records == records);
  EXPECT_TRUE(r.reports.empty()) << DescribeReports(r.reports);
  EXPECT_TRUE(r.tail_torn);
  EXPECT_EQ(r.torn_tail_bytes, 1000u);
  EXPECT_EQ(r.end_of_good_data, good);
}

TEST_F(WalTest, ZeroPaddedBlockFollowedByRecordsIsSkippedSilently) {
  WriteAll(&fs_, "/a.log", {"first", "second"});
  WriteAll(&fs_, "/b.log", {"third", Filler(kBlock, 'f')});
  std::string content = Content(&fs_, "/a.log");
  content.resize(kBlock, '\0');
  content += Content(&fs_, "/b.log");
  ASSERT_OK(fs_.WriteFileContent("/pad.log", content));
  ReadResult r = ReadAll(&fs_, "/pad.log");
  EXPECT_TRUE(r.reports.empty()) << DescribeReports(r.reports);
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[2], "third");
  EXPECT_EQ(r.record_offsets[2], kBlock);
  EXPECT_FALSE(r.tail_torn);
}

// --- Corruption -------------------------------------------------------------

bool IsSubsequence(const std::vector<std::string>& sub,
                   const std::vector<std::string>& all) {
  size_t j = 0;
  for (const std::string& s : sub) {
    while (j < all.size() && all[j] != s) {
      ++j;
    }
    if (j == all.size()) {
      return false;
    }
    ++j;
  }
  return true;
}

// Flips byte `pos` of the file with `mask` and checks: what comes back is a
// subsequence of the records, never altered data; and either nothing was
// lost, or a Corruption report (or the torn tail) covers the flipped byte.
void CheckFlip(FakeFileSystem* fs, const std::string& content,
               const std::vector<std::string>& records, size_t pos,
               uint8_t mask) {
  SCOPED_TRACE("flip at " + std::to_string(pos) + " mask " +
               std::to_string(mask));
  std::string bad = content;
  bad[pos] = static_cast<char>(bad[pos] ^ mask);
  ASSERT_OK(fs->WriteFileContent("/flip.log", bad));
  ReadResult r = ReadAll(fs, "/flip.log");
  ASSERT_OK(r.status);
  ASSERT_TRUE(IsSubsequence(r.records, records));
  bool covered = false;
  for (const Report& report : r.reports) {
    ASSERT_TRUE(report.status.IsCorruption()) << report.status.ToString();
    ASSERT_THAT(report.status.ToString(),
                HasSubstr("/flip.log @ " + std::to_string(report.offset) + "+" +
                          std::to_string(report.bytes) + ": "));
    covered |= report.offset <= pos && pos < report.offset + report.bytes;
  }
  if (r.tail_torn && pos >= bad.size() - r.torn_tail_bytes) {
    covered = true;
  }
  if (r.records.size() != records.size()) {
    ASSERT_TRUE(covered) << DescribeReports(r.reports);
  }
  if (!r.reports.empty()) {
    ASSERT_TRUE(covered) << DescribeReports(r.reports);
  }
}

TEST_F(WalTest, EverySingleByteFlipInASmallFileIsDetectedOrHarmless) {
  const std::vector<std::string> records = {
      "", "a", Filler(20, 'b'), Filler(100, 'c'), "", Filler(150, 'd')};
  WriteAll(&fs_, "/small.log", records);
  const std::string content = Content(&fs_, "/small.log");
  for (size_t pos = 0; pos < content.size(); ++pos) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      CheckFlip(&fs_, content, records, pos, mask);
    }
  }
}

TEST_F(WalTest, ByteFlipsAcrossBlocksAreDetectedOrHarmless) {
  const std::vector<std::string> records = {
      Filler(50, 'a'), Filler(kBlock + 100, 'b'), Filler(10, 'c'),
      Filler(kBlock - 60, 'd'), Filler(30, 'e')};
  WriteAll(&fs_, "/multi.log", records);
  const std::string content = Content(&fs_, "/multi.log");
  std::vector<size_t> positions;
  for (size_t block = 0; block < content.size(); block += kBlock) {
    for (size_t i = 0; i < 3 * kHeader && block + i < content.size(); ++i) {
      positions.push_back(block + i);
    }
  }
  for (size_t pos = 0; pos < content.size(); pos += 97) {
    positions.push_back(pos);
  }
  positions.push_back(content.size() - 1);
  for (size_t pos : positions) {
    CheckFlip(&fs_, content, records, pos, 0x20);
  }
}

TEST_F(WalTest, CorruptionInTheMiddleIsReportedAndLaterRecordsSurvive) {
  std::vector<std::string> records;
  for (int i = 0; i < 40; ++i) {
    records.push_back(Filler(3000, static_cast<char>(i)));
  }
  const std::vector<uint64_t> ends = WriteAll(&fs_, "/mid.log", records);
  // Record 3 is a FULL fragment inside the first block.
  const uint64_t start = ends[2];
  ASSERT_LT(ends[3], kBlock);
  std::string content = Content(&fs_, "/mid.log");
  content[start + kHeader + 10] ^= 0x55;
  ASSERT_OK(fs_.WriteFileContent("/mid.log", content));
  ReadResult r = ReadAll(&fs_, "/mid.log");
  ASSERT_EQ(r.reports.size(), 2u) << DescribeReports(r.reports);
  EXPECT_EQ(r.reports[0].offset, start);
  EXPECT_EQ(r.reports[0].bytes, kBlock - start);
  EXPECT_TRUE(r.reports[0].status.IsCorruption());
  EXPECT_THAT(r.reports[0].status.ToString(),
              HasSubstr("/mid.log @ " + std::to_string(start) + "+"));
  EXPECT_THAT(r.reports[0].status.ToString(), HasSubstr("checksum mismatch"));
  // The record that crosses into block 1 lost its FIRST with the rest of
  // block 0; its LAST is dropped in turn.
  EXPECT_EQ(r.reports[1].offset, kBlock);
  EXPECT_THAT(r.reports[1].status.ToString(),
              HasSubstr("missing start of fragmented record"));
  // Records 0..2 come back, then every record that starts after block 0.
  size_t first_after = 1;
  while (ends[first_after - 1] < kBlock) {
    ++first_after;
  }
  std::vector<std::string> want(records.begin(), records.begin() + 3);
  want.insert(want.end(), records.begin() + first_after, records.end());
  EXPECT_EQ(r.records.size(), want.size());
  EXPECT_TRUE(r.records == want);
  EXPECT_FALSE(r.tail_torn);
}

TEST_F(WalTest, BrokenChainIsReportedFromItsFirstFragment) {
  const std::vector<std::string> records = {"before", Filler(3 * kBlock, 'm'),
                                            "after"};
  const std::vector<uint64_t> ends = WriteAll(&fs_, "/chain.log", records);
  std::string content = Content(&fs_, "/chain.log");
  // Corrupt the payload of the MIDDLE fragment that opens block 1.
  content[kBlock + kHeader + 5] ^= 0x01;
  ASSERT_OK(fs_.WriteFileContent("/chain.log", content));
  ReadResult r = ReadAll(&fs_, "/chain.log");
  EXPECT_EQ(r.records, (std::vector<std::string>{"before", "after"}));
  ASSERT_GE(r.reports.size(), 2u) << DescribeReports(r.reports);
  EXPECT_EQ(r.reports[0].offset, ends[0]);
  EXPECT_EQ(r.reports[0].bytes, kBlock - ends[0]);
  EXPECT_THAT(r.reports[0].status.ToString(),
              HasSubstr("error in middle of record"));
  EXPECT_EQ(r.reports[1].offset, kBlock);
  EXPECT_THAT(r.reports[1].status.ToString(), HasSubstr("checksum mismatch"));
  // The record's remaining fragments have no FIRST any more.
  for (size_t i = 2; i < r.reports.size(); ++i) {
    EXPECT_THAT(r.reports[i].status.ToString(),
                HasSubstr("missing start of fragmented record"));
  }
  EXPECT_EQ(r.reports.size(), 4u);  // MIDDLE in block 2, LAST in block 3.
  EXPECT_FALSE(r.tail_torn);
}

TEST_F(WalTest, FullRecordInsideAChainIsReportedAsPartialRecord) {
  std::string content;
  AppendFragment(&content, 2, "first-half");
  AppendFragment(&content, 1, "whole");
  AppendFragment(&content, 4, "orphan-last");
  ASSERT_OK(fs_.WriteFileContent("/partial.log", content));
  ReadResult r = ReadAll(&fs_, "/partial.log");
  EXPECT_EQ(r.records, std::vector<std::string>{"whole"});
  ASSERT_EQ(r.reports.size(), 2u) << DescribeReports(r.reports);
  EXPECT_EQ(r.reports[0].offset, 0u);
  EXPECT_EQ(r.reports[0].bytes, kHeader + 10);
  EXPECT_THAT(r.reports[0].status.ToString(),
              HasSubstr("partial record without end"));
  EXPECT_EQ(r.reports[1].offset, 2 * kHeader + 15);
  EXPECT_THAT(r.reports[1].status.ToString(),
              HasSubstr("missing start of fragmented record"));
  EXPECT_FALSE(r.tail_torn);
}

TEST_F(WalTest, UnknownTypeWithGoodChecksumSkipsOnlyThatFragment) {
  std::string content;
  AppendFragment(&content, 1, "one");
  AppendFragment(&content, 5, "recyclable");  // RocksDB's recyclable FULL.
  AppendFragment(&content, 1, "two");
  ASSERT_OK(fs_.WriteFileContent("/type.log", content));
  ReadResult r = ReadAll(&fs_, "/type.log");
  EXPECT_EQ(r.records, (std::vector<std::string>{"one", "two"}));
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].offset, kHeader + 3);
  EXPECT_EQ(r.reports[0].bytes, kHeader + 10);
  EXPECT_THAT(r.reports[0].status.ToString(),
              HasSubstr("unknown record type 5"));
}

TEST_F(WalTest, LengthPastTheBlockEndIsCorruptionEvenAtTheEndOfTheFile) {
  std::string content;
  AppendFragment(&content, 1, "one");
  std::string second;
  AppendFragment(&second, 1, "two");
  second[4] = static_cast<char>(0xff);  // Length 65535 cannot fit a block.
  second[5] = static_cast<char>(0xff);
  content += second;
  ASSERT_OK(fs_.WriteFileContent("/len.log", content));
  ReadResult r = ReadAll(&fs_, "/len.log");
  EXPECT_EQ(r.records, std::vector<std::string>{"one"});
  ASSERT_EQ(r.reports.size(), 1u);
  EXPECT_EQ(r.reports[0].offset, kHeader + 3);
  EXPECT_THAT(r.reports[0].status.ToString(), HasSubstr("bad record length"));
  EXPECT_FALSE(r.tail_torn);
}

TEST_F(WalTest, WithoutChecksumVerificationAFlippedPayloadComesBack) {
  WriteAll(&fs_, "/nv.log", {"payload"});
  std::string content = Content(&fs_, "/nv.log");
  content[kHeader] = 'P';
  ASSERT_OK(fs_.WriteFileContent("/nv.log", content));
  ReadResult checked = ReadAll(&fs_, "/nv.log", /*verify_checksums=*/true);
  EXPECT_TRUE(checked.records.empty());
  EXPECT_EQ(checked.reports.size(), 1u);
  ReadResult unchecked = ReadAll(&fs_, "/nv.log", /*verify_checksums=*/false);
  EXPECT_EQ(unchecked.records, std::vector<std::string>{"Payload"});
  EXPECT_TRUE(unchecked.reports.empty());
}

TEST_F(WalTest, ReadErrorStopsReadingWithTheError) {
  std::vector<std::string> records = {Filler(kBlock, 'a'), "b"};
  WriteAll(&fs_, "/io.log", records);
  FaultInjectionFileSystem faulty(&fs_);
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/io.log";
  rule.nth = 2;  // The second block.
  faulty.AddRule(rule);
  ReadResult r = ReadAll(&faulty, "/io.log");
  EXPECT_TRUE(r.status.IsIOError()) << r.status.ToString();
  EXPECT_THAT(r.status.ToString(), HasSubstr("/io.log"));
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.reports.empty());
}

TEST_F(WalTest, ReporterMayBeNull) {
  WriteAll(&fs_, "/null.log", {"x", "y"});
  std::string content = Content(&fs_, "/null.log");
  content[kHeader] ^= 1;
  ASSERT_OK(fs_.WriteFileContent("/null.log", content));
  std::unique_ptr<SequentialFile> file;
  ASSERT_OK(fs_.NewSequentialFile("/null.log", FileOptions(), &file));
  std::unique_ptr<SequentialFileReader> file_reader;
  ASSERT_OK(SequentialFileReader::Create(std::move(file), &file_reader));
  WalReader reader(std::move(file_reader), nullptr);
  Slice record;
  std::string scratch;
  EXPECT_FALSE(reader.ReadRecord(&record, &scratch));
  EXPECT_FALSE(reader.tail_torn());
}

// --- A real disk ------------------------------------------------------------

TEST(WalPosixTest, RecordsRoundTripOnARealFileSystem) {
  test::ScratchDir dir;
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  const std::string path = dir.Join("000001.log");
  test::Random rnd(42);
  std::vector<std::string> records;
  for (int i = 0; i < 50; ++i) {
    records.push_back(rnd.RandomBytes(RandomRecordSize(&rnd)));
  }
  {
    auto writer = OpenWriter(fs.get(), path);
    for (const std::string& r : records) {
      ASSERT_OK(writer->AddRecord(r));
    }
    ASSERT_OK(writer->Sync(/*use_fsync=*/false));
    ASSERT_OK(writer->Close());
  }
  uint64_t size = 0;
  ASSERT_OK(fs->GetFileSize(path, &size));
  EXPECT_EQ(size, ExpectedFile(records).size());
  ReadResult r = ReadAll(fs.get(), path);
  ASSERT_OK(r.status);
  EXPECT_TRUE(r.records == records);
  EXPECT_TRUE(r.reports.empty());
  EXPECT_FALSE(r.tail_torn);
}

}  // namespace
}  // namespace strata
