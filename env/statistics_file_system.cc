#include "env/statistics_file_system.h"

namespace strata {
namespace {

class CountingWritableFile final : public WritableFile {
 public:
  CountingWritableFile(std::unique_ptr<WritableFile> base, FileKind kind,
                       Statistics* stats)
      : base_(std::move(base)), kind_(kind), stats_(stats) {}

  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }

  IOStatus Append(Slice data) override {
    IOStatus s = base_->Append(data);
    if (s.ok()) stats_->RecordWrite(kind_, mode(), data.size());
    return s;
  }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    IOStatus s = base_->PositionedAppend(data, offset);
    if (s.ok()) stats_->RecordWrite(kind_, mode(), data.size());
    return s;
  }
  IOStatus Truncate(uint64_t size) override { return base_->Truncate(size); }
  IOStatus Flush() override { return base_->Flush(); }
  IOStatus Sync() override {
    stats_->RecordSync(kind_, mode());
    return base_->Sync();
  }
  IOStatus Fsync() override {
    stats_->RecordSync(kind_, mode());
    return base_->Fsync();
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes) override {
    return base_->RangeSync(offset, nbytes);
  }
  IOStatus Allocate(uint64_t offset, uint64_t len) override {
    return base_->Allocate(offset, len);
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) override {
    return base_->InvalidateCache(offset, len);
  }
  IOStatus Close() override { return base_->Close(); }
  uint64_t GetFileSize() const override { return base_->GetFileSize(); }

 private:
  std::unique_ptr<WritableFile> base_;
  const FileKind kind_;
  Statistics* const stats_;
};

class CountingRandomAccessFile final : public RandomAccessFile {
 public:
  CountingRandomAccessFile(std::unique_ptr<RandomAccessFile> base,
                           FileKind kind, Statistics* stats)
      : base_(std::move(base)), kind_(kind), stats_(stats) {}

  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }

  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    IOStatus s = base_->Read(offset, n, result, scratch);
    if (s.ok()) stats_->RecordRead(kind_, mode(), result->size());
    return s;
  }
  IOStatus MultiRead(ReadRequest* requests,
                     size_t num_requests) const override {
    IOStatus s = base_->MultiRead(requests, num_requests);
    if (s.ok()) {
      for (size_t i = 0; i < num_requests; ++i) {
        if (requests[i].status.ok()) {
          stats_->RecordRead(kind_, mode(), requests[i].result.size());
        }
      }
    }
    return s;
  }
  IOStatus Prefetch(uint64_t offset, size_t n) const override {
    return base_->Prefetch(offset, n);
  }
  IOStatus Hint(AccessPattern pattern) const override {
    return base_->Hint(pattern);
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    return base_->InvalidateCache(offset, len);
  }
  IOStatus GetFileSize(uint64_t* size) const override {
    return base_->GetFileSize(size);
  }

 private:
  std::unique_ptr<RandomAccessFile> base_;
  const FileKind kind_;
  Statistics* const stats_;
};

class CountingSequentialFile final : public SequentialFile {
 public:
  CountingSequentialFile(std::unique_ptr<SequentialFile> base, FileKind kind,
                         Statistics* stats)
      : base_(std::move(base)), kind_(kind), stats_(stats) {}

  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }

  IOStatus Read(size_t n, Slice* result, char* scratch) override {
    IOStatus s = base_->Read(n, result, scratch);
    if (s.ok()) stats_->RecordRead(kind_, mode(), result->size());
    return s;
  }
  IOStatus Skip(uint64_t n) override { return base_->Skip(n); }

 private:
  std::unique_ptr<SequentialFile> base_;
  const FileKind kind_;
  Statistics* const stats_;
};

class StatisticsFileSystem final : public FileSystem {
 public:
  StatisticsFileSystem(FileSystem* base, Statistics* stats)
      : base_(base), stats_(stats) {}

  const char* Name() const override { return base_->Name(); }

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override {
    std::unique_ptr<WritableFile> file;
    IOStatus s = base_->NewWritableFile(path, options, &file);
    if (!s.ok()) return s;
    stats_->RecordOpen(options.kind, file->mode());
    *result = std::make_unique<CountingWritableFile>(std::move(file),
                                                     options.kind, stats_);
    return s;
  }
  IOStatus NewRandomAccessFile(
      const std::string& path, const FileOptions& options,
      std::unique_ptr<RandomAccessFile>* result) override {
    std::unique_ptr<RandomAccessFile> file;
    IOStatus s = base_->NewRandomAccessFile(path, options, &file);
    if (!s.ok()) return s;
    stats_->RecordOpen(options.kind, file->mode());
    *result = std::make_unique<CountingRandomAccessFile>(std::move(file),
                                                         options.kind, stats_);
    return s;
  }
  IOStatus NewSequentialFile(const std::string& path,
                             const FileOptions& options,
                             std::unique_ptr<SequentialFile>* result) override {
    std::unique_ptr<SequentialFile> file;
    IOStatus s = base_->NewSequentialFile(path, options, &file);
    if (!s.ok()) return s;
    stats_->RecordOpen(options.kind, file->mode());
    *result = std::make_unique<CountingSequentialFile>(std::move(file),
                                                       options.kind, stats_);
    return s;
  }
  IOStatus NewDirectory(const std::string& path,
                        std::unique_ptr<Directory>* result) override {
    return base_->NewDirectory(path, result);
  }
  IOStatus FileExists(const std::string& path) override {
    return base_->FileExists(path);
  }
  IOStatus GetChildren(const std::string& dir,
                       std::vector<std::string>* names) override {
    return base_->GetChildren(dir, names);
  }
  IOStatus DeleteFile(const std::string& path) override {
    return base_->DeleteFile(path);
  }
  IOStatus CreateDir(const std::string& path) override {
    return base_->CreateDir(path);
  }
  IOStatus CreateDirIfMissing(const std::string& path) override {
    return base_->CreateDirIfMissing(path);
  }
  IOStatus DeleteDir(const std::string& path) override {
    return base_->DeleteDir(path);
  }
  IOStatus GetFileSize(const std::string& path, uint64_t* size) override {
    return base_->GetFileSize(path, size);
  }
  IOStatus RenameFile(const std::string& source,
                      const std::string& target) override {
    return base_->RenameFile(source, target);
  }
  IOStatus LinkFile(const std::string& source,
                    const std::string& target) override {
    return base_->LinkFile(source, target);
  }
  IOStatus LockFile(const std::string& path,
                    std::unique_ptr<FileLock>* lock) override {
    return base_->LockFile(path, lock);
  }
  IOStatus UnlockFile(std::unique_ptr<FileLock> lock) override {
    return base_->UnlockFile(std::move(lock));
  }

 private:
  FileSystem* const base_;
  Statistics* const stats_;
};

}  // namespace

std::unique_ptr<FileSystem> NewStatisticsFileSystem(FileSystem* base,
                                                    Statistics* statistics) {
  return std::make_unique<StatisticsFileSystem>(base, statistics);
}

}  // namespace strata
