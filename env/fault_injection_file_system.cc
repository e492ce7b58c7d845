#include "env/fault_injection_file_system.h"

#include <cassert>
#include <type_traits>
#include <utility>

#include "env/fault_injection_files.h"

namespace strata {

namespace {

IOMode RequestedWriteMode(const FileOptions& options) {
  if (options.use_direct_writes) {
    return IOMode::kDirect;
  }
  return options.use_mmap_writes ? IOMode::kMmap : IOMode::kBuffered;
}

IOMode RequestedReadMode(const FileOptions& options, bool mmap_possible) {
  if (options.use_direct_reads) {
    return IOMode::kDirect;
  }
  return mmap_possible && options.use_mmap_reads ? IOMode::kMmap
                                                 : IOMode::kBuffered;
}

// Opens a file of type FileT through `open`, records the open and wraps the
// file with `wrap`.
template <typename FileT, typename OpenFn, typename WrapFn>
IOStatus OpenFile(const FaultInjectionShared& shared, FileOp op,
                  const std::string& path, const FileOptions& options,
                  IOMode requested_mode, OpenFn&& open, WrapFn&& wrap,
                  std::unique_ptr<FileT>* result) {
  result->reset();
  IORecord r;
  r.op = op;
  r.path = path;
  r.kind = options.kind;
  r.mode = requested_mode;
  std::unique_ptr<FileT> file;
  IOStatus s = RunFaultInjectedOp(shared, r, [&] {
    IOStatus base_status = open(&file);
    if (base_status.ok()) {
      r.mode = file->mode();
    }
    return base_status;
  });
  if (s.ok()) {
    *result = wrap(std::move(file), options.kind, shared);
  } else if (file != nullptr) {
    // kErrorAfterEffect: the file was opened (and, for a writable file,
    // created or truncated), but the caller gets none. The caller already
    // has an error; the close's own status adds nothing to it.
    if constexpr (std::is_same_v<FileT, WritableFile>) {
      file->Close().PermitUncheckedError();
    }
  }
  return s;
}

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : base_(base),
      rules_(std::make_shared<FaultRuleSet>()),
      recorder_(std::make_shared<IORecorder>()) {
  assert(base_ != nullptr);
}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

int FaultInjectionFileSystem::AddRule(FaultRule rule) {
  return rules_->AddRule(std::move(rule));
}

bool FaultInjectionFileSystem::RemoveRule(int rule_id) {
  return rules_->RemoveRule(rule_id);
}

void FaultInjectionFileSystem::ClearRules() { rules_->ClearRules(); }

uint64_t FaultInjectionFileSystem::MatchCount(int rule_id) const {
  return rules_->MatchCount(rule_id);
}

uint64_t FaultInjectionFileSystem::FireCount(int rule_id) const {
  return rules_->FireCount(rule_id);
}

IORecorder& FaultInjectionFileSystem::recorder() { return *recorder_; }

const IORecorder& FaultInjectionFileSystem::recorder() const {
  return *recorder_;
}

template <typename Fn>
IOStatus FaultInjectionFileSystem::PathOp(FileOp op, const std::string& path,
                                          const std::string& target,
                                          Fn&& forward,
                                          uint64_t* result_length) {
  IORecord r;
  r.op = op;
  r.path = path;
  r.target = target;
  return RunFaultInjectedOp(
      FaultInjectionShared{rules_, recorder_}, r,
      [&] {
        IOStatus s = forward();
        if (result_length != nullptr) {
          r.result_length = *result_length;
        }
        return s;
      },
      FaultSubject::kPath);
}

IOStatus FaultInjectionFileSystem::NewWritableFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<WritableFile>* result) {
  return OpenFile(
      FaultInjectionShared{rules_, recorder_}, FileOp::kOpenWritable, path,
      options, RequestedWriteMode(options),
      [&](std::unique_ptr<WritableFile>* file) {
        return base_->NewWritableFile(path, options, file);
      },
      NewFaultInjectionWritableFile, result);
}

IOStatus FaultInjectionFileSystem::NewRandomAccessFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<RandomAccessFile>* result) {
  return OpenFile(
      FaultInjectionShared{rules_, recorder_}, FileOp::kOpenRandomAccess, path,
      options, RequestedReadMode(options, /*mmap_possible=*/true),
      [&](std::unique_ptr<RandomAccessFile>* file) {
        return base_->NewRandomAccessFile(path, options, file);
      },
      NewFaultInjectionRandomAccessFile, result);
}

IOStatus FaultInjectionFileSystem::NewSequentialFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<SequentialFile>* result) {
  return OpenFile(
      FaultInjectionShared{rules_, recorder_}, FileOp::kOpenSequential, path,
      options, RequestedReadMode(options, /*mmap_possible=*/false),
      [&](std::unique_ptr<SequentialFile>* file) {
        return base_->NewSequentialFile(path, options, file);
      },
      NewFaultInjectionSequentialFile, result);
}

IOStatus FaultInjectionFileSystem::NewDirectory(
    const std::string& path, std::unique_ptr<Directory>* result) {
  result->reset();
  std::unique_ptr<Directory> dir;
  IOStatus s = PathOp(FileOp::kOpenDirectory, path, "",
                      [&] { return base_->NewDirectory(path, &dir); });
  if (s.ok()) {
    *result = NewFaultInjectionDirectory(
        std::move(dir), path, FaultInjectionShared{rules_, recorder_});
  }
  // On kErrorAfterEffect `dir` is dropped unclosed: closing a directory has
  // no effect a caller could observe.
  return s;
}

IOStatus FaultInjectionFileSystem::FileExists(const std::string& path) {
  return PathOp(FileOp::kFileExists, path, "",
                [&] { return base_->FileExists(path); });
}

IOStatus FaultInjectionFileSystem::GetChildren(
    const std::string& dir, std::vector<std::string>* names) {
  uint64_t num_names = 0;
  IOStatus s = PathOp(
      FileOp::kGetChildren, dir, "",
      [&] {
        IOStatus base_status = base_->GetChildren(dir, names);
        num_names = base_status.ok() ? names->size() : 0;
        return base_status;
      },
      &num_names);
  if (!s.ok()) {
    names->clear();
  }
  return s;
}

IOStatus FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  return PathOp(FileOp::kDelete, path, "",
                [&] { return base_->DeleteFile(path); });
}

IOStatus FaultInjectionFileSystem::CreateDir(const std::string& path) {
  return PathOp(FileOp::kCreateDir, path, "",
                [&] { return base_->CreateDir(path); });
}

IOStatus FaultInjectionFileSystem::CreateDirIfMissing(const std::string& path) {
  return PathOp(FileOp::kCreateDirIfMissing, path, "",
                [&] { return base_->CreateDirIfMissing(path); });
}

IOStatus FaultInjectionFileSystem::DeleteDir(const std::string& path) {
  return PathOp(FileOp::kDeleteDir, path, "",
                [&] { return base_->DeleteDir(path); });
}

IOStatus FaultInjectionFileSystem::GetFileSize(const std::string& path,
                                               uint64_t* size) {
  uint64_t found = 0;
  IOStatus s = PathOp(
      FileOp::kGetFileSize, path, "",
      [&] {
        IOStatus base_status = base_->GetFileSize(path, size);
        found = base_status.ok() ? *size : 0;
        return base_status;
      },
      &found);
  if (!s.ok()) {
    *size = 0;
  }
  return s;
}

IOStatus FaultInjectionFileSystem::RenameFile(const std::string& source,
                                              const std::string& target) {
  return PathOp(FileOp::kRename, source, target,
                [&] { return base_->RenameFile(source, target); });
}

IOStatus FaultInjectionFileSystem::LinkFile(const std::string& source,
                                            const std::string& target) {
  return PathOp(FileOp::kLink, source, target,
                [&] { return base_->LinkFile(source, target); });
}

IOStatus FaultInjectionFileSystem::LockFile(const std::string& path,
                                            std::unique_ptr<FileLock>* lock) {
  lock->reset();
  std::unique_ptr<FileLock> held;
  IOStatus s = PathOp(FileOp::kLock, path, "",
                      [&] { return base_->LockFile(path, &held); });
  if (s.ok()) {
    *lock = std::move(held);
  } else if (held != nullptr) {
    // kErrorAfterEffect: the caller gets no lock object, so nobody could
    // ever release the lock; give it back. The caller already has an error.
    base_->UnlockFile(std::move(held)).PermitUncheckedError();
  }
  return s;
}

IOStatus FaultInjectionFileSystem::UnlockFile(std::unique_ptr<FileLock> lock) {
  const std::string path = lock->path();
  // The lock always goes to the wrapped file system: once handed to
  // UnlockFile nobody could release it later. So kError acts as
  // kErrorAfterEffect here.
  IORecord r;
  r.op = FileOp::kUnlock;
  r.path = path;
  const std::optional<FaultFiring> firing = rules_->Check(r.op, r.path, "");
  IOStatus s = base_->UnlockFile(std::move(lock));
  if (s.ok() && firing.has_value()) {
    s = InjectedFaultError(r, *firing, FaultSubject::kPath);
  }
  r.fault_rule_id = firing.has_value() ? firing->rule_id : 0;
  r.status = s;
  recorder_->Add(r);
  return s;
}

}  // namespace strata
