// Footer: the fixed-size tail of every block-based SST file, which locates
// the metaindex and index blocks and names the checksum type and
// format_version (../shared/spec/sst-format.md sections 14 and 15).
//
//   format_version 1..5: 53 bytes = checksum type (1) | metaindex handle,
//     index handle, zero padding (40) | fixed32 format_version (4) |
//     fixed64 kBlockBasedTableMagicNumber (8)
//   format_version 0 (legacy, LevelDB-style): 48 bytes = handles + padding
//     (40) | fixed64 kLegacyBlockBasedTableMagicNumber; the checksum type is
//     implicitly kCRC32c.
//
// Reading: pass the last min(kMaxEncodedLength, file_size) bytes of the file.
// The layout is chosen by the magic number in the last 8 bytes.
//
// Thread-safety: a value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/block_handle.h"
#include "util/checksum.h"

namespace strata {

// Persisted; never change. The first 64 bits of SHA-1 of
// "rocksdb.table.block_based".
inline constexpr uint64_t kBlockBasedTableMagicNumber = 0x88e241b785f4cff7ull;
// LevelDB's table magic number, used by format_version 0 footers.
inline constexpr uint64_t kLegacyBlockBasedTableMagicNumber =
    0xdb4775248b80fb57ull;
// Plain-table magics: recognized only to say what a wrong file is.
inline constexpr uint64_t kPlainTableMagicNumber = 0x8242229663bf9564ull;
inline constexpr uint64_t kLegacyPlainTableMagicNumber = 0x4f3418eb7a8f13b8ull;

// The newest format_version RocksDB 7.8.3 reads and writes; larger values are
// rejected (6 and 7 come from newer RocksDB releases).
inline constexpr uint32_t kLatestFormatVersion = 5;

struct Footer {
  static constexpr size_t kLegacyEncodedLength = 48;  // format_version 0.
  static constexpr size_t kNewEncodedLength = 53;     // format_version >= 1.
  static constexpr size_t kMinEncodedLength = kLegacyEncodedLength;
  static constexpr size_t kMaxEncodedLength = kNewEncodedLength;
  // The room for the two handles and their zero padding.
  static constexpr size_t kHandlesAreaLength =
      2 * BlockHandle::kMaxEncodedLength;

  uint32_t format_version = kLatestFormatVersion;
  ChecksumType checksum_type = ChecksumType::kCRC32c;
  BlockHandle metaindex_handle;
  BlockHandle index_handle;

  // 48 for format_version 0, else 53.
  size_t EncodedLength() const {
    return format_version == 0 ? kLegacyEncodedLength : kNewEncodedLength;
  }

  // Appends exactly EncodedLength() bytes. Returns InvalidArgument (and
  // appends nothing) for a format_version above kLatestFormatVersion or for
  // format_version 0 with a checksum other than kCRC32c: the legacy footer
  // cannot record one. (RocksDB's table builder silently writes
  // format_version 1 in that case; that decision belongs to the builder.)
  Status EncodeTo(std::string* dst) const;

  // Decodes the footer from `tail`, the last bytes of the file (at most
  // kMaxEncodedLength are looked at). `file_path` and `file_size` only go
  // into messages: errors are Corruption("<path> @ <offset>+<len>: ...")
  // naming the footer's position, for a file shorter than a footer, an
  // unknown magic number (plain-table files are named as such), an
  // unsupported format_version or checksum type, or a bad handle varint.
  // Handles must decode inside the 40-byte handle area; the padding after
  // them is not checked (RocksDB does not check it either). A 53-byte footer
  // that says format_version 0 is accepted, as RocksDB accepts it.
  // REQUIRES: tail.size() == min(kMaxEncodedLength, file_size).
  static Status DecodeFrom(Slice tail, std::string_view file_path,
                           uint64_t file_size, Footer* footer);

  // Multi-line description, as sst_dump's raw dump shows it.
  std::string ToString() const;

  friend bool operator==(const Footer& a, const Footer& b) {
    return a.format_version == b.format_version &&
           a.checksum_type == b.checksum_type &&
           a.metaindex_handle == b.metaindex_handle &&
           a.index_handle == b.index_handle;
  }
};

}  // namespace strata
