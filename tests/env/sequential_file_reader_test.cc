#include "env/sequential_file_reader.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

class SequentialFileReaderTest : public ::testing::Test {
 protected:
  SequentialFileReaderTest() : fs_(&fake_) {
    test::Random rnd(11);
    content_ = rnd.RandomBytes(100000);
    EXPECT_OK(fake_.WriteFileContent("/wal", content_));
  }
  std::unique_ptr<SequentialFileReader> Open(bool direct = false) {
    FileOptions fo;
    fo.use_direct_reads = direct;
    fo.kind = FileKind::kWal;
    std::unique_ptr<SequentialFile> file;
    EXPECT_OK(fs_.NewSequentialFile("/wal", fo, &file));
    std::unique_ptr<SequentialFileReader> reader;
    status_ = SequentialFileReader::Create(std::move(file), &reader);
    return reader;
  }
  FakeFileSystem fake_;
  FaultInjectionFileSystem fs_;
  std::string content_;
  Status status_;
};

TEST_F(SequentialFileReaderTest, ReadsWholeFileInOddChunks) {
  auto reader = Open();
  ASSERT_OK(status_);
  std::string out;
  std::string scratch(7777, '\0');
  for (;;) {
    Slice got;
    ASSERT_OK(reader->Read(scratch.size(), &got, scratch.data()));
    if (got.empty()) break;
    out.append(got.data(), got.size());
  }
  EXPECT_EQ(out, content_);
  EXPECT_EQ(reader->offset(), content_.size());
}

TEST_F(SequentialFileReaderTest, ShortReadsAreContinued) {
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/wal";
  rule.nth = 1;
  rule.count = FaultRule::kUnlimited;
  rule.fault = Fault::kShortRead;
  rule.short_read_bytes = 1000;
  fs_.AddRule(rule);
  auto reader = Open();
  std::string scratch(32768, '\0');
  Slice got;
  ASSERT_OK(reader->Read(scratch.size(), &got, scratch.data()));
  EXPECT_EQ(got.ToString(), content_.substr(0, 32768));
}

TEST_F(SequentialFileReaderTest, SkipMovesForward) {
  auto reader = Open();
  ASSERT_OK(reader->Skip(50000));
  std::string scratch(10, '\0');
  Slice got;
  ASSERT_OK(reader->Read(10, &got, scratch.data()));
  EXPECT_EQ(got.ToString(), content_.substr(50000, 10));
  EXPECT_EQ(reader->offset(), 50010u);
}

TEST_F(SequentialFileReaderTest, DirectFileIsRefusedNamingPath) {
  auto reader = Open(/*direct=*/true);
  EXPECT_EQ(reader, nullptr);
  EXPECT_TRUE(status_.IsInvalidArgument()) << status_.ToString();
  EXPECT_THAT(status_.ToString(), ::testing::HasSubstr("/wal"));
}

TEST_F(SequentialFileReaderTest, ReadErrorIsReturned) {
  FaultRule rule;
  rule.op = FileOp::kRead;
  rule.path_pattern = "/wal";
  rule.nth = 1;
  fs_.AddRule(rule);
  auto reader = Open();
  std::string scratch(100, '\0');
  Slice got;
  Status s = reader->Read(100, &got, scratch.data());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), ::testing::HasSubstr("/wal"));
}

}  // namespace
}  // namespace strata
