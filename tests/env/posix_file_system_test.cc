#include "env/posix_file_system.h"

#include <fcntl.h>
#include <linux/stat.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/direct_io_alignment.h"
#include "env/posix_files.h"
#include "env/posix_mmap_files.h"
#include "strata/env.h"
#include "testutil/testutil.h"

namespace strata {
namespace {

using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// Evidence helpers: what the kernel really did, seen without our code.

// Heap memory at a chosen alignment.
class AlignedMemory {
 public:
  AlignedMemory(size_t alignment, size_t size) {
    const size_t rounded = (size + alignment - 1) / alignment * alignment;
    data_.reset(static_cast<char*>(
        std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)));
  }
  char* data() { return data_.get(); }

 private:
  struct FreeDeleter {
    void operator()(char* p) const { std::free(p); }
  };
  std::unique_ptr<char, FreeDeleter> data_;
};

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

void WriteWholeFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
}

uint64_t SizeOnDisk(const std::string& path) {
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return static_cast<uint64_t>(st.st_size);
}

// Pages of `path` present in the page cache, via mincore on a fresh mapping
// (mapping a file does not fault its pages in).
size_t ResidentPages(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  struct stat st;
  EXPECT_EQ(fstat(fd, &st), 0);
  size_t resident = 0;
  if (st.st_size > 0) {
    const size_t len = static_cast<size_t>(st.st_size);
    void* p = mmap(nullptr, len, PROT_READ, MAP_SHARED, fd, 0);
    EXPECT_NE(p, MAP_FAILED);
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> vec((len + page - 1) / page);
    EXPECT_EQ(mincore(p, len, vec.data()), 0);
    for (unsigned char v : vec) {
      resident += v & 1;
    }
    munmap(p, len);
  }
  close(fd);
  return resident;
}

// Pages of `path` in the page cache as cachestat(2) (Linux >= 6.5) counts
// them: unlike mincore, which sees only pages already read, it also counts
// pages whose read is still in flight, which is how readahead(2) leaves
// them. -1 if the kernel has no cachestat.
long PagesInCacheIncludingInFlight(const std::string& path) {
  struct CachestatRange {
    uint64_t off;
    uint64_t len;  // 0 = to the end of the file.
  };
  struct Cachestat {
    uint64_t nr_cache;
    uint64_t nr_dirty;
    uint64_t nr_writeback;
    uint64_t nr_evicted;
    uint64_t nr_recently_evicted;
  };
  constexpr long kSysCachestat = 451;  // The same on every architecture.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0) << path;
  CachestatRange range = {0, 0};
  Cachestat cs = {};
  const long rc = syscall(kSysCachestat, fd, &range, &cs, 0);
  close(fd);
  return rc == 0 ? static_cast<long>(cs.nr_cache) : -1;
}

// The open flags of the one descriptor this process has on `path`, from
// /proc/self/fdinfo; -1 if there is none or more than one.
long OpenFlagsOf(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = fs::canonical(path, ec);
  if (ec) {
    return -1;
  }
  int found = -1;
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    std::error_code link_ec;
    if (fs::read_symlink(entry.path(), link_ec) == target && !link_ec) {
      found = std::stoi(entry.path().filename().string());
      ++count;
    }
  }
  if (count != 1) {
    return -1;
  }
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(found));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags:", 0) == 0) {
      return std::stol(line.substr(6), nullptr, 8);
    }
  }
  return -1;
}

// The alignment the kernel demands for direct I/O on `path`, asked with a
// raw statx call (and sysfs when statx has no answer).
DirectIOAlignment KernelAlignment(const std::string& path) {
  struct statx sx = {};
  EXPECT_EQ(statx(AT_FDCWD, path.c_str(), 0, STATX_DIOALIGN, &sx), 0);
  DirectIOAlignment a;
  if ((sx.stx_mask & STATX_DIOALIGN) != 0 && sx.stx_dio_offset_align != 0) {
    a.offset = sx.stx_dio_offset_align;
    a.memory = sx.stx_dio_mem_align;
  } else {
    a.offset = a.memory =
        LogicalBlockSizeFromSysfs("/sys", sx.stx_dev_major, sx.stx_dev_minor);
  }
  return a;
}

void ExpectMessageHas(const Status& s, const std::vector<std::string>& parts) {
  for (const std::string& part : parts) {
    EXPECT_THAT(s.ToString(), HasSubstr(part));
  }
}

FileOptions Buffered() { return FileOptions{}; }
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
FileOptions MmapWrites() {
  FileOptions o;
  o.use_mmap_writes = true;
  return o;
}

class PosixFileSystemTest : public testing::Test {
 protected:
  // Writes `contents` through a buffered WritableFile and closes it.
  void WriteBuffered(const std::string& path, const std::string& contents) {
    std::unique_ptr<WritableFile> f;
    ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &f));
    ASSERT_OK(f->Append(contents));
    ASSERT_OK(f->Sync());
    ASSERT_OK(f->Close());
  }

  test::ScratchDir dir_;
  std::unique_ptr<FileSystem> fs_ = NewPosixFileSystem();
};

// ---------------------------------------------------------------------------
// Buffered files.

TEST_F(PosixFileSystemTest, BufferedRoundTrip) {
  test::Random rnd(301);
  const std::string path = dir_.Join("buffered");
  std::string expected;
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  EXPECT_FALSE(w->use_direct_io());
  EXPECT_EQ(w->mode(), IOMode::kBuffered);
  EXPECT_EQ(w->alignment().offset, kDefaultPageSize);
  EXPECT_EQ(w->alignment().memory, kDefaultPageSize);
  EXPECT_EQ(w->path(), path);
  for (int i = 0; i < 50; ++i) {
    const std::string piece = rnd.RandomBytes(rnd.Uniform(5000));
    ASSERT_OK(w->Append(piece));
    expected += piece;
    EXPECT_EQ(w->GetFileSize(), expected.size());
  }
  ASSERT_OK(w->Flush());
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Fsync());
  ASSERT_OK(w->Close());

  uint64_t size = 0;
  ASSERT_OK(fs_->GetFileSize(path, &size));
  EXPECT_EQ(size, expected.size());
  EXPECT_EQ(ReadWholeFile(path), expected);

  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  EXPECT_EQ(r->mode(), IOMode::kBuffered);
  std::string scratch(expected.size(), '\0');
  Slice result;
  ASSERT_OK(r->Read(0, expected.size(), &result, scratch.data()));
  EXPECT_EQ(result.data(), scratch.data());
  EXPECT_EQ(result.ToString(), expected);
  ASSERT_OK(r->GetFileSize(&size));
  EXPECT_EQ(size, expected.size());
}

TEST_F(PosixFileSystemTest, DescriptorsAreCloexecAndNeverAppendOrDirect) {
  const std::string path = dir_.Join("flags");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  long flags = OpenFlagsOf(path);
  ASSERT_NE(flags, -1);
  EXPECT_NE(flags & O_CLOEXEC, 0) << std::oct << flags;
  EXPECT_EQ(flags & O_APPEND, 0) << std::oct << flags;
  EXPECT_EQ(flags & O_DIRECT, 0) << std::oct << flags;
  ASSERT_OK(w->Close());

  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  flags = OpenFlagsOf(path);
  ASSERT_NE(flags, -1);
  EXPECT_NE(flags & O_CLOEXEC, 0) << std::oct << flags;
  EXPECT_EQ(flags & O_DIRECT, 0) << std::oct << flags;
}

TEST_F(PosixFileSystemTest, NewWritableFileCreatesWithMode0644AndTruncates) {
  const std::string path = dir_.Join("mode");
  WriteWholeFile(path, "old contents");
  const mode_t old_umask = umask(022);
  std::unique_ptr<WritableFile> w;
  const Status s = fs_->NewWritableFile(path, Buffered(), &w);
  const std::string fresh = dir_.Join("fresh");
  std::unique_ptr<WritableFile> w2;
  const Status s2 = fs_->NewWritableFile(fresh, Buffered(), &w2);
  umask(old_umask);
  ASSERT_OK(s);
  ASSERT_OK(s2);
  EXPECT_EQ(SizeOnDisk(path), 0u);
  struct stat st;
  ASSERT_EQ(stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_OK(w->Close());
  ASSERT_OK(w2->Close());
}

TEST_F(PosixFileSystemTest, ReadAtOrPastEndOfFileIsShortOrEmptyAndOk) {
  const std::string path = dir_.Join("eof");
  WriteBuffered(path, std::string(1000, 'e'));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  char scratch[4096];
  Slice result;
  ASSERT_OK(r->Read(900, 200, &result, scratch));
  EXPECT_EQ(result.size(), 100u);
  ASSERT_OK(r->Read(1000, 10, &result, scratch));
  EXPECT_TRUE(result.empty());
  ASSERT_OK(r->Read(5000, 10, &result, scratch));
  EXPECT_TRUE(result.empty());
}

TEST_F(PosixFileSystemTest, MultiReadGivesEachRequestItsOwnResult) {
  const std::string path = dir_.Join("multi");
  std::string contents;
  for (int i = 0; i < 300; ++i) {
    contents += static_cast<char>('a' + i % 26);
  }
  WriteBuffered(path, contents);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  char s0[10], s1[50], s2[10];
  ReadRequest reqs[3];
  reqs[0] = {0, 10, s0, {}, {}};
  reqs[1] = {280, 50, s1, {}, {}};
  reqs[2] = {400, 10, s2, {}, {}};
  ASSERT_OK(r->MultiRead(reqs, 3));
  ASSERT_OK(reqs[0].status);
  EXPECT_EQ(reqs[0].result.ToString(), contents.substr(0, 10));
  ASSERT_OK(reqs[1].status);
  EXPECT_EQ(reqs[1].result.ToString(), contents.substr(280));
  ASSERT_OK(reqs[2].status);
  EXPECT_TRUE(reqs[2].result.empty());
}

TEST_F(PosixFileSystemTest, PositionedAppendSetsSizeAndAppendFollowsIt) {
  const std::string path = dir_.Join("positioned");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  ASSERT_OK(w->Append(std::string(100, 'a')));
  ASSERT_OK(w->PositionedAppend(std::string(50, 'b'), 4096));
  EXPECT_EQ(w->GetFileSize(), 4146u);
  EXPECT_EQ(SizeOnDisk(path), 4146u);
  // Moving back: the size follows the last positional write, and Append
  // writes there, not at the end of the file (no O_APPEND).
  ASSERT_OK(w->PositionedAppend("cc", 10));
  EXPECT_EQ(w->GetFileSize(), 12u);
  ASSERT_OK(w->Append("dd"));
  EXPECT_EQ(w->GetFileSize(), 14u);
  ASSERT_OK(w->Close());
  const std::string data = ReadWholeFile(path);
  ASSERT_EQ(data.size(), 4146u);
  EXPECT_EQ(data.substr(0, 16), std::string(10, 'a') + "ccdd" + "aa");
  EXPECT_EQ(data.substr(100, 3996), std::string(3996, '\0'));
  EXPECT_EQ(data.substr(4096), std::string(50, 'b'));
}

TEST_F(PosixFileSystemTest, TruncateShrinksAndExtendsWithZeros) {
  const std::string path = dir_.Join("truncate");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  ASSERT_OK(w->Append(std::string(10000, 'x')));
  ASSERT_OK(w->Truncate(100));
  EXPECT_EQ(w->GetFileSize(), 100u);
  EXPECT_EQ(SizeOnDisk(path), 100u);
  ASSERT_OK(w->Append("abc"));
  ASSERT_OK(w->Truncate(5000));
  EXPECT_EQ(w->GetFileSize(), 5000u);
  ASSERT_OK(w->Close());
  const std::string data = ReadWholeFile(path);
  ASSERT_EQ(data.size(), 5000u);
  EXPECT_EQ(data.substr(0, 103), std::string(100, 'x') + "abc");
  EXPECT_EQ(data.substr(103), std::string(4897, '\0'));
}

TEST_F(PosixFileSystemTest, CloseTwiceIsOk) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(dir_.Join("c"), Buffered(), &w));
  ASSERT_OK(w->Append("x"));
  ASSERT_OK(w->Close());
  ASSERT_OK(w->Close());
  EXPECT_EQ(w->GetFileSize(), 1u);
}

void ExpectEveryCallFailsAfterClose(WritableFile* w) {
  const std::string path = w->path();
  std::vector<std::pair<std::string, Status>> calls;
  calls.emplace_back("Append", w->Append("x"));
  calls.emplace_back("PositionedAppend", w->PositionedAppend("x", 0));
  calls.emplace_back("Truncate", w->Truncate(0));
  calls.emplace_back("Flush", w->Flush());
  calls.emplace_back("Sync", w->Sync());
  calls.emplace_back("Fsync", w->Fsync());
  calls.emplace_back("RangeSync", w->RangeSync(0, 0));
  calls.emplace_back("Allocate", w->Allocate(0, 4096));
  calls.emplace_back("InvalidateCache", w->InvalidateCache(0, 0));
  for (const auto& [name, s] : calls) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(s.IsIOError()) << s.ToString();
    ExpectMessageHas(s, {path, "closed"});
  }
}

TEST_F(PosixFileSystemTest, CallsAfterCloseFailNamingTheFile) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(dir_.Join("closed"), Buffered(), &w));
  ASSERT_OK(w->Close());
  ExpectEveryCallFailsAfterClose(w.get());
  EXPECT_EQ(SizeOnDisk(dir_.Join("closed")), 0u);
}

TEST_F(PosixFileSystemTest, AllocateReservesBlocksWithoutChangingSize) {
  const std::string type = test::FileSystemTypeName(dir_.path());
  if (type != "ext4/ext3" && type != "xfs") {
    GTEST_SKIP() << "fallocate may be unsupported on " << type;
  }
  const std::string path = dir_.Join("alloc");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  ASSERT_OK(w->Allocate(0, 1 << 20));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_GE(static_cast<uint64_t>(st.st_blocks) * 512, uint64_t{1} << 20);
  ASSERT_OK(w->Close());
}

TEST_F(PosixFileSystemTest, RangeSyncIsUsableOnScratchDisk) {
  const std::string path = dir_.Join("rangesync");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  ASSERT_OK(w->Append(std::string(1 << 20, 'r')));
  ASSERT_OK(w->RangeSync(0, 1 << 20));
  ASSERT_OK(w->RangeSync(0, 0));  // 0 = to the end of the file.
  ASSERT_OK(w->Close());
  // The open-time probe: ext4 and xfs have a working sync_file_range.
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(SyncFileRangeUsable(fd));
  close(fd);
}

TEST_F(PosixFileSystemTest, WritableInvalidateCacheDropsCleanPages) {
  const std::string path = dir_.Join("dontneed");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Buffered(), &w));
  ASSERT_OK(w->Append(std::string(1 << 20, 'd')));
  ASSERT_OK(w->Sync());  // DONTNEED drops only clean pages.
  ASSERT_GT(ResidentPages(path), 0u) << "buffered writes fill the cache";
  ASSERT_OK(w->InvalidateCache(0, 0));
  EXPECT_EQ(ResidentPages(path), 0u);
  ASSERT_OK(w->Close());
}

TEST_F(PosixFileSystemTest, ReadableInvalidateCacheDropsCleanPages) {
  const std::string path = dir_.Join("dontneed");
  WriteBuffered(path, std::string(1 << 20, 'p'));
  ASSERT_GT(ResidentPages(path), 0u) << "buffered writes fill the cache";
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  ASSERT_OK(r->InvalidateCache(0, 0));
  EXPECT_EQ(ResidentPages(path), 0u);
}

TEST_F(PosixFileSystemTest, BufferedPrefetchStartsReadahead) {
  const std::string path = dir_.Join("prefetch");
  WriteBuffered(path, std::string(1 << 20, 'p'));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  ASSERT_OK(r->InvalidateCache(0, 0));
  const long before = PagesInCacheIncludingInFlight(path);
  if (before < 0) {
    GTEST_SKIP() << "no cachestat(2): mincore cannot see in-flight readahead";
  }
  ASSERT_EQ(before, 0);
  ASSERT_OK(r->Prefetch(0, 1 << 20));
  EXPECT_GT(PagesInCacheIncludingInFlight(path), 0)
      << "readahead(2) puts the pages in the cache";
}

TEST_F(PosixFileSystemTest, HintAcceptsEveryAccessPattern) {
  const std::string path = dir_.Join("hint");
  WriteBuffered(path, "hint");
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &r));
  EXPECT_OK(r->Hint(AccessPattern::kRandom));
  EXPECT_OK(r->Hint(AccessPattern::kSequential));
  EXPECT_OK(r->Hint(AccessPattern::kNormal));
}

TEST_F(PosixFileSystemTest, SequentialReadSkipAndEndOfFile) {
  test::Random rnd(7);
  const std::string path = dir_.Join("seq");
  const std::string contents = rnd.RandomBytes(10000);
  WriteBuffered(path, contents);
  std::unique_ptr<SequentialFile> f;
  ASSERT_OK(fs_->NewSequentialFile(path, Buffered(), &f));
  EXPECT_EQ(f->mode(), IOMode::kBuffered);
  char scratch[8192];
  Slice result;
  ASSERT_OK(f->Read(100, &result, scratch));
  EXPECT_EQ(result.ToString(), contents.substr(0, 100));
  ASSERT_OK(f->Skip(900));
  ASSERT_OK(f->Read(100, &result, scratch));
  EXPECT_EQ(result.ToString(), contents.substr(1000, 100));
  ASSERT_OK(f->Read(8192, &result, scratch));
  EXPECT_EQ(result.ToString(), contents.substr(1100, 8192));
  ASSERT_OK(f->Read(8192, &result, scratch));
  EXPECT_EQ(result.ToString(), contents.substr(9292));
  ASSERT_OK(f->Read(8192, &result, scratch));
  EXPECT_TRUE(result.empty());
}

TEST_F(PosixFileSystemTest, SequentialSkipStopsAtEndOfFile) {
  const std::string path = dir_.Join("skip");
  WriteBuffered(path, "0123456789");
  std::unique_ptr<SequentialFile> f;
  ASSERT_OK(fs_->NewSequentialFile(path, Buffered(), &f));
  ASSERT_OK(f->Skip(1000));
  // Bytes appended later are read from the old end, not from 1000.
  std::ofstream(path, std::ios::app) << "abc";
  char scratch[16];
  Slice result;
  ASSERT_OK(f->Read(16, &result, scratch));
  EXPECT_EQ(result.ToString(), "abc");
}

TEST_F(PosixFileSystemTest, OpeningMissingFilesIsNotFoundNamingPath) {
  const std::string path = dir_.Join("missing");
  std::unique_ptr<RandomAccessFile> r;
  Status s = fs_->NewRandomAccessFile(path, Buffered(), &r);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {path, "random read"});
  std::unique_ptr<SequentialFile> q;
  s = fs_->NewSequentialFile(path, Buffered(), &q);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {path});
  std::unique_ptr<WritableFile> w;
  s = fs_->NewWritableFile(dir_.Join("no-dir/f"), Buffered(), &w);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {dir_.Join("no-dir/f"), "appending"});
}

TEST_F(PosixFileSystemTest, DirectAndMmapForOneFileIsInvalidArgument) {
  const std::string path = dir_.Join("conflict");
  WriteWholeFile(path, "keep me");
  FileOptions writes;
  writes.use_direct_writes = true;
  writes.use_mmap_writes = true;
  std::unique_ptr<WritableFile> w;
  Status s = fs_->NewWritableFile(path, writes, &w);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "use_direct_writes", "use_mmap_writes"});
  // Rejected before open: the existing file was not truncated.
  EXPECT_EQ(ReadWholeFile(path), "keep me");
  const std::string missing = dir_.Join("conflict-new");
  s = fs_->NewWritableFile(missing, writes, &w);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(fs_->FileExists(missing).IsNotFound());

  FileOptions reads;
  reads.use_direct_reads = true;
  reads.use_mmap_reads = true;
  std::unique_ptr<RandomAccessFile> r;
  s = fs_->NewRandomAccessFile(path, reads, &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "use_direct_reads", "use_mmap_reads"});
  std::unique_ptr<SequentialFile> q;
  s = fs_->NewSequentialFile(path, reads, &q);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path});
}

// Procfs and character devices refuse O_DIRECT at open (EINVAL) on every
// Linux kernel that has FMODE_CAN_ODIRECT, which makes them a real "file
// system that refuses direct I/O" without mounting anything.
TEST_F(PosixFileSystemTest, FileSystemRefusingODirectIsNotSupported) {
  const std::string proc_file = "/proc/self/status";
  const std::string dev_null = "/dev/null";
  for (const std::string& path : {proc_file, dev_null}) {
    const int fd = open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      GTEST_SKIP() << path << " accepts O_DIRECT on this kernel";
    }
    ASSERT_EQ(errno, EINVAL) << path;
  }
  std::unique_ptr<RandomAccessFile> r;
  Status s = fs_->NewRandomAccessFile(proc_file, Direct(), &r);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  ExpectMessageHas(s, {proc_file, "Invalid argument", "random read"});
  std::unique_ptr<SequentialFile> q;
  s = fs_->NewSequentialFile(proc_file, Direct(), &q);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  ExpectMessageHas(s, {proc_file, "Invalid argument"});
  std::unique_ptr<WritableFile> w;
  s = fs_->NewWritableFile(dev_null, Direct(), &w);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  ExpectMessageHas(s, {dev_null, "Invalid argument", "appending"});
  // Buffered opens of the same files work: the refusal is O_DIRECT's.
  ASSERT_OK(fs_->NewRandomAccessFile(proc_file, Buffered(), &r));
}

// ---------------------------------------------------------------------------
// File system operations.

TEST_F(PosixFileSystemTest, FileExistsOkOrNotFound) {
  const std::string path = dir_.Join("exists");
  Status s = fs_->FileExists(path);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {path});
  WriteWholeFile(path, "x");
  ASSERT_OK(fs_->FileExists(path));
  ASSERT_OK(fs_->FileExists(dir_.path()));
  // A file used as a directory: ENOTDIR, still "does not exist".
  s = fs_->FileExists(path + "/child");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(PosixFileSystemTest, GetChildrenListsNamesWithoutDots) {
  WriteWholeFile(dir_.Join("a"), "");
  WriteWholeFile(dir_.Join("b"), "");
  ASSERT_OK(fs_->CreateDir(dir_.Join("c")));
  std::vector<std::string> names = {"stale"};
  ASSERT_OK(fs_->GetChildren(dir_.path(), &names));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()),
            (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(names.size(), 3u);
  const std::string missing = dir_.Join("nope");
  Status s = fs_->GetChildren(missing, &names);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {missing});
}

TEST_F(PosixFileSystemTest, RenameReplacesTargetAtomically) {
  const std::string a = dir_.Join("a");
  const std::string b = dir_.Join("b");
  WriteWholeFile(a, "new");
  WriteWholeFile(b, "old");
  ASSERT_OK(fs_->RenameFile(a, b));
  EXPECT_EQ(ReadWholeFile(b), "new");
  EXPECT_TRUE(fs_->FileExists(a).IsNotFound());
  Status s = fs_->RenameFile(a, dir_.Join("c"));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {a, dir_.Join("c")});
}

TEST_F(PosixFileSystemTest, LinkFileMakesHardLink) {
  const std::string a = dir_.Join("a");
  const std::string b = dir_.Join("b");
  WriteWholeFile(a, "linked");
  ASSERT_OK(fs_->LinkFile(a, b));
  struct stat st;
  ASSERT_EQ(stat(a.c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(ReadWholeFile(b), "linked");
  Status s = fs_->LinkFile(a, b);  // Target exists.
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {a, b, "File exists"});
  s = fs_->LinkFile(dir_.Join("missing"), dir_.Join("x"));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_F(PosixFileSystemTest, LinkAcrossFileSystemsIsNotSupported) {
  struct stat shm;
  struct stat scratch;
  if (stat("/dev/shm", &shm) != 0 || stat(dir_.path().c_str(), &scratch) != 0 ||
      shm.st_dev == scratch.st_dev) {
    GTEST_SKIP() << "no second file system at /dev/shm";
  }
  const std::string a = dir_.Join("a");
  WriteWholeFile(a, "x");
  const std::string target =
      "/dev/shm/strata_link_test." + std::to_string(getpid());
  Status s = fs_->LinkFile(a, target);
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  ExpectMessageHas(s, {a, target});
  unlink(target.c_str());
}

TEST_F(PosixFileSystemTest, DeleteFileAndDeleteDir) {
  const std::string f = dir_.Join("f");
  WriteWholeFile(f, "x");
  ASSERT_OK(fs_->DeleteFile(f));
  EXPECT_TRUE(fs_->FileExists(f).IsNotFound());
  Status s = fs_->DeleteFile(f);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {f});

  const std::string d = dir_.Join("d");
  ASSERT_OK(fs_->CreateDir(d));
  WriteWholeFile(d + "/inside", "x");
  s = fs_->DeleteDir(d);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {d});
  ASSERT_OK(fs_->DeleteFile(d + "/inside"));
  ASSERT_OK(fs_->DeleteDir(d));
  EXPECT_TRUE(fs_->FileExists(d).IsNotFound());
}

TEST_F(PosixFileSystemTest, CreateDirFailsIfPresentCreateDirIfMissingDoesNot) {
  const std::string d = dir_.Join("d");
  ASSERT_OK(fs_->CreateDir(d));
  Status s = fs_->CreateDir(d);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {d, "File exists"});
  ASSERT_OK(fs_->CreateDirIfMissing(d));
  const std::string d2 = dir_.Join("d2");
  ASSERT_OK(fs_->CreateDirIfMissing(d2));
  struct stat st;
  ASSERT_EQ(stat(d2.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  const std::string file = dir_.Join("file");
  WriteWholeFile(file, "x");
  s = fs_->CreateDirIfMissing(file);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {file, "not a directory"});
}

TEST_F(PosixFileSystemTest, GetFileSizeOfMissingFileIsNotFound) {
  const std::string path = dir_.Join("nothing");
  uint64_t size = 7;
  Status s = fs_->GetFileSize(path, &size);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {path});
}

TEST_F(PosixFileSystemTest, DirectoryFsyncCloseTwiceAndUseAfterClose) {
  ASSERT_OK(fs_->CreateDir(dir_.Join("d")));
  std::unique_ptr<Directory> d;
  ASSERT_OK(fs_->NewDirectory(dir_.Join("d"), &d));
  WriteWholeFile(dir_.Join("d/entry"), "x");
  ASSERT_OK(d->Fsync());
  ASSERT_OK(d->Close());
  ASSERT_OK(d->Close());
  Status s = d->Fsync();
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {dir_.Join("d"), "closed"});
}

TEST_F(PosixFileSystemTest, NewDirectoryNeedsAnExistingDirectory) {
  std::unique_ptr<Directory> d;
  Status s = fs_->NewDirectory(dir_.Join("absent"), &d);
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  ExpectMessageHas(s, {dir_.Join("absent")});
  WriteWholeFile(dir_.Join("plain"), "x");
  s = fs_->NewDirectory(dir_.Join("plain"), &d);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {dir_.Join("plain"), "Not a directory"});
}

TEST_F(PosixFileSystemTest, EnvDefaultIsPosixOverSystemClock) {
  Env* env = Env::Default();
  ASSERT_NE(env, nullptr);
  EXPECT_EQ(env, Env::Default());
  EXPECT_STREQ(env->file_system()->Name(), "PosixFileSystem");
  EXPECT_EQ(env->clock(), SystemClock());
  const std::string path = dir_.Join("via-default");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(env->file_system()->NewWritableFile(path, Buffered(), &w));
  ASSERT_OK(w->Close());
  ASSERT_OK(env->file_system()->FileExists(path));
}

// ---------------------------------------------------------------------------
// Locks.

class PosixLockTest : public PosixFileSystemTest {
 protected:
  // Tries an open-file-description lock from a separate descriptor. OFD
  // locks conflict with fcntl record locks even inside one process, so this
  // sees our lock the way another process would.
  static int TryOfdLock(int fd, short type) {
    struct flock f;
    std::memset(&f, 0, sizeof(f));
    f.l_type = type;
    f.l_whence = SEEK_SET;
    return fcntl(fd, F_OFD_SETLK, &f) == 0 ? 0 : errno;
  }
};

TEST_F(PosixLockTest, LockCreatesFileAndTwiceInProcessFails) {
  const std::string path = dir_.Join("LOCK");
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs_->LockFile(path, &lock));
  EXPECT_EQ(lock->path(), path);
  ASSERT_OK(fs_->FileExists(path));
  std::unique_ptr<FileLock> again;
  Status s = fs_->LockFile(path, &again);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {path});
  EXPECT_EQ(again, nullptr);
  ASSERT_OK(fs_->UnlockFile(std::move(lock)));
  ASSERT_OK(fs_->LockFile(path, &again));
  ASSERT_OK(fs_->UnlockFile(std::move(again)));
}

TEST_F(PosixLockTest, LockIsProcessWideAcrossFileSystemObjects) {
  const std::string path = dir_.Join("LOCK");
  std::unique_ptr<FileSystem> other = NewPosixFileSystem();
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs_->LockFile(path, &lock));
  std::unique_ptr<FileLock> second;
  Status s = other->LockFile(path, &second);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {path});
  ASSERT_OK(fs_->UnlockFile(std::move(lock)));
}

TEST_F(PosixLockTest, LockIsAnFcntlWriteLockOthersSee) {
  const std::string path = dir_.Join("LOCK");
  std::unique_ptr<FileLock> lock;
  ASSERT_OK(fs_->LockFile(path, &lock));
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(TryOfdLock(fd, F_RDLCK), EAGAIN);
  ASSERT_OK(fs_->UnlockFile(std::move(lock)));
  EXPECT_EQ(TryOfdLock(fd, F_WRLCK), 0);
  close(fd);
}

TEST_F(PosixLockTest, LockHeldByAnotherHolderFailsAndLeavesPathFree) {
  const std::string path = dir_.Join("LOCK");
  WriteWholeFile(path, "");
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(TryOfdLock(fd, F_WRLCK), 0);
  std::unique_ptr<FileLock> lock;
  Status s = fs_->LockFile(path, &lock);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  ExpectMessageHas(s, {path, "lock"});
  // The failed attempt did not leave the path marked as held here.
  close(fd);  // Drops the OFD lock.
  ASSERT_OK(fs_->LockFile(path, &lock));
  ASSERT_OK(fs_->UnlockFile(std::move(lock)));
}

TEST_F(PosixLockTest, UnlockingANullOrForeignLockIsInvalidArgument) {
  Status s = fs_->UnlockFile(nullptr);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  class ForeignLock : public FileLock {
   public:
    const std::string& path() const override { return path_; }
    std::string path_ = "/elsewhere/LOCK";
  };
  s = fs_->UnlockFile(std::make_unique<ForeignLock>());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {"/elsewhere/LOCK"});
}

// ---------------------------------------------------------------------------
// Direct I/O on the real disk.

class PosixDirectIOTest : public PosixFileSystemTest {
 protected:
  void SetUp() override {
    const std::string reason = test::DirectIOUnavailableReason(dir_.path());
    if (!reason.empty()) {
      GTEST_SKIP() << reason;
    }
  }

  // Writes `contents` (a multiple of `unit` bytes) with direct Appends of
  // `unit` bytes from a buffer aligned to `unit`, then closes.
  void WriteDirect(const std::string& path, const std::string& contents,
                   size_t unit) {
    std::unique_ptr<WritableFile> w;
    ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
    ASSERT_TRUE(w->use_direct_io());
    AlignedMemory buf(unit, unit);
    for (size_t off = 0; off < contents.size(); off += unit) {
      std::memcpy(buf.data(), contents.data() + off, unit);
      ASSERT_OK(w->Append(Slice(buf.data(), unit)));
    }
    ASSERT_OK(w->Close());
  }

  // Reads the whole file with direct reads of `unit` bytes.
  std::string ReadDirect(const std::string& path, size_t unit) {
    std::unique_ptr<RandomAccessFile> r;
    EXPECT_OK(fs_->NewRandomAccessFile(path, Direct(), &r));
    if (r == nullptr) {
      return "";
    }
    EXPECT_TRUE(r->use_direct_io());
    AlignedMemory buf(unit, unit);
    std::string out;
    for (uint64_t off = 0;; off += unit) {
      Slice result;
      EXPECT_OK(r->Read(off, unit, &result, buf.data()));
      out.append(result.data(), result.size());
      if (result.size() < unit) {
        break;
      }
    }
    return out;
  }
};

TEST_F(PosixDirectIOTest, KernelRejectsUnalignedDirectWriteOnThisDisk) {
  // The evidence that alignment matters here: a raw O_DIRECT descriptor
  // refuses a 100-byte write. (tmpfs would accept it.)
  const std::string path = dir_.Join("raw");
  const int fd =
      open(path.c_str(), O_CREAT | O_WRONLY | O_DIRECT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  AlignedMemory buf(4096, 4096);
  std::memset(buf.data(), 'r', 4096);
  EXPECT_EQ(pwrite(fd, buf.data(), 100, 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(pwrite(fd, buf.data(), 4096, 0), 4096);
  close(fd);
}

TEST_F(PosixDirectIOTest, DirectFilesReportKernelAlignmentAndODirect) {
  const std::string path = dir_.Join("direct");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
  EXPECT_TRUE(w->use_direct_io());
  EXPECT_EQ(w->mode(), IOMode::kDirect);
  const DirectIOAlignment expected = KernelAlignment(path);
  EXPECT_EQ(w->alignment().offset, expected.offset);
  EXPECT_EQ(w->alignment().memory, expected.memory);
  long flags = OpenFlagsOf(path);
  ASSERT_NE(flags, -1);
  EXPECT_NE(flags & O_DIRECT, 0) << std::oct << flags;
  EXPECT_EQ(flags & O_APPEND, 0) << std::oct << flags;
  EXPECT_NE(flags & O_CLOEXEC, 0) << std::oct << flags;
  ASSERT_OK(w->Close());

  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Direct(), &r));
  EXPECT_TRUE(r->use_direct_io());
  EXPECT_EQ(r->alignment().offset, expected.offset);
  flags = OpenFlagsOf(path);
  EXPECT_NE(flags & O_DIRECT, 0) << std::oct << flags;
  r.reset();

  std::unique_ptr<SequentialFile> q;
  ASSERT_OK(fs_->NewSequentialFile(path, Direct(), &q));
  EXPECT_TRUE(q->use_direct_io());
  EXPECT_EQ(q->alignment().memory, expected.memory);
  flags = OpenFlagsOf(path);
  EXPECT_NE(flags & O_DIRECT, 0) << std::oct << flags;
}

TEST_F(PosixDirectIOTest, RoundTripAtDetectedAlignment) {
  std::unique_ptr<WritableFile> probe;
  ASSERT_OK(fs_->NewWritableFile(dir_.Join("probe"), Direct(), &probe));
  const size_t unit = probe->alignment().both();
  ASSERT_OK(probe->Close());
  test::Random rnd(11);
  const std::string contents = rnd.RandomBytes(unit * 37);
  const std::string path = dir_.Join("detected");
  WriteDirect(path, contents, unit);
  EXPECT_EQ(SizeOnDisk(path), contents.size());
  EXPECT_EQ(ReadDirect(path, unit), contents);
  EXPECT_EQ(ReadWholeFile(path), contents);
}

TEST_F(PosixDirectIOTest, RoundTripAt4096) {
  test::Random rnd(12);
  const std::string contents = rnd.RandomBytes(4096 * 33);
  const std::string path = dir_.Join("4k");
  WriteDirect(path, contents, 4096);
  EXPECT_EQ(ReadDirect(path, 4096), contents);
  EXPECT_EQ(ReadWholeFile(path), contents);
}

TEST_F(PosixDirectIOTest, DirectWriteLeavesNothingInPageCache) {
  const std::string contents(1 << 20, 'w');
  const std::string buffered = dir_.Join("buffered");
  WriteBuffered(buffered, contents);
  ASSERT_GT(ResidentPages(buffered), 0u)
      << "the residency probe must see buffered writes";
  const std::string direct = dir_.Join("direct");
  WriteDirect(direct, contents, 4096);
  EXPECT_EQ(ResidentPages(direct), 0u);
}

TEST_F(PosixDirectIOTest, DirectReadLeavesNothingInPageCache) {
  const std::string path = dir_.Join("read");
  WriteBuffered(path, std::string(1 << 20, 'r'));
  std::unique_ptr<RandomAccessFile> buffered;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Buffered(), &buffered));
  ASSERT_OK(buffered->InvalidateCache(0, 0));
  ASSERT_EQ(ResidentPages(path), 0u);
  EXPECT_EQ(ReadDirect(path, 65536), std::string(1 << 20, 'r'));
  EXPECT_EQ(ResidentPages(path), 0u);
  // Prefetch, Hint and InvalidateCache are no-ops on direct files: readahead
  // would have filled the cache (BufferedPrefetchStartsReadahead).
  std::unique_ptr<RandomAccessFile> direct;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Direct(), &direct));
  ASSERT_OK(direct->Prefetch(0, 1 << 20));
  ASSERT_OK(direct->Hint(AccessPattern::kSequential));
  ASSERT_OK(direct->InvalidateCache(0, 0));
  EXPECT_EQ(ResidentPages(path), 0u);
  const long in_flight = PagesInCacheIncludingInFlight(path);
  if (in_flight >= 0) {
    EXPECT_EQ(in_flight, 0);
  }
  // Contrast: one buffered read fills it.
  std::string scratch(1 << 20, '\0');
  Slice result;
  ASSERT_OK(buffered->Read(0, 1 << 20, &result, scratch.data()));
  EXPECT_GT(ResidentPages(path), 0u);
}

TEST_F(PosixDirectIOTest, MisalignedOffsetIsRejectedBeforeTheKernel) {
  const std::string path = dir_.Join("misaligned-offset");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
  const DirectIOAlignment a = w->alignment();
  AlignedMemory buf(a.both(), a.both());
  std::memset(buf.data(), 'm', a.both());
  const uint64_t offset = a.offset + 100;
  Status s = w->PositionedAppend(Slice(buf.data(), a.offset), offset);
  // The kernel's EINVAL would be an IOError; ours is InvalidArgument.
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "offset " + std::to_string(offset),
                       "len " + std::to_string(a.offset),
                       "multiples of " + std::to_string(a.offset)});
  EXPECT_EQ(w->GetFileSize(), 0u);
  EXPECT_EQ(SizeOnDisk(path), 0u);
  ASSERT_OK(w->Close());
}

TEST_F(PosixDirectIOTest, MisalignedLengthIsRejected) {
  const std::string path = dir_.Join("misaligned-len");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
  const DirectIOAlignment a = w->alignment();
  AlignedMemory buf(a.both(), 2 * a.both());
  const size_t len = a.offset + 1;
  Status s = w->Append(Slice(buf.data(), len));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "offset 0", "len " + std::to_string(len),
                       std::to_string(a.offset)});
  EXPECT_EQ(SizeOnDisk(path), 0u);
  ASSERT_OK(w->Close());
}

TEST_F(PosixDirectIOTest, MisalignedBufferIsRejected) {
  const std::string path = dir_.Join("misaligned-buf");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
  const DirectIOAlignment a = w->alignment();
  if (a.memory < 2) {
    GTEST_SKIP() << "no memory alignment to violate";
  }
  AlignedMemory buf(a.both(), 2 * a.both());
  Status s = w->Append(Slice(buf.data() + 1, a.offset));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(
      s, {path, "buffer", "offset 0", "len " + std::to_string(a.offset),
          "multiple of " + std::to_string(a.memory)});
  EXPECT_EQ(SizeOnDisk(path), 0u);
  ASSERT_OK(w->Close());
}

TEST_F(PosixDirectIOTest, AppendAtUnalignedSizeIsRejected) {
  const std::string path = dir_.Join("unaligned-size");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
  const DirectIOAlignment a = w->alignment();
  AlignedMemory buf(a.both(), a.both());
  ASSERT_OK(w->Truncate(100));
  Status s = w->Append(Slice(buf.data(), a.offset));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "offset 100"});
  ASSERT_OK(w->Close());
}

TEST_F(PosixDirectIOTest, MisalignedReadsAreRejected) {
  const std::string path = dir_.Join("misaligned-read");
  WriteBuffered(path, std::string(16384, 'q'));
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Direct(), &r));
  const DirectIOAlignment a = r->alignment();
  AlignedMemory buf(a.both(), 4 * a.both());
  Slice result;
  Status s = r->Read(a.offset + 7, a.offset, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "offset " + std::to_string(a.offset + 7),
                       "len " + std::to_string(a.offset)});
  s = r->Read(0, a.offset - 1, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "len " + std::to_string(a.offset - 1)});
  if (a.memory >= 2) {
    s = r->Read(0, a.offset, &result, buf.data() + 1);
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    ExpectMessageHas(s, {path, "buffer"});
  }
}

TEST_F(PosixDirectIOTest, ShortReadAtEndOfFileHasUnalignedCount) {
  const std::string path = dir_.Join("short");
  test::Random rnd(5);
  const std::string contents = rnd.RandomBytes(10000);
  WriteBuffered(path, contents);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, Direct(), &r));
  AlignedMemory buf(4096, 16384);
  Slice result;
  ASSERT_OK(r->Read(0, 16384, &result, buf.data()));
  EXPECT_EQ(result.ToString(), contents);
  ASSERT_OK(r->Read(8192, 4096, &result, buf.data()));
  EXPECT_EQ(result.ToString(), contents.substr(8192));
  ASSERT_OK(r->Read(12288, 4096, &result, buf.data()));
  EXPECT_TRUE(result.empty());
}

TEST_F(PosixDirectIOTest, PaddedTailThenTruncateToLogicalSize) {
  // What WritableFileWriter does at Close: rewrite the padded last block
  // in place, then cut the file to its logical size.
  const std::string path = dir_.Join("padded");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, Direct(), &w));
  const size_t unit = w->alignment().both();
  AlignedMemory buf(unit, 2 * unit);
  std::memset(buf.data(), 'a', 2 * unit);
  ASSERT_OK(w->Append(Slice(buf.data(), 2 * unit)));
  std::memset(buf.data(), 'b', unit);
  ASSERT_OK(w->PositionedAppend(Slice(buf.data(), unit), unit));
  EXPECT_EQ(w->GetFileSize(), 2 * unit);
  ASSERT_OK(w->Truncate(unit + 10));
  EXPECT_EQ(w->GetFileSize(), unit + 10);
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Fsync());
  ASSERT_OK(w->RangeSync(0, 0));  // A no-op for direct files.
  ASSERT_OK(w->Allocate(0, 8 * unit));
  ASSERT_OK(w->InvalidateCache(0, 0));
  ASSERT_OK(w->Close());
  EXPECT_EQ(ReadWholeFile(path), std::string(unit, 'a') + std::string(10, 'b'));
}

TEST_F(PosixDirectIOTest, CallsAfterCloseFailNamingTheFile) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(dir_.Join("closed"), Direct(), &w));
  ASSERT_OK(w->Close());
  ASSERT_OK(w->Close());
  ExpectEveryCallFailsAfterClose(w.get());
}

TEST_F(PosixDirectIOTest, SequentialDirectReadsToEndOfFile) {
  const std::string path = dir_.Join("seq");
  test::Random rnd(9);
  const std::string contents = rnd.RandomBytes(10000);
  WriteBuffered(path, contents);
  std::unique_ptr<SequentialFile> f;
  ASSERT_OK(fs_->NewSequentialFile(path, Direct(), &f));
  AlignedMemory buf(4096, 8192);
  Slice result;
  Status s = f->Read(100, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "len 100"});
  ASSERT_OK(f->Read(4096, &result, buf.data()));
  EXPECT_EQ(result.ToString(), contents.substr(0, 4096));
  ASSERT_OK(f->Skip(4096));
  ASSERT_OK(f->Read(8192, &result, buf.data()));
  EXPECT_EQ(result.ToString(), contents.substr(8192));
  // The position is now the unaligned end of the file: end of file, not a
  // misaligned read.
  ASSERT_OK(f->Read(4096, &result, buf.data()));
  EXPECT_TRUE(result.empty());
}

TEST_F(PosixDirectIOTest, SequentialUnalignedPositionBeforeEndIsRejected) {
  const std::string path = dir_.Join("seq-skip");
  WriteBuffered(path, std::string(16384, 's'));
  std::unique_ptr<SequentialFile> f;
  ASSERT_OK(fs_->NewSequentialFile(path, Direct(), &f));
  ASSERT_OK(f->Skip(100));
  AlignedMemory buf(4096, 4096);
  Slice result;
  Status s = f->Read(4096, &result, buf.data());
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  ExpectMessageHas(s, {path, "offset 100"});
}

// tmpfs on Linux >= 6.6 accepts O_DIRECT without enforcing alignment (and
// keeps the data in the page cache); older kernels refuse it at open. Either
// way our open must say what the kernel did.
TEST(PosixTmpfsTest, DirectOpenFollowsTheKernel) {
  if (test::FileSystemTypeName("/dev/shm") != "tmpfs") {
    GTEST_SKIP() << "/dev/shm is not a tmpfs here";
  }
  const std::string path =
      "/dev/shm/strata_posix_test." + std::to_string(getpid());
  const int fd =
      open(path.c_str(), O_CREAT | O_WRONLY | O_DIRECT | O_CLOEXEC, 0644);
  const int open_errno = errno;
  if (fd >= 0) {
    close(fd);
  }
  std::unique_ptr<FileSystem> fs = NewPosixFileSystem();
  std::unique_ptr<WritableFile> w;
  Status s = fs->NewWritableFile(path, Direct(), &w);
  if (fd < 0) {
    ASSERT_EQ(open_errno, EINVAL);
    EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
    ExpectMessageHas(s, {path});
  } else {
    ASSERT_OK(s);
    EXPECT_TRUE(w->use_direct_io());
    const DirectIOAlignment expected = KernelAlignment(path);
    EXPECT_EQ(w->alignment().offset, expected.offset);
    EXPECT_EQ(w->alignment().memory, expected.memory);
    // Our check still applies the reported alignment, though this kernel
    // would take anything.
    Status bad = w->Append("x");
    EXPECT_TRUE(bad.IsInvalidArgument()) << bad.ToString();
    ASSERT_OK(w->Close());
  }
  unlink(path.c_str());
}

// ---------------------------------------------------------------------------
// mmap.

class PosixMmapTest : public PosixFileSystemTest {};

TEST_F(PosixMmapTest, ReadReturnsSliceIntoTheMapping) {
  test::Random rnd(3);
  const std::string contents = rnd.RandomBytes(20000);
  const std::string path = dir_.Join("mapped");
  WriteBuffered(path, contents);
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, MmapReads(), &r));
  EXPECT_EQ(r->mode(), IOMode::kMmap);
  EXPECT_FALSE(r->use_direct_io());
  EXPECT_EQ(r->alignment().offset, kDefaultPageSize);
  char scratch[100];
  Slice result;
  ASSERT_OK(r->Read(1000, 100, &result, scratch));
  EXPECT_EQ(result.ToString(), contents.substr(1000, 100));
  EXPECT_NE(result.data(), scratch) << "served from the mapping, no copy";
  // Two reads of the same offset point at the same mapped bytes.
  Slice again;
  ASSERT_OK(r->Read(1000, 10, &again, scratch));
  EXPECT_EQ(again.data(), result.data());
  ASSERT_OK(r->Read(19950, 100, &result, scratch));
  EXPECT_EQ(result.ToString(), contents.substr(19950));
  ASSERT_OK(r->Read(20000, 100, &result, scratch));
  EXPECT_TRUE(result.empty());
  ASSERT_OK(r->Read(1 << 30, 100, &result, scratch));
  EXPECT_TRUE(result.empty());
  uint64_t size = 0;
  ASSERT_OK(r->GetFileSize(&size));
  EXPECT_EQ(size, contents.size());
  EXPECT_OK(r->Prefetch(0, 4096));
  EXPECT_OK(r->Hint(AccessPattern::kRandom));
  EXPECT_OK(r->InvalidateCache(0, 0));
}

TEST_F(PosixMmapTest, EmptyFileReadsAsEmpty) {
  const std::string path = dir_.Join("empty");
  WriteWholeFile(path, "");
  std::unique_ptr<RandomAccessFile> r;
  ASSERT_OK(fs_->NewRandomAccessFile(path, MmapReads(), &r));
  char scratch[16];
  Slice result;
  ASSERT_OK(r->Read(0, 16, &result, scratch));
  EXPECT_TRUE(result.empty());
  EXPECT_OK(r->Hint(AccessPattern::kSequential));
}

TEST_F(PosixMmapTest, SequentialFileIgnoresMmapReads) {
  const std::string path = dir_.Join("seq");
  WriteWholeFile(path, "sequential");
  std::unique_ptr<SequentialFile> f;
  ASSERT_OK(fs_->NewSequentialFile(path, MmapReads(), &f));
  EXPECT_EQ(f->mode(), IOMode::kBuffered);
  char scratch[32];
  Slice result;
  ASSERT_OK(f->Read(32, &result, scratch));
  EXPECT_EQ(result.ToString(), "sequential");
}

TEST_F(PosixMmapTest, WriteGrowsInChunksAndCloseTrimsToExactSize) {
  test::Random rnd(4);
  const std::string path = dir_.Join("mmap-write");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, MmapWrites(), &w));
  EXPECT_EQ(w->mode(), IOMode::kMmap);
  EXPECT_FALSE(w->use_direct_io());
  std::string expected;
  const size_t target =
      2 * kMmapWriteChunkBytes + kMmapWriteChunkBytes / 2 + 123;
  while (expected.size() < target) {
    const std::string piece = rnd.RandomBytes(
        std::min<size_t>(target - expected.size(), 1 + rnd.Uniform(200000)));
    ASSERT_OK(w->Append(piece));
    expected += piece;
    EXPECT_EQ(w->GetFileSize(), expected.size());
  }
  ASSERT_OK(w->Flush());
  ASSERT_OK(w->Sync());
  // Before Close the file on disk is whole chunks, past the written end.
  EXPECT_EQ(SizeOnDisk(path), 3 * kMmapWriteChunkBytes);
  // The shared mapping is the page cache: other readers see the bytes.
  EXPECT_EQ(ReadWholeFile(path).substr(0, expected.size()), expected);
  ASSERT_OK(w->Fsync());
  ASSERT_OK(w->RangeSync(0, 0));
  ASSERT_OK(w->Close());
  EXPECT_EQ(SizeOnDisk(path), expected.size());
  EXPECT_EQ(ReadWholeFile(path), expected);
}

TEST_F(PosixMmapTest, PositionedAppendAndTruncateLeaveZerosInGaps) {
  const std::string path = dir_.Join("mmap-gaps");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, MmapWrites(), &w));
  ASSERT_OK(w->Append(std::string(10000, 'x')));
  ASSERT_OK(w->Truncate(100));
  EXPECT_EQ(w->GetFileSize(), 100u);
  ASSERT_OK(w->PositionedAppend("yy", 5000));
  EXPECT_EQ(w->GetFileSize(), 5002u);
  // Far past the current chunk: the mapping grows to cover it.
  ASSERT_OK(w->PositionedAppend("zz", kMmapWriteChunkBytes + 7));
  EXPECT_EQ(w->GetFileSize(), kMmapWriteChunkBytes + 9);
  ASSERT_OK(w->Truncate(5002));
  ASSERT_OK(w->Close());
  ASSERT_OK(w->Close());
  const std::string data = ReadWholeFile(path);
  ASSERT_EQ(data.size(), 5002u);
  EXPECT_EQ(data.substr(0, 100), std::string(100, 'x'));
  EXPECT_EQ(data.substr(100, 4900), std::string(4900, '\0'));
  EXPECT_EQ(data.substr(5000), "yy");
}

TEST_F(PosixMmapTest, EmptyMmapFileClosesToZeroBytes) {
  const std::string path = dir_.Join("mmap-empty");
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(path, MmapWrites(), &w));
  ASSERT_OK(w->Sync());
  ASSERT_OK(w->Close());
  EXPECT_EQ(SizeOnDisk(path), 0u);
}

TEST_F(PosixMmapTest, DestructorWithoutCloseStillTrims) {
  const std::string path = dir_.Join("mmap-dropped");
  {
    std::unique_ptr<WritableFile> w;
    ASSERT_OK(fs_->NewWritableFile(path, MmapWrites(), &w));
    ASSERT_OK(w->Append("abc"));
  }
  EXPECT_EQ(ReadWholeFile(path), "abc");
}

TEST_F(PosixMmapTest, CallsAfterCloseFailNamingTheFile) {
  std::unique_ptr<WritableFile> w;
  ASSERT_OK(fs_->NewWritableFile(dir_.Join("mmap-closed"), MmapWrites(), &w));
  ASSERT_OK(w->Append("abc"));
  ASSERT_OK(w->Close());
  ExpectEveryCallFailsAfterClose(w.get());
  EXPECT_EQ(ReadWholeFile(dir_.Join("mmap-closed")), "abc");
}

}  // namespace
}  // namespace strata
