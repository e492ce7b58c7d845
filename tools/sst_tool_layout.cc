#include "tools/sst_tool_layout.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <string_view>
#include <vector>

#include "table/block.h"
#include "table/block_fetcher.h"
#include "table/block_iter.h"
#include "table/bloom_filter_format.h"
#include "table/meta_index.h"
#include "util/checksum.h"
#include "util/coding.h"
#include "util/compression.h"

namespace strata::sst_tool {

namespace {

struct BlockEntry {
  BlockHandle handle;
  std::string kind;
  std::string name;  // The metaindex name of a meta block, else "-".
};

std::string KindOfMetaBlock(std::string_view name) {
  if (name == kPropertiesBlockName || name == kLegacyPropertiesBlockName) {
    return "properties";
  }
  if (name == kRangeDelBlockName) return "range_del";
  if (name == kCompressionDictBlockName) return "compression_dict";
  if (name.starts_with(kFullFilterBlockPrefix) ||
      name.starts_with("partitionedfilter.") || name.starts_with("filter.")) {
    return "filter";
  }
  return "meta";
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

// Every block the index and the metaindex name, plus the two of them.
Status CollectBlocks(const TableReader& table,
                     std::vector<BlockEntry>* blocks) {
  const std::string& path = table.file().path();
  const Footer& footer = table.footer();
  BlockIter index(&table.index_block(), table.IndexIterOptions());
  for (index.SeekToFirst(); index.Valid(); index.Next()) {
    blocks->push_back({index.handle(), "data", "-"});
  }
  STRATA_RETURN_IF_ERROR(
      AddBlockLocation(index.status(), path, footer.index_handle));
  blocks->push_back({footer.index_handle, "index", "-"});

  // TableReader verified the metaindex at open; read it again for the names.
  BlockFetchOptions fetch = table.FetchOptions(/*verify_checksum=*/true);
  fetch.allow_compressed = false;
  BlockContents contents;
  STRATA_RETURN_IF_ERROR(ReadBlockContents(table.file(), nullptr, fetch,
                                           footer.metaindex_handle, &contents));
  std::unique_ptr<Block> metaindex;
  STRATA_RETURN_IF_ERROR(
      AddBlockLocation(Block::Create(std::move(contents), &metaindex), path,
                       footer.metaindex_handle));
  std::map<std::string, BlockHandle> meta;
  STRATA_RETURN_IF_ERROR(AddBlockLocation(ReadMetaIndex(*metaindex, &meta),
                                          path, footer.metaindex_handle));
  for (const auto& [name, handle] : meta) {
    blocks->push_back({handle, KindOfMetaBlock(name), name});
  }
  blocks->push_back({footer.metaindex_handle, "metaindex", "-"});
  std::stable_sort(blocks->begin(), blocks->end(),
                   [](const BlockEntry& a, const BlockEntry& b) {
                     return a.handle.offset() < b.handle.offset();
                   });
  return Status::OK();
}

// Reads one block with its trailer and appends its line. Returns the
// problem found in it, if any (the line says so too).
Status DescribeBlock(const TableReader& table, const BlockEntry& block,
                     std::string* out) {
  const std::string& path = table.file().path();
  const BlockHandle& h = block.handle;
  char prefix[96];
  std::snprintf(prefix, sizeof(prefix), "%" PRIu64 " %" PRIu64 " %s ",
                h.offset(), h.size(), block.kind.c_str());
  *out += prefix;
  const uint64_t n = h.size() + kBlockTrailerSize;
  if (h.offset() > table.file_size() || n > table.file_size() - h.offset()) {
    *out += "- - past-end-of-file " + block.name + "\n";
    return Status::Corruption(path, h.offset(), h.size(),
                              block.kind +
                                  " block extends past the end of "
                                  "the file (" +
                                  std::to_string(table.file_size()) +
                                  " bytes)");
  }
  Slice raw;
  AlignedMemory memory;
  Status s = table.file().Read(h.offset(), n, &raw, &memory);
  if (!s.ok()) {
    *out += "- - read-error " + block.name + "\n";
    return s;
  }
  if (raw.size() != n) {
    *out += "- - truncated " + block.name + "\n";
    return Status::Corruption(path, h.offset(), h.size(),
                              "short read: " + std::to_string(raw.size()) +
                                  " of " + std::to_string(n) + " bytes");
  }
  const uint8_t type_byte = static_cast<uint8_t>(raw[h.size()]);
  CompressionType type;
  std::string compression;
  if (CompressionTypeFromByte(type_byte, &type)) {
    compression = std::string(CompressionTypeName(type));
  } else {
    compression = "Unknown(" + std::to_string(type_byte) + ")";
    s = Status::Corruption(
        path, h.offset(), h.size(),
        "unknown compression type byte " + std::to_string(type_byte));
  }
  const ChecksumType checksum = table.footer().checksum_type;
  const uint32_t stored = DecodeFixed32(raw.data() + h.size() + 1);
  const uint32_t computed =
      ComputeBlockChecksum(checksum, raw.data(), h.size(), raw[h.size()]);
  std::string verdict = "ok";
  if (stored != computed) {
    verdict = "MISMATCH(computed=" + Hex32(computed) + ")";
    s = VerifyBlockChecksum(checksum, raw, path, h.offset());
  }
  *out += compression + " " + Hex32(stored) + " " + verdict + " " + block.name +
          "\n";
  return s;
}

}  // namespace

Status ListBlocks(const TableReader& table, std::string* out) {
  std::vector<BlockEntry> blocks;
  STRATA_RETURN_IF_ERROR(CollectBlocks(table, &blocks));
  const Footer& footer = table.footer();
  const uint64_t footer_size = footer.EncodedLength();
  const uint64_t footer_offset = table.file_size() - footer_size;
  *out += "# offset size kind compression checksum verdict name\n";
  Status first_error;
  uint64_t expected_offset = 0;
  uint64_t block_bytes = 0;
  uint64_t data_blocks = 0;
  for (const BlockEntry& block : blocks) {
    const BlockHandle& h = block.handle;
    if (h.offset() != expected_offset) {
      *out += "# " +
              std::string(h.offset() > expected_offset ? "gap" : "overlap") +
              " before offset " + std::to_string(h.offset()) +
              " (previous block ended at " + std::to_string(expected_offset) +
              ")\n";
    }
    Status s = DescribeBlock(table, block, out);
    if (!s.ok() && first_error.ok()) first_error = s;
    if (!s.ok() && !s.IsCorruption()) return s;  // The file is unreadable.
    expected_offset = h.end_offset_with_trailer();
    block_bytes += h.size() + kBlockTrailerSize;
    data_blocks += block.kind == "data" ? 1 : 0;
  }
  if (expected_offset != footer_offset) {
    *out += "# blocks end at " + std::to_string(expected_offset) +
            " but the footer starts at " + std::to_string(footer_offset) + "\n";
  }
  *out +=
      std::to_string(footer_offset) + " " + std::to_string(footer_size) +
      " footer - - - format_version=" + std::to_string(footer.format_version) +
      ",checksum=" + std::string(ChecksumTypeName(footer.checksum_type)) + "\n";
  *out += "# " + std::to_string(blocks.size()) + " blocks (" +
          std::to_string(data_blocks) + " data), " +
          std::to_string(block_bytes) + " bytes with trailers; footer " +
          std::to_string(footer_size) + " bytes; file " +
          std::to_string(table.file_size()) + " bytes\n";
  return first_error;
}

}  // namespace strata::sst_tool
