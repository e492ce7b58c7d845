#include "db/table_output.h"

#include "db/db_options.h"
#include "db/filename.h"
#include "db/table_cache.h"
#include "table/internal_key.h"

namespace strata {

Status TableOutput::Open(const TableOutputContext& context, FileKind kind,
                         uint64_t file_number,
                         std::unique_ptr<TableOutput>* result) {
  const Options& options = *context.options;
  const std::string path = TableFileName(context.dbname, file_number);
  std::unique_ptr<TableOutput> out(new TableOutput(context, path));
  out->meta_.number = file_number;
  out->meta_.creation_time = context.creation_time;

  std::unique_ptr<WritableFile> file;
  IOStatus io =
      context.fs->NewWritableFile(path, FileOptionsFor(kind, options), &file);
  if (!io.ok()) return io;
  WritableFileWriterOptions wo;
  wo.max_buffer_bytes = options.writable_file_max_buffer_size;
  wo.bytes_per_sync = options.bytes_per_sync;
  wo.executor = context.write_executor;
  Status s = WritableFileWriter::Create(std::move(file), wo, &out->writer_);
  if (!s.ok()) {
    (void)context.fs->DeleteFile(path);
    return s;
  }

  const TableOptions& t = options.table_options;
  TableBuilderOptions bo = TableBuilderOptionsFor(t);
  if (context.compression_executor != nullptr &&
      options.compression_parallel_threads > 1) {
    bo.executor = context.compression_executor;
    bo.parallel_threads = options.compression_parallel_threads;
  }
  bo.identity.column_family_name = "default";
  bo.identity.column_family_id = 0;
  bo.identity.db_id = context.db_id;
  bo.identity.db_session_id = context.db_session_id;
  bo.identity.creation_time = context.creation_time;
  bo.identity.file_creation_time = context.creation_time;
  bo.identity.original_file_number = file_number;
  out->builder_ = std::make_unique<TableBuilder>(bo, out->writer_.get());
  if (!out->builder_->status().ok()) {
    s = out->builder_->status();
    out->Abandon();
    return s;
  }
  *result = std::move(out);
  return Status::OK();
}

TableOutput::~TableOutput() {
  if (!done_) Abandon();
}

void TableOutput::ExtendRange(Slice smallest_candidate,
                              Slice largest_candidate) {
  if (!has_range_) {
    meta_.smallest.assign(smallest_candidate.data(), smallest_candidate.size());
    meta_.largest.assign(largest_candidate.data(), largest_candidate.size());
    has_range_ = true;
    return;
  }
  if (InternalKeyComparator::Compare(smallest_candidate, meta_.smallest) < 0) {
    meta_.smallest.assign(smallest_candidate.data(), smallest_candidate.size());
  }
  if (InternalKeyComparator::Compare(largest_candidate, meta_.largest) > 0) {
    meta_.largest.assign(largest_candidate.data(), largest_candidate.size());
  }
}

Status TableOutput::Add(Slice internal_key, Slice value) {
  Status s = builder_->Add(internal_key, value);
  if (!s.ok()) return s;
  const SequenceNumber seq = ExtractSequenceNumber(internal_key);
  if (meta_.num_entries == 0 && meta_.num_range_deletions == 0) {
    meta_.smallest_seqno = seq;
    meta_.largest_seqno = seq;
  } else {
    meta_.smallest_seqno = std::min(meta_.smallest_seqno, seq);
    meta_.largest_seqno = std::max(meta_.largest_seqno, seq);
  }
  ++meta_.num_entries;
  const uint8_t type = ExtractValueTypeByte(internal_key);
  if (type == static_cast<uint8_t>(ValueType::kDeletion) ||
      type == static_cast<uint8_t>(ValueType::kSingleDeletion)) {
    ++meta_.num_deletions;
  }
  if (!has_range_) {
    ExtendRange(internal_key, internal_key);
  } else {
    // Keys arrive in order: only the largest moves, unless a tombstone
    // widened the range beyond it.
    if (InternalKeyComparator::Compare(internal_key, meta_.largest) > 0) {
      meta_.largest.assign(internal_key.data(), internal_key.size());
    }
    if (InternalKeyComparator::Compare(internal_key, meta_.smallest) < 0) {
      meta_.smallest.assign(internal_key.data(), internal_key.size());
    }
  }
  return Status::OK();
}

Status TableOutput::AddRangeTombstone(const RangeTombstone& t) {
  Status s = builder_->AddRangeTombstone(t.begin_user_key, t.end_user_key,
                                         t.sequence);
  if (!s.ok()) return s;
  if (meta_.num_entries == 0 && meta_.num_range_deletions == 0) {
    meta_.smallest_seqno = t.sequence;
    meta_.largest_seqno = t.sequence;
  } else {
    meta_.smallest_seqno = std::min(meta_.smallest_seqno, t.sequence);
    meta_.largest_seqno = std::max(meta_.largest_seqno, t.sequence);
  }
  ++meta_.num_range_deletions;
  ++meta_.num_deletions;
  // The tombstone covers [begin, end): the file's range is widened to
  // (begin, seq) .. (end, max seq, range-deletion sentinel). Readers treat
  // the end user key as part of the range, which is only conservative.
  ExtendRange(MakeInternalKey(t.begin_user_key, t.sequence,
                              ValueType::kRangeDeletion),
              MakeInternalKey(t.end_user_key, kMaxSequenceNumber,
                              ValueType::kRangeDeletion));
  return Status::OK();
}

Status TableOutput::Finish(FileMetaData* meta) {
  done_ = true;
  Status s = builder_->Finish();
  if (s.ok() && !writer_->use_direct_io()) {
    s = writer_->Sync();
  }
  Status close = writer_->Close();
  if (s.ok()) s = close;
  if (Statistics* st = context_.statistics) {
    const auto& c = writer_->counters();
    st->recordTick(WRITE_PADDING_BYTES, c.padding_bytes);
    st->recordTick(WRITE_REWRITTEN_TAIL_BYTES, c.rewritten_tail_bytes);
  }
  if (!s.ok()) {
    (void)context_.fs->DeleteFile(path_);
    return s;
  }
  meta_.file_size = writer_->size();
  *meta = meta_;
  return Status::OK();
}

void TableOutput::Abandon() {
  done_ = true;
  if (builder_ != nullptr) builder_->Abandon();
  if (writer_ != nullptr) (void)writer_->Close();
  (void)context_.fs->DeleteFile(path_);
}

Status VerifyNewTable(const TableOutputContext& context,
                      const FileMetaData& meta, bool full_check) {
  const std::string path = TableFileName(context.dbname, meta.number);
  TableReaderOptions table_options;
  table_options.statistics = context.statistics;  // Counts the readahead.
  std::unique_ptr<TableReader> reader;
  Status s = OpenTable(context.fs, path, FileKind::kTableVerify,
                       *context.options, meta.file_size, table_options,
                       &reader);
  if (!s.ok()) return s;
  // The property counts range tombstones too, as RocksDB's does.
  const uint64_t written = meta.num_entries + meta.num_range_deletions;
  if (reader->properties().num_entries != written) {
    return Status::Corruption(
        path + ": the new table holds " +
        std::to_string(reader->properties().num_entries) +
        " entries, but " + std::to_string(written) + " were written");
  }
  if (full_check) {
    s = reader->VerifyChecksum(EffectiveCompactionReadahead(*context.options));
  }
  return s;
}

}  // namespace strata
