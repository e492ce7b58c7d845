// TableOutput: one SST written by flush or compaction. Opens the file with
// FileOptionsFor(kind) (direct iff use_direct_io_for_flush_and_compaction),
// writes through a WritableFileWriter of writable_file_max_buffer_size (the
// table builder never flushes it), and keeps the FileMetaData (key range,
// sequence range, counts) up to date as entries arrive.
//
// Finish makes the file durable before anyone may reference it: the builder
// finishes, then buffered files are synced (fsync with use_fsync) and
// closed; direct files are closed, which writes the padded tail, truncates
// to the logical size and fsyncs. Only then may the caller write the
// MANIFEST edit that names the file.
//
// Protocol: Add* / AddRangeTombstone* then Finish or Abandon (which deletes
// the file). Not thread-safe.
#pragma once

#include <memory>
#include <string>

#include "db/version_edit.h"
#include "env/writable_file_writer.h"
#include "strata/executor.h"
#include "strata/options.h"
#include "strata/statistics.h"
#include "table/table_builder.h"
#include "table/table_reader.h"

namespace strata {

struct TableOutputContext {
  std::string dbname;
  // A snapshot of the options (SetOptions may change the DB's meanwhile).
  std::shared_ptr<const Options> options;
  FileSystem* fs = nullptr;
  Statistics* statistics = nullptr;  // May be null.
  std::string db_id;
  std::string db_session_id;
  uint64_t creation_time = 0;  // Seconds.
  // Compresses data blocks in parallel when set (and the options ask for
  // more than one thread and compression). Borrowed from the DB.
  Executor* compression_executor = nullptr;
  // Writes full output buffers while the job goes on (WritableFileWriter's
  // background writes) when set. Borrowed from the DB.
  Executor* write_executor = nullptr;
};

class TableOutput {
 public:
  static Status Open(const TableOutputContext& context, FileKind kind,
                     uint64_t file_number,
                     std::unique_ptr<TableOutput>* result);
  ~TableOutput();

  // REQUIRES: internal keys strictly increasing.
  Status Add(Slice internal_key, Slice value);
  // The file's key range is widened to cover the tombstone.
  Status AddRangeTombstone(const RangeTombstone& tombstone);

  // Finishes, syncs and closes the file; fills *meta (number, size, keys,
  // sequence numbers, counts).
  Status Finish(FileMetaData* meta);
  // Stops and deletes the file.
  void Abandon();

  uint64_t file_size() const { return builder_->file_size(); }
  uint64_t num_entries() const { return meta_.num_entries; }
  bool empty() const {
    return meta_.num_entries == 0 && meta_.num_range_deletions == 0;
  }
  const std::string& path() const { return path_; }
  const WritableFileWriterCounters& writer_counters() const {
    return writer_->counters();
  }

 private:
  TableOutput(const TableOutputContext& context, std::string path)
      : context_(context), path_(std::move(path)) {}
  void ExtendRange(Slice smallest_candidate, Slice largest_candidate);

  const TableOutputContext context_;
  const std::string path_;
  std::unique_ptr<WritableFileWriter> writer_;
  std::unique_ptr<TableBuilder> builder_;
  FileMetaData meta_;
  bool has_range_ = false;
  bool done_ = false;
};

// Opens a freshly written table with its own reader in the background I/O
// mode (FileKind::kTableVerify, compaction readahead, no block cache) and,
// when `full_check`, reads every block verifying checksums. A table that
// cannot be opened is never added to the tree.
Status VerifyNewTable(const TableOutputContext& context,
                      const FileMetaData& meta, bool full_check);

}  // namespace strata
