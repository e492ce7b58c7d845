// Thin wrappers over the POSIX calls that the Posix file objects make
// (env/posix_files.h, env/posix_mmap_files.h). Each returns an IOStatus
// whose message names the operation and the file and, for transfers, the
// offset and length (texts from env/io_errors.h), with the errno text.
// Internal to env/.
//
// Thread-safety: the functions are as thread-safe as the calls they wrap;
// a PosixDescriptor is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "strata/status.h"

namespace strata {

// Largest transfer handed to one read or write call. Linux caps a call at
// 0x7ffff000 bytes and macOS fails calls above INT_MAX, so bigger requests
// are split; 1 GiB is a multiple of every direct-I/O alignment.
inline constexpr size_t kMaxBytesPerCall = size_t{1} << 30;

// "<context>: file is already closed": the error of every call made on a
// file after its Close().
std::string ClosedContext(std::string_view context);

// Writes all of [data, data + len) at `offset` with pwrite, in chunks of at
// most kMaxBytesPerCall, looping over EINTR and short writes.
IOStatus PwriteFully(int fd, const std::string& path, const char* data,
                     size_t len, uint64_t offset);

// Reads up to n bytes at `offset` into scratch with pread, looping over
// EINTR and short reads until n bytes or end of file; *bytes_read says how
// many arrived (also on error). With stop_alignment non-zero (direct I/O) it
// also stops after a call returns a count that is not a multiple of it: the
// kernel returns such a count only at end of file, and the next call would
// be misaligned.
IOStatus PreadUpTo(int fd, const std::string& path, uint64_t offset, size_t n,
                   char* scratch, size_t stop_alignment, size_t* bytes_read);

// The file's size from fstat.
IOStatus FstatSize(int fd, const std::string& path, uint64_t* size);

// posix_fadvise(DONTNEED) over [offset, offset + len), len 0 = to the end.
// OK and nothing done off Linux.
IOStatus FadviseDontNeed(int fd, const std::string& path, uint64_t offset,
                         uint64_t len);

// fdatasync (F_FULLFSYNC on macOS, where fsync leaves data in the drive's
// cache).
IOStatus DataSync(int fd, const std::string& path);
// fsync (F_FULLFSYNC on macOS).
IOStatus FullSync(int fd, const std::string& path);

// sync_file_range(SYNC_FILE_RANGE_WRITE): starts write-back of the range,
// nbytes 0 = to the end. OK and nothing done off Linux.
IOStatus StartWriteback(int fd, const std::string& path, uint64_t offset,
                        uint64_t nbytes);

// fallocate(FALLOC_FL_KEEP_SIZE); OK when the file system does not support
// it (EOPNOTSUPP) and off Linux: preallocation is only an optimization.
IOStatus Preallocate(int fd, const std::string& path, uint64_t offset,
                     uint64_t len);

// An owned descriptor and the path it was opened as, closed exactly once:
// by Close(), or by the destructor (which ignores the result: nobody is
// left to report it to).
class PosixDescriptor {
 public:
  PosixDescriptor(int fd, std::string path);
  ~PosixDescriptor();
  PosixDescriptor(const PosixDescriptor&) = delete;
  PosixDescriptor& operator=(const PosixDescriptor&) = delete;

  // -1 once closed.
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  bool closed() const { return fd_ < 0; }
  // Closes the descriptor; `what` names the operation in an error ("closing
  // file after writing"). Later calls are OK no-ops. The descriptor is
  // released even when close reports an error, so it is never retried.
  IOStatus Close(const char* what);

 private:
  int fd_;
  const std::string path_;
};

// OK while `descriptor` is open; else IOError "While <what>: <path>: file is
// already closed", the error of every call made after Close().
IOStatus CheckOpen(const PosixDescriptor& descriptor, std::string_view what,
                   const std::string& path);

}  // namespace strata
