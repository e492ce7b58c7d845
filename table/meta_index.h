// The metaindex block: a map from meta-block name to the BlockHandle of that
// block, in the generic block format with restart interval 1, names sorted
// bytewise, values encoded handles with a value_length
// (../shared/spec/sst-format.md section 11).
//
// MetaIndexBuilder writes it; ReadMetaIndex / FindMetaBlock read a parsed
// Block of it.
// Thread-safety: the builder is not thread-safe; the readers are pure
// functions over an immutable Block.
// Slices: Finish()'s result stays valid until the builder is destroyed.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "strata/slice.h"
#include "strata/status.h"
#include "table/block.h"
#include "table/block_builder.h"
#include "table/block_handle.h"

namespace strata {

// Meta-block names RocksDB 7.8.3 writes or reads (the filter's name,
// "fullfilter." + policy name, is the filter code's).
inline constexpr std::string_view kPropertiesBlockName = "rocksdb.properties";
// What old files call the properties block.
inline constexpr std::string_view kLegacyPropertiesBlockName = "rocksdb.stats";
inline constexpr std::string_view kRangeDelBlockName = "rocksdb.range_del";
inline constexpr std::string_view kCompressionDictBlockName =
    "rocksdb.compression_dict";

class MetaIndexBuilder {
 public:
  MetaIndexBuilder();
  MetaIndexBuilder(const MetaIndexBuilder&) = delete;
  MetaIndexBuilder& operator=(const MetaIndexBuilder&) = delete;

  // Records a meta block; names may come in any order.
  // REQUIRES: `name` not added before; Finish() not called.
  void Add(std::string_view name, const BlockHandle& handle);

  // Writes the entries in bytewise name order and returns the block
  // (uncompressed, no trailer; it is never compressed). REQUIRES: once.
  Slice Finish();

 private:
  std::map<std::string, std::string> entries_;  // name -> encoded handle.
  BlockBuilder builder_;
};

// Decodes every entry of a metaindex block into *entries (replacing its
// contents). Corruption, naming the entry, for a malformed entry or handle,
// or names that are not strictly increasing.
Status ReadMetaIndex(const Block& metaindex,
                     std::map<std::string, BlockHandle>* entries);

// Looks up one meta block by name. NotFound (with the name) if absent;
// Corruption for a malformed metaindex.
Status FindMetaBlock(const Block& metaindex, std::string_view name,
                     BlockHandle* handle);

}  // namespace strata
