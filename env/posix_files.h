// The buffered and direct file objects behind PosixFileSystem
// (env/posix_file_system.h), one factory per kind; the mmap ones are in
// env/posix_mmap_files.h. Internal to env/: the file system opens the
// descriptor, decides the mode and detects the alignment; these objects only
// do I/O on a descriptor they are handed.
//
// Modes (include/strata/file_system.h has the contracts):
//   - kBuffered: pread/pwrite through the page cache;
//   - kDirect (O_DIRECT): the same calls, but every offset, length and
//     buffer is first checked against the alignment (CheckDirectIOAlignment),
//     and fadvise, readahead and sync_file_range are skipped;
//   - kUncached (macOS F_NOCACHE): like buffered, without alignment rules.
// Writes are always positional at a tracked size; no descriptor is opened
// with O_APPEND (on Linux, pwrite on an O_APPEND descriptor ignores its
// offset).
//
// Ownership: every factory takes ownership of `fd`; the file object closes
// it in Close() (writable files, directories) or in its destructor, which
// ignores the result: callers that care call Close().
// Thread-safety: as in file_system.h (RandomAccessFile const methods are
// concurrent; the others are not thread-safe).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// Writable file for mode kBuffered, kDirect or kUncached. `alignment` is
// enforced only for kDirect. `range_sync_usable` comes from
// SyncFileRangeUsable(fd); RangeSync is a no-op when it is false.
std::unique_ptr<WritableFile> NewPosixWritableFile(
    int fd, std::string path, IOMode mode, const DirectIOAlignment& alignment,
    bool range_sync_usable);

// Random-access file for mode kBuffered, kDirect or kUncached.
std::unique_ptr<RandomAccessFile> NewPosixRandomAccessFile(
    int fd, std::string path, IOMode mode, const DirectIOAlignment& alignment);

// Sequential file for mode kBuffered, kDirect or kUncached.
std::unique_ptr<SequentialFile> NewPosixSequentialFile(
    int fd, std::string path, IOMode mode, const DirectIOAlignment& alignment);

// An open directory (O_RDONLY | O_DIRECTORY).
std::unique_ptr<Directory> NewPosixDirectory(int fd, std::string path);

// Whether sync_file_range can be used on `fd`: false on ZFS (which accepts
// the call and does nothing useful), where the call fails with ENOSYS (WSL1),
// and off Linux. Probes with an empty sync_file_range call.
bool SyncFileRangeUsable(int fd);

}  // namespace strata
