// The file, directory and lock objects that FakeFileSystem hands out
// (env/fake_file_system.h specifies their behavior). Each one shares the
// FakeFsState and holds its node, so it works on the same bytes as every
// other name and handle of that file, and may outlive the file system.
//
// Thread-safety: as in strata/file_system.h; each call takes the state's
// mutex for the shared part.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "env/fake_file_system_state.h"
#include "strata/file_system.h"

namespace strata {

// What every opened object records.
struct FakeOpenFile {
  std::shared_ptr<FakeFsState> state;
  FakeNodePtr node;
  std::string path;  // As the caller spelled it; errors name it.
  IOMode mode = IOMode::kBuffered;
  uint64_t generation = 0;  // state->generation() at open.
};

// REQUIRES for all four: the state's mutex is held (the mmap file copies
// the content). `file.node` is a file, or a directory for NewFakeDirectory.
std::unique_ptr<WritableFile> NewFakeWritableFile(FakeOpenFile file);
std::unique_ptr<RandomAccessFile> NewFakeRandomAccessFile(FakeOpenFile file);
std::unique_ptr<SequentialFile> NewFakeSequentialFile(FakeOpenFile file);
std::unique_ptr<Directory> NewFakeDirectory(FakeOpenFile dir);

// A lock taken by FakeFileSystem::LockFile; UnlockFile recognizes its own.
class FakeFileLock final : public FileLock {
 public:
  FakeFileLock(const FakeFsState* state, std::string path, std::string key,
               uint64_t id, uint64_t generation)
      : state_(state),
        path_(std::move(path)),
        key_(std::move(key)),
        id_(id),
        generation_(generation) {}

  const std::string& path() const override { return path_; }
  const FakeFsState* state() const { return state_; }
  const std::string& key() const { return key_; }  // Normalized path.
  uint64_t id() const { return id_; }
  uint64_t generation() const { return generation_; }

 private:
  const FakeFsState* const state_;  // Only compared, never dereferenced.
  const std::string path_;
  const std::string key_;
  const uint64_t id_;
  const uint64_t generation_;
};

}  // namespace strata
