// strata_sst layout: every block of an open table, in file order, with its
// offset, stored size, kind, compression and checksum, then the footer
// (../shared/spec/sst-format.md sections 1, 5 and 14).
//
// Output, one line per block (columns separated by spaces; lines starting
// with '#' are comments):
//   # offset size kind compression checksum verdict name
//   0 3991 data NoCompression 0x8a1b2c3d ok -
//   ...
//   45321 53 footer - - - format_version=5,checksum=xxh3
//   # 14 blocks ...
// `size` is the handle's size, without the 5-byte trailer, so the blocks'
// size + 5 add up to the file size minus the footer when the file has no
// gaps; a gap or overlap is reported on a '#' line.
// Thread-safety: reads through the table's file; call from one thread.
#pragma once

#include <string>

#include "strata/status.h"
#include "table/table_reader.h"

namespace strata::sst_tool {

// Appends the listing to *out. Every block is read and its checksum
// computed; the listing is complete even when some fail. Returns the first
// problem found: Corruption naming the file and block (checksum mismatch,
// unknown compression byte, block past the end of the file, malformed
// index or metaindex), or the I/O error that stopped the listing.
Status ListBlocks(const TableReader& table, std::string* out);

}  // namespace strata::sst_tool
