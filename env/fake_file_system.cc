#include "env/fake_file_system.h"

#include <cerrno>
#include <functional>
#include <mutex>
#include <string_view>
#include <utility>

#include "env/fake_file_system_files.h"
#include "env/fake_file_system_state.h"
#include "env/io_errors.h"

namespace strata {

namespace {

using Guard = std::lock_guard<std::mutex>;

// `s` with its code replaced by the one `make` builds, keeping its message
// and errno. IOStatus::FromErrno picks the code from the errno alone; a few
// contracts need another code for the same errno.
IOStatus Recode(IOStatus s, Status (*make)(std::string_view)) {
  // Assigning to the Status part replaces code and message; errno stays.
  static_cast<Status&>(s) = make(s.message());
  return s;
}

IOStatus PathError(std::string_view what, const std::string& path, int err) {
  return IOStatus::FromErrno(PathErrorContext(what, path), err);
}

// A refused O_DIRECT open (old tmpfs): the raw-file contract reports it as
// NotSupported, a property of the file system rather than an I/O failure,
// with the kernel's EINVAL; the text is PosixFileSystem's.
IOStatus DirectOpenRefused(std::string_view what, const std::string& path) {
  return ::strata::DirectOpenRefused(what, path, EINVAL);
}

IOStatus MmapDirectConflict(const std::string& path, const char* direct_flag,
                            const char* mmap_flag) {
  return Status::InvalidArgument(
      path + ": " + direct_flag + " and " + mmap_flag +
      " are both set; a file is read (or written) either directly or "
      "through a mapping");
}

// The node of the file at `path`, or null with *err set (EISDIR for a
// directory). REQUIRES: the state's mutex is held.
FakeNodePtr FindFile(const FakeFsState& state, const std::string& path,
                     int* err) {
  FakeNodePtr node = state.Find(path, /*durable=*/false, err);
  if (node != nullptr && node->is_dir) {
    *err = EISDIR;
    return nullptr;
  }
  return node;
}

// open(O_CREAT | O_TRUNC)'s lookup-or-create; never truncates.
// REQUIRES: the state's mutex is held.
FakeNodePtr FindOrCreateFile(FakeFsState& state, const std::string& path,
                             int* err) {
  std::string name;
  FakeNodePtr parent = state.FindParent(path, &name, err);
  if (parent == nullptr) {
    return nullptr;
  }
  if (name.empty()) {
    *err = EISDIR;  // "/".
    return nullptr;
  }
  FakeNodePtr& entry = parent->children[name];
  if (entry == nullptr) {
    entry = std::make_shared<FakeNode>(/*dir=*/false);
  } else if (entry->is_dir) {
    *err = EISDIR;
    return nullptr;
  }
  return entry;
}

}  // namespace

FakeFileSystem::FakeFileSystem() : FakeFileSystem(Options()) {}

FakeFileSystem::FakeFileSystem(const Options& options)
    : state_(std::make_shared<FakeFsState>(options)) {}

FakeFileSystem::~FakeFileSystem() = default;

const FakeFileSystem::Options& FakeFileSystem::options() const {
  return state_->options();
}

DirectIOAlignment FakeFileSystem::direct_io_alignment() const {
  return state_->direct_alignment();
}

IOStatus FakeFileSystem::NewWritableFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<WritableFile>* result) {
  result->reset();
  if (options.use_direct_writes && options.use_mmap_writes) {
    return MmapDirectConflict(path, "use_direct_writes", "use_mmap_writes");
  }
  const char* kWhat = "open a file for appending";
  const bool direct = options.use_direct_writes;
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindOrCreateFile(*state_, path, &err);
  if (node == nullptr) {
    return PathError(kWhat, path, err);
  }
  if (direct && state_->options().reject_direct_open) {
    // As in the kernel, O_CREAT has created the file by the time O_DIRECT
    // is refused, and O_TRUNC has not truncated it yet.
    return DirectOpenRefused(kWhat, path);
  }
  state_->Resize(node.get(), 0);
  const IOMode mode = direct                    ? IOMode::kDirect
                      : options.use_mmap_writes ? IOMode::kMmap
                                                : IOMode::kBuffered;
  *result = NewFakeWritableFile(
      FakeOpenFile{state_, std::move(node), path, mode, state_->generation()});
  return IOStatus::OK();
}

IOStatus FakeFileSystem::OpenForReading(
    const std::string& path, const FileOptions& options, const char* what,
    bool mmap_allowed, const std::function<void(FakeOpenFile)>& create) {
  if (options.use_direct_reads && options.use_mmap_reads) {
    return MmapDirectConflict(path, "use_direct_reads", "use_mmap_reads");
  }
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindFile(*state_, path, &err);
  if (node == nullptr) {
    return PathError(what, path, err);
  }
  if (options.use_direct_reads && state_->options().reject_direct_open) {
    return DirectOpenRefused(what, path);
  }
  const IOMode mode = options.use_direct_reads ? IOMode::kDirect
                      : options.use_mmap_reads && mmap_allowed
                          ? IOMode::kMmap
                          : IOMode::kBuffered;
  // Still under the lock: the file factories require it.
  create(
      FakeOpenFile{state_, std::move(node), path, mode, state_->generation()});
  return IOStatus::OK();
}

IOStatus FakeFileSystem::NewRandomAccessFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<RandomAccessFile>* result) {
  result->reset();
  return OpenForReading(path, options, "open a file for random read",
                        /*mmap_allowed=*/true, [&](FakeOpenFile opened) {
                          *result = NewFakeRandomAccessFile(std::move(opened));
                        });
}

IOStatus FakeFileSystem::NewSequentialFile(
    const std::string& path, const FileOptions& options,
    std::unique_ptr<SequentialFile>* result) {
  result->reset();
  // Sequential files are never mapped: use_mmap_reads alone means buffered.
  return OpenForReading(path, options, "open a file for sequential read",
                        /*mmap_allowed=*/false, [&](FakeOpenFile opened) {
                          *result = NewFakeSequentialFile(std::move(opened));
                        });
}

IOStatus FakeFileSystem::NewDirectory(const std::string& path,
                                      std::unique_ptr<Directory>* result) {
  result->reset();
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = state_->Find(path, /*durable=*/false, &err);
  if (node != nullptr && !node->is_dir) {
    node = nullptr;
    err = ENOTDIR;
  }
  if (node == nullptr) {
    return PathError("open directory", path, err);
  }
  *result = NewFakeDirectory(FakeOpenFile{
      state_, std::move(node), path, IOMode::kBuffered, state_->generation()});
  return IOStatus::OK();
}

IOStatus FakeFileSystem::FileExists(const std::string& path) {
  Guard lock(state_->mutex());
  int err = 0;
  if (state_->Find(path, /*durable=*/false, &err) != nullptr) {
    return IOStatus::OK();
  }
  // ENOTDIR too means "not there", as in RocksDB's FileExists.
  return Recode(PathError("access", path, err), &Status::NotFound);
}

IOStatus FakeFileSystem::GetChildren(const std::string& dir,
                                     std::vector<std::string>* names) {
  names->clear();
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = state_->Find(dir, /*durable=*/false, &err);
  if (node != nullptr && !node->is_dir) {
    node = nullptr;
    err = ENOTDIR;
  }
  if (node == nullptr) {
    return PathError("opendir", dir, err);
  }
  for (const auto& entry : node->children) {
    names->push_back(entry.first);
  }
  return IOStatus::OK();
}

IOStatus FakeFileSystem::DeleteFile(const std::string& path) {
  Guard lock(state_->mutex());
  std::string name;
  int err = 0;
  FakeNodePtr parent = state_->FindParent(path, &name, &err);
  if (parent != nullptr) {
    auto it = parent->children.find(name);
    if (name.empty() || (it != parent->children.end() && it->second->is_dir)) {
      err = EISDIR;  // unlink(2) on Linux.
    } else if (it == parent->children.end()) {
      err = ENOENT;
    } else {
      parent->children.erase(it);  // Open handles keep the node alive.
      return IOStatus::OK();
    }
  }
  return PathError("unlink", path, err);
}

IOStatus FakeFileSystem::CreateDir(const std::string& path) {
  Guard lock(state_->mutex());
  std::string name;
  int err = 0;
  FakeNodePtr parent = state_->FindParent(path, &name, &err);
  if (parent != nullptr) {
    if (name.empty() || parent->children.count(name) != 0) {
      err = EEXIST;
    } else {
      parent->children[name] = std::make_shared<FakeNode>(/*dir=*/true);
      return IOStatus::OK();
    }
  }
  return PathError("mkdir", path, err);
}

IOStatus FakeFileSystem::CreateDirIfMissing(const std::string& path) {
  Guard lock(state_->mutex());
  std::string name;
  int err = 0;
  FakeNodePtr parent = state_->FindParent(path, &name, &err);
  if (parent != nullptr) {
    if (name.empty()) {
      return IOStatus::OK();  // "/".
    }
    FakeNodePtr& entry = parent->children[name];
    if (entry == nullptr) {
      entry = std::make_shared<FakeNode>(/*dir=*/true);
      return IOStatus::OK();
    }
    if (entry->is_dir) {
      return IOStatus::OK();
    }
    return Status::IOError(PathErrorContext("mkdir", path) +
                           ": exists but is not a directory");
  }
  return PathError("mkdir", path, err);
}

IOStatus FakeFileSystem::DeleteDir(const std::string& path) {
  Guard lock(state_->mutex());
  std::string name;
  int err = 0;
  FakeNodePtr parent = state_->FindParent(path, &name, &err);
  if (parent != nullptr) {
    auto it = parent->children.find(name);
    if (name.empty()) {
      err = EBUSY;  // rmdir("/").
    } else if (it == parent->children.end()) {
      err = ENOENT;
    } else if (!it->second->is_dir) {
      err = ENOTDIR;
    } else if (!it->second->children.empty()) {
      err = ENOTEMPTY;
    } else {
      parent->children.erase(it);
      return IOStatus::OK();
    }
  }
  return PathError("rmdir", path, err);
}

IOStatus FakeFileSystem::GetFileSize(const std::string& path, uint64_t* size) {
  *size = 0;
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = state_->Find(path, /*durable=*/false, &err);
  if (node == nullptr) {
    return PathError("stat", path, err);
  }
  *size = node->is_dir ? 0 : node->data.size();
  return IOStatus::OK();
}

IOStatus FakeFileSystem::RenameFile(const std::string& source,
                                    const std::string& target) {
  const std::string what = "rename to " + target;
  Guard lock(state_->mutex());
  std::string src_name;
  std::string dst_name;
  int err = 0;
  FakeNodePtr src_parent = state_->FindParent(source, &src_name, &err);
  if (src_parent == nullptr) {
    return PathError(what, source, err);
  }
  auto src = src_parent->children.find(src_name);
  if (src_name.empty()) {
    return PathError(what, source, EBUSY);  // rename("/", ...).
  }
  if (src == src_parent->children.end()) {
    return PathError(what, source, ENOENT);
  }
  FakeNodePtr dst_parent = state_->FindParent(target, &dst_name, &err);
  if (dst_parent == nullptr) {
    return PathError(what, source, err);
  }
  if (dst_name.empty()) {
    return PathError(what, source, EBUSY);  // rename(..., "/").
  }
  const FakeNodePtr node = src->second;
  auto dst = dst_parent->children.find(dst_name);
  if (dst != dst_parent->children.end()) {
    const FakeNode& old = *dst->second;
    if (&old == node.get()) {
      return IOStatus::OK();  // Two names of one file: rename(2) does nothing.
    }
    if (node->is_dir && !old.is_dir) {
      return PathError(what, source, ENOTDIR);
    }
    if (!node->is_dir && old.is_dir) {
      return PathError(what, source, EISDIR);
    }
    if (old.is_dir && !old.children.empty()) {
      return PathError(what, source, ENOTEMPTY);
    }
  }
  if (node->is_dir) {
    // A directory cannot move inside itself.
    const std::string from = FakeFsState::Normalize(source) + "/";
    const std::string to = FakeFsState::Normalize(target);
    if (to.compare(0, from.size(), from) == 0) {
      return PathError(what, source, EINVAL);
    }
  }
  src_parent->children.erase(src);
  dst_parent->children[dst_name] = node;
  return IOStatus::OK();
}

IOStatus FakeFileSystem::LinkFile(const std::string& source,
                                  const std::string& target) {
  const std::string what = "link to " + target;
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = state_->Find(source, /*durable=*/false, &err);
  if (node == nullptr) {
    return PathError(what, source, err);
  }
  if (node->is_dir) {
    // link(2) refuses directories with EPERM, which PosixFileSystem reports
    // as "no hard link possible here".
    return Recode(PathError(what, source, EPERM), &Status::NotSupported);
  }
  std::string name;
  FakeNodePtr parent = state_->FindParent(target, &name, &err);
  if (parent == nullptr) {
    return PathError(what, source, err);
  }
  if (name.empty() || parent->children.count(name) != 0) {
    return PathError(what, source, EEXIST);
  }
  parent->children[name] = std::move(node);
  return IOStatus::OK();
}

IOStatus FakeFileSystem::LockFile(const std::string& path,
                                  std::unique_ptr<FileLock>* lock) {
  lock->reset();
  const char* kWhat = "lock file";
  Guard guard(state_->mutex());
  int err = 0;
  if (FindOrCreateFile(*state_, path, &err) == nullptr) {
    return PathError(kWhat, path, err);
  }
  const std::string key = FakeFsState::Normalize(path);
  uint64_t id = 0;
  if (!state_->Lock(key, &id)) {
    return Status::IOError(PathErrorContext(kWhat, path) +
                           ": already held by this process");
  }
  *lock = std::make_unique<FakeFileLock>(state_.get(), path, key, id,
                                         state_->generation());
  return IOStatus::OK();
}

IOStatus FakeFileSystem::UnlockFile(std::unique_ptr<FileLock> lock) {
  if (lock == nullptr) {
    return Status::InvalidArgument("UnlockFile: no lock given");
  }
  const auto* own = dynamic_cast<const FakeFileLock*>(lock.get());
  if (own == nullptr || own->state() != state_.get()) {
    return Status::InvalidArgument(lock->path() +
                                   ": lock was not taken by this "
                                   "FakeFileSystem");
  }
  const char* kWhat = "unlock file";
  Guard guard(state_->mutex());
  if (own->generation() != state_->generation()) {
    return PathError(kWhat, own->path(), ESTALE);  // Lost in a crash.
  }
  if (!state_->Unlock(own->key(), own->id())) {
    return Status::IOError(PathErrorContext(kWhat, own->path()) + ": not held");
  }
  return IOStatus::OK();
}

uint64_t FakeFileSystem::ResidentBytes(const std::string& path) const {
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindFile(*state_, path, &err);
  return node == nullptr ? 0 : state_->CachedBytes(*node, /*dirty_only=*/false);
}

uint64_t FakeFileSystem::DirtyBytes(const std::string& path) const {
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindFile(*state_, path, &err);
  return node == nullptr ? 0 : state_->CachedBytes(*node, /*dirty_only=*/true);
}

void FakeFileSystem::DropAllCaches() {
  Guard lock(state_->mutex());
  state_->DropAllCleanPages();
}

void FakeFileSystem::SimulateCrash() {
  Guard lock(state_->mutex());
  state_->Crash(nullptr);
}

void FakeFileSystem::SimulateCrash(uint64_t seed) {
  Guard lock(state_->mutex());
  state_->Crash(&seed);
}

uint64_t FakeFileSystem::SyncedSize(const std::string& path) const {
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindFile(*state_, path, &err);
  return node == nullptr ? 0 : node->durable.size();
}

IOStatus FakeFileSystem::ReadSyncedContent(const std::string& path,
                                           std::string* content) const {
  content->clear();
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindFile(*state_, path, &err);
  if (node == nullptr) {
    return PathError("read synced content", path, err);
  }
  *content = node->durable;
  return IOStatus::OK();
}

bool FakeFileSystem::IsDirEntryDurable(const std::string& path) const {
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr live = state_->Find(path, /*durable=*/false, &err);
  FakeNodePtr durable = state_->Find(path, /*durable=*/true, &err);
  return live != nullptr && live == durable;
}

IOStatus FakeFileSystem::ReadFileContent(const std::string& path,
                                         std::string* content) const {
  content->clear();
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindFile(*state_, path, &err);
  if (node == nullptr) {
    return PathError("read content", path, err);
  }
  *content = node->data;
  return IOStatus::OK();
}

IOStatus FakeFileSystem::WriteFileContent(const std::string& path,
                                          Slice content) {
  Guard lock(state_->mutex());
  int err = 0;
  FakeNodePtr node = FindOrCreateFile(*state_, path, &err);
  if (node == nullptr) {
    return PathError("open a file for appending", path, err);
  }
  state_->Resize(node.get(), 0);
  FakeFsState::WriteAt(node.get(), 0, content);
  state_->Populate(node.get(), 0, content.size(), /*dirty=*/true);
  return IOStatus::OK();
}

}  // namespace strata
