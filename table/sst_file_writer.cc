// SstFileWriter (include/strata/sst_file_writer.h): a TableBuilder over a
// WritableFileWriter, with RocksDB's SstFileWriter conventions (seqno 0,
// external-file properties, strict key order).
#include "strata/sst_file_writer.h"


#include "env/writable_file_writer.h"
#include "strata/env.h"
#include "strata/thread_pool.h"
#include "table/internal_key.h"
#include "table/table_builder.h"

namespace strata {

namespace {

// RocksDB drops written pages from the cache every this many bytes.
constexpr uint64_t kInvalidatePageCacheEveryBytes = 1 << 20;

}  // namespace

struct SstFileWriter::Rep {
  explicit Rep(const SstFileWriterOptions& o)
      : options(o),
        fs(o.file_system != nullptr ? o.file_system
                                    : Env::Default()->file_system()),
        session_id(NewDbSessionId()) {
    if (o.parallel_threads > 1) {
      compression_pool.SetBackgroundThreads(o.parallel_threads);
    }
    if (o.background_writes) {
      write_pool.SetBackgroundThreads(1);
    }
  }

  Status Add(Slice user_key, ValueType type, Slice value);
  void Abandon();

  const SstFileWriterOptions options;
  FileSystem* const fs;
  const std::string session_id;
  // Compression threads (none unless parallel_threads > 1). Declared before
  // the builder so that it outlives every task the builder submits.
  ThreadPool compression_pool;
  // The thread that writes full buffers (none without background_writes);
  // outlives the writer for the same reason.
  ThreadPool write_pool;
  uint64_t file_number = 0;  // rocksdb.original.file.number of the last Open.

  std::string path;
  std::unique_ptr<WritableFileWriter> writer;
  std::unique_ptr<TableBuilder> builder;
  ExternalSstFileInfo info;
  std::string internal_key;  // Add()'s scratch, reused across entries.
  uint64_t invalidated_at = 0;
  Status status;
};

SstFileWriter::SstFileWriter(const SstFileWriterOptions& options)
    : rep_(std::make_unique<Rep>(options)) {}

SstFileWriter::~SstFileWriter() {
  if (rep_->builder != nullptr) {
    rep_->Abandon();
  }
}

Status SstFileWriter::Open(const std::string& path) {
  Rep* r = rep_.get();
  if (r->builder != nullptr) {
    return Status::InvalidArgument("SstFileWriter::Open: " + r->path +
                                   " is still open; Finish or Abandon it");
  }
  const TableOptions& t = r->options.table;
  if (r->options.use_direct_io_for_flush_and_compaction &&
      r->options.writable_file_max_buffer_size == 0) {
    return Status::InvalidArgument(
        WritableFileWriter::kZeroBufferMessage);
  }
  FileOptions fo;
  fo.use_direct_writes = r->options.use_direct_io_for_flush_and_compaction;
  fo.kind = FileKind::kTableExternal;
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(r->fs->NewWritableFile(path, fo, &file));
  WritableFileWriterOptions wo;
  wo.max_buffer_bytes = r->options.writable_file_max_buffer_size;
  wo.compute_file_checksum = true;
  if (r->options.background_writes) {
    wo.executor = &r->write_pool;
  }
  std::unique_ptr<WritableFileWriter> writer;
  Status s = WritableFileWriter::Create(std::move(file), wo, &writer);
  if (!s.ok()) {
    r->fs->DeleteFile(path).PermitUncheckedError();  // Nothing written yet.
    return s;
  }

  TableBuilderOptions bo = TableBuilderOptionsFor(t);
  if (r->options.parallel_threads > 1) {
    bo.executor = &r->compression_pool;
    bo.parallel_threads = r->options.parallel_threads;
  }
  // Add() has checked the stronger order already: user keys strictly
  // increasing, every entry at sequence number 0.
  bo.check_key_order = false;
  bo.identity.db_id = "SST Writer";
  bo.identity.db_session_id = r->session_id;
  bo.identity.db_host_id = r->options.db_host_id;
  bo.identity.original_file_number = ++r->file_number;
  bo.identity.is_external = true;
  bo.identity.external_sst_file_version = 2;
  auto builder = std::make_unique<TableBuilder>(bo, writer.get());
  if (!builder->status().ok()) {
    s = builder->status();
    builder->Abandon();
    writer->Close().PermitUncheckedError();  // The file is removed.
    r->fs->DeleteFile(path).PermitUncheckedError();
    return s;
  }
  r->path = path;
  r->writer = std::move(writer);
  r->builder = std::move(builder);
  r->info = ExternalSstFileInfo();
  r->info.file_path = path;
  r->invalidated_at = 0;
  r->status = Status::OK();
  return Status::OK();
}

Status SstFileWriter::Rep::Add(Slice user_key, ValueType type, Slice value) {
  if (builder == nullptr) {
    return Status::InvalidArgument("SstFileWriter: no file is open");
  }
  if (!status.ok()) return status;
  const uint64_t index = info.num_entries;
  if (index > 0 && user_key.compare(info.largest_key) <= 0) {
    status = Status::InvalidArgument(
        "Keys must be added in strict ascending order: entry #" +
        std::to_string(index) + " key 0x" + user_key.ToHex() +
        " is not greater than the previous key 0x" +
        Slice(info.largest_key).ToHex() + " (file " + path +
        "; the partial file was removed)");
    Abandon();
    return status;
  }
  internal_key.clear();  // Reused: no allocation per entry.
  AppendInternalKey(&internal_key, ParsedInternalKey(user_key, 0, type));
  Status s = builder->Add(internal_key, value);
  if (!s.ok()) {
    status = s;
    return s;
  }
  if (index == 0) {
    info.smallest_key.assign(user_key.data(), user_key.size());
  }
  info.largest_key.assign(user_key.data(), user_key.size());
  ++info.num_entries;
  if (options.invalidate_page_cache &&
      builder->file_size() - invalidated_at > kInvalidatePageCacheEveryBytes) {
    // Best effort: pages the writer still holds or the kernel has not written
    // back stay cached; nothing is lost either way.
    writer->InvalidateCache().PermitUncheckedError();
    invalidated_at = builder->file_size();
  }
  return Status::OK();
}

Status SstFileWriter::Put(Slice user_key, Slice value) {
  return rep_->Add(user_key, ValueType::kValue, value);
}

Status SstFileWriter::Merge(Slice user_key, Slice value) {
  return rep_->Add(user_key, ValueType::kMerge, value);
}

Status SstFileWriter::Delete(Slice user_key) {
  return rep_->Add(user_key, ValueType::kDeletion, Slice());
}

Status SstFileWriter::DeleteRange(Slice begin_key, Slice end_key) {
  Rep* r = rep_.get();
  if (r->builder == nullptr) {
    return Status::InvalidArgument("SstFileWriter: no file is open");
  }
  if (!r->status.ok()) return r->status;
  if (begin_key.compare(end_key) > 0) {
    return Status::InvalidArgument(
        "DeleteRange: end key 0x" + end_key.ToHex() +
        " comes before start key 0x" + begin_key.ToHex() + " (file " +
        r->path + ")");
  }
  Status s = r->builder->AddRangeTombstone(begin_key, end_key, 0);
  if (!s.ok()) {
    r->status = s;
    return s;
  }
  ++r->info.num_range_del_entries;
  return Status::OK();
}

Status SstFileWriter::Finish(ExternalSstFileInfo* info) {
  Rep* r = rep_.get();
  if (r->builder == nullptr) {
    return Status::InvalidArgument("SstFileWriter: no file is open");
  }
  if (!r->status.ok()) {
    r->Abandon();
    return r->status;
  }
  if (r->info.num_entries == 0 && r->info.num_range_del_entries == 0 &&
      !r->options.allow_empty) {
    const std::string path = r->path;
    r->Abandon();
    return Status::InvalidArgument(
        "Cannot create sst file with no entries (" + path + ")");
  }
  Status s = r->builder->Finish();
  // Durable before it is handed out: buffered files need a sync; direct
  // ones are truncated and fsynced by Close().
  if (s.ok() && !r->writer->use_direct_io()) s = r->writer->Sync();
  if (s.ok() && r->options.invalidate_page_cache) {
    r->writer->InvalidateCache().PermitUncheckedError();  // Best effort.
  }
  Status close = r->writer->Close();
  if (s.ok()) s = close;
  if (!s.ok()) {
    r->status = s;
    r->Abandon();
    return s;
  }
  r->info.file_size = r->builder->file_size();
  r->info.file_checksum = r->writer->file_checksum();
  if (info != nullptr) {
    *info = r->info;
  }
  r->builder.reset();
  r->writer.reset();
  return Status::OK();
}

void SstFileWriter::Abandon() {
  if (rep_->builder != nullptr) {
    rep_->Abandon();
  }
}

void SstFileWriter::Rep::Abandon() {
  if (builder != nullptr) {
    builder->Abandon();
  }
  if (writer != nullptr) {
    // The file is being thrown away; its close status does not matter.
    writer->Close().PermitUncheckedError();
  }
  if (!path.empty()) {
    fs->DeleteFile(path).PermitUncheckedError();  // Best-effort cleanup.
  }
  builder.reset();
  writer.reset();
}

uint64_t SstFileWriter::FileSize() const {
  return rep_->builder != nullptr ? rep_->writer->size() : rep_->info.file_size;
}

}  // namespace strata
