#include "table/filter_block_reader.h"

#include "table/bloom_filter_format.h"
#include "util/coding.h"
#include "util/hash32.h"
#include "util/xxph3.h"

namespace strata {

FilterBlockReader::FilterBlockReader(Slice contents) : contents_(contents) {
  if (contents.size() <= kFilterMetadataBytes) {
    // RocksDB: "filter is empty or broken; treat like zero keys added".
    Degrade(Kind::kAlwaysFalse, "empty filter (no keys)");
    return;
  }
  if (contents.size() - kFilterMetadataBytes > 0xffffffffu) {
    // RocksDB truncates the length to 32 bits; no builtin filter is this big.
    Degrade(Kind::kAlwaysTrue, "filter of 4 GiB or more");
    return;
  }
  len_bytes_ = static_cast<uint32_t>(contents.size() - kFilterMetadataBytes);
  const auto marker = static_cast<int8_t>(contents[len_bytes_]);
  if (marker >= 1) {
    ParseLegacyBloom(marker);
  } else if (marker == kNewBloomMarker) {
    ParseNewBloom();
  } else if (marker == kRibbonMarker) {
    Degrade(Kind::kAlwaysTrue, "Ribbon filter not supported");
  } else {
    Degrade(Kind::kAlwaysTrue, "reserved filter marker");
  }
}

void FilterBlockReader::Degrade(Kind kind, std::string_view reason) {
  kind_ = kind;
  num_probes_ = 0;
  degraded_reason_ = reason;
}

void FilterBlockReader::ParseNewBloom() {
  const char* meta = contents_.data() + len_bytes_;
  const auto sub_impl = static_cast<uint8_t>(meta[1]);
  const auto block_and_probes = static_cast<uint8_t>(meta[2]);
  const int num_probes = block_and_probes & 31;
  const int log2_block_bytes = (block_and_probes >> 5) + 6;
  // RocksDB checks in this order; every failure means "always true".
  if (num_probes < 1 || num_probes > 30) {
    Degrade(Kind::kAlwaysTrue, "reserved FastLocalBloom num_probes");
    return;
  }
  if (DecodeFixed16(meta + 3) != 0) {
    Degrade(Kind::kAlwaysTrue, "reserved FastLocalBloom metadata bytes set");
    return;
  }
  if (sub_impl != kFastLocalBloomSubImpl ||
      log2_block_bytes != kLog2BloomCacheLineBytes) {
    Degrade(Kind::kAlwaysTrue, "unknown new-bloom implementation");
    return;
  }
  if (len_bytes_ < kBloomCacheLineBytes) {
    // RocksDB would probe a whole 64-byte line past the end of such a block
    // (no writer makes one); refuse to filter instead of reading past it.
    Degrade(Kind::kAlwaysTrue, "FastLocalBloom shorter than one cache line");
    return;
  }
  kind_ = Kind::kFastLocalBloom;
  num_probes_ = num_probes;
}

void FilterBlockReader::ParseLegacyBloom(int num_probes) {
  const uint32_t num_lines = DecodeFixed32(contents_.data() + len_bytes_ + 1);
  // Infer the writer's cache-line size: len = num_lines * 2^k for some k.
  // 64-bit math: RocksDB's 32-bit products can wrap on corrupt values and
  // accept a line count that points past the block.
  int log2_line_bytes = 0;
  if (uint64_t{num_lines} * kBloomCacheLineBytes == len_bytes_) {
    log2_line_bytes = kLog2BloomCacheLineBytes;
  } else if (num_lines == 0 || len_bytes_ % num_lines != 0) {
    Degrade(Kind::kAlwaysTrue, "legacy bloom size is not a multiple of lines");
    return;
  } else {
    while ((uint64_t{num_lines} << log2_line_bytes) < len_bytes_) {
      ++log2_line_bytes;
    }
    if ((uint64_t{num_lines} << log2_line_bytes) != len_bytes_) {
      Degrade(Kind::kAlwaysTrue, "legacy bloom line size not a power of two");
      return;
    }
  }
  kind_ = Kind::kLegacyBloom;
  num_probes_ = num_probes;
  num_lines_ = num_lines;
  log2_line_bytes_ = log2_line_bytes;
}

bool FilterBlockReader::KeyMayMatch(Slice user_key) const {
  switch (kind_) {
    case Kind::kAlwaysFalse:
      return false;
    case Kind::kAlwaysTrue:
      return true;
    case Kind::kFastLocalBloom:
      return FastLocalBloomMayMatch(xxph3::Hash64(user_key), len_bytes_,
                                    num_probes_, contents_.data());
    case Kind::kLegacyBloom:
      return LegacyBloomMayMatch(Hash32(user_key, kLegacyBloomHashSeed),
                                 num_lines_, num_probes_, log2_line_bytes_,
                                 contents_.data());
  }
  return true;
}

}  // namespace strata
