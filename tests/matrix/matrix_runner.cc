#include "matrix/matrix_runner.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "db/db_options.h"
#include "env/fake_file_system.h"
#include "env/fault_injection_file_system.h"
#include "env/posix_file_system.h"
#include "matrix/matrix_evidence.h"
#include "matrix/matrix_files.h"
#include "matrix/tail_rewrite_detector.h"
#include "strata/db.h"
#include "strata/sst_file_reader.h"
#include "strata/sst_file_writer.h"
#include "strata/statistics.h"
#include "util/page_cache.h"

namespace strata::matrix {
namespace {

using Model = std::map<std::string, std::string>;

constexpr int kKeySpace = 2400;
// Keys are 9 bytes, values at most 5,000 (RandomValue).
constexpr uint64_t kMaxEntryBytes = 5100;

// FNV-1a: a seed from the row's name that is the same on every platform.
uint64_t NameSeed(const std::string& name) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string Key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "key%06d", i);
  return buf;
}

class RowRunner {
 public:
  RowRunner(const MatrixRow& row, const RunConfig& config, RowResult* result)
      : row_(row),
        config_(config),
        result_(result),
        rng_(NameSeed(row.Name())) {}

  void Run();

 private:
  bool Ok(const Status& s, const std::string& what) {
    if (s.ok()) return true;
    result_->Fail(what + ": " + s.ToString());
    return false;
  }
  void SetUpFileSystems();
  bool Open();
  bool CloseDb(const std::string& what) {
    Status s = db_->Close();
    db_.reset();
    return Ok(s, what);
  }
  bool Reopen(const std::string& what) {
    return CloseDb("Close before " + what) && Open();
  }
  // Small values are compressible (a short random word repeated); large
  // ones are three quarters random letters, so that even compressed tables
  // outgrow a 1,000,003-byte compaction readahead.
  std::string RandomValue(const std::string& prefix, bool large = false) {
    const size_t len = large ? 1500 + rng_() % 3500 : 20 + rng_() % 200;
    std::string v = prefix;
    if (large) {
      while (v.size() < len * 3 / 4) {
        v.push_back(static_cast<char>('a' + rng_() % 26));
      }
    }
    std::string word;
    for (int i = 0; i < 6; ++i) {
      word.push_back(static_cast<char>('a' + rng_() % 26));
    }
    while (v.size() < len) v += word;
    v.resize(len);
    return v;
  }
  bool WriteRounds();
  bool WriteAndIngestExternalFile();
  bool PutUnflushed(int n, const std::string& tag);
  bool CheckAgainstModel(const std::string& when);
  // Page-cache residency of `path`; false if it cannot be measured.
  bool Resident(const std::string& path, uint64_t* resident, uint64_t* size);
  std::vector<std::string> SstFiles();
  void CheckResidency(const std::string& when, bool record);
  void CheckWalResidency();
  void CheckLog();
  void VerifySsts();
  void RunSstDump();
  void CheckEvidence();

  const MatrixRow row_;
  const RunConfig config_;
  RowResult* const result_;
  std::mt19937_64 rng_;

  std::unique_ptr<FakeFileSystem> fake_;
  std::unique_ptr<FileSystem> posix_;
  FileSystem* base_ = nullptr;
  std::unique_ptr<TailRewriteDetector> detector_;
  std::unique_ptr<FaultInjectionFileSystem> faulty_;
  ManualClock clock_;
  std::unique_ptr<Env> env_;
  Options options_;
  std::string db_path_, ext_path_;
  DirectIOAlignment alignment_;
  bool sst_writer_direct_ = false;
  bool residency_measurable_ = true;
  std::string residency_reason_;
  std::string residency_summary_;
  Model model_;
  std::unique_ptr<DB> db_;  // Last: closed before the Env goes.
};

void RowRunner::SetUpFileSystems() {
  if (row_.on_disk()) {
    posix_ = NewPosixFileSystem();
    base_ = posix_.get();
    db_path_ = config_.scratch_dir + "/db";
    ext_path_ = config_.scratch_dir + "/ext";
    // The disk's direct-I/O alignment, from a direct file of the directory.
    FileOptions fo;
    fo.use_direct_writes = true;
    fo.kind = FileKind::kTemp;
    std::unique_ptr<WritableFile> probe;
    const std::string probe_path = config_.scratch_dir + "/alignment.probe";
    if (base_->NewWritableFile(probe_path, fo, &probe).ok()) {
      alignment_ = probe->alignment();
      (void)probe->Close();  // Nothing was written; only the alignment counts.
    }
    (void)base_->DeleteFile(probe_path);  // Absent if the open failed.
    const ResidencyProbeResult probe_result =
        ProbeResidencyMeasurable(config_.scratch_dir);
    residency_measurable_ = probe_result.measurable;
    residency_reason_ = probe_result.reason;
  } else {
    FakeFileSystem::Options fo;
    fo.offset_alignment = row_.fake_alignment();
    fo.reject_direct_open = row_.fallback == Fallback::kOnRefused;
    fake_ = std::make_unique<FakeFileSystem>(fo);
    base_ = fake_.get();
    alignment_ = fake_->direct_io_alignment();
    db_path_ = "/db";
    ext_path_ = "/ext";
  }
  result_->alignment = alignment_.offset;
  detector_ = std::make_unique<TailRewriteDetector>(base_);
  faulty_ = std::make_unique<FaultInjectionFileSystem>(detector_.get());
  env_ = std::make_unique<Env>(faulty_.get(), &clock_);

  options_ = RowOptions(row_);
  options_.env = env_.get();
  options_.create_if_missing = true;
  options_.statistics = CreateDBStatistics();
  options_.write_buffer_size = 4 << 20;  // Flushes are explicit.
  options_.level0_file_num_compaction_trigger = 3;
  options_.max_bytes_for_level_base = 1 << 20;
  // Compaction outputs of several hundred KiB: a few files per level.
  options_.target_file_size_base = 512 << 10;
  options_.table_options.bloom_bits_per_key = 10;
}

bool RowRunner::Open() {
  return Ok(DB::Open(options_, db_path_, &db_), "Open");
}

bool RowRunner::WriteRounds() {
  struct Round {
    int puts, deletes;
    bool range_delete;
  };
  // The first round's values are large (about 2.9 MiB in all).
  const Round rounds[] = {
      {900, 0, false}, {1200, 150, false}, {800, 100, true}, {600, 0, false}};
  int round_number = 0;
  for (const Round& round : rounds) {
    ++round_number;
    const int ops = round.puts + round.deletes;
    for (int op = 0; op < ops; ++op) {
      const std::string key = Key(static_cast<int>(rng_() % kKeySpace));
      if (static_cast<int>(rng_() % ops) < round.deletes) {
        if (!Ok(db_->Delete(WriteOptions(), key), "Delete " + key))
          return false;
        model_.erase(key);
      } else {
        const std::string value = RandomValue(
            "r" + std::to_string(round_number) + "-", round_number == 1);
        if (!Ok(db_->Put(WriteOptions(), key, value), "Put " + key)) {
          return false;
        }
        model_[key] = value;
      }
    }
    if (round.range_delete) {
      const std::string begin = Key(500), end = Key(560);
      if (!Ok(db_->DeleteRange(WriteOptions(), begin, end), "DeleteRange")) {
        return false;
      }
      model_.erase(model_.lower_bound(begin), model_.lower_bound(end));
    }
    if (!Ok(db_->Flush(FlushOptions()), "Flush") ||
        !Ok(db_->WaitForCompact(), "WaitForCompact")) {
      return false;
    }
  }
  return true;
}

bool RowRunner::WriteAndIngestExternalFile() {
  if (!Ok(faulty_->CreateDirIfMissing(ext_path_), "create " + ext_path_)) {
    return false;
  }
  const std::string path = ext_path_ + "/ingest.sst";
  SstFileWriterOptions wo;
  wo.table = options_.table_options;
  wo.use_direct_io_for_flush_and_compaction = row_.direct_flush;
  wo.writable_file_max_buffer_size = row_.writable_file_max_buffer_size;
  wo.file_system = faulty_.get();
  sst_writer_direct_ = row_.direct_flush;
  auto writer = std::make_unique<SstFileWriter>(wo);
  Status s = writer->Open(path);
  if (row_.direct_flush && row_.fallback == Fallback::kOnRefused) {
    // SstFileWriter has no fallback: the refusal must be clear (S21).
    if (!s.IsNotSupported() || s.ToString().find(path) == std::string::npos) {
      result_->Fail(
          "SstFileWriter direct open on a refusing file system: "
          "expected NotSupported naming " +
          path + ", got " + s.ToString());
    }
    wo.use_direct_io_for_flush_and_compaction = false;
    sst_writer_direct_ = false;
    writer = std::make_unique<SstFileWriter>(wo);
    s = writer->Open(path);
  }
  if (!Ok(s, "SstFileWriter::Open")) return false;
  Model updates;
  std::vector<std::string> deleted;
  for (int i = 100; i <= 2300; i += 7) {
    const std::string key = Key(i);
    if ((i / 7) % 5 == 0) {
      if (!Ok(writer->Delete(key), "SstFileWriter::Delete")) return false;
      deleted.push_back(key);
    } else {
      const std::string value = RandomValue("ext-");
      if (!Ok(writer->Put(key, value), "SstFileWriter::Put")) return false;
      updates[key] = value;
    }
  }
  ExternalSstFileInfo info;
  if (!Ok(writer->Finish(&info), "SstFileWriter::Finish")) return false;
  if (!Ok(db_->IngestExternalFile({path}, IngestExternalFileOptions()),
          "IngestExternalFile")) {
    return false;
  }
  for (const auto& key : deleted) model_.erase(key);
  for (const auto& [key, value] : updates) model_[key] = value;
  return true;
}

bool RowRunner::PutUnflushed(int n, const std::string& tag) {
  for (int i = 0; i < n; ++i) {
    const std::string key = Key(static_cast<int>(rng_() % kKeySpace));
    const std::string value = RandomValue(tag);
    if (!Ok(db_->Put(WriteOptions(), key, value), "Put " + key)) return false;
    model_[key] = value;
  }
  return true;
}

bool RowRunner::CheckAgainstModel(const std::string& when) {
  const size_t failures_before = result_->failures.size();
  // Full forward and reverse scans.
  for (bool reverse : {false, true}) {
    auto it = db_->NewIterator(ReadOptions());
    auto m = model_.begin();
    auto rm = model_.rbegin();
    size_t n = 0;
    bool mismatch = false;
    if (reverse) {
      it->SeekToLast();
    } else {
      it->SeekToFirst();
    }
    for (; it->Valid(); reverse ? it->Prev() : it->Next(), ++n) {
      const bool at_end = reverse ? rm == model_.rend() : m == model_.end();
      const auto& expected = reverse ? *rm : *m;
      if (at_end || it->key().ToString() != expected.first ||
          it->value().ToString() != expected.second) {
        result_->Fail(when + ": " + (reverse ? "reverse" : "forward") +
                      " scan entry " + std::to_string(n) + " is '" +
                      it->key().ToString() + "', model has '" +
                      (at_end ? std::string("<end>") : expected.first) + "'");
        mismatch = true;
        break;
      }
      if (reverse) {
        ++rm;
      } else {
        ++m;
      }
    }
    if (!it->status().ok()) {
      result_->Fail(when + ": scan: " + it->status().ToString());
    } else if (!mismatch && n != model_.size()) {
      result_->Fail(when + ": " + (reverse ? "reverse" : "forward") +
                    " scan saw " + std::to_string(n) + " keys, model has " +
                    std::to_string(model_.size()));
    }
  }
  // Random Gets, present and absent keys alike.
  for (int i = 0; i < 400; ++i) {
    const std::string key = Key(static_cast<int>(rng_() % kKeySpace));
    std::string value;
    Status s = db_->Get(ReadOptions(), key, &value);
    auto it = model_.find(key);
    if (it == model_.end() ? !s.IsNotFound()
                           : (!s.ok() || value != it->second)) {
      result_->Fail(when + ": Get " + key + ": " + s.ToString() +
                    (it == model_.end() ? " (model: absent)" : ""));
      break;
    }
  }
  // One MultiGet.
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    keys.push_back(Key(static_cast<int>(rng_() % kKeySpace)));
  }
  std::vector<Slice> slices(keys.begin(), keys.end());
  std::vector<std::string> values;
  const auto statuses = db_->MultiGet(ReadOptions(), slices, &values);
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = model_.find(keys[i]);
    if (it == model_.end() ? !statuses[i].IsNotFound()
                           : (!statuses[i].ok() || values[i] != it->second)) {
      result_->Fail(when + ": MultiGet " + keys[i] + ": " +
                    statuses[i].ToString());
      break;
    }
  }
  return result_->failures.size() == failures_before;
}

bool RowRunner::Resident(const std::string& path, uint64_t* resident,
                         uint64_t* size) {
  if (fake_ != nullptr) {
    *resident = fake_->ResidentBytes(path);
    return fake_->GetFileSize(path, size).ok();
  }
  PageCacheResidency r;
  if (!MeasurePageCacheResidency(path, &r).ok()) return false;
  *resident = r.resident_bytes;
  *size = r.file_bytes;
  return true;
}

std::vector<std::string> RowRunner::SstFiles() {
  std::vector<std::string> names, paths;
  (void)base_->GetChildren(db_path_, &names);  // An empty list fails later.
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".sst") == 0) {
      paths.push_back(db_path_ + "/" + n);
    }
  }
  return paths;
}

// Both direct options: no SST byte in the page cache (the ingested file too
// when SstFileWriter wrote it direct). Direct flush and compaction with
// buffered (or mmap) user reads: only pages those reads touched. The
// in-memory file system's page-cache model is checked the same way.
void RowRunner::CheckResidency(const std::string& when, bool record) {
  if (!residency_measurable_) return;
  const bool dr = row_.effective_direct_reads();
  const bool df = row_.effective_direct_flush();
  const auto records = faulty_->recorder().Records();
  uint64_t total = 0, resident_total = 0;
  std::vector<std::string> files = SstFiles();
  files.push_back(ext_path_ + "/ingest.sst");
  for (const std::string& path : files) {
    uint64_t resident = 0, size = 0;
    if (!Resident(path, &resident, &size)) continue;  // Not there yet.
    total += size;
    resident_total += resident;
    const bool is_ext = path == files.back();
    if (dr && df && (!is_ext || sst_writer_direct_) && resident != 0) {
      result_->Fail(when + ": " + path + " has " + std::to_string(resident) +
                    " bytes in the page cache; both direct options are on");
    } else if (df && !dr && !is_ext) {
      const uint64_t touched = TouchedPageBytes(records, path, size);
      if (resident > touched) {
        result_->Fail(when + ": " + path + " has " + std::to_string(resident) +
                      " bytes in the page cache, but buffered reads touched " +
                      "only " + std::to_string(touched));
      }
    }
  }
  if (record) {
    residency_summary_ = "sst " + HumanBytes(resident_total) + "/" +
                         HumanBytes(total) + residency_summary_;
  }
}

// The WAL is buffered in every configuration, so what was just written to
// it is in the page cache.
void RowRunner::CheckWalResidency() {
  if (!residency_measurable_) return;
  std::vector<std::string> names;
  (void)base_->GetChildren(db_path_, &names);  // Checked through the size.
  std::string wal;
  for (const auto& n : names) {
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".log") == 0 && n > wal) {
      wal = n;
    }
  }
  uint64_t resident = 0, size = 0;
  if (wal.empty() || !Resident(db_path_ + "/" + wal, &resident, &size) ||
      size == 0) {
    result_->Fail("no live WAL with data to measure in " + db_path_);
    return;
  }
  if (resident == 0) {
    result_->Fail("WAL " + wal + " (" + std::to_string(size) +
                  " bytes) has no page in the page cache");
  }
  residency_summary_ += " wal " + HumanBytes(resident) + "/" + HumanBytes(size);
}

void RowRunner::CheckLog() {
  std::string log;
  IOStatus s = fake_ != nullptr
                   ? fake_->ReadFileContent(db_path_ + "/LOG", &log)
                   : IOStatus::OK();
  if (fake_ == nullptr) log = ReadWholeFile(db_path_ + "/LOG");
  if (!Ok(s, "read LOG")) return;
  const std::string expected =
      "Options.compaction_readahead_size: " +
      std::to_string(EffectiveCompactionReadahead(options_));
  if (log.find(expected) == std::string::npos) {
    result_->Fail("LOG lacks '" + expected + "'");
  }
  const bool fell_back = row_.fallback == Fallback::kOnRefused &&
                         (row_.direct_reads || row_.direct_flush);
  const bool warned = log.find("falling back to buffered") != std::string::npos;
  if (fell_back != warned) {
    result_->Fail(std::string("LOG ") + (warned ? "has" : "lacks") +
                  " the direct-I/O fallback warning");
  }
  const uint64_t fallbacks =
      options_.statistics->getTickerCount(DIRECT_IO_FALLBACK);
  if (fell_back != (fallbacks > 0)) {
    result_->Fail("strata.direct_io.fallback is " + std::to_string(fallbacks));
  }
}

void RowRunner::VerifySsts() {
  std::vector<std::string> files = SstFiles();
  files.push_back(ext_path_ + "/ingest.sst");
  for (const auto& path : files) {
    SstFileReaderOptions ro;
    ro.file_system = base_;
    SstFileReader reader(ro);
    if (!Ok(reader.Open(path), "SstFileReader::Open " + path)) continue;
    (void)(Ok(reader.VerifyChecksum(), "VerifyChecksum " + path) &&
           Ok(reader.VerifyNumEntries(), "VerifyNumEntries " + path));
  }
}

void RowRunner::RunSstDump() {
  if (config_.sst_dump.empty()) {
    result_->sst_dump = "not run: no sst_dump";
    return;
  }
  const std::string dir = config_.scratch_dir + "/sst_dump";
  std::vector<std::string> files = SstFiles();
  files.push_back(ext_path_ + "/ingest.sst");
  if (!Ok(posix_ == nullptr ? NewPosixFileSystem()->CreateDirIfMissing(dir)
                            : posix_->CreateDirIfMissing(dir),
          "create " + dir)) {
    return;
  }
  size_t n = 0;
  for (const auto& path : files) {
    std::string data;
    if (fake_ != nullptr) {
      if (!Ok(fake_->ReadFileContent(path, &data), "read " + path)) return;
    } else {
      data = ReadWholeFile(path);
    }
    const std::string copy = dir + "/" + std::to_string(n++) + ".sst";
    if (!WriteWholeFile(copy, data)) {
      result_->Fail("cannot write " + copy);
      return;
    }
  }
  std::string out;
  const int rc = Spawn({config_.sst_dump, "--file=" + dir, "--command=verify",
                        "--verify_checksum"},
                       config_.scratch_dir, &out);
  size_t ok = 0;
  for (size_t at = out.find("The file is ok"); at != std::string::npos;
       at = out.find("The file is ok", at + 1)) {
    ++ok;
  }
  if (rc != 0 || ok != n) {
    result_->Fail("sst_dump --command=verify --verify_checksum accepted " +
                  std::to_string(ok) + " of " + std::to_string(n) +
                  " files (exit " + std::to_string(rc) +
                  "): " + out.substr(0, 600));
  }
  result_->sst_dump = std::to_string(ok) + "/" + std::to_string(n) + " ok";
}

void RowRunner::CheckEvidence() {
  EvidenceInput in;
  in.direct_reads = row_.effective_direct_reads();
  in.direct_flush = row_.effective_direct_flush();
  in.mmap_reads = row_.mmap_reads;
  in.mmap_writes = row_.mmap_writes;
  in.sst_writer_direct = sst_writer_direct_;
  in.offset_alignment = alignment_.offset;
  in.memory_alignment = alignment_.memory;
  in.compaction_readahead = row_.compaction_readahead_size;
  in.block_size = row_.block_size;
  in.max_entry_bytes = kMaxEntryBytes;
  in.bytes_per_sync = row_.bytes_per_sync;
  CheckIOEvidence(in, faulty_->recorder().Records(), *options_.statistics,
                  result_);
  if (detector_->clean_rewrites() > 0) {
    std::string examples;
    for (const auto& e : detector_->examples()) examples += " " + e;
    result_->Fail("clean tails written again " +
                  std::to_string(detector_->clean_rewrites()) +
                  " times:" + examples);
  }
}

void RowRunner::Run() {
  SetUpFileSystems();
  const Status expected = row_.ExpectedOpenStatus();
  if (!expected.ok()) {
    Status s = DB::Open(options_, db_path_, &db_);
    result_->open_status = s.ToString();
    if (s.ToString() != expected.ToString()) {
      result_->Fail("Open returned '" + s.ToString() + "', expected '" +
                    expected.ToString() + "'");
    }
    if (base_->FileExists(db_path_).ok()) {
      result_->Fail("a rejected Open created " + db_path_);
    }
    db_.reset();
    return;
  }

  Status s = DB::Open(options_, db_path_, &db_);
  if (!s.ok() && row_.on_disk() &&
      s.ToString().find(kDirectIONotSupportedMessage) != std::string::npos) {
    result_->outcome = Outcome::kSkip;
    result_->skip_reason =
        "the scratch disk refuses direct I/O: " + s.ToString();
    return;
  }
  if (!Ok(s, "Open")) return;
  result_->open_status = "OK";

  if (!WriteRounds()) return;
  if (!Ok(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr),
          "CompactRange")) {
    return;
  }
  // Nothing has read these tables for a user yet.
  CheckResidency("after flush and compaction", false);
  if (!WriteAndIngestExternalFile()) return;
  if (!PutUnflushed(300, "wal-") || !Reopen("WAL replay")) return;
  if (!CheckAgainstModel("after ingestion and WAL replay")) return;
  if (!Ok(db_->CompactRange(CompactRangeOptions(), nullptr, nullptr),
          "second CompactRange")) {
    return;
  }
  if (!PutUnflushed(200, "tail-")) return;
  CheckWalResidency();
  if (!Reopen("final reopen")) return;
  if (!CheckAgainstModel("after the final reopen")) return;
  if (!CloseDb("final Close")) return;

  CheckResidency("at the end", true);
  result_->residency =
      residency_measurable_ ? residency_summary_ : "n/a: " + residency_reason_;
  CheckLog();
  VerifySsts();
  RunSstDump();
  CheckEvidence();
  if (!residency_measurable_ && result_->failures.empty()) {
    result_->outcome = Outcome::kSkip;
    result_->skip_reason = "page-cache residency not measurable in " +
                           config_.scratch_dir + " (" + residency_reason_ +
                           "); every other check passed";
  }
}

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "FAIL";
    case Outcome::kSkip:
      return "skip";
  }
  return "?";
}

void RowResult::Fail(const std::string& what) {
  outcome = Outcome::kFail;
  failures.push_back(what);
}

RowResult RunRow(const MatrixRow& row, const RunConfig& config) {
  RowResult result;
  result.name = row.Name();
  const auto start = std::chrono::steady_clock::now();
  {
    RowRunner runner(row, config, &result);
    runner.Run();
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return result;
}

}  // namespace strata::matrix
