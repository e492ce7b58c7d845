#include "db/table_cache.h"

#include "db/db_options.h"
#include "db/filename.h"
#include "table/table_iterator.h"

namespace strata {
namespace {

class TableInternalIterator final : public InternalIterator {
 public:
  TableInternalIterator(std::unique_ptr<TableIterator> iter,
                        std::shared_ptr<const void> owner)
      : owner_(std::move(owner)), iter_(std::move(iter)) {}

  bool Valid() const override { return iter_->Valid(); }
  void SeekToFirst() override { iter_->SeekToFirst(); }
  void SeekToLast() override { iter_->SeekToLast(); }
  void Seek(Slice target) override { iter_->Seek(target); }
  void SeekForPrev(Slice target) override { iter_->SeekForPrev(target); }
  void Next() override { iter_->Next(); }
  void Prev() override { iter_->Prev(); }
  Slice key() const override { return iter_->key(); }
  Slice value() const override { return iter_->value(); }
  Status status() const override { return iter_->status(); }

 private:
  // Declared first so that it is destroyed last.
  std::shared_ptr<const void> owner_;
  std::unique_ptr<TableIterator> iter_;
};

}  // namespace

Status OpenTable(FileSystem* fs, const std::string& path, FileKind kind,
                 const Options& options, uint64_t file_size,
                 const TableReaderOptions& table_options,
                 std::unique_ptr<TableReader>* reader) {
  std::unique_ptr<RandomAccessFile> file;
  IOStatus s =
      fs->NewRandomAccessFile(path, FileOptionsFor(kind, options), &file);
  if (!s.ok()) return s;
  return TableReader::Open(
      table_options, std::make_unique<RandomAccessFileReader>(std::move(file)),
      file_size, reader);
}

std::unique_ptr<InternalIterator> WrapTableIterator(
    std::unique_ptr<TableIterator> iter, std::shared_ptr<const void> owner) {
  return std::make_unique<TableInternalIterator>(std::move(iter),
                                                 std::move(owner));
}

TableCache::TableCache(const std::string& dbname, const Options& options,
                       FileSystem* fs, Statistics* statistics)
    : dbname_(dbname), options_(options), fs_(fs), statistics_(statistics) {}

Status TableCache::FindTable(const TableFileRef& file,
                             std::shared_ptr<const TableReader>* reader) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tables_.find(file.number);
    if (it != tables_.end()) {
      *reader = it->second;
      return Status::OK();
    }
  }
  // Opened outside the lock: opening reads the table's tail. Two threads
  // may race to open the same file; the first one inserted wins.
  TableReaderOptions table_options;
  table_options.block_cache = options_.block_cache;
  table_options.cache_index_and_filter_blocks =
      options_.cache_index_and_filter_blocks;
  table_options.global_seqno = file.global_seqno;
  table_options.statistics = statistics_;
  std::unique_ptr<TableReader> opened;
  Status s = OpenTable(fs_, TableFileName(dbname_, file.number),
                       FileKind::kTableUserRead, options_, file.file_size,
                       table_options, &opened);
  if (!s.ok()) return s;
  if (statistics_ != nullptr) statistics_->recordTick(NO_FILE_OPENS);
  std::shared_ptr<const TableReader> shared(std::move(opened));
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = tables_.emplace(file.number, std::move(shared));
  *reader = it->second;
  return Status::OK();
}

std::unique_ptr<InternalIterator> TableCache::NewIterator(
    const TableReadOptions& options, const TableFileRef& file) {
  std::shared_ptr<const TableReader> reader;
  Status s = FindTable(file, &reader);
  if (!s.ok()) return NewEmptyInternalIterator(s);
  auto iter = reader->NewIterator(options);
  return WrapTableIterator(std::move(iter), std::move(reader));
}

void TableCache::Evict(uint64_t number) {
  std::shared_ptr<const TableReader> victim;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tables_.find(number);
  if (it != tables_.end()) {
    victim = std::move(it->second);
    tables_.erase(it);
  }
}

void TableCache::EvictAll() {
  std::map<uint64_t, std::shared_ptr<const TableReader>> victims;
  std::lock_guard<std::mutex> lock(mutex_);
  victims.swap(tables_);
}

size_t TableCache::num_open_tables() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tables_.size();
}

Status TableCache::OpenBackgroundReader(
    FileKind kind, const std::string& path, uint64_t file_size,
    SequenceNumber global_seqno, std::unique_ptr<TableReader>* reader) const {
  TableReaderOptions table_options;  // No block cache.
  table_options.global_seqno = global_seqno;
  table_options.statistics = statistics_;  // Counts their readahead.
  return OpenTable(fs_, path, kind, options_, file_size, table_options,
                   reader);
}

}  // namespace strata
