#include "env/statistics_file_system.h"

#include "env/file_system_wrapper.h"

namespace strata {
namespace {

class CountingWritableFile final : public WritableFileWrapper {
 public:
  CountingWritableFile(std::unique_ptr<WritableFile> target, FileKind kind,
                       Statistics* stats)
      : WritableFileWrapper(std::move(target)), kind_(kind), stats_(stats) {}

  IOStatus Append(Slice data) override {
    IOStatus s = target()->Append(data);
    if (s.ok()) stats_->RecordWrite(kind_, mode(), data.size());
    return s;
  }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    IOStatus s = target()->PositionedAppend(data, offset);
    if (s.ok()) stats_->RecordWrite(kind_, mode(), data.size());
    return s;
  }
  IOStatus Sync() override {
    stats_->RecordSync(kind_, mode());
    return target()->Sync();
  }
  IOStatus Fsync() override {
    stats_->RecordSync(kind_, mode());
    return target()->Fsync();
  }

 private:
  const FileKind kind_;
  Statistics* const stats_;
};

class CountingRandomAccessFile final : public RandomAccessFileWrapper {
 public:
  CountingRandomAccessFile(std::unique_ptr<RandomAccessFile> target,
                           FileKind kind, Statistics* stats)
      : RandomAccessFileWrapper(std::move(target)),
        kind_(kind),
        stats_(stats) {}

  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    IOStatus s = target()->Read(offset, n, result, scratch);
    if (s.ok()) stats_->RecordRead(kind_, mode(), result->size());
    return s;
  }
  IOStatus MultiRead(ReadRequest* requests,
                     size_t num_requests) const override {
    IOStatus s = target()->MultiRead(requests, num_requests);
    if (s.ok()) {
      for (size_t i = 0; i < num_requests; ++i) {
        if (requests[i].status.ok()) {
          stats_->RecordRead(kind_, mode(), requests[i].result.size());
        }
      }
    }
    return s;
  }

 private:
  const FileKind kind_;
  Statistics* const stats_;
};

class CountingSequentialFile final : public SequentialFileWrapper {
 public:
  CountingSequentialFile(std::unique_ptr<SequentialFile> target, FileKind kind,
                         Statistics* stats)
      : SequentialFileWrapper(std::move(target)), kind_(kind), stats_(stats) {}

  IOStatus Read(size_t n, Slice* result, char* scratch) override {
    IOStatus s = target()->Read(n, result, scratch);
    if (s.ok()) stats_->RecordRead(kind_, mode(), result->size());
    return s;
  }

 private:
  const FileKind kind_;
  Statistics* const stats_;
};

class StatisticsFileSystem final : public FileSystemWrapper {
 public:
  StatisticsFileSystem(FileSystem* target, Statistics* stats)
      : FileSystemWrapper(target), stats_(stats) {}

  IOStatus NewWritableFile(const std::string& path, const FileOptions& options,
                           std::unique_ptr<WritableFile>* result) override {
    std::unique_ptr<WritableFile> file;
    IOStatus s = target()->NewWritableFile(path, options, &file);
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
    IOStatus s = target()->NewRandomAccessFile(path, options, &file);
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
    IOStatus s = target()->NewSequentialFile(path, options, &file);
    if (!s.ok()) return s;
    stats_->RecordOpen(options.kind, file->mode());
    *result = std::make_unique<CountingSequentialFile>(std::move(file),
                                                       options.kind, stats_);
    return s;
  }

 private:
  Statistics* const stats_;
};

}  // namespace

std::unique_ptr<FileSystem> NewStatisticsFileSystem(FileSystem* base,
                                                    Statistics* statistics) {
  return std::make_unique<StatisticsFileSystem>(base, statistics);
}

}  // namespace strata
