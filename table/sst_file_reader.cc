// SstFileReader (include/strata/sst_file_reader.h): a TableReader plus the
// user-visible view of its entries.
#include "strata/sst_file_reader.h"

#include <cassert>
#include <cstring>

#include "env/random_access_file_reader.h"
#include "strata/env.h"
#include "strata/thread_pool.h"
#include "table/internal_key.h"
#include "table/table_iterator.h"
#include "table/table_reader.h"
#include "util/coding.h"

namespace strata {

namespace {

bool IsValueType(ValueType t) {
  return t == ValueType::kValue || t == ValueType::kMerge ||
         t == ValueType::kBlobIndex || t == ValueType::kWideColumnEntity;
}

// True if a range tombstone of the table hides `user_key` at `sequence`: a
// tombstone covers keys in [begin, end) with a smaller sequence number.
bool CoveredByTombstone(const TableReader& table, Slice user_key,
                        SequenceNumber sequence) {
  for (const RangeTombstone& t : table.range_tombstones()) {
    if (t.sequence > sequence && user_key.compare(t.begin_user_key) >= 0 &&
        user_key.compare(t.end_user_key) < 0) {
      return true;
    }
  }
  return false;
}

TableReadOptions ToTableReadOptions(const SstReadOptions& o,
                                    Executor* readahead_executor) {
  TableReadOptions t;
  t.readahead_executor = readahead_executor;
  t.verify_checksums = o.verify_checksums;
  t.readahead_bytes = o.readahead_size;
  t.fill_cache = o.fill_cache;
  return t;
}

// The newest visible version of each user key, in user-key order.
class UserIterator final : public Iterator {
 public:
  UserIterator(const TableReader* table, const SstReadOptions& options,
               Executor* readahead_executor)
      : table_(table),
        options_(options),
        iter_(table->NewIterator(
            ToTableReadOptions(options, readahead_executor))) {}

  bool Valid() const override { return valid_; }
  Slice key() const override { return saved_key_; }
  Slice value() const override { return saved_value_; }
  Status status() const override { return iter_->status(); }

  void SeekToFirst() override {
    if (options_.lower_bound != nullptr) {
      Seek(*options_.lower_bound);
      return;
    }
    iter_->SeekToFirst();
    FindNextVisible();
  }

  void SeekToLast() override {
    if (options_.upper_bound != nullptr) {
      // The last entry below the (exclusive) upper bound.
      iter_->Seek(SeekKey(*options_.upper_bound));
      if (iter_->Valid()) {
        iter_->Prev();
      } else if (iter_->status().ok()) {
        iter_->SeekToLast();
      }
    } else {
      iter_->SeekToLast();
    }
    FindPrevVisible();
  }

  void Seek(Slice target) override {
    if (options_.lower_bound != nullptr &&
        target.compare(*options_.lower_bound) < 0) {
      target = *options_.lower_bound;
    }
    iter_->Seek(SeekKey(target));
    FindNextVisible();
  }

  void SeekForPrev(Slice target) override {
    if (options_.upper_bound != nullptr &&
        target.compare(*options_.upper_bound) >= 0) {
      SeekToLast();
      return;
    }
    // (target, 0, Deletion) sorts after every version of target.
    iter_->SeekForPrev(MakeInternalKey(target, 0, ValueType::kDeletion));
    FindPrevVisible();
  }

  void Next() override {
    if (direction_reverse_) {
      // The table iterator sits before the current key's versions.
      iter_->Seek(SeekKey(saved_key_));
    }
    SkipUserKeyForward(saved_key_);
    FindNextVisible();
  }

  void Prev() override {
    if (!direction_reverse_) {
      // At the newest version of the current key: step out of its group.
      while (iter_->Valid() && ExtractUserKey(iter_->key()) == saved_key_) {
        iter_->Prev();
      }
    }
    FindPrevVisible();
  }

 private:
  static std::string SeekKey(Slice user_key) {
    return MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek);
  }

  bool AboveUpper(Slice user_key) const {
    return options_.upper_bound != nullptr &&
           user_key.compare(*options_.upper_bound) >= 0;
  }
  bool BelowLower(Slice user_key) const {
    return options_.lower_bound != nullptr &&
           user_key.compare(*options_.lower_bound) < 0;
  }

  void SkipUserKeyForward(const std::string& user_key) {
    while (iter_->Valid() && ExtractUserKey(iter_->key()) == user_key) {
      iter_->Next();
    }
  }

  // Forward: the table iterator is at the newest version of some user key.
  void FindNextVisible() {
    direction_reverse_ = false;
    valid_ = false;
    while (iter_->Valid()) {
      ParsedInternalKey parsed;
      if (!ParseInternalKey(iter_->key(), &parsed).ok()) {
        return;  // The block iterator validated keys; cannot happen.
      }
      if (AboveUpper(parsed.user_key)) return;
      if (IsValueType(parsed.type) &&
          !CoveredByTombstone(*table_, parsed.user_key, parsed.sequence)) {
        saved_key_ = parsed.user_key.ToString();
        saved_value_ = iter_->value().ToString();
        valid_ = true;
        return;
      }
      const std::string hidden = parsed.user_key.ToString();
      SkipUserKeyForward(hidden);
    }
  }

  // Backward: the table iterator is at the oldest version of some user key;
  // walking back through its versions ends at the newest, which decides.
  void FindPrevVisible() {
    direction_reverse_ = true;
    valid_ = false;
    while (iter_->Valid()) {
      ParsedInternalKey parsed;
      if (!ParseInternalKey(iter_->key(), &parsed).ok()) return;
      if (BelowLower(parsed.user_key)) return;
      const std::string user_key = parsed.user_key.ToString();
      std::string newest_value = iter_->value().ToString();
      ValueType newest_type = parsed.type;
      SequenceNumber newest_seq = parsed.sequence;
      iter_->Prev();
      while (iter_->Valid() && ExtractUserKey(iter_->key()) == user_key) {
        if (!ParseInternalKey(iter_->key(), &parsed).ok()) return;
        newest_value = iter_->value().ToString();
        newest_type = parsed.type;
        newest_seq = parsed.sequence;
        iter_->Prev();
      }
      if (!iter_->status().ok()) return;
      if (!AboveUpper(user_key) && IsValueType(newest_type) &&
          !CoveredByTombstone(*table_, user_key, newest_seq)) {
        saved_key_ = user_key;
        saved_value_ = std::move(newest_value);
        valid_ = true;
        return;
      }
    }
  }

  const TableReader* const table_;
  const SstReadOptions options_;
  std::unique_ptr<TableIterator> iter_;
  bool valid_ = false;
  bool direction_reverse_ = false;
  std::string saved_key_;
  std::string saved_value_;
};

// Every stored point entry; keys are internal keys, Seek takes user keys.
class RawIterator final : public Iterator {
 public:
  RawIterator(const TableReader* table, const SstReadOptions& options,
              Executor* readahead_executor)
      : iter_(table->NewIterator(
            ToTableReadOptions(options, readahead_executor))) {}
  bool Valid() const override { return iter_->Valid(); }
  void SeekToFirst() override { iter_->SeekToFirst(); }
  void SeekToLast() override { iter_->SeekToLast(); }
  void Seek(Slice user_key) override {
    iter_->Seek(
        MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek));
  }
  void SeekForPrev(Slice user_key) override {
    iter_->SeekForPrev(MakeInternalKey(user_key, 0, ValueType::kDeletion));
  }
  void Next() override { iter_->Next(); }
  void Prev() override { iter_->Prev(); }
  Slice key() const override { return iter_->key(); }
  Slice value() const override { return iter_->value(); }
  Status status() const override { return iter_->status(); }

 private:
  std::unique_ptr<TableIterator> iter_;
};

}  // namespace

bool ParseRawKey(Slice internal_key, RawKey* key) {
  if (internal_key.size() < kInternalKeyTrailerSize) return false;
  key->user_key = ExtractUserKey(internal_key);
  key->sequence = ExtractSequenceNumber(internal_key);
  key->type = ExtractValueTypeByte(internal_key);
  return true;
}

struct SstFileReader::Rep {
  explicit Rep(const SstFileReaderOptions& o)
      : options(o),
        fs(o.file_system != nullptr ? o.file_system
                                    : Env::Default()->file_system()) {
    if (o.background_readahead) readahead_pool.SetBackgroundThreads(1);
  }
  Executor* readahead_executor() {
    return options.background_readahead ? &readahead_pool : nullptr;
  }
  const SstFileReaderOptions options;
  FileSystem* const fs;
  // Reads the next readahead chunk while an iterator or VerifyChecksum
  // consumes the current one. Declared before the table: it outlives every
  // reader of the table (iterators must not outlive the SstFileReader).
  ThreadPool readahead_pool;
  std::unique_ptr<TableReader> table;
};

SstFileReader::SstFileReader(const SstFileReaderOptions& options)
    : rep_(std::make_unique<Rep>(options)) {}

SstFileReader::~SstFileReader() = default;

Status SstFileReader::Open(const std::string& path) {
  Rep* r = rep_.get();
  if (r->options.use_direct_reads && r->options.allow_mmap_reads) {
    // RocksDB's text for the same conflict (direct-io.md S4).
    return Status::NotSupported(
        "If memory mapped reads (allow_mmap_reads) are enabled then direct "
        "I/O reads (use_direct_reads) must be disabled. ");
  }
  FileOptions fo;
  fo.use_direct_reads = r->options.use_direct_reads;
  fo.use_mmap_reads = r->options.allow_mmap_reads;
  fo.kind = FileKind::kTableExternal;
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(r->fs->NewRandomAccessFile(path, fo, &file));
  uint64_t size = 0;
  STRATA_RETURN_IF_ERROR(file->GetFileSize(&size));
  TableReaderOptions table_options;
  table_options.block_cache = r->options.block_cache;
  table_options.cache_index_and_filter_blocks =
      r->options.cache_index_and_filter_blocks;
  return TableReader::Open(
      table_options,
      std::make_unique<RandomAccessFileReader>(std::move(file)), size,
      &r->table);
}

std::unique_ptr<Iterator> SstFileReader::NewIterator(
    const SstReadOptions& options) const {
  return std::make_unique<UserIterator>(rep_->table.get(), options,
                                        rep_->readahead_executor());
}

std::unique_ptr<Iterator> SstFileReader::NewRawIterator(
    const SstReadOptions& options) const {
  return std::make_unique<RawIterator>(rep_->table.get(), options,
                                       rep_->readahead_executor());
}

Status SstFileReader::Get(const SstReadOptions& options, Slice user_key,
                          std::string* value) const {
  const TableReader& table = *rep_->table;
  // The lookup key goes on the stack for the usual short user keys, and
  // only the found key's trailer comes back: no allocation per Get.
  constexpr size_t kInlineLookupKeyBytes = 64;
  char inline_key[kInlineLookupKeyBytes];
  std::string long_key;
  Slice lookup_key;
  const uint64_t seek_trailer =
      PackSequenceAndType(kMaxSequenceNumber, kValueTypeForSeek);
  if (user_key.size() + kInternalKeyTrailerSize <= sizeof(inline_key)) {
    std::memcpy(inline_key, user_key.data(), user_key.size());
    EncodeFixed64(inline_key + user_key.size(), seek_trailer);
    lookup_key = Slice(inline_key, user_key.size() + kInternalKeyTrailerSize);
  } else {
    long_key = MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek);
    lookup_key = long_key;
  }
  bool found = false;
  uint64_t trailer = 0;
  STRATA_RETURN_IF_ERROR(
      table.Get(ToTableReadOptions(options, /*readahead_executor=*/nullptr),
                lookup_key, &found, /*internal_key=*/nullptr, value, &trailer));
  if (found) {
    const uint8_t type = static_cast<uint8_t>(trailer & 0xff);
    if (!IsSstValueType(type)) {
      // ParseInternalKey words the error (the key in hex, the bad type).
      std::string found_key = user_key.ToString();
      PutFixed64(&found_key, trailer);
      ParsedInternalKey parsed;
      Status s = ParseInternalKey(found_key, &parsed);
      assert(!s.ok());
      return s;
    }
    if (IsValueType(static_cast<ValueType>(type)) &&
        !CoveredByTombstone(table, user_key, trailer >> 8)) {
      return Status::OK();
    }
  }
  value->clear();
  return Status::NotFound("0x" + user_key.ToHex() + " in " +
                          table.file().path());
}

Status SstFileReader::VerifyChecksum(uint64_t readahead_size) const {
  return rep_->table->VerifyChecksum(
      readahead_size == 0 ? (2 << 20) : readahead_size,
      rep_->readahead_executor());
}

Status SstFileReader::VerifyNumEntries() const {
  const TableReader& table = *rep_->table;
  auto it = table.NewIterator(TableReadOptions());
  uint64_t count = table.range_tombstones().size();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ++count;
  }
  STRATA_RETURN_IF_ERROR(it->status());
  if (count != table.properties().num_entries) {
    return Status::Corruption(
        table.file().path() + ": VerifyNumEntries: the table holds " +
        std::to_string(count) + " entries but its properties say " +
        std::to_string(table.properties().num_entries));
  }
  return Status::OK();
}

const TableProperties& SstFileReader::GetTableProperties() const {
  return rep_->table->properties();
}

uint64_t SstFileReader::ApproximateOffsetOf(Slice user_key) const {
  return rep_->table->ApproximateOffsetOf(
      MakeInternalKey(user_key, kMaxSequenceNumber, kValueTypeForSeek));
}

}  // namespace strata
