// FaultInjectionFileSystem: wraps any FileSystem, injects faults chosen by
// rules, and records every operation made through it.
//
// A rule (env/fault_rule_set.h) names an operation (FileOp), a path pattern
// and the n-th matching occurrence, and says what goes wrong: an error with
// a given errno (before or after the operation reached the wrapped file
// system), a short read, or a flipped byte. Injected errors are built exactly
// as the real file systems build theirs (IOStatus::FromErrno with the contexts
// of env/io_errors.h), so "IO error: While pwrite to file at offset 4096 len
// 512: /d/1.sst: Input/output error" looks the same whether the disk or a rule
// produced it. (One exception to FromErrno, as in PosixFileSystem: EINVAL on an
// O_DIRECT open is NotSupported, "... with O_DIRECT: <path>: Invalid argument
// (the file system refuses direct I/O)".)
//
//   FaultInjectionFileSystem faulty(&fake_fs);
//   faulty.AddRule({FileOp::kWrite, "t.sst", /*nth=*/3, Fault::kError});
//   ... run the code under test over &faulty ...
//   EXPECT_EQ(faulty.recorder().Totals(FileOp::kWrite, FileKind::kTableFlush,
//                                      IOMode::kDirect).failed_ops, 1);
//
// Every operation, successful or not, ends up in recorder() as an IORecord
// (env/io_recorder.h) with the file's kind and mode, the offset, requested
// and returned lengths, the caller's buffer alignment, the status and the
// rule that fired, if any. A MultiRead is one kRead record per request; the
// requests no kError rule stopped go to the wrapped MultiRead in one batch.
// UnlockFile always hands the lock to the wrapped file system (nobody could
// release it later), so on kUnlock kError acts as kErrorAfterEffect.
//
// The wrapped files forward use_direct_io(), mode(), alignment() and path()
// from the files they wrap, so code above sees the same direct-I/O rules.
//
// Thread-safety: as FileSystem says; in addition the rule and recorder
// methods may be called concurrently with each other and with file
// operations.
// Ownership: borrows `base`, which must outlive this object and every file
// opened through it. Files opened through it share its rules and recorder
// and may outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "env/fault_rule_set.h"
#include "env/io_recorder.h"
#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // Borrows `base`; it must outlive this object and every file opened
  // through it.
  explicit FaultInjectionFileSystem(FileSystem* base);
  ~FaultInjectionFileSystem() override;
  FaultInjectionFileSystem(const FaultInjectionFileSystem&) = delete;
  FaultInjectionFileSystem& operator=(const FaultInjectionFileSystem&) = delete;

  const char* Name() const override { return "FaultInjectionFileSystem"; }
  FileSystem* base() const { return base_; }

  // The rules, as FaultRuleSet (env/fault_rule_set.h) says: AddRule
  // returns the rule's id; RemoveRule is false if no active rule has that
  // id; removed rules keep their counts.
  int AddRule(FaultRule rule);
  bool RemoveRule(int rule_id);
  void ClearRules();
  uint64_t MatchCount(int rule_id) const;
  uint64_t FireCount(int rule_id) const;

  IORecorder& recorder();
  const IORecorder& recorder() const;

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override;
  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override;
  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override;
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override;
  IOStatus FileExists(const std::string& path) override;
  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override;
  IOStatus DeleteFile(const std::string& path) override;
  IOStatus CreateDir(const std::string& path) override;
  IOStatus CreateDirIfMissing(const std::string& path) override;
  IOStatus DeleteDir(const std::string& path) override;
  IOStatus GetFileSize(const std::string& path, uint64_t* size) override;
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override;
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override;
  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override;
  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override;

 private:
  // Runs `op` on a path (no open file): checks the rules, forwards to
  // `forward` unless a kError rule fired, records the result.
  template <typename Fn>
  IOStatus PathOp(FileOp op, const std::string& path, const std::string& target,
                  Fn&& forward, uint64_t* result_length = nullptr);

  FileSystem* const base_;
  // Shared with every file opened through this object.
  const std::shared_ptr<FaultRuleSet> rules_;
  const std::shared_ptr<IORecorder> recorder_;
};

}  // namespace strata
