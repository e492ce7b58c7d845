// IngestExternalFile: adds SST files written by SstFileWriter (strata's or
// RocksDB's) to the tree.
//
// Each file is first read in full through its own reader in the
// flush/compaction I/O mode, verifying every checksum, and its key range is
// taken from its first and last keys and range tombstones. Then, with writes
// held off, the memtable is flushed if it overlaps a file, each file gets a
// new sequence number (recorded in the MANIFEST as the file's global
// sequence number; the file itself is not rewritten), is hard-linked (or
// renamed with move_files, or else copied with the flush/compaction write
// mode) into the DB directory, and lands at the deepest level where nothing
// above it overlaps, else L0.
#include <algorithm>
#include <cinttypes>
#include <map>

#include "db/db_impl.h"
#include "db/db_options.h"
#include "db/filename.h"
#include "env/writable_file_writer.h"
#include "table/table_iterator.h"

namespace strata {
namespace {

struct IngestedFile {
  std::string path;
  uint64_t size = 0;
  std::string smallest_user, largest_user;
  // Internal keys of the range, as the file reads with sequence 0.
  std::string smallest, largest;
  uint64_t num_entries = 0, num_deletions = 0, num_range_deletions = 0;
  bool empty = false;
};

Status InspectFile(TableCache* cache, const std::string& path, FileSystem* fs,
                   const Options& options, bool verify,
                   IngestedFile* file) {
  file->path = path;
  IOStatus io = fs->GetFileSize(path, &file->size);
  if (!io.ok()) return io;
  std::unique_ptr<TableReader> reader;
  Status s = cache->OpenBackgroundReader(FileKind::kTableExternal, path,
                                         file->size, /*global_seqno=*/0,
                                         &reader);
  if (!s.ok()) return s;
  const TableProperties& props = reader->properties();
  if (!props.is_external) {
    return Status::InvalidArgument(
        path + ": not a file written by SstFileWriter (no "
               "rocksdb.external_sst_file.version property)");
  }
  if (verify) {
    s = reader->VerifyChecksum(EffectiveCompactionReadahead(options));
    if (!s.ok()) return s;
  }
  TableReadOptions ro;
  ro.for_compaction = true;
  ro.fill_cache = false;
  ro.compaction_readahead_bytes = EffectiveCompactionReadahead(options);
  auto iter = reader->NewIterator(ro);
  iter->SeekToFirst();
  bool have_range = false;
  if (iter->Valid()) {
    file->smallest = iter->key().ToString();
    iter->SeekToLast();
    if (!iter->Valid()) {
      return iter->status().ok()
                 ? Status::Corruption(path + ": last key not found")
                 : iter->status();
    }
    file->largest = iter->key().ToString();
    have_range = true;
  }
  if (!iter->status().ok()) return iter->status();
  for (const auto& t : reader->range_tombstones()) {
    std::string begin = MakeInternalKey(t.begin_user_key, 0,
                                        ValueType::kRangeDeletion);
    std::string end = MakeInternalKey(t.end_user_key, kMaxSequenceNumber,
                                      ValueType::kRangeDeletion);
    if (!have_range ||
        InternalKeyComparator::Compare(begin, file->smallest) < 0) {
      file->smallest = begin;
    }
    if (!have_range ||
        InternalKeyComparator::Compare(end, file->largest) > 0) {
      file->largest = end;
    }
    have_range = true;
  }
  file->empty = !have_range;
  if (have_range) {
    file->smallest_user = ExtractUserKey(file->smallest).ToString();
    file->largest_user = ExtractUserKey(file->largest).ToString();
  }
  file->num_entries = props.num_entries;
  file->num_deletions = props.num_deletions;
  file->num_range_deletions = props.num_range_deletions;
  return Status::OK();
}

// Replaces the sequence number of an internal key.
std::string WithSequence(Slice internal_key, SequenceNumber seq) {
  const uint8_t type = ExtractValueTypeByte(internal_key);
  const SequenceNumber s =
      ExtractSequenceNumber(internal_key) == kMaxSequenceNumber
          ? kMaxSequenceNumber
          : seq;
  return MakeInternalKey(ExtractUserKey(internal_key), s,
                         static_cast<ValueType>(type));
}

}  // namespace

Status DBImpl::IngestExternalFile(const std::vector<std::string>& paths,
                                  const IngestExternalFileOptions& options) {
  if (read_only_) {
    return Status::NotSupported(dbname_ + ": the DB was opened read-only");
  }
  if (paths.empty()) return Status::OK();
  Options current;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    current = options_;
  }
  std::vector<IngestedFile> files(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    Status s = InspectFile(table_cache_.get(), paths[i], fs_, current,
                           options.verify_checksums_before_ingest, &files[i]);
    if (!s.ok()) return s;
  }
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const IngestedFile& f) { return f.empty; }),
              files.end());
  if (files.empty()) return Status::OK();
  std::sort(files.begin(), files.end(),
            [](const IngestedFile& a, const IngestedFile& b) {
              return a.smallest_user < b.smallest_user;
            });
  for (size_t i = 1; i < files.size(); ++i) {
    if (files[i].smallest_user <= files[i - 1].largest_user) {
      return Status::InvalidArgument("IngestExternalFile: " + files[i].path +
                                     " and " + files[i - 1].path +
                                     " overlap");
    }
  }

  std::unique_lock<std::mutex> lock(mutex_);
  WriteBatch nothing;
  Writer w(&nothing, WriteOptions());
  JoinWriteQueueAsBarrier(&w, lock);
  Status s = bg_error_;

  // The files get sequence numbers newer than every memtable entry, but
  // reads look at the memtables first: memtable entries in a file's range
  // would hide the file's newer ones. Such memtables are flushed first.
  bool overlaps_mem = false;
  auto mem_overlaps = [&files](MemTable* mem) {
    auto it = mem->NewIterator();
    for (const auto& f : files) {
      it->Seek(MakeInternalKey(f.smallest_user, kMaxSequenceNumber,
                               kValueTypeForSeek));
      if (it->Valid() &&
          ExtractUserKey(it->key()).compare(Slice(f.largest_user)) <= 0) {
        return true;
      }
      for (const auto& t : mem->GetRangeTombstones()) {
        if (Slice(t.begin_user_key).compare(Slice(f.largest_user)) <= 0 &&
            Slice(t.end_user_key).compare(Slice(f.smallest_user)) > 0) {
          return true;
        }
      }
    }
    return false;
  };
  if (s.ok()) {
    overlaps_mem = mem_overlaps(mem_.mem.get());
    for (const auto& m : imm_) overlaps_mem = overlaps_mem || mem_overlaps(m.mem.get());
  }
  if (s.ok() && overlaps_mem) {
    if (!options.allow_blocking_flush) {
      s = Status::InvalidArgument(
          "IngestExternalFile: the memtable overlaps the files and "
          "allow_blocking_flush is false");
    } else {
      if (!mem_.mem->empty() || mem_.mem->num_range_deletes() > 0) {
        s = MakeRoomForWrite(lock, /*force=*/true);
      }
      MaybeScheduleBackgroundWork();
      while (s.ok() && !imm_.empty() && bg_error_.ok()) bg_cv_.wait(lock);
      if (s.ok()) s = bg_error_;
    }
  }

  VersionEdit edit;
  std::vector<uint64_t> numbers;
  // Files renamed into the DB (move_files), by number: their sources. If
  // the ingestion fails they are renamed back, since the caller's copy is
  // gone.
  std::map<uint64_t, std::string> moved;
  SequenceNumber seq = last_sequence_.load();
  for (size_t i = 0; s.ok() && i < files.size(); ++i) {
    const IngestedFile& f = files[i];
    const uint64_t number = versions_->NewFileNumber();
    pending_outputs_.insert(number);
    numbers.push_back(number);
    ++seq;
    const std::string target = TableFileName(dbname_, number);
    lock.unlock();
    IOStatus io = options.move_files ? fs_->RenameFile(f.path, target)
                                     : fs_->LinkFile(f.path, target);
    const char* how = options.move_files ? "moved" : "linked";
    const bool renamed = options.move_files && io.ok();
    if (!io.ok()) {
      // Another file system (or none with links): copy with the
      // flush/compaction write mode.
      how = "copied";
      io = IOStatus::OK();
      std::unique_ptr<RandomAccessFile> in;
      io = fs_->NewRandomAccessFile(
          f.path, FileOptionsFor(FileKind::kTableExternal, current), &in);
      std::unique_ptr<WritableFile> out_file;
      if (io.ok()) {
        io = fs_->NewWritableFile(
            target, FileOptionsFor(FileKind::kTableExternal, current),
            &out_file);
      }
      std::unique_ptr<WritableFileWriter> out;
      if (io.ok()) {
        WritableFileWriterOptions wo;
        wo.max_buffer_bytes = current.writable_file_max_buffer_size;
        io = WritableFileWriter::Create(std::move(out_file), wo, &out);
      }
      if (io.ok()) {
        RandomAccessFileReader reader(std::move(in));
        const size_t chunk = EffectiveCompactionReadahead(current);
        AlignedMemory buffer;
        for (uint64_t offset = 0; io.ok() && offset < f.size;) {
          Slice data;
          io = reader.Read(offset, static_cast<size_t>(std::min<uint64_t>(
                                       chunk, f.size - offset)),
                           &data, &buffer);
          if (io.ok() && data.empty()) {
            io = IOStatus(Status::Corruption(
                f.path + ": shorter than its size while copying, at offset " +
                std::to_string(offset)));
          }
          if (io.ok()) io = out->Append(data);
          offset += data.size();
        }
        if (io.ok() && !out->use_direct_io()) io = out->Sync();
        IOStatus close = out->Close();
        if (io.ok()) io = close;
      }
      if (!io.ok()) (void)fs_->DeleteFile(target);
    }
    lock.lock();
    if (!io.ok()) {
      s = io;
      break;
    }
    if (renamed) moved[number] = f.path;
    if (info_log_ != nullptr) {
      info_log_->Log("Ingest: %s %s as #%" PRIu64 " with seqno %" PRIu64,
                     f.path.c_str(), how, number, seq);
    }
    FileMetaData meta;
    meta.number = number;
    meta.file_size = f.size;
    meta.smallest = WithSequence(f.smallest, seq);
    meta.largest = WithSequence(f.largest, seq);
    meta.smallest_seqno = seq;
    meta.largest_seqno = seq;
    meta.num_entries = f.num_entries;
    meta.num_deletions = f.num_deletions;
    meta.num_range_deletions = f.num_range_deletions;
    meta.global_seqno = seq;
    meta.creation_time = clock_->NowMicros() / 1000000;
    const int level = picker_->PickLevelForIngestedFile(
        *versions_->current(), f.smallest_user, f.largest_user);
    edit.AddFile(level, meta);
  }
  if (s.ok()) {
    std::unique_ptr<Directory> dir;
    IOStatus io = fs_->NewDirectory(dbname_, &dir);
    if (io.ok()) io = dir->Fsync();
    if (io.ok()) io = dir->Close();
    s = io;
  }
  if (s.ok()) {
    edit.set_last_sequence(seq);
    s = versions_->LogAndApply(&edit);
  }
  if (s.ok()) {
    last_sequence_.store(seq);
  } else {
    // Best effort: the ingestion has failed either way.
    for (uint64_t number : numbers) {
      auto it = moved.find(number);
      if (it != moved.end()) {
        (void)fs_->RenameFile(TableFileName(dbname_, number), it->second);
      } else {
        (void)fs_->DeleteFile(TableFileName(dbname_, number));
      }
    }
  }
  for (uint64_t number : numbers) pending_outputs_.erase(number);
  LeaveWriteQueue(&w);
  if (s.ok()) {
    MaybeScheduleBackgroundWork();
  }
  return s;
}

}  // namespace strata
