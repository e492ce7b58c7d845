// Direct-I/O alignment detection: what offset, length and buffer alignment
// the kernel demands of a file opened with O_DIRECT.
//
// Sources, in order (../shared/spec/direct-io.md S25, S73):
//   1. statx(STATX_DIOALIGN) on the open file (Linux >= 6.1): the file
//      system's own answer, memory and offset alignment separately. When the
//      file system fills the field with an offset alignment of 0 it is saying
//      "no direct I/O for this file": that is NotSupported, never a guess.
//   2. The device's queue/logical_block_size in sysfs, reached through
//      /sys/dev/block/<major>:<minor> and stepped up from a partition to its
//      whole disk (sda3 -> sda, nvme0n1p1 -> nvme0n1, mmcblk0p1 -> mmcblk0;
//      nvme0n1 and dm-0 stay). Used for both offset and memory alignment.
//   3. 4096 (kDefaultPageSize): devices with major 0 (tmpfs, overlayfs,
//      btrfs, NFS, FUSE, ZFS), a sysfs value that is not a non-zero power of
//      two, or any failure on the way.
//
// statx is asked on every open (one system call on a descriptor already
// open) because the answer is per inode: ext4 reports different values for
// encrypted files and 0 for data-journaled ones. The sysfs answer is per
// device and costs a realpath and a file read, so a detector caches it per
// device number.
//
// The sysfs root is injectable so tests can build a fake tree in a scratch
// directory; production uses "/sys".
//
// Thread-safety: the free functions are thread-safe; a
// DirectIOAlignmentDetector may be used from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// What statx(STATX_DIOALIGN) said about one file.
struct StatxDirectIOInfo {
  // True when the kernel and the file system filled in the DIOALIGN fields
  // (STATX_DIOALIGN set in stx_mask). False on kernels before 6.1, on file
  // systems that do not report it (tmpfs on 6.18), and when statx fails.
  bool reported = false;
  uint32_t memory_align = 0;  // stx_dio_mem_align.
  uint32_t offset_align = 0;  // stx_dio_offset_align; 0 = unsupported.
};

// Asks statx about the open descriptor `fd`. Never fails: anything that
// prevents an answer yields reported == false.
StatxDirectIOInfo QueryStatxDirectIO(int fd);

// The logical block size of device major:minor according to the sysfs tree
// under `sysfs_root` (normally "/sys"), resolved as described above; 4096
// for major 0, for an invalid value and on any failure. Uncached.
size_t LogicalBlockSizeFromSysfs(const std::string& sysfs_root, unsigned major,
                                 unsigned minor);

// Finds the alignment of files opened for direct I/O, caching the sysfs
// answer per device. The cache lives as long as the detector and is never
// invalidated: a device's logical block size does not change while it is
// in use.
class DirectIOAlignmentDetector {
 public:
  explicit DirectIOAlignmentDetector(std::string sysfs_root = "/sys");
  DirectIOAlignmentDetector(const DirectIOAlignmentDetector&) = delete;
  DirectIOAlignmentDetector& operator=(const DirectIOAlignmentDetector&) =
      delete;

  // The alignment for `fd`, an open descriptor of `path` (used only in
  // messages). NotSupported naming `path` when the file system reports that
  // it does not do direct I/O for this file; IOError naming `path` if fstat
  // fails. Non-Linux: always 4096 for both.
  IOStatus Detect(int fd, const std::string& path, DirectIOAlignment* result);

  // The decision Detect makes once it has the statx answer and the device
  // number, exposed so tests can inject statx results:
  //   - statx reported a non-zero offset alignment: use statx, each of the
  //     two values separately (a value that is not a power of two makes the
  //     whole answer unusable, and sysfs is asked instead);
  //   - statx reported an offset alignment of 0: NotSupported naming `path`;
  //   - otherwise the device's logical block size (cached) for both.
  IOStatus Resolve(const std::string& path, const StatxDirectIOInfo& statx,
                   unsigned major, unsigned minor, DirectIOAlignment* result);

  // LogicalBlockSizeFromSysfs(sysfs_root(), major, minor), computed once per
  // device.
  size_t LogicalBlockSize(unsigned major, unsigned minor);

  const std::string& sysfs_root() const { return sysfs_root_; }
  // How many devices have a cached answer.
  size_t cached_devices() const;

 private:
  const std::string sysfs_root_;
  mutable std::mutex mutex_;
  // (major << 32 | minor) -> logical block size. Guarded by mutex_.
  std::unordered_map<uint64_t, size_t> block_size_by_device_;
};

}  // namespace strata
