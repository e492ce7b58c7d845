#include "strata/status.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(StatusTest, DefaultIsOkAndRendersOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_TRUE(s.message().empty());
}

TEST(StatusTest, PrefixesMatchRocksDB) {
  EXPECT_EQ(Status::NotFound("x").ToString(), "NotFound: x");
  EXPECT_EQ(Status::Corruption("x").ToString(), "Corruption: x");
  EXPECT_EQ(Status::InvalidArgument("x").ToString(), "Invalid argument: x");
  EXPECT_EQ(Status::NotSupported("x").ToString(), "Not implemented: x");
  EXPECT_EQ(Status::IOError("x").ToString(), "IO error: x");
  EXPECT_EQ(Status::NoSpace("x").ToString(),
            "IO error: No space left on device: x");
}

TEST(StatusTest, RocksDBMmapConflictTextSurvivesByteForByte) {
  // The trailing space is part of RocksDB's text (direct-io.md S4).
  const char* kText =
      "If memory mapped reads (allow_mmap_reads) are enabled then direct I/O "
      "reads (use_direct_reads) must be disabled. ";
  EXPECT_EQ(Status::NotSupported(kText).ToString(),
            std::string("Not implemented: ") + kText);
}

TEST(StatusTest, PredicatesFollowCode) {
  EXPECT_TRUE(Status::NotFound("").IsNotFound());
  EXPECT_TRUE(Status::Corruption("").IsCorruption());
  EXPECT_TRUE(Status::InvalidArgument("").IsInvalidArgument());
  EXPECT_TRUE(Status::NotSupported("").IsNotSupported());
  EXPECT_TRUE(Status::IOError("").IsIOError());
  EXPECT_FALSE(Status::IOError("").IsNoSpace());
  // NoSpace is an IOError too, as in RocksDB.
  EXPECT_TRUE(Status::NoSpace("").IsIOError());
  EXPECT_TRUE(Status::NoSpace("").IsNoSpace());
  EXPECT_FALSE(Status::NotFound("").ok());
}

TEST(StatusTest, CorruptionNamesFileOffsetAndSize) {
  Status s = Status::Corruption("000042.sst", 1048576, 4096,
                                "block checksum mismatch");
  EXPECT_EQ(s.ToString(),
            "Corruption: 000042.sst @ 1048576+4096: block checksum mismatch");
}

TEST(StatusTest, CopyAndMoveKeepCodeAndMessage) {
  Status a = Status::IOError("disk gone");
  Status b = a;
  EXPECT_EQ(b.ToString(), a.ToString());
  Status c = std::move(a);
  EXPECT_EQ(c.ToString(), "IO error: disk gone");
  b = Status::OK();
  EXPECT_TRUE(b.ok());
  b = c;
  EXPECT_EQ(b.ToString(), "IO error: disk gone");
}

TEST(IOStatusTest, FromErrnoMapsCodeAndKeepsErrno) {
  IOStatus nospace = IOStatus::FromErrno("While pwrite to file at offset 0 len 512: f", ENOSPC);
  EXPECT_TRUE(nospace.IsNoSpace());
  EXPECT_EQ(nospace.error_number(), ENOSPC);
  EXPECT_EQ(nospace.ToString(),
            "IO error: No space left on device: While pwrite to file at offset "
            "0 len 512: f: No space left on device");
  IOStatus missing = IOStatus::FromErrno("While open: f", ENOENT);
  EXPECT_TRUE(missing.IsNotFound());
  IOStatus eio = IOStatus::FromErrno("While pread offset 4096 len 512: f", EIO);
  EXPECT_TRUE(eio.IsIOError());
  EXPECT_EQ(eio.error_number(), EIO);
  EXPECT_EQ(eio.ToString(),
            "IO error: While pread offset 4096 len 512: f: Input/output error");
}

TEST(IOStatusTest, ConvertsToStatusUnchanged) {
  IOStatus io = IOStatus::FromErrno("ctx", EIO);
  Status s = io;
  EXPECT_EQ(s.ToString(), io.ToString());
  IOStatus back = Status::Corruption("x");
  EXPECT_TRUE(back.IsCorruption());
  EXPECT_EQ(back.error_number(), 0);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(StatusTest, WithMessagePrefixKeepsCode) {
  Status s = Status::NoSpace("While pwrite: f").WithMessagePrefix("Writer has previous error. ");
  EXPECT_TRUE(s.IsNoSpace());
  EXPECT_EQ(s.ToString(),
            "IO error: No space left on device: Writer has previous error. "
            "While pwrite: f");
  EXPECT_TRUE(Status::OK().WithMessagePrefix("x").ok());
}

TEST(IOStatusTest, WithMessagePrefixKeepsErrno) {
  IOStatus s = IOStatus::FromErrno("ctx", EIO).WithMessagePrefix("p: ");
  EXPECT_EQ(s.error_number(), EIO);
  EXPECT_EQ(s.ToString(), "IO error: p: ctx: Input/output error");
}

}  // namespace
}  // namespace strata
