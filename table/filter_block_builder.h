// FilterBlockBuilder: builds the contents of one SST file's full filter
// block from the user keys of its entries, byte-identical with RocksDB
// 7.8.3's builtin bloom filter (NewBloomFilterPolicy(bits_per_key)):
// FastLocalBloom for format_version >= 5, the legacy bloom before
// (../shared/spec/sst-format.md section 10; shared format rules in
// table/bloom_filter_format.h).
//
// What the table builder must do around it (spec sections 10.1 and 12):
//   * call AddKey(user_key) for every point entry in file order, i.e. the
//     internal key without its 8-byte trailer (whole-key filtering; no
//     prefix extractor); not for range tombstones;
//   * if empty() at the end, write no filter block, no metaindex entry and
//     no "rocksdb.filter.policy" property, and set "rocksdb.filter.size" and
//     "rocksdb.num.filter_entries" to 0;
//   * otherwise write Finish()'s bytes as an uncompressed block (type byte
//     0, normal checksum), add metaindex key kFullFilterMetaIndexKey with
//     its handle, and set "rocksdb.filter.policy" = kBloomFilterPolicyName,
//     "rocksdb.filter.size" = Finish().size() and
//     "rocksdb.num.filter_entries" = num_entries().
//
// Protocol: AddKey* Finish. Not thread-safe. The builder keeps 8 bytes per
// distinct key until Finish(); the returned bytes belong to the builder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "strata/slice.h"

namespace strata {

class FilterBlockBuilder {
 public:
  virtual ~FilterBlockBuilder() = default;

  // Adds one user key. Like RocksDB, the builder keeps only the key's hash
  // and skips it when it equals the hash added just before, so consecutive
  // versions of one user key count once. REQUIRES: Finish() not called.
  virtual void AddKey(Slice user_key) = 0;

  // Hashes kept so far (after that de-duplication): the value of
  // "rocksdb.num.filter_entries".
  virtual size_t num_entries() const = 0;
  bool empty() const { return num_entries() == 0; }

  // Returns the filter block contents (without the 5-byte block trailer),
  // valid until the builder is destroyed. With no keys the result is
  // RocksDB's 5-byte empty filter, which readers treat as matching nothing
  // (but a table writes no block then; see above).
  // REQUIRES: called at most once.
  virtual Slice Finish() = 0;

  // Bits per key after RocksDB's sanitizing, times 1000 (10 -> 10000).
  virtual int millibits_per_key() const = 0;
  // Probes per key that Finish() will write into the metadata.
  virtual int num_probes() const = 0;
};

// Returns a builder for RocksDB's bloom policy with `bits_per_key` in a table
// of `format_version`: the legacy bloom below 5, FastLocalBloom from 5 on.
// bits_per_key is sanitized as RocksDB does (see BloomMillibitsPerKey()); a
// value below 0.5 means "no filter", and then the result is null.
std::unique_ptr<FilterBlockBuilder> NewBloomFilterBlockBuilder(
    double bits_per_key, uint32_t format_version);

}  // namespace strata
