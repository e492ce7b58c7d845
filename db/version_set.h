// VersionSet: the durable shape of the LSM tree. Holds the current Version,
// the file-number counter, the last sequence number and the WAL number from
// which recovery replays, and persists every change as a VersionEdit record
// in the MANIFEST (the WAL record format, always buffered).
//
// A new MANIFEST starts with one edit describing the whole tree; CURRENT is
// then pointed at it atomically (SetCurrentFile). LogAndApply appends an
// edit and syncs the MANIFEST before the new Version is installed, so a
// Version a reader can see is always durable.
//
// Thread-safety: LogAndApply, CreateNew and Recover are called with the
// DB mutex held (the DB serializes them); current() and the counters may be
// read under the same mutex. NewFileNumber and IsCurrent are atomic.
#pragma once

#include <atomic>
#include <memory>
#include <set>
#include <vector>
#include <string>

#include "db/info_log.h"
#include "db/version.h"
#include "db/version_edit.h"
#include "db/wal_writer.h"
#include "strata/options.h"

namespace strata {

class VersionSet {
 public:
  VersionSet(const std::string& dbname, const Options* options,
             FileSystem* fs, InfoLog* info_log);
  ~VersionSet();

  // Writes MANIFEST-000001 holding an empty tree with `db_id`, and CURRENT.
  Status CreateNew(const std::string& db_id);
  // Reads CURRENT and replays the MANIFEST into the current Version. A
  // record torn by the end of the MANIFEST (a crash during an edit that was
  // therefore never acknowledged) is ignored; any other damage is
  // Corruption naming the MANIFEST and offset.
  Status Recover();

  // Fills the edit's log number, next file number and last sequence from
  // this set, writes it to the MANIFEST (starting a new MANIFEST first when
  // none is open), syncs, and installs the resulting Version.
  Status LogAndApply(VersionEdit* edit);

  std::shared_ptr<const Version> current() const { return current_; }
  // Whether `v` is the current Version, answered without the DB mutex (a
  // hint: the answer may be stale by the time the caller acts on it).
  bool IsCurrent(const Version* v) const {
    return current_raw_.load(std::memory_order_acquire) == v;
  }
  // Adds the numbers of every table in any Version still alive (the current
  // one, and older ones pinned by readers, iterators or compactions).
  void AddLiveFiles(std::set<uint64_t>* live);
  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  // Makes sure later numbers are above `number` (files found on disk).
  void MarkFileNumberUsed(uint64_t number);
  uint64_t next_file_number() const { return next_file_number_.load(); }
  SequenceNumber last_sequence() const { return last_sequence_; }
  void set_last_sequence(SequenceNumber s) { last_sequence_ = s; }
  // WALs numbered below this hold nothing the tree lacks.
  uint64_t log_number() const { return log_number_; }
  uint64_t prev_log_number() const { return prev_log_number_; }
  uint64_t manifest_number() const { return manifest_number_; }
  uint64_t manifest_size() const;
  // True after an edit failed while being written or synced, until a new
  // MANIFEST replaces the old one: that edit may be durable, so no file it
  // names (a new table) may be deleted meanwhile.
  bool edit_in_doubt() const { return edit_in_doubt_; }
  const std::string& db_id() const { return db_id_; }
  // Closes the MANIFEST (Close of the DB).
  Status Close();

 private:
  // Starts a new MANIFEST holding a snapshot of the current tree, then
  // points CURRENT at it.
  Status StartNewManifest();
  void WriteSnapshot(VersionEdit* edit) const;

  const std::string dbname_;
  const Options* const options_;
  FileSystem* const fs_;
  InfoLog* const info_log_;

  std::shared_ptr<const Version> current_;
  std::atomic<const Version*> current_raw_{nullptr};  // current_.get().
  // Every Version installed, while anyone holds it (pruned by AddLiveFiles).
  std::vector<std::weak_ptr<const Version>> installed_;
  void Install(std::shared_ptr<const Version> version);
  std::atomic<uint64_t> next_file_number_{2};
  SequenceNumber last_sequence_ = 0;
  uint64_t log_number_ = 0;
  uint64_t prev_log_number_ = 0;
  uint64_t manifest_number_ = 0;
  std::string db_id_;
  std::unique_ptr<WalWriter> manifest_;
  bool edit_in_doubt_ = false;
  // Once the MANIFEST outgrows this, the next edit starts a new one.
  uint64_t max_manifest_bytes_ = 64 << 20;
};

}  // namespace strata
