#include "env/fake_file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// Heap memory starting at a multiple of `alignment` (and zeroed).
class AlignedMemory {
 public:
  AlignedMemory(size_t size, size_t alignment)
      : data_(static_cast<char*>(std::aligned_alloc(
            alignment, (size / alignment + 1) * alignment))) {
    std::memset(data_.get(), 0, (size / alignment + 1) * alignment);
  }
  char* data() const { return data_.get(); }

 private:
  struct Free {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, Free> data_;
};

// n bytes that differ from one call to the next (`tag`) and along the way.
std::string Pattern(size_t n, int tag) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    s[i] = static_cast<char>('a' + (i * 7 + static_cast<size_t>(tag)) % 26);
  }
  return s;
}

FileOptions Buffered() { return FileOptions(); }
FileOptions Direct() {
  FileOptions o;
  o.use_direct_reads = true;
  o.use_direct_writes = true;
  return o;
}
FileOptions MmapReads() {
  FileOptions o;
  o.use_mmap_reads = true;
  return o;
}

std::string Content(const FakeFileSystem& fs, const std::string& path) {
  std::string content;
  const Status s = fs.ReadFileContent(path, &content);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return content;
}

// Creates `path` with `data`, synced, its entry durable in "/" (for files
// directly under "/").
void CreateDurable(FakeFileSystem* fs, const std::string& path,
                   const std::string& data) {
  std::unique_ptr<WritableFile> f;
  ASSERT_OK(fs->NewWritableFile(path, Buffered(), &f));
  ASSERT_OK(f->Append(data));
  ASSERT_OK(f->Sync());
  ASSERT_OK(f->Close());
  std::unique_ptr<Directory> root;
  ASSERT_OK(fs->NewDirectory("/", &root));
  ASSERT_OK(root->Fsync());
}

void FsyncDir(FakeFileSystem* fs, const std::string& dir) {
  std::unique_ptr<Directory> d;
  ASSERT_OK(fs->NewDirectory(dir, &d));
  ASSERT_OK(d->Fsync());
  ASSERT_OK(d->Close());
}

// ---------------------------------------------------------------------------
// Direct I/O, for every alignment the tests use.

class FakeFileSystemDirectTest : public testing::TestWithParam<size_t> {
 protected:
  FakeFileSystemDirectTest() : align_(GetParam()), fs_(OptionsFor(align_)) {}

  static FakeFileSystem::Options OptionsFor(size_t alignment) {
    FakeFileSystem::Options o;
    o.offset_alignment = alignment;
    return o;
  }
  std::unique_ptr<WritableFile> OpenWriter(const std::string& path) {
    std::unique_ptr<WritableFile> f;
    EXPECT_OK(fs_.NewWritableFile(path, Direct(), &f));
    return f;
  }
  std::unique_ptr<RandomAccessFile> OpenReader(const std::string& path) {
    std::unique_ptr<RandomAccessFile> f;
    EXPECT_OK(fs_.NewRandomAccessFile(path, Direct(), &f));
    return f;
  }

  const size_t align_;
  FakeFileSystem fs_;
};

INSTANTIATE_TEST_SUITE_P(, FakeFileSystemDirectTest,
                         testing::Values(512, 4096, 16384, 65536),
                         [](const testing::TestParamInfo<size_t>& info) {
                           return "Align" + std::to_string(info.param);
                         });

TEST_P(FakeFileSystemDirectTest, DirectFilesReportModeAndAlignment) {
  auto w = OpenWriter("/f");
  auto r = OpenReader("/f");
  std::unique_ptr<SequentialFile> s;
  ASSERT_OK(fs_.NewSequentialFile("/f", Direct(), &s));
  for (const FileBase* f : {static_cast<const FileBase*>(w.get()),
                            static_cast<const FileBase*>(r.get()),
                            static_cast<const FileBase*>(s.get())}) {
    EXPECT_TRUE(f->use_direct_io());
    EXPECT_EQ(f->mode(), IOMode::kDirect);
    EXPECT_EQ(f->alignment().offset, align_);
    EXPECT_EQ(f->alignment().memory, align_);
    EXPECT_EQ(f->path(), "/f");
  }
  std::unique_ptr<WritableFile> b;
  ASSERT_OK(fs_.NewWritableFile("/g", Buffered(), &b));
  EXPECT_FALSE(b->use_direct_io());
  EXPECT_EQ(b->mode(), IOMode::kBuffered);
  EXPECT_EQ(b->alignment().offset, kDefaultPageSize);
  EXPECT_EQ(b->alignment().memory, kDefaultPageSize);
}

TEST_P(FakeFileSystemDirectTest, AlignedWritesReadBackThroughEveryReader) {
  const std::string data = Pattern(3 * align_, 1);
  AlignedMemory buf(data.size(), align_);
  std::memcpy(buf.data(), data.data(), data.size());
  auto w = OpenWriter("/f");
  ASSERT_OK(w->Append(Slice(buf.data(), align_)));
  ASSERT_OK(
      w->PositionedAppend(Slice(buf.data() + align_, 2 * align_), align_));
  EXPECT_EQ(w->GetFileSize(), 3 * align_);
  EXPECT_EQ(Content(fs_, "/f"), data);

  auto r = OpenReader("/f");
  AlignedMemory scratch(3 * align_, align_);
  Slice result;
  ASSERT_OK(r->Read(align_, 2 * align_, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), data.substr(align_));
  EXPECT_EQ(result.data(), scratch.data());

  std::unique_ptr<SequentialFile> s;
  ASSERT_OK(fs_.NewSequentialFile("/f", Direct(), &s));
  std::string all;
  do {
    ASSERT_OK(s->Read(align_, &result, scratch.data()));
    all += result.ToString();
  } while (!result.empty());
  EXPECT_EQ(all, data);
}

TEST_P(FakeFileSystemDirectTest, MisalignedOffsetIsRejectedNamingEverything) {
  AlignedMemory buf(align_, align_);
  auto w = OpenWriter("/d.sst");
  const uint64_t offset = align_ / 2;
  Status s = w->PositionedAppend(Slice(buf.data(), align_), offset);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/d.sst"));
  EXPECT_THAT(s.ToString(), HasSubstr("at offset " + std::to_string(offset) +
                                      " len " + std::to_string(align_)));
  EXPECT_THAT(s.ToString(),
              HasSubstr("multiples of " + std::to_string(align_)));
  EXPECT_EQ(Content(fs_, "/d.sst"), "");  // Checked before anything else.

  ASSERT_OK(w->Append(Slice(buf.data(), align_)));
  auto r = OpenReader("/d.sst");
  Slice result;
  s = r->Read(offset, align_, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/d.sst: misaligned direct pread at "
                                      "offset " +
                                      std::to_string(offset)));
}

TEST_P(FakeFileSystemDirectTest, MisalignedLengthIsRejected) {
  AlignedMemory buf(2 * align_, align_);
  auto w = OpenWriter("/f");
  const size_t len = align_ + align_ / 2;
  Status s = w->Append(Slice(buf.data(), len));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/f: misaligned direct append at "
                                      "offset 0 len " +
                                      std::to_string(len)));
  EXPECT_THAT(s.ToString(),
              HasSubstr("multiples of " + std::to_string(align_)));
  EXPECT_EQ(w->GetFileSize(), 0u);

  ASSERT_OK(w->Append(Slice(buf.data(), 2 * align_)));
  auto r = OpenReader("/f");
  Slice result;
  s = r->Read(0, len, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("len " + std::to_string(len)));
}

TEST_P(FakeFileSystemDirectTest, MisalignedBufferIsRejected) {
  AlignedMemory buf(2 * align_, align_);
  char* misaligned = buf.data() + align_ / 2;
  auto w = OpenWriter("/f");
  Status s = w->Append(Slice(misaligned, align_));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/f"));
  EXPECT_THAT(s.ToString(), HasSubstr("buffer address a multiple of " +
                                      std::to_string(align_)));
  EXPECT_EQ(Content(fs_, "/f"), "");

  ASSERT_OK(w->Append(Slice(buf.data(), align_)));
  auto r = OpenReader("/f");
  Slice result;
  s = r->Read(0, align_, &result, misaligned);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  std::unique_ptr<SequentialFile> seq;
  ASSERT_OK(fs_.NewSequentialFile("/f", Direct(), &seq));
  s = seq->Read(align_, &result, misaligned);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST_P(FakeFileSystemDirectTest, AppendAtUnalignedSizeIsRejected) {
  AlignedMemory buf(align_, align_);
  auto w = OpenWriter("/f");
  ASSERT_OK(w->Truncate(100));
  Status s = w->Append(Slice(buf.data(), align_));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("at offset 100 len"));
}

TEST_P(FakeFileSystemDirectTest, ReadsAtTheEndReturnTheShortCountThenNothing) {
  const std::string data = Pattern(2 * align_ + 100, 2);
  ASSERT_OK(fs_.WriteFileContent("/f", data));
  auto r = OpenReader("/f");
  AlignedMemory scratch(4 * align_, align_);
  Slice result;
  ASSERT_OK(r->Read(0, 4 * align_, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), data);  // An unaligned count.
  ASSERT_OK(r->Read(2 * align_, align_, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), data.substr(2 * align_));
  ASSERT_OK(r->Read(3 * align_, align_, &result, scratch.data()));
  EXPECT_TRUE(result.empty());
  ASSERT_OK(r->Read(100 * align_, align_, &result, scratch.data()));
  EXPECT_TRUE(result.empty());
}

TEST_P(FakeFileSystemDirectTest, SequentialReadAfterShortCountIsEndOfFile) {
  const std::string data = Pattern(align_ + 100, 3);
  ASSERT_OK(fs_.WriteFileContent("/f", data));
  std::unique_ptr<SequentialFile> s;
  ASSERT_OK(fs_.NewSequentialFile("/f", Direct(), &s));
  AlignedMemory scratch(align_, align_);
  Slice result;
  ASSERT_OK(s->Read(align_, &result, scratch.data()));
  EXPECT_EQ(result.size(), align_);
  ASSERT_OK(s->Read(align_, &result, scratch.data()));
  EXPECT_EQ(result.ToString(), data.substr(align_));
  // The position (align_ + 100) is now unaligned, but at the end.
  ASSERT_OK(s->Read(align_, &result, scratch.data()));
  EXPECT_TRUE(result.empty());
}

TEST_P(FakeFileSystemDirectTest, PositionedWriteExtendsAndZeroFills) {
  const std::string data = Pattern(align_, 4);
  AlignedMemory buf(align_, align_);
  std::memcpy(buf.data(), data.data(), align_);
  auto w = OpenWriter("/f");
  ASSERT_OK(w->PositionedAppend(Slice(buf.data(), align_), 2 * align_));
  EXPECT_EQ(w->GetFileSize(), 3 * align_);
  EXPECT_EQ(Content(fs_, "/f"), std::string(2 * align_, '\0') + data);
  // The object's size is offset + length, even below the file's size.
  ASSERT_OK(w->PositionedAppend(Slice(buf.data(), align_), 0));
  EXPECT_EQ(w->GetFileSize(), align_);
  uint64_t size = 0;
  ASSERT_OK(fs_.GetFileSize("/f", &size));
  EXPECT_EQ(size, 3 * align_);
}

TEST_P(FakeFileSystemDirectTest, ZeroLengthTransfersAreAllowed) {
  auto w = OpenWriter("/f");
  ASSERT_OK(w->Append(Slice()));
  ASSERT_OK(w->PositionedAppend(Slice(), 0));
  auto r = OpenReader("/f");
  Slice result;
  ASSERT_OK(r->Read(0, 0, &result, nullptr));
  EXPECT_TRUE(result.empty());
  EXPECT_EQ(Content(fs_, "/f"), "");
}

// ---------------------------------------------------------------------------
// Alignment options.

TEST(FakeFileSystemTest, MemoryAlignmentMayBeSmallerThanOffsetAlignment) {
  FakeFileSystem::Options o;
  o.offset_alignment = 4096;
  o.memory_alignment = 512;
  FakeFileSystem fs(o);
  EXPECT_EQ(fs.direct_io_alignment().offset, 4096u);
  EXPECT_EQ(fs.direct_io_alignment().memory, 512u);
  AlignedMemory buf(2 * 4096, 4096);
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Direct(), &w));
  EXPECT_EQ(w->alignment().memory, 512u);
  ASSERT_OK(w->Append(Slice(buf.data() + 512, 4096)));
  Status s = w->Append(Slice(buf.data() + 256, 4096));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("buffer address a multiple of 512"));
  s = w->PositionedAppend(Slice(buf.data(), 512), 0);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("multiples of 4096"));
}

TEST(FakeFileSystemTest, MemoryAlignmentOfFourAcceptsWordAlignedBuffers) {
  FakeFileSystem::Options o;
  o.offset_alignment = 512;
  o.memory_alignment = 4;
  FakeFileSystem fs(o);
  AlignedMemory buf(1024, 512);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.WriteFileContent("/f", Pattern(512, 5)));
  ASSERT_OK(fs.NewRandomAccessFile("/f", Direct(), &r));
  Slice result;
  ASSERT_OK(r->Read(0, 512, &result, buf.data() + 4));
  EXPECT_EQ(result.ToString(), Pattern(512, 5));
  Status s = r->Read(0, 512, &result, buf.data() + 2);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST(FakeFileSystemTest, MemoryAlignmentMayBeLargerThanOffsetAlignment) {
  FakeFileSystem::Options o;
  o.offset_alignment = 512;
  o.memory_alignment = 4096;
  FakeFileSystem fs(o);
  EXPECT_EQ(fs.direct_io_alignment().both(), 4096u);
  AlignedMemory buf(8192, 4096);
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Direct(), &w));
  ASSERT_OK(w->Append(Slice(buf.data(), 512)));
  Status s = w->Append(Slice(buf.data() + 512, 512));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST(FakeFileSystemTest, RejectDirectOpenIsNotSupportedWithEinval) {
  FakeFileSystem::Options o;
  o.reject_direct_open = true;
  FakeFileSystem fs(o);
  ASSERT_OK(fs.CreateDir("/db"));
  ASSERT_OK(fs.WriteFileContent("/db/1.sst", "abc"));
  std::unique_ptr<WritableFile> w;
  IOStatus s = fs.NewWritableFile("/db/2.sst", Direct(), &w);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_EQ(s.ToString(),
            "Not implemented: While open a file for appending with O_DIRECT: "
            "/db/2.sst: Invalid argument (the file system refuses direct "
            "I/O)");
  EXPECT_EQ(w, nullptr);

  std::unique_ptr<RandomAccessFile> r;
  s = fs.NewRandomAccessFile("/db/1.sst", Direct(), &r);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_THAT(s.ToString(), HasSubstr("/db/1.sst: Invalid argument"));
  std::unique_ptr<SequentialFile> q;
  s = fs.NewSequentialFile("/db/1.sst", Direct(), &q);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_EQ(s.error_number(), EINVAL);

  // Buffered and mmap opens still work.
  ASSERT_OK(fs.NewWritableFile("/db/3.sst", Buffered(), &w));
  ASSERT_OK(fs.NewRandomAccessFile("/db/1.sst", MmapReads(), &r));
  ASSERT_OK(fs.NewSequentialFile("/db/1.sst", Buffered(), &q));
}

TEST(FakeFileSystemTest, RejectedDirectOpenCreatesButDoesNotTruncate) {
  FakeFileSystem::Options o;
  o.reject_direct_open = true;
  FakeFileSystem fs(o);
  ASSERT_OK(fs.WriteFileContent("/old", "abc"));
  std::unique_ptr<WritableFile> w;
  EXPECT_TRUE(fs.NewWritableFile("/old", Direct(), &w).IsNotSupported());
  EXPECT_EQ(Content(fs, "/old"), "abc");
  EXPECT_TRUE(fs.NewWritableFile("/new", Direct(), &w).IsNotSupported());
  EXPECT_OK(fs.FileExists("/new"));  // O_CREAT ran before O_DIRECT failed.
}

TEST(FakeFileSystemTest, HiddenAlignmentAcceptsOpenButRejectsSmallerIo) {
  FakeFileSystem::Options o;
  o.offset_alignment = 4096;
  o.hidden_direct_alignment = 16384;
  FakeFileSystem fs(o);
  ASSERT_OK(fs.CreateDir("/db"));
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/db/000143.sst", Direct(), &w));
  EXPECT_EQ(w->alignment().offset, 4096u);  // The reported value.
  AlignedMemory buf(16384 + 4096, 16384);

  IOStatus s = w->PositionedAppend(Slice(buf.data(), 4096), 0);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_EQ(s.ToString(),
            "IO error: While pwrite to file at offset 0 len 4096: "
            "/db/000143.sst: Invalid argument");
  EXPECT_EQ(Content(fs, "/db/000143.sst"), "");

  ASSERT_OK(w->PositionedAppend(Slice(buf.data(), 16384), 0));
  s = w->Append(Slice(buf.data(), 4096));  // Offset fine, length not.
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_THAT(s.ToString(),
              HasSubstr("While pwrite to file at offset 16384 len 4096"));
  // The reported alignment is still checked first.
  s = w->PositionedAppend(Slice(buf.data(), 4096), 512);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();

  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/db/000143.sst", Direct(), &r));
  Slice result;
  s = r->Read(0, 4096, &result, buf.data());
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_EQ(s.ToString(),
            "IO error: While pread offset 0 len 4096: /db/000143.sst: "
            "Invalid argument");
  ASSERT_OK(r->Read(0, 16384, &result, buf.data()));
  EXPECT_EQ(result.size(), 16384u);
}

TEST(FakeFileSystemTest, RejectDirectIoFailsEveryDirectTransfer) {
  FakeFileSystem::Options o;
  o.reject_direct_io = true;
  FakeFileSystem fs(o);
  AlignedMemory buf(4096, 4096);
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Direct(), &w));
  IOStatus s = w->Append(Slice(buf.data(), 4096));
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_THAT(s.ToString(), HasSubstr("While pwrite to file at offset 0"));
  ASSERT_OK(w->Append(Slice()));  // Nothing to transfer.

  ASSERT_OK(fs.WriteFileContent("/g", Pattern(4096, 6)));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/g", Direct(), &r));
  Slice result;
  s = r->Read(0, 4096, &result, buf.data());
  EXPECT_EQ(s.error_number(), EINVAL);
  EXPECT_THAT(s.ToString(), HasSubstr("While pread offset 0 len 4096: /g"));
  std::unique_ptr<SequentialFile> q;
  ASSERT_OK(fs.NewSequentialFile("/g", Direct(), &q));
  s = q->Read(4096, &result, buf.data());
  EXPECT_EQ(s.error_number(), EINVAL);

  ASSERT_OK(fs.NewRandomAccessFile("/g", Buffered(), &r));
  ASSERT_OK(r->Read(0, 4096, &result, buf.data()));
  EXPECT_EQ(result.ToString(), Pattern(4096, 6));
}

TEST(FakeFileSystemTest, DirectTogetherWithMmapIsInvalidArgument) {
  FakeFileSystem fs;
  ASSERT_OK(fs.WriteFileContent("/f", "x"));
  FileOptions o;
  o.use_direct_writes = true;
  o.use_mmap_writes = true;
  std::unique_ptr<WritableFile> w;
  Status s = fs.NewWritableFile("/g", o, &w);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/g"));
  EXPECT_TRUE(fs.FileExists("/g").IsNotFound());
  o = FileOptions();
  o.use_direct_reads = true;
  o.use_mmap_reads = true;
  std::unique_ptr<RandomAccessFile> r;
  s = fs.NewRandomAccessFile("/f", o, &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/f"));
  std::unique_ptr<SequentialFile> q;
  EXPECT_TRUE(fs.NewSequentialFile("/f", o, &q).IsInvalidArgument());
}

TEST(FakeFileSystemTest, BufferedFilesHaveNoAlignmentRules) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  const std::string data = Pattern(100, 7);
  std::string unaligned = "?" + data;
  ASSERT_OK(w->PositionedAppend(Slice(unaligned.data() + 1, 100), 3));
  EXPECT_EQ(Content(fs, "/f"), std::string(3, '\0') + data);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &r));
  char scratch[16];
  Slice result;
  ASSERT_OK(r->Read(5, 7, &result, scratch + 1));
  EXPECT_EQ(result.ToString(), data.substr(2, 7));
}

TEST(FakeFileSystemTest, MmapReadsReturnSlicesIntoACopyTakenAtOpen) {
  FakeFileSystem fs;
  ASSERT_OK(fs.WriteFileContent("/f", "hello world"));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", MmapReads(), &r));
  EXPECT_EQ(r->mode(), IOMode::kMmap);
  EXPECT_FALSE(r->use_direct_io());
  char scratch[8] = "-------";
  Slice result;
  ASSERT_OK(r->Read(6, 100, &result, scratch));
  EXPECT_EQ(result.ToString(), "world");
  EXPECT_STREQ(scratch, "-------");  // Not copied: points into the mapping.
  // Rewriting and deleting the file moves nothing under the Slice.
  ASSERT_OK(fs.WriteFileContent("/f", "HELLO WORLD, LONGER"));
  ASSERT_OK(fs.DeleteFile("/f"));
  EXPECT_EQ(result.ToString(), "world");
  ASSERT_OK(r->Read(0, 5, &result, scratch));
  EXPECT_EQ(result.ToString(), "hello");
  ASSERT_OK(r->Read(11, 5, &result, scratch));  // Past the mapping.
  EXPECT_TRUE(result.empty());
}

TEST(FakeFileSystemTest, MmapWritesAreBufferedWritesInMmapMode) {
  FakeFileSystem fs;
  FileOptions o;
  o.use_mmap_writes = true;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", o, &w));
  EXPECT_EQ(w->mode(), IOMode::kMmap);
  EXPECT_FALSE(w->use_direct_io());
  ASSERT_OK(w->Append("abc"));
  EXPECT_EQ(Content(fs, "/f"), "abc");
  EXPECT_EQ(fs.DirtyBytes("/f"), 3u);
}

// ---------------------------------------------------------------------------
// Page cache.

TEST(FakeFileSystemTest, BufferedWriteIsFullyResidentAndDirtyUntilSync) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append(Pattern(10000, 8)));
  EXPECT_EQ(fs.ResidentBytes("/f"), 10000u);
  EXPECT_EQ(fs.DirtyBytes("/f"), 10000u);
  std::unique_ptr<RandomAccessFile> r;  // Reading a dirty page keeps it so.
  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &r));
  std::string scratch(10000, '\0');
  Slice result;
  ASSERT_OK(r->Read(0, 10000, &result, scratch.data()));
  EXPECT_EQ(fs.DirtyBytes("/f"), 10000u);
  ASSERT_OK(w->Sync());
  EXPECT_EQ(fs.ResidentBytes("/f"), 10000u);
  EXPECT_EQ(fs.DirtyBytes("/f"), 0u);
  EXPECT_EQ(fs.ResidentBytes("/missing"), 0u);
}

TEST(FakeFileSystemTest, DirectWriteCachesNothingAndDropsCachedPages) {
  FakeFileSystem::Options o;
  o.offset_alignment = 512;
  FakeFileSystem fs(o);
  AlignedMemory buf(3 * 4096, 4096);
  std::unique_ptr<WritableFile> direct;
  ASSERT_OK(fs.NewWritableFile("/f", Direct(), &direct));
  ASSERT_OK(direct->Append(Slice(buf.data(), 3 * 4096)));
  EXPECT_EQ(fs.ResidentBytes("/f"), 0u);

  std::unique_ptr<RandomAccessFile> r;  // Buffered reads fill the cache.
  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &r));
  std::string scratch(3 * 4096, '\0');
  Slice result;
  ASSERT_OK(r->Read(0, 3 * 4096, &result, scratch.data()));
  EXPECT_EQ(fs.ResidentBytes("/f"), 3 * 4096u);
  // 512 bytes in page 1 drop that whole page.
  ASSERT_OK(direct->PositionedAppend(Slice(buf.data(), 512), 4096 + 512));
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);
}

TEST(FakeFileSystemTest, DirectWriteDropsDirtyPagesToo) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> direct;
  std::unique_ptr<WritableFile> buffered;
  ASSERT_OK(fs.NewWritableFile("/f", Direct(), &direct));
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &buffered));
  ASSERT_OK(buffered->Append(Pattern(3 * 4096, 9)));
  EXPECT_EQ(fs.DirtyBytes("/f"), 3 * 4096u);
  AlignedMemory buf(4096, 4096);
  ASSERT_OK(direct->PositionedAppend(Slice(buf.data(), 4096), 4096));
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);
  EXPECT_EQ(Content(fs, "/f").substr(4096, 4096), std::string(4096, '\0'));
}

TEST(FakeFileSystemTest, DirectReadPopulatesNothingButSeesBufferedWrites) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append(Pattern(2 * 4096, 10)));
  ASSERT_OK(w->Sync());
  fs.DropAllCaches();
  ASSERT_EQ(fs.ResidentBytes("/f"), 0u);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Direct(), &r));
  AlignedMemory scratch(2 * 4096, 4096);
  Slice result;
  ASSERT_OK(r->Read(0, 2 * 4096, &result, scratch.data()));
  EXPECT_EQ(fs.ResidentBytes("/f"), 0u);
  // A buffered write not yet written back is seen by the direct read.
  ASSERT_OK(w->PositionedAppend("NEW", 4096));
  ASSERT_OK(r->Read(4096, 4096, &result, scratch.data()));
  EXPECT_EQ(result.ToString().substr(0, 3), "NEW");
  EXPECT_EQ(fs.ResidentBytes("/f"), 4096u);  // Only the written page.
}

TEST(FakeFileSystemTest, DirectReadWritesBackTheDirtyPagesOfItsRange) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append(Pattern(3 * 4096, 11)));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Direct(), &r));
  AlignedMemory scratch(4096, 4096);
  Slice result;
  ASSERT_OK(r->Read(4096, 4096, &result, scratch.data()));
  EXPECT_EQ(fs.ResidentBytes("/f"), 3 * 4096u);
  EXPECT_EQ(fs.DirtyBytes("/f"), 2 * 4096u);  // Page 1 is clean now.
}

TEST(FakeFileSystemTest, BufferedReadsPopulateOnlyTheTouchedPages) {
  FakeFileSystem fs;
  ASSERT_OK(fs.WriteFileContent("/f", Pattern(5 * 4096, 12)));
  fs.DropAllCaches();
  ASSERT_EQ(fs.ResidentBytes("/f"), 5 * 4096u);  // Dirty pages stay.
  CreateDurable(&fs, "/g", Pattern(5 * 4096, 12));
  fs.DropAllCaches();
  ASSERT_EQ(fs.ResidentBytes("/g"), 0u);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/g", Buffered(), &r));
  char scratch[100];
  Slice result;
  ASSERT_OK(r->Read(2 * 4096 + 10, 100, &result, scratch));
  EXPECT_EQ(fs.ResidentBytes("/g"), 4096u);
  ASSERT_OK(r->Read(4096 - 50, 100, &result, scratch));  // Pages 0 and 1.
  EXPECT_EQ(fs.ResidentBytes("/g"), 3 * 4096u);
  EXPECT_EQ(fs.DirtyBytes("/g"), 0u);

  std::unique_ptr<SequentialFile> s;
  ASSERT_OK(fs.NewSequentialFile("/g", Buffered(), &s));
  ASSERT_OK(s->Skip(4 * 4096));
  ASSERT_OK(s->Read(100, &result, scratch));
  EXPECT_EQ(fs.ResidentBytes("/g"), 4 * 4096u);
  ASSERT_OK(s->Skip(1 << 20));  // Stops at the end...
  ASSERT_OK(s->Read(100, &result, scratch));
  EXPECT_TRUE(result.empty());
  ASSERT_OK(fs.WriteFileContent("/g", Pattern(5 * 4096 + 3, 12)));
  ASSERT_OK(s->Read(100, &result, scratch));  // ...so it sees what follows.
  EXPECT_EQ(result.ToString(), Pattern(5 * 4096 + 3, 12).substr(5 * 4096));
}

TEST(FakeFileSystemTest, MmapReadsPopulateTheCache) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/f", Pattern(2 * 4096, 13));
  fs.DropAllCaches();
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", MmapReads(), &r));
  Slice result;
  ASSERT_OK(r->Read(4096, 10, &result, nullptr));
  EXPECT_EQ(fs.ResidentBytes("/f"), 4096u);
}

TEST(FakeFileSystemTest, PrefetchPopulatesOnlyBufferedFiles) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/f", Pattern(4 * 4096, 14));
  fs.DropAllCaches();
  std::unique_ptr<RandomAccessFile> direct;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Direct(), &direct));
  ASSERT_OK(direct->Prefetch(0, 4 * 4096));
  EXPECT_EQ(fs.ResidentBytes("/f"), 0u);
  std::unique_ptr<RandomAccessFile> buffered;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &buffered));
  ASSERT_OK(buffered->Prefetch(4096, 2 * 4096));
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);
  ASSERT_OK(buffered->Prefetch(3 * 4096, 1 << 20));  // Clipped at the end.
  EXPECT_EQ(fs.ResidentBytes("/f"), 3 * 4096u);
}

TEST(FakeFileSystemTest, InvalidateCacheDropsOnlyCleanPages) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append(Pattern(2 * 4096, 15)));
  ASSERT_OK(w->Sync());                         // Pages 0, 1 clean.
  ASSERT_OK(w->Append(Pattern(2 * 4096, 16)));  // Pages 2, 3 dirty.
  ASSERT_OK(w->InvalidateCache(0, 0));
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);
  EXPECT_EQ(fs.DirtyBytes("/f"), 2 * 4096u);
  ASSERT_OK(w->Sync());
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &r));
  ASSERT_OK(r->InvalidateCache(0, 0));
  EXPECT_EQ(fs.ResidentBytes("/f"), 0u);
}

TEST(FakeFileSystemTest, InvalidateCacheKeepsPartialPagesLikeFadvise) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append(Pattern(4 * 4096, 17)));
  ASSERT_OK(w->Sync());
  // [100, 8292) holds only page 1 whole.
  ASSERT_OK(w->InvalidateCache(100, 8192));
  EXPECT_EQ(fs.ResidentBytes("/f"), 3 * 4096u);
  // From 12000 to the end: page 3 only (page 2 is partial).
  ASSERT_OK(w->InvalidateCache(12000, 0));
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);
  ASSERT_OK(w->InvalidateCache(0, 100));  // Nothing whole.
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);

  // A partial last page goes when it holds the end of the file.
  std::unique_ptr<WritableFile> g;
  ASSERT_OK(fs.NewWritableFile("/g", Buffered(), &g));
  ASSERT_OK(g->Append(Pattern(10000, 18)));
  ASSERT_OK(g->Sync());
  ASSERT_OK(g->InvalidateCache(4096, 10000 - 4096));
  EXPECT_EQ(fs.ResidentBytes("/g"), 4096u);
}

TEST(FakeFileSystemTest, InvalidateCacheOnDirectFilesIsANoOp) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/f", Pattern(4096, 19));
  ASSERT_EQ(fs.ResidentBytes("/f"), 4096u);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Direct(), &r));
  ASSERT_OK(r->InvalidateCache(0, 0));
  EXPECT_EQ(fs.ResidentBytes("/f"), 4096u);
}

TEST(FakeFileSystemTest, TruncateDropsPagesPastTheEnd) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append(Pattern(3 * 4096, 20)));
  ASSERT_OK(w->Truncate(5000));
  EXPECT_EQ(w->GetFileSize(), 5000u);
  EXPECT_EQ(fs.ResidentBytes("/f"), 5000u);
  ASSERT_OK(w->Truncate(3 * 4096));  // Grows with zeros, not cached.
  EXPECT_EQ(fs.ResidentBytes("/f"), 2 * 4096u);
  EXPECT_EQ(Content(fs, "/f"), Pattern(3 * 4096, 20).substr(0, 5000) +
                                   std::string(3 * 4096 - 5000, '\0'));
}

TEST(FakeFileSystemTest, PageSizeSetsTheCacheGranularity) {
  FakeFileSystem::Options o;
  o.page_size = 16384;
  FakeFileSystem fs(o);
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->PositionedAppend(Pattern(100, 21), 40000));
  EXPECT_EQ(fs.ResidentBytes("/f"), 16384u);
  ASSERT_OK(w->Sync());
  // Byte 40000 is in page 2 ([32768, 49152)): dropping [16384, 32768)
  // leaves it, dropping [32768, 49152) takes it.
  ASSERT_OK(w->InvalidateCache(16384, 16384));
  EXPECT_EQ(fs.ResidentBytes("/f"), 16384u);
  ASSERT_OK(w->InvalidateCache(32768, 16384));
  EXPECT_EQ(fs.ResidentBytes("/f"), 0u);
}

TEST(FakeFileSystemTest, DropAllCachesKeepsDirtyPages) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/clean", Pattern(8192, 22));
  ASSERT_OK(fs.CreateDir("/d"));
  ASSERT_OK(fs.WriteFileContent("/d/dirty", Pattern(8192, 23)));
  fs.DropAllCaches();
  EXPECT_EQ(fs.ResidentBytes("/clean"), 0u);
  EXPECT_EQ(fs.ResidentBytes("/d/dirty"), 8192u);
}

// ---------------------------------------------------------------------------
// Power loss.

TEST(FakeFileSystemTest, CrashDropsExactlyTheUnsyncedBytes) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  FsyncDir(&fs, "/");
  ASSERT_OK(w->Append("A"));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Append("B"));
  EXPECT_EQ(fs.SyncedSize("/f"), 1u);
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/f"), "A");
  EXPECT_EQ(fs.ResidentBytes("/f"), 0u);  // The page cache is gone too.
}

TEST(FakeFileSystemTest, FdatasyncPersistsSizeGrowth) {
  for (bool full_fsync : {false, true}) {
    SCOPED_TRACE(full_fsync ? "Fsync" : "Sync");
    FakeFileSystem fs;
    std::unique_ptr<WritableFile> w;
    ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
    FsyncDir(&fs, "/");
    const std::string data = Pattern(5000, 24);
    ASSERT_OK(w->Append(data));
    ASSERT_OK(full_fsync ? w->Fsync() : w->Sync());
    EXPECT_EQ(fs.SyncedSize("/f"), 5000u);
    std::string synced;
    ASSERT_OK(fs.ReadSyncedContent("/f", &synced));
    EXPECT_EQ(synced, data);
    fs.SimulateCrash();
    EXPECT_EQ(Content(fs, "/f"), data);
  }
}

TEST(FakeFileSystemTest, DirectWritesAreDurableOnlyAfterSync) {
  FakeFileSystem fs;
  AlignedMemory buf(8192, 4096);
  std::memset(buf.data(), 'x', 8192);
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Direct(), &w));
  FsyncDir(&fs, "/");
  ASSERT_OK(w->Append(Slice(buf.data(), 4096)));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Append(Slice(buf.data(), 4096)));
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/f"), std::string(4096, 'x'));
}

TEST(FakeFileSystemTest, UnsyncedTruncateIsUndone) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/f", "0123456789");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));  // O_TRUNC.
  ASSERT_OK(w->Append("ab"));
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/f"), "0123456789");
}

TEST(FakeFileSystemTest, RangeSyncFlushAndAllocateMakeNothingDurable) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  FsyncDir(&fs, "/");
  ASSERT_OK(w->Append("data"));
  ASSERT_OK(w->Flush());
  ASSERT_OK(w->RangeSync(0, 4));
  ASSERT_OK(w->Allocate(0, 1 << 20));
  EXPECT_EQ(fs.SyncedSize("/f"), 0u);
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/f"), "");
}

TEST(FakeFileSystemTest, CreateWithoutDirFsyncVanishes) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append("synced data"));
  ASSERT_OK(w->Sync());
  EXPECT_FALSE(fs.IsDirEntryDurable("/f"));
  fs.SimulateCrash();
  EXPECT_TRUE(fs.FileExists("/f").IsNotFound());
}

TEST(FakeFileSystemTest, CreateWithDirFsyncSurvivesWithItsSyncedBytes) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append("never synced"));
  FsyncDir(&fs, "/");
  EXPECT_TRUE(fs.IsDirEntryDurable("/f"));
  EXPECT_TRUE(fs.IsDirEntryDurable("/"));
  fs.SimulateCrash();
  EXPECT_OK(fs.FileExists("/f"));
  EXPECT_EQ(Content(fs, "/f"), "");
}

TEST(FakeFileSystemTest, RenameWithoutDirFsyncIsUndone) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/a", "content");
  ASSERT_OK(fs.RenameFile("/a", "/b"));
  EXPECT_FALSE(fs.IsDirEntryDurable("/b"));
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/a"), "content");
  EXPECT_TRUE(fs.FileExists("/b").IsNotFound());
}

TEST(FakeFileSystemTest, RenameOverTargetWithDirFsyncIsKept) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/CURRENT", "old");
  CreateDurable(&fs, "/CURRENT.tmp", "new");
  ASSERT_OK(fs.RenameFile("/CURRENT.tmp", "/CURRENT"));
  FsyncDir(&fs, "/");
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/CURRENT"), "new");
  EXPECT_TRUE(fs.FileExists("/CURRENT.tmp").IsNotFound());
}

TEST(FakeFileSystemTest, DeleteWithoutDirFsyncIsUndone) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/a", "A");
  CreateDurable(&fs, "/b", "B");
  ASSERT_OK(fs.DeleteFile("/a"));
  ASSERT_OK(fs.DeleteFile("/b"));
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/a"), "A");
  ASSERT_OK(fs.DeleteFile("/a"));
  FsyncDir(&fs, "/");
  fs.SimulateCrash();
  EXPECT_TRUE(fs.FileExists("/a").IsNotFound());
}

TEST(FakeFileSystemTest, NewDirectoryNeedsItsParentFsynced) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/db"));
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/db/f", Buffered(), &w));
  ASSERT_OK(w->Append("x"));
  ASSERT_OK(w->Sync());
  FsyncDir(&fs, "/db");
  EXPECT_FALSE(fs.IsDirEntryDurable("/db/f"));  // "/db" itself is not.
  fs.SimulateCrash();
  EXPECT_TRUE(fs.FileExists("/db").IsNotFound());

  ASSERT_OK(fs.CreateDir("/db"));
  ASSERT_OK(fs.NewWritableFile("/db/f", Buffered(), &w));
  ASSERT_OK(w->Append("x"));
  ASSERT_OK(w->Sync());
  FsyncDir(&fs, "/db");
  FsyncDir(&fs, "/");
  EXPECT_TRUE(fs.IsDirEntryDurable("/db/f"));
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/db/f"), "x");
}

TEST(FakeFileSystemTest, LinkWithoutDirFsyncIsUndone) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/a", "A");
  ASSERT_OK(fs.LinkFile("/a", "/b"));
  fs.SimulateCrash();
  EXPECT_TRUE(fs.FileExists("/b").IsNotFound());
  ASSERT_OK(fs.LinkFile("/a", "/b"));
  FsyncDir(&fs, "/");
  fs.SimulateCrash();
  EXPECT_EQ(Content(fs, "/b"), "A");
}

TEST(FakeFileSystemTest, CrashAfterCrossedDirectoryRenamesLeavesATree) {
  // Each directory's durable entries come from its own last fsync, so
  // fsyncing directories in this order records /b -> a and a -> b; the
  // crash keeps the first path to each directory and drops the loop.
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/a"));
  ASSERT_OK(fs.CreateDir("/a/b"));
  FsyncDir(&fs, "/");
  FsyncDir(&fs, "/a");
  ASSERT_OK(fs.RenameFile("/a/b", "/b"));
  ASSERT_OK(fs.RenameFile("/a", "/b/a"));
  FsyncDir(&fs, "/");
  FsyncDir(&fs, "/b");
  fs.SimulateCrash();
  EXPECT_OK(fs.FileExists("/b/a"));
  EXPECT_TRUE(fs.FileExists("/b/a/b").IsNotFound());
  EXPECT_TRUE(fs.FileExists("/a").IsNotFound());
}

TEST(FakeFileSystemTest, HardLinkedFileGetsOneSeededDraw) {
  // Two durable names of one file: the crash treats the file once, so both
  // names show the same content.
  for (uint64_t seed = 0; seed < 8; ++seed) {
    FakeFileSystem fs;
    CreateDurable(&fs, "/a", "A");
    ASSERT_OK(fs.LinkFile("/a", "/b"));
    FsyncDir(&fs, "/");
    std::unique_ptr<WritableFile> w;
    ASSERT_OK(fs.NewWritableFile("/a", Buffered(), &w));
    ASSERT_OK(w->Append(Pattern(1000, 30)));
    fs.SimulateCrash(seed);
    EXPECT_EQ(Content(fs, "/a"), Content(fs, "/b"));
  }
}

TEST(FakeFileSystemTest, ObjectsOpenedBeforeACrashAreStale) {
  FakeFileSystem fs;
  CreateDurable(&fs, "/f", "data");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/g", Buffered(), &w));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &r));
  std::unique_ptr<SequentialFile> s;
  ASSERT_OK(fs.NewSequentialFile("/f", Buffered(), &s));
  std::unique_ptr<Directory> d;
  ASSERT_OK(fs.NewDirectory("/", &d));
  fs.SimulateCrash();

  IOStatus st = w->Append("x");
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_EQ(st.error_number(), ESTALE);
  EXPECT_THAT(st.ToString(), HasSubstr("/g: Stale file handle"));
  EXPECT_TRUE(w->Sync().IsIOError());
  char scratch[8];
  Slice result;
  st = r->Read(0, 4, &result, scratch);
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_THAT(st.ToString(), HasSubstr("While pread offset 0 len 4: /f"));
  EXPECT_TRUE(s->Read(4, &result, scratch).IsIOError());
  st = d->Fsync();
  EXPECT_TRUE(st.IsIOError()) << st.ToString();
  EXPECT_THAT(st.ToString(), HasSubstr("fsync directory: /"));
  EXPECT_TRUE(w->Close().IsIOError());
  EXPECT_OK(w->Close());  // Closing twice is OK.

  ASSERT_OK(fs.NewRandomAccessFile("/f", Buffered(), &r));  // New ones work.
  ASSERT_OK(r->Read(0, 4, &result, scratch));
  EXPECT_EQ(result.ToString(), "data");
}

TEST(FakeFileSystemTest, CrashReleasesLocks) {
  FakeFileSystem fs;
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs.LockFile("/LOCK", &lock));
  fs.SimulateCrash();
  std::unique_ptr<FileLock> again;
  ASSERT_OK(fs.LockFile("/LOCK", &again));
  IOStatus s = fs.UnlockFile(std::move(lock));  // The dead process's lock.
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.error_number(), ESTALE);
  ASSERT_OK(fs.UnlockFile(std::move(again)));
}

TEST(FakeFileSystemTest, SeededCrashKeepsAPrefixOfTheUnsyncedTail) {
  const std::string synced = Pattern(1000, 25);
  const std::string tail = Pattern(5000, 26);
  auto crash_with = [&](uint64_t seed) {
    FakeFileSystem fs;
    std::unique_ptr<WritableFile> w;
    EXPECT_OK(fs.NewWritableFile("/wal", Buffered(), &w));
    FsyncDir(&fs, "/");
    EXPECT_OK(w->Append(synced));
    EXPECT_OK(w->Sync());
    EXPECT_OK(w->Append(tail));
    fs.SimulateCrash(seed);
    return Content(fs, "/wal");
  };
  std::set<size_t> sizes;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::string got = crash_with(seed);
    ASSERT_GE(got.size(), synced.size());
    ASSERT_LE(got.size(), synced.size() + tail.size());
    EXPECT_EQ(got, (synced + tail).substr(0, got.size()));
    EXPECT_EQ(crash_with(seed), got);  // Reproducible.
    sizes.insert(got.size());
  }
  // Random, not a fixed share: many different lengths, some in between.
  EXPECT_GT(sizes.size(), 16u);
  EXPECT_GT(*sizes.rbegin(), synced.size());
}

TEST(FakeFileSystemTest, SeededCrashNeverKeepsRewritesOfSyncedBytes) {
  for (uint64_t seed = 0; seed < 16; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    FakeFileSystem fs;
    CreateDurable(&fs, "/f", "AAAA");
    std::unique_ptr<WritableFile> f;
    ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &f));  // Truncates.
    ASSERT_OK(f->Append("BBBBBB"));
    fs.SimulateCrash(seed);
    const std::string got = Content(fs, "/f");
    EXPECT_THAT(got, testing::AnyOf("AAAA", "AAAAB", "AAAABB"));
  }
}

TEST(FakeFileSystemTest, SeededCrashStillDropsUnsyncedEntries) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append("data"));
  fs.SimulateCrash(/*seed=*/7);
  EXPECT_TRUE(fs.FileExists("/f").IsNotFound());
}

// ---------------------------------------------------------------------------
// Names.

TEST(FakeFileSystemTest, FilesAreCreatedOnlyInExistingDirectories) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  IOStatus s = fs.NewWritableFile("/nodir/f", Buffered(), &w);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.error_number(), ENOENT);
  EXPECT_EQ(s.ToString(),
            "NotFound: While open a file for appending: /nodir/f: No such "
            "file or directory");
  std::unique_ptr<RandomAccessFile> r;
  EXPECT_TRUE(fs.NewRandomAccessFile("/f", Buffered(), &r).IsNotFound());
  EXPECT_TRUE(fs.CreateDir("/a/b").IsNotFound());
  std::unique_ptr<FileLock> lock;
  EXPECT_TRUE(fs.LockFile("/nodir/LOCK", &lock).IsNotFound());
  ASSERT_OK(fs.WriteFileContent("/file", "x"));
  s = fs.NewWritableFile("/file/f", Buffered(), &w);
  EXPECT_EQ(s.error_number(), ENOTDIR);
  EXPECT_TRUE(fs.FileExists("/file/f").IsNotFound());
}

TEST(FakeFileSystemTest, RootAlwaysExists) {
  FakeFileSystem fs;
  EXPECT_OK(fs.FileExists("/"));
  std::vector<std::string> names;
  ASSERT_OK(fs.GetChildren("/", &names));
  EXPECT_TRUE(names.empty());
  EXPECT_OK(fs.CreateDirIfMissing("/"));
  EXPECT_TRUE(fs.CreateDir("/").IsIOError());
  EXPECT_TRUE(fs.DeleteDir("/").IsIOError());
  std::unique_ptr<Directory> d;
  EXPECT_OK(fs.NewDirectory("/", &d));
  std::unique_ptr<WritableFile> w;
  EXPECT_EQ(fs.NewWritableFile("/", Buffered(), &w).error_number(), EISDIR);
  fs.SimulateCrash();
  EXPECT_OK(fs.FileExists("/"));
}

TEST(FakeFileSystemTest, RelativePathsStartAtRoot) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("d"));
  ASSERT_OK(fs.WriteFileContent("d/f", "x"));
  EXPECT_EQ(Content(fs, "/d/f"), "x");
  EXPECT_EQ(Content(fs, "/d/./../d//f"), "x");
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs.LockFile("d/f", &lock));
  std::unique_ptr<FileLock> again;
  EXPECT_TRUE(fs.LockFile("/d/f", &again).IsIOError());  // Same file.
}

TEST(FakeFileSystemTest, CreateDirOfAnExistingNameFails) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/d"));
  IOStatus s = fs.CreateDir("/d");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.error_number(), EEXIST);
  EXPECT_THAT(s.ToString(), HasSubstr("/d"));
  EXPECT_OK(fs.CreateDirIfMissing("/d"));
  ASSERT_OK(fs.CreateDirIfMissing("/d/e"));
  EXPECT_OK(fs.FileExists("/d/e"));
  EXPECT_TRUE(fs.CreateDirIfMissing("/x/y").IsNotFound());
  ASSERT_OK(fs.WriteFileContent("/f", ""));
  s = fs.CreateDirIfMissing("/f");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/f: exists but is not a directory"));
}

TEST(FakeFileSystemTest, DeleteDirOfANonEmptyDirectoryFails) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/d"));
  ASSERT_OK(fs.WriteFileContent("/d/f", ""));
  IOStatus s = fs.DeleteDir("/d");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.error_number(), ENOTEMPTY);
  EXPECT_EQ(fs.DeleteDir("/d/f").error_number(), ENOTDIR);
  EXPECT_EQ(fs.DeleteFile("/d").error_number(), EISDIR);
  ASSERT_OK(fs.DeleteFile("/d/f"));
  ASSERT_OK(fs.DeleteDir("/d"));
  EXPECT_TRUE(fs.FileExists("/d").IsNotFound());
  EXPECT_TRUE(fs.DeleteDir("/d").IsNotFound());
  EXPECT_TRUE(fs.DeleteFile("/d").IsNotFound());
}

TEST(FakeFileSystemTest, GetChildrenListsNames) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/db"));
  ASSERT_OK(fs.CreateDir("/db/archive"));
  ASSERT_OK(fs.WriteFileContent("/db/000001.sst", "x"));
  ASSERT_OK(fs.WriteFileContent("/db/CURRENT", "y"));
  ASSERT_OK(fs.WriteFileContent("/db/archive/old.log", "z"));
  std::vector<std::string> names;
  ASSERT_OK(fs.GetChildren("/db", &names));
  EXPECT_THAT(names, UnorderedElementsAre("000001.sst", "CURRENT", "archive"));
  EXPECT_TRUE(fs.GetChildren("/nodir", &names).IsNotFound());
  EXPECT_EQ(fs.GetChildren("/db/CURRENT", &names).error_number(), ENOTDIR);
  uint64_t size = 1;
  ASSERT_OK(fs.GetFileSize("/db/CURRENT", &size));
  EXPECT_EQ(size, 1u);
  EXPECT_TRUE(fs.GetFileSize("/db/nothing", &size).IsNotFound());
  ASSERT_OK(fs.GetFileSize("/db", &size));
  EXPECT_EQ(size, 0u);  // Directories have no size here.
}

TEST(FakeFileSystemTest, RenameReplacesTheTargetAtomically) {
  FakeFileSystem fs;
  ASSERT_OK(fs.WriteFileContent("/target", "old"));
  ASSERT_OK(fs.WriteFileContent("/source", "new"));
  std::unique_ptr<RandomAccessFile> old_reader;
  ASSERT_OK(fs.NewRandomAccessFile("/target", Buffered(), &old_reader));
  ASSERT_OK(fs.RenameFile("/source", "/target"));
  EXPECT_EQ(Content(fs, "/target"), "new");
  EXPECT_TRUE(fs.FileExists("/source").IsNotFound());
  char scratch[4];
  Slice result;
  ASSERT_OK(old_reader->Read(0, 3, &result, scratch));  // The old inode.
  EXPECT_EQ(result.ToString(), "old");
  IOStatus s = fs.RenameFile("/source", "/x");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("While rename to /x: /source"));
}

TEST(FakeFileSystemTest, RenameMovesDirectoriesButNotIntoThemselves) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/a"));
  ASSERT_OK(fs.WriteFileContent("/a/f", "x"));
  ASSERT_OK(fs.CreateDir("/b"));
  EXPECT_EQ(fs.RenameFile("/a", "/a/sub").error_number(), EINVAL);
  ASSERT_OK(fs.WriteFileContent("/b/f", "y"));
  EXPECT_EQ(fs.RenameFile("/a", "/b").error_number(), ENOTEMPTY);
  EXPECT_EQ(fs.RenameFile("/a", "/b/f").error_number(), ENOTDIR);
  EXPECT_EQ(fs.RenameFile("/b/f", "/a").error_number(), EISDIR);
  ASSERT_OK(fs.RenameFile("/a", "/c"));
  EXPECT_EQ(Content(fs, "/c/f"), "x");
  ASSERT_OK(fs.RenameFile("/c/f", "/c/f"));  // Same file: nothing to do.
  EXPECT_EQ(Content(fs, "/c/f"), "x");
}

TEST(FakeFileSystemTest, LinkSharesContent) {
  FakeFileSystem fs;
  ASSERT_OK(fs.WriteFileContent("/a", "first"));
  ASSERT_OK(fs.LinkFile("/a", "/b"));
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/a", Buffered(), &w));  // Same inode.
  ASSERT_OK(w->Append("second"));
  EXPECT_EQ(Content(fs, "/b"), "second");
  ASSERT_OK(fs.DeleteFile("/a"));
  EXPECT_EQ(Content(fs, "/b"), "second");
  ASSERT_OK(w->Append("!"));  // Still open on the unlinked name.
  EXPECT_EQ(Content(fs, "/b"), "second!");

  ASSERT_OK(fs.WriteFileContent("/c", ""));
  IOStatus s = fs.LinkFile("/b", "/c");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.error_number(), EEXIST);
  EXPECT_THAT(s.ToString(), HasSubstr("While link to /c: /b"));
  ASSERT_OK(fs.CreateDir("/d"));
  EXPECT_TRUE(fs.LinkFile("/d", "/e").IsNotSupported());
  EXPECT_TRUE(fs.LinkFile("/nothing", "/e").IsNotFound());
}

TEST(FakeFileSystemTest, LockingTwiceFailsNamingThePath) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/db"));
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs.LockFile("/db/LOCK", &lock));
  EXPECT_EQ(lock->path(), "/db/LOCK");
  EXPECT_OK(fs.FileExists("/db/LOCK"));  // Created.
  std::unique_ptr<FileLock> second;
  IOStatus s = fs.LockFile("/db/LOCK", &second);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.ToString(), HasSubstr("/db/LOCK"));
  EXPECT_EQ(second, nullptr);
  ASSERT_OK(fs.UnlockFile(std::move(lock)));
  ASSERT_OK(fs.LockFile("/db/LOCK", &second));

  FakeFileSystem other;
  EXPECT_TRUE(other.UnlockFile(std::move(second)).IsInvalidArgument());
  EXPECT_TRUE(fs.UnlockFile(nullptr).IsInvalidArgument());
}

// ---------------------------------------------------------------------------
// Writable file life cycle.

TEST(FakeFileSystemTest, CloseTwiceIsOkAndUseAfterCloseNamesTheFile) {
  FakeFileSystem fs;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  ASSERT_OK(w->Append("abc"));
  ASSERT_OK(w->Close());
  ASSERT_OK(w->Close());
  IOStatus s = w->Append("x");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.ToString(),
            "IO error: While pwrite to file at offset 3 len 1: /f: file is "
            "already closed");
  for (IOStatus t :
       {w->Sync(), w->Fsync(), w->Flush(), w->Truncate(0), w->RangeSync(0, 0),
        w->Allocate(0, 1), w->InvalidateCache(0, 0)}) {
    EXPECT_TRUE(t.IsIOError()) << t.ToString();
    EXPECT_THAT(t.ToString(), HasSubstr("/f: file is already closed"));
  }
  EXPECT_EQ(Content(fs, "/f"), "abc");

  std::unique_ptr<Directory> d;
  ASSERT_OK(fs.NewDirectory("/", &d));
  ASSERT_OK(d->Close());
  ASSERT_OK(d->Close());
  EXPECT_TRUE(d->Fsync().IsIOError());
}

TEST(FakeFileSystemTest, NewWritableFileTruncatesAnExistingFile) {
  FakeFileSystem fs;
  ASSERT_OK(fs.WriteFileContent("/f", "old content"));
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs.NewWritableFile("/f", Buffered(), &w));
  EXPECT_EQ(w->GetFileSize(), 0u);
  EXPECT_EQ(Content(fs, "/f"), "");
  ASSERT_OK(w->Append("new"));
  EXPECT_EQ(w->GetFileSize(), 3u);
  EXPECT_EQ(Content(fs, "/f"), "new");
}

TEST(FakeFileSystemTest, OpeningADirectoryAsAFileFails) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/d"));
  std::unique_ptr<RandomAccessFile> r;
  EXPECT_EQ(fs.NewRandomAccessFile("/d", Buffered(), &r).error_number(),
            EISDIR);
  std::unique_ptr<Directory> dir;
  ASSERT_OK(fs.WriteFileContent("/f", ""));
  EXPECT_EQ(fs.NewDirectory("/f", &dir).error_number(), ENOTDIR);
  EXPECT_TRUE(fs.NewDirectory("/nodir", &dir).IsNotFound());
}

TEST(FakeFileSystemTest, FileObjectsMayOutliveTheFileSystem) {
  auto fs = std::make_unique<FakeFileSystem>();
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs->NewWritableFile("/f", Buffered(), &w));
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs->LockFile("/LOCK", &lock));
  fs.reset();
  ASSERT_OK(w->Append("still here"));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Close());
}

// ---------------------------------------------------------------------------
// Concurrency.

TEST(FakeFileSystemTest, ConcurrentWritersReadersAndObserversAreSafe) {
  FakeFileSystem fs;
  ASSERT_OK(fs.CreateDir("/db"));
  constexpr int kThreads = 4;
  constexpr int kRecords = 300;
  constexpr size_t kRecordSize = 100;
  std::atomic<int> writers_left{kThreads};
  std::vector<std::thread> threads;
  std::vector<std::string> failures(kThreads + 1);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string path = "/db/" + std::to_string(t) + ".log";
      std::unique_ptr<WritableFile> w;
      std::unique_ptr<RandomAccessFile> r;
      if (!fs.NewWritableFile(path, Buffered(), &w).ok() ||
          !fs.NewRandomAccessFile(path, Buffered(), &r).ok()) {
        failures[t] = "open failed";
      }
      std::string expected;
      std::string scratch(kRecordSize, '\0');
      for (int i = 0; i < kRecords && failures[t].empty(); ++i) {
        const std::string record = Pattern(kRecordSize, t * 1000 + i);
        expected += record;
        if (!w->Append(record).ok() || (i % 10 == 0 && !w->Sync().ok())) {
          failures[t] = "write failed";
        }
        Slice result;
        const uint64_t offset = (i / 2) * kRecordSize;
        if (!r->Read(offset, kRecordSize, &result, scratch.data()).ok() ||
            result.ToString() != expected.substr(offset, kRecordSize)) {
          failures[t] = "read mismatch at record " + std::to_string(i);
        }
      }
      if (failures[t].empty() && !w->Close().ok()) {
        failures[t] = "close failed";
      }
      std::string content;
      if (failures[t].empty() &&
          (!fs.ReadFileContent(path, &content).ok() || content != expected)) {
        failures[t] = "final content differs";
      }
      writers_left.fetch_sub(1, std::memory_order_acq_rel);
    });
  }
  threads.emplace_back([&] {
    std::vector<std::string> names;
    while (writers_left.load(std::memory_order_acquire) > 0) {
      if (!fs.GetChildren("/db", &names).ok()) {
        failures[kThreads] = "GetChildren failed";
      }
      for (const std::string& name : names) {
        fs.ResidentBytes("/db/" + name);  // Called for races only.
      }
      fs.DropAllCaches();
    }
  });
  for (std::thread& t : threads) {
    t.join();
  }
  for (const std::string& f : failures) {
    EXPECT_EQ(f, "");
  }
}

}  // namespace
}  // namespace strata
