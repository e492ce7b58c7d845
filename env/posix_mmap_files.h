// The mmap file objects behind PosixFileSystem (env/posix_file_system.h).
// Internal to env/: the file system opens the descriptor; these objects map
// it.
//
//   - Reading: a read-only shared mapping of the whole file as it was when
//     opened; Read() returns a Slice into the mapping, valid while the file
//     object lives, without copying. Bytes appended later are not seen.
//   - Writing: a shared read-write mapping of [0, capacity), where capacity
//     grows kMmapWriteChunkBytes at a time (ftruncate, then remap). Until
//     Close() the file on disk is that whole-chunk length, zero past what
//     was written; Close() (or, failing that, the destructor) trims it to
//     the logical size. Sync() is msync + fdatasync, Fsync() msync + fsync.
// Both report mode() kMmap, use_direct_io() false and the default
// alignment (kDefaultPageSize), which is only a buffer-size hint.
//
// Ownership: the factories take ownership of `fd`. Thread-safety: as in
// include/strata/file_system.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// How much an mmap-written file grows at a time. Each growth is one
// ftruncate and one remap; 1 MiB keeps both rare for SST-sized files
// without reserving much beyond the end of small ones.
inline constexpr size_t kMmapWriteChunkBytes = size_t{1} << 20;

// `fd` must be open for reading and writing, on an empty file. Never fails:
// the mapping is made by the first write. `range_sync_usable` comes from
// SyncFileRangeUsable(fd) (env/posix_files.h).
std::unique_ptr<WritableFile> NewPosixMmapWritableFile(int fd, std::string path,
                                                       bool range_sync_usable);

// Maps the file's current contents (an empty file maps nothing and reads as
// empty). IOError naming the file and the length if fstat or mmap fail;
// `fd` is closed then.
IOStatus NewPosixMmapReadableFile(int fd, std::string path,
                                  std::unique_ptr<RandomAccessFile>* result);

}  // namespace strata
