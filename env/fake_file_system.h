// FakeFileSystem: an in-memory FileSystem that behaves like Linux, for tests.
//
// Three models, each kernel-faithful where tests can observe it:
// - Direct I/O. A direct file reports `alignment()` from Options; every
//   direct read and write is first checked against it exactly as the real
//   raw files do (CheckDirectIOAlignment: InvalidArgument naming the file,
//   offset, length and alignment; length 0 is allowed). Then the emulated
//   kernel may refuse it with EINVAL (Options::reject_direct_io,
//   hidden_direct_alignment), with the real file system's error texts.
//   Reads past the end return the bytes up to the end (possibly an unaligned
//   count), then nothing, with OK (a direct SequentialFile whose position
//   became unaligned that way reads nothing, with OK, as PosixFileSystem's).
//   Writes at an offset extend the file to offset + length and zero-fill any
//   hole. Append writes at the size the file object knows (the file is never in
//   O_APPEND mode). Buffered and mmap files have no alignment rules.
// - Page cache. Each file has a set of resident pages (Options::page_size),
//   each clean or dirty. Buffered and mmap reads make the pages they touch
//   resident (clean); buffered and mmap writes make them resident and dirty.
//   A direct write drops the pages it overlaps; a direct read populates
//   nothing but, like the kernel, first writes back the dirty pages of its
//   range (they become clean). Sync/Fsync clean every page of the file.
//   InvalidateCache (posix_fadvise DONTNEED) drops clean pages only, and only
//   pages wholly inside the range, plus the page holding the end of the file
//   when the range reaches it. ResidentBytes() and DirtyBytes() observe it.
// - Power loss. Each file has a durable image that only Sync (fdatasync,
//   which persists a size change too) and Fsync of that file update. Each
//   directory has a durable set of entries that only Directory::Fsync of
//   that directory updates (creates, renames, links and deletes of files and
//   directories alike). SimulateCrash() reverts everything to the durable
//   state: what survives is what is reachable from "/" through durable
//   entries, each file holding its durable image. All pages are lost, all
//   locks released, and every file, directory and lock object opened before
//   the crash becomes stale: later calls on it fail with IOError (ESTALE,
//   "Stale file handle"), naming the file.
//
// Not modeled: space (no ENOSPC), short transfers, EINTR, injected errors
// and call records (env/fault_injection_file_system.h wraps this for those),
// O_APPEND (never used), permissions, symlinks, timestamps.
//
// Paths: "/" always exists. A path without a leading "/" is taken relative
// to "/". "." and ".." are resolved by name; empty components are ignored.
// Files and directories are created only inside existing directories
// (otherwise NotFound, as with ENOENT).
//
// Errors: as IOStatus::FromErrno builds them, with the errno the kernel would
// set (error_number()) and a message naming the file and, for reads and
// writes, the offset and length (env/io_errors.h), in PosixFileSystem's
// words. A call on a closed file fails with IOError "<context>: file is
// already closed".
//
// Thread-safety: every method may be called concurrently; one mutex guards
// the whole state. File objects follow file_system.h's rules (a
// RandomAccessFile's const methods may be called concurrently).
// Ownership: file, directory and lock objects share the state with the
// FakeFileSystem and may outlive it. An mmap-read file keeps a private copy
// of the file's bytes, taken when it is opened (the mapping's length is fixed
// at open, as in RocksDB's mmap file; unlike a real shared mapping, it does
// not see later writes either): Slices it returns stay valid while it lives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "strata/file_system.h"
#include "strata/slice.h"
#include "strata/status.h"

namespace strata {

class FakeFsState;
struct FakeOpenFile;

class FakeFileSystem : public FileSystem {
 public:
  // Every size is a power of two; invalid values are a programming error
  // (assert).
  struct Options {
    // What direct files report as alignment().offset, and enforce on
    // offsets and lengths. Tests use 512, 4096, 16384 and 65536.
    size_t offset_alignment = 4096;
    // What direct files report as alignment().memory, and enforce on buffer
    // addresses; 0 means the same as offset_alignment. May be smaller (4,
    // 512) or larger than it.
    size_t memory_alignment = 0;
    // Refuse every direct open, like tmpfs before Linux 6.6: NotSupported,
    // "While open a file for <...> with O_DIRECT: <path>: Invalid argument
    // (the file system refuses direct I/O)", error_number() EINVAL. As in
    // the kernel, a missing file is created before O_DIRECT is refused, and
    // an existing one is not truncated. Buffered and mmap opens still work.
    bool reject_direct_open = false;
    // Accept direct opens but fail every direct read and write with EINVAL
    // (IOError "While pread offset <o> len <n>: <path>: Invalid argument" or
    // "While pwrite to file at offset <o> len <n>: ...").
    bool reject_direct_io = false;
    // 0, or a granularity larger than offset_alignment that the emulated
    // kernel really needs: direct files still report offset_alignment, but
    // a read or write whose offset or length is not a multiple of this fails
    // with EINVAL as above (bcachefs or ZFS behind a device that reports a
    // smaller logical block size).
    size_t hidden_direct_alignment = 0;
    // Granularity of the page-cache model (ResidentBytes, InvalidateCache).
    size_t page_size = 4096;
  };

  FakeFileSystem();  // Default Options.
  explicit FakeFileSystem(const Options& options);
  ~FakeFileSystem() override;
  FakeFileSystem(const FakeFileSystem&) = delete;
  FakeFileSystem& operator=(const FakeFileSystem&) = delete;

  const char* Name() const override { return "FakeFileSystem"; }
  // The options in effect (memory_alignment 0 already resolved).
  const Options& options() const;
  // What every direct file reports as alignment().
  DirectIOAlignment direct_io_alignment() const;

  // FileSystem. Opening with both the direct and the mmap flag of the same
  // direction (use_direct_reads with use_mmap_reads, or use_direct_writes
  // with use_mmap_writes) is InvalidArgument naming the path.
  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override;
  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override;
  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override;
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override;
  IOStatus FileExists(const std::string& path) override;
  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override;
  IOStatus DeleteFile(const std::string& path) override;
  IOStatus CreateDir(const std::string& path) override;
  IOStatus CreateDirIfMissing(const std::string& path) override;
  // Fails (ENOTEMPTY) if the directory has entries; "/" cannot be deleted.
  IOStatus DeleteDir(const std::string& path) override;
  // A directory's size is 0.
  IOStatus GetFileSize(const std::string& path, uint64_t* size) override;
  // rename(2): replaces `target` atomically; works on directories too.
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override;
  // link(2): both names refer to the same file (later writes through either
  // are seen through both). Fails if `target` exists.
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override;
  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override;
  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override;

  // --- Page cache ---------------------------------------------------------
  // Bytes of `path` in the page cache: resident pages * page_size, capped at
  // the file's size. 0 if `path` is not a file.
  uint64_t ResidentBytes(const std::string& path) const;
  // The same for dirty pages only.
  uint64_t DirtyBytes(const std::string& path) const;
  // Drops every clean page of every file, like "echo 1 > drop_caches".
  void DropAllCaches();

  // --- Power loss ---------------------------------------------------------
  // Reverts to the durable state (see the top of this file).
  void SimulateCrash();
  // Like SimulateCrash(), but each surviving file whose current size S
  // exceeds its durable size D keeps its durable image followed by the
  // first k bytes of its current content past D, k uniform in [0, S - D]:
  // one draw of a std::mt19937_64(seed) per such file, files taken in
  // depth-first path order with names sorted bytewise (a file with several
  // names once). Nothing else unsynced is kept: bytes rewritten inside the
  // durable image revert, and a file not longer than its durable image
  // reverts to it. The same seed and history give the same result.
  void SimulateCrash(uint64_t seed);
  // The size of the durable image of the file now at `path`; 0 if `path`
  // is not a file.
  uint64_t SyncedSize(const std::string& path) const;
  // The durable image of the file now at `path`.
  IOStatus ReadSyncedContent(const std::string& path,
                             std::string* content) const;
  // True if `path` would still name the same file or directory after a
  // crash: every directory entry along it is durable. Always true for "/".
  bool IsDirEntryDurable(const std::string& path) const;

  // --- Direct access to content -------------------------------------------
  // The current content of the file at `path` (no page-cache effect).
  IOStatus ReadFileContent(const std::string& path, std::string* content) const;
  // Creates or truncates `path` and writes `content` into it, as a buffered
  // write would (dirty pages, nothing durable).
  IOStatus WriteFileContent(const std::string& path, Slice content);

 private:
  // Shared by NewRandomAccessFile and NewSequentialFile: checks the options,
  // finds the file, decides the mode and calls `create` under the state's
  // mutex (as the file factories require).
  IOStatus OpenForReading(const std::string& path, const FileOptions& options,
                          const char* what, bool mmap_allowed,
                          const std::function<void(FakeOpenFile)>& create);

  // The state, shared with every file object (env/fake_file_system_state.h).
  std::shared_ptr<FakeFsState> state_;
};

}  // namespace strata
