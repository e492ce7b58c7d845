// PosixFileSystem: the FileSystem over the operating system's files
// (Linux first; macOS compiles with F_NOCACHE in place of O_DIRECT).
//
// Modes, per file, from FileOptions (include/strata/file_system.h):
//   - buffered: the default;
//   - direct: O_DIRECT on Linux, alignment from statx(STATX_DIOALIGN), then
//     sysfs, then 4096 (env/direct_io_alignment.h). A file system that
//     refuses O_DIRECT at open (EINVAL) gives NotSupported naming the path
//     and the errno; there is no silent fallback to buffered I/O. On macOS
//     the file is opened normally and marked F_NOCACHE: mode() is kUncached,
//     use_direct_io() is false and no alignment applies;
//   - mmap: use_mmap_reads for random-access files, use_mmap_writes for
//     writable files. Sequential files ignore use_mmap_reads.
//   Asking for direct and mmap for the same file (use_direct_writes with
//   use_mmap_writes, or use_direct_reads with use_mmap_reads) is
//   InvalidArgument naming the path, returned before anything is opened.
// Every descriptor is opened O_CLOEXEC; writable files are created or
// truncated with mode 0644 and written positionally (never O_APPEND).
//
// Locks: LockFile takes an fcntl write lock on the whole file, which stops
// other processes, plus an entry in a process-wide set of locked paths
// (spelled as given), because fcntl locks never conflict within one process
// and any close of the file would drop them. Locking a path this process
// already holds fails with IOError naming it, as RocksDB does.
//
// Errors name the operation, the file and, for reads and writes, the offset
// and length (env/io_errors.h), with the errno text.
//
// Thread-safety: every FileSystem method may be called concurrently; file
// objects follow file_system.h. Ownership: file objects do not refer to the
// FileSystem that opened them and may outlive it.
#pragma once

#include <memory>

#include "strata/file_system.h"

namespace strata {

std::unique_ptr<FileSystem> NewPosixFileSystem();

}  // namespace strata
