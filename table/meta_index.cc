#include "table/meta_index.h"

#include <cassert>

#include "table/block_iter.h"

namespace strata {

MetaIndexBuilder::MetaIndexBuilder() : builder_(/*restart_interval=*/1) {}

void MetaIndexBuilder::Add(std::string_view name, const BlockHandle& handle) {
  [[maybe_unused]] const bool inserted =
      entries_.emplace(std::string(name), handle.Encode()).second;
  assert(inserted);
}

Slice MetaIndexBuilder::Finish() {
  for (const auto& [name, encoded_handle] : entries_) {
    builder_.Add(name, encoded_handle);
  }
  return builder_.Finish();
}

Status ReadMetaIndex(const Block& metaindex,
                     std::map<std::string, BlockHandle>* entries) {
  entries->clear();
  BlockIter iter(&metaindex, BlockIterOptions::MetaBlock(
                                 /*values_are_handles=*/true));
  std::string previous;
  bool first = true;
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    const Slice name = iter.key();
    if (!first && name.compare(previous) <= 0) {
      return Status::Corruption("metaindex entry at block offset " +
                                std::to_string(iter.entry_offset()) +
                                ": name '" + name.ToString() +
                                "' does not sort after '" + previous + "'");
    }
    first = false;
    previous = name.ToString();
    entries->emplace(previous, iter.handle());
  }
  return iter.status();
}

Status FindMetaBlock(const Block& metaindex, std::string_view name,
                     BlockHandle* handle) {
  BlockIter iter(&metaindex, BlockIterOptions::MetaBlock(
                                 /*values_are_handles=*/true));
  iter.Seek(name);
  if (!iter.status().ok()) {
    return iter.status();
  }
  if (!iter.Valid() || iter.key() != Slice(name)) {
    return Status::NotFound("no meta block named '" + std::string(name) +
                            "' in the metaindex");
  }
  *handle = iter.handle();
  return Status::OK();
}

}  // namespace strata
