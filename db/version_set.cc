#include "db/version_set.h"

#include "db/filename.h"
#include "db/wal_reader.h"
#include "env/sequential_file_reader.h"
#include "table/internal_key.h"

namespace strata {
namespace {

// Collects MANIFEST damage; the first report wins.
class ManifestReporter final : public WalReader::Reporter {
 public:
  void Corruption(uint64_t /*offset*/, uint64_t /*bytes_dropped*/,
                  const Status& status) override {
    if (status_.ok()) status_ = status;
  }
  Status status_;
};

}  // namespace

VersionSet::VersionSet(const std::string& dbname, const Options* options,
                       FileSystem* fs, InfoLog* info_log)
    : dbname_(dbname), options_(options), fs_(fs), info_log_(info_log) {
  Status s = Version::Apply(nullptr, {}, options->num_levels, &current_);
  (void)s;  // An empty tree always applies.
  current_raw_.store(current_.get(), std::memory_order_release);
}

VersionSet::~VersionSet() { (void)Close(); }

Status VersionSet::Close() {
  if (manifest_ == nullptr) return Status::OK();
  Status s = manifest_->Close();
  manifest_.reset();
  return s;
}

uint64_t VersionSet::manifest_size() const {
  return manifest_ == nullptr ? 0 : manifest_->file_size();
}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  uint64_t next = next_file_number_.load();
  while (next <= number &&
         !next_file_number_.compare_exchange_weak(next, number + 1)) {
  }
}

void VersionSet::WriteSnapshot(VersionEdit* edit) const {
  edit->set_comparator_name(InternalKeyComparator::kName);
  if (!db_id_.empty()) edit->set_db_id(db_id_);
  for (int level = 0; level < current_->num_levels(); ++level) {
    for (const auto& f : current_->files(level)) {
      edit->AddFile(level, *f);
    }
  }
  edit->set_log_number(log_number_);
  edit->set_prev_log_number(prev_log_number_);
  edit->set_next_file_number(next_file_number_.load());
  edit->set_last_sequence(last_sequence_);
}

Status VersionSet::StartNewManifest() {
  const uint64_t number = NewFileNumber();
  const std::string path = ManifestFileName(dbname_, number);
  FileOptions fo;
  fo.kind = FileKind::kManifest;
  std::unique_ptr<WritableFile> file;
  IOStatus io = fs_->NewWritableFile(path, fo, &file);
  if (!io.ok()) return io;
  std::unique_ptr<WritableFileWriter> writer;
  WritableFileWriterOptions wo;
  wo.max_buffer_bytes = options_->writable_file_max_buffer_size;
  Status s = WritableFileWriter::Create(std::move(file), wo, &writer);
  if (!s.ok()) return s;
  auto manifest = std::make_unique<WalWriter>(std::move(writer), number);
  VersionEdit snapshot;
  WriteSnapshot(&snapshot);
  std::string record;
  snapshot.EncodeTo(&record);
  s = manifest->AddRecord(record);
  if (s.ok()) s = manifest->Sync(/*use_fsync=*/true);
  if (s.ok()) {
    s = SetCurrentFile(fs_, dbname_, number, NewFileNumber());
  }
  if (!s.ok()) {
    (void)manifest->Close();
    (void)fs_->DeleteFile(path);
    return s;
  }
  if (manifest_ != nullptr) (void)manifest_->Close();
  manifest_ = std::move(manifest);
  manifest_number_ = number;
  edit_in_doubt_ = false;  // CURRENT no longer names the old MANIFEST.
  if (info_log_ != nullptr) {
    info_log_->Log("Created MANIFEST-%06llu",
                   static_cast<unsigned long long>(number));
  }
  return Status::OK();
}

Status VersionSet::CreateNew(const std::string& db_id) {
  db_id_ = db_id;
  next_file_number_ = 1;  // MANIFEST-000001.
  return StartNewManifest();
}

Status VersionSet::LogAndApply(VersionEdit* edit) {
  // The log number and last sequence change only once the edit is durable:
  // until then the WALs below the new log number still hold data no
  // table has, and must not look obsolete.
  const uint64_t log_number = edit->has_log_number()
                                  ? std::max(log_number_, edit->log_number())
                                  : log_number_;
  const SequenceNumber last_sequence =
      edit->has_last_sequence()
          ? std::max(last_sequence_, edit->last_sequence())
          : last_sequence_;
  edit->set_log_number(log_number);
  edit->set_prev_log_number(prev_log_number_);
  edit->set_last_sequence(last_sequence);

  std::shared_ptr<const Version> next;
  Status s = Version::Apply(current_.get(), {edit}, options_->num_levels,
                            &next);
  if (!s.ok()) return s;

  if (!edit->new_files().empty()) {
    // The new tables are synced; their directory entries must be durable
    // too before an edit names them.
    s = SyncDir(fs_, dbname_);
    if (!s.ok()) return s;
  }
  if (manifest_ == nullptr || manifest_->file_size() > max_manifest_bytes_) {
    // The snapshot written first describes `current_`; the edit follows.
    s = StartNewManifest();
    if (!s.ok()) return s;
  }
  edit->set_next_file_number(next_file_number_.load());
  std::string record;
  edit->EncodeTo(&record);
  s = manifest_->AddRecord(record);
  if (s.ok()) s = manifest_->Sync(options_->use_fsync);
  if (!s.ok()) {
    // The MANIFEST's state is unknown (the edit may be durable all the
    // same): the next edit starts a new one, and until then the files the
    // edit names must stay.
    (void)manifest_->Close();
    manifest_.reset();
    edit_in_doubt_ = true;
    return s;
  }
  log_number_ = log_number;
  last_sequence_ = last_sequence;
  Install(std::move(next));
  return Status::OK();
}

Status VersionSet::Recover() {
  std::string manifest_name;
  Status s = ReadCurrentFile(fs_, dbname_, &manifest_name);
  if (!s.ok()) return s;
  const std::string path = dbname_ + "/" + manifest_name;
  uint64_t number = 0;
  DBFileType type;
  ParseFileName(manifest_name, &number, &type);

  FileOptions fo;
  fo.kind = FileKind::kManifest;
  std::unique_ptr<SequentialFile> file;
  IOStatus io = fs_->NewSequentialFile(path, fo, &file);
  if (!io.ok()) {
    return Status::Corruption("CURRENT names " + manifest_name +
                              ", which cannot be opened: " + io.ToString());
  }
  std::unique_ptr<SequentialFileReader> reader;
  s = SequentialFileReader::Create(std::move(file), &reader);
  if (!s.ok()) return s;
  ManifestReporter reporter;
  WalReader wal(std::move(reader), &reporter, /*verify_checksums=*/true);

  std::vector<VersionEdit> edits;
  bool have_log = false, have_next = false, have_seq = false;
  Slice record;
  std::string scratch;
  while (wal.ReadRecord(&record, &scratch)) {
    if (!reporter.status_.ok()) break;
    VersionEdit edit;
    s = edit.DecodeFrom(record);
    if (!s.ok()) {
      return Status::Corruption(path + ": bad edit at offset " +
                                std::to_string(wal.last_record_offset()) +
                                ": " + s.ToString());
    }
    if (edit.has_comparator_name() &&
        edit.comparator_name() != InternalKeyComparator::kName &&
        edit.comparator_name() != "leveldb.BytewiseComparator") {
      return Status::InvalidArgument(path + ": the DB uses comparator " +
                                     edit.comparator_name() +
                                     "; strata has only the bytewise one");
    }
    if (edit.has_db_id()) db_id_ = edit.db_id();
    if (edit.has_log_number()) {
      log_number_ = edit.log_number();
      have_log = true;
    }
    if (edit.has_prev_log_number()) prev_log_number_ = edit.prev_log_number();
    if (edit.has_next_file_number()) {
      next_file_number_ = edit.next_file_number();
      have_next = true;
    }
    if (edit.has_last_sequence()) {
      last_sequence_ = edit.last_sequence();
      have_seq = true;
    }
    edits.push_back(std::move(edit));
  }
  if (!reporter.status_.ok()) return reporter.status_;
  if (!wal.status().ok()) return wal.status();
  if (!have_next || !have_log || !have_seq) {
    return Status::Corruption(path + ": no " +
                              std::string(!have_next ? "next file number"
                                          : !have_log ? "log number"
                                                      : "last sequence") +
                              " entry");
  }
  std::vector<const VersionEdit*> pointers;
  pointers.reserve(edits.size());
  for (const auto& e : edits) pointers.push_back(&e);
  std::shared_ptr<const Version> recovered;
  s = Version::Apply(nullptr, pointers, options_->num_levels, &recovered);
  if (!s.ok()) return Status::Corruption(path + ": " + s.ToString());
  Install(std::move(recovered));
  MarkFileNumberUsed(number);
  MarkFileNumberUsed(current_->MaxFileNumber());
  manifest_number_ = number;
  // Edits go to a new MANIFEST (written at the first LogAndApply), so a
  // torn tail of this one is never appended to.
  return Status::OK();
}

void VersionSet::Install(std::shared_ptr<const Version> version) {
  installed_.push_back(version);
  current_ = std::move(version);
  current_raw_.store(current_.get(), std::memory_order_release);
}

void VersionSet::AddLiveFiles(std::set<uint64_t>* live) {
  std::vector<std::weak_ptr<const Version>> alive;
  alive.reserve(installed_.size());
  for (const auto& weak : installed_) {
    std::shared_ptr<const Version> v = weak.lock();
    if (v == nullptr) continue;
    for (int level = 0; level < v->num_levels(); ++level) {
      for (const auto& f : v->files(level)) live->insert(f->number);
    }
    alive.push_back(weak);
  }
  installed_.swap(alive);
}

}  // namespace strata
