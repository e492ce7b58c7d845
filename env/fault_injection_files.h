// The file objects behind FaultInjectionFileSystem
// (env/fault_injection_file_system.h), and what they share with it: the
// rules, the recorder, and how an injected error is built and an operation
// run. Internal to env/.
//
// Thread-safety: as in file_system.h; the shared rules and recorder lock
// themselves.
// Ownership: a wrapper owns the file it wraps and shares the rules and the
// recorder with the file system that opened it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "env/fault_rule_set.h"
#include "env/io_recorder.h"
#include "strata/file_system.h"
#include "strata/status.h"

namespace strata {

// What every wrapped file shares with the file system that opened it.
struct FaultInjectionShared {
  std::shared_ptr<FaultRuleSet> rules;
  std::shared_ptr<IORecorder> recorder;
};

// What an operation acts on, where the same FileOp has different system
// calls behind it (GetFileSize: stat or fstat; Close: of a file or of a
// directory).
enum class FaultSubject { kPath, kFile, kDirectory };

// The status the real file system returns when the system call behind `r`
// fails with the rule's errno: IOStatus::FromErrno with the context
// PosixFileSystem gives that call (env/io_errors.h's helpers), or, for
// EINVAL on an O_DIRECT open, PosixFileSystem's NotSupported.
IOStatus InjectedFaultError(const IORecord& r, const FaultFiring& firing,
                            FaultSubject subject = FaultSubject::kFile);

inline bool FaultFiringIs(const std::optional<FaultFiring>& firing,
                          Fault fault) {
  return firing.has_value() && firing->rule.fault == fault;
}

// Runs one operation that moves no data: checks the rules, forwards unless a
// kError rule fired, records the outcome. `r` is filled in as far as the
// caller knows it; `forward` may add results to it.
template <typename Fn>
IOStatus RunFaultInjectedOp(const FaultInjectionShared& shared, IORecord& r,
                            Fn&& forward,
                            FaultSubject subject = FaultSubject::kFile) {
  const std::optional<FaultFiring> firing =
      shared.rules->Check(r.op, r.path, r.target);
  IOStatus s;
  if (FaultFiringIs(firing, Fault::kError)) {
    s = InjectedFaultError(r, *firing, subject);
  } else {
    s = forward();
    if (s.ok() && FaultFiringIs(firing, Fault::kErrorAfterEffect)) {
      s = InjectedFaultError(r, *firing, subject);
    }
  }
  r.fault_rule_id = firing.has_value() ? firing->rule_id : 0;
  r.status = s;
  shared.recorder->Add(r);
  return s;
}

// Wrappers that check the rules and record every call. `kind` labels the
// records (from the FileOptions of the open).
std::unique_ptr<WritableFile> NewFaultInjectionWritableFile(
    std::unique_ptr<WritableFile> base, FileKind kind,
    FaultInjectionShared shared);
std::unique_ptr<RandomAccessFile> NewFaultInjectionRandomAccessFile(
    std::unique_ptr<RandomAccessFile> base, FileKind kind,
    FaultInjectionShared shared);
std::unique_ptr<SequentialFile> NewFaultInjectionSequentialFile(
    std::unique_ptr<SequentialFile> base, FileKind kind,
    FaultInjectionShared shared);
std::unique_ptr<Directory> NewFaultInjectionDirectory(
    std::unique_ptr<Directory> base, std::string path,
    FaultInjectionShared shared);

}  // namespace strata
