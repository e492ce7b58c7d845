#include "table/index_builder.h"

#include <cassert>

#include "table/bytewise_comparator.h"
#include "table/internal_key.h"

namespace strata {

IndexBuilder::IndexBuilder(const IndexBuilderOptions& options)
    : shortening_(options.shortening),
      use_value_delta_encoding_(options.format_version >= 4 &&
                                !options.block_align),
      // format_version <= 2 readers expect internal keys in the index.
      key_includes_seq_(options.format_version <= 2),
      internal_key_builder_(options.restart_interval,
                            /*use_delta_encoding=*/true,
                            use_value_delta_encoding_),
      user_key_builder_(options.restart_interval,
                        /*use_delta_encoding=*/true,
                        use_value_delta_encoding_) {
  assert(options.restart_interval >= 1);
}

Status IndexBuilder::AddIndexEntry(Slice last_key_in_block,
                                   const Slice* first_key_in_next_block,
                                   const BlockHandle& handle) {
  assert(!finished_);
  if (!status_.ok()) {
    return status_;
  }
  if (last_key_in_block.size() < kInternalKeyTrailerSize ||
      (first_key_in_next_block != nullptr &&
       first_key_in_next_block->size() < kInternalKeyTrailerSize)) {
    status_ = Status::InvalidArgument(
        "index builder: keys must be internal keys of at least 8 bytes");
    return status_;
  }
  if (use_value_delta_encoding_ && have_last_handle_ &&
      handle.offset() != last_handle_.end_offset_with_trailer()) {
    status_ = Status::InvalidArgument(
        "index builder: block " + handle.ToString() +
        " does not start where block " + last_handle_.ToString() +
        " and its trailer end; delta-encoded index values need contiguous "
        "data blocks");
    return status_;
  }

  std::string separator = last_key_in_block.ToString();
  if (first_key_in_next_block != nullptr) {
    if (shortening_ != IndexShortening::kNoShortening) {
      FindShortestInternalKeySeparator(&separator, *first_key_in_next_block);
    }
    // Versions of one user key on both sides of a boundary: a user-key
    // separator could not tell the two blocks apart.
    if (!key_includes_seq_ && ExtractUserKey(last_key_in_block) ==
                                  ExtractUserKey(*first_key_in_next_block)) {
      key_includes_seq_ = true;
    }
  } else if (shortening_ == IndexShortening::kShortenSeparatorsAndSuccessor) {
    FindShortInternalKeySuccessor(&separator);
  }

  const std::string encoded = handle.Encode();
  std::string delta;
  if (use_value_delta_encoding_ && have_last_handle_) {
    EncodeHandleSizeDelta(handle, last_handle_, &delta);
  }
  const Slice delta_slice(delta);
  // BlockBuilder stores the delta only for entries whose key shares bytes
  // with the previous one, which never includes the first entry.
  internal_key_builder_.Add(separator, encoded, &delta_slice);
  if (!key_includes_seq_) {
    user_key_builder_.Add(ExtractUserKey(separator), encoded, &delta_slice);
  }
  last_handle_ = handle;
  have_last_handle_ = true;
  ++num_entries_;
  return Status::OK();
}

Slice IndexBuilder::Finish() {
  assert(!finished_);
  assert(status_.ok());
  finished_ = true;
  const Slice contents = key_includes_seq_ ? internal_key_builder_.Finish()
                                           : user_key_builder_.Finish();
  index_size_ = contents.size();
  return contents;
}

}  // namespace strata
