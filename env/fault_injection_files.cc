#include "env/fault_injection_files.h"

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "env/io_errors.h"
#include "util/aligned_buffer.h"

namespace strata {

namespace {

// The context the real file system (env/posix_file_system.cc and
// env/posix_files.cc) gives the failing system call behind `r`, so that an
// injected error reads exactly like a real one.
std::string ErrorContext(const IORecord& r, FaultSubject subject) {
  const std::string& p = r.path;
  const std::string off = std::to_string(r.offset);
  const std::string len = std::to_string(r.length);
  switch (r.op) {
    case FileOp::kOpenWritable:
      return PathErrorContext("open a file for appending", p);
    case FileOp::kOpenRandomAccess:
      return PathErrorContext("open a file for random read", p);
    case FileOp::kOpenSequential:
      return PathErrorContext("open a file for sequential read", p);
    case FileOp::kOpenDirectory:
      return PathErrorContext("open directory", p);
    case FileOp::kRead:
      return ReadErrorContext(p, r.offset, r.length);
    case FileOp::kSkip:
      return PathErrorContext("fstat", p);
    case FileOp::kPrefetch:
      return PathErrorContext("readahead offset " + off + " len " + len, p);
    case FileOp::kHint:
      return PathErrorContext("fadvise", p);
    case FileOp::kWrite:
      return WriteErrorContext(p, r.offset, r.length);
    case FileOp::kTruncate:
      return PathErrorContext("ftruncate file to size " + off, p);
    case FileOp::kFlush:
      return PathErrorContext("flush", p);
    case FileOp::kSync:
      return PathErrorContext("fdatasync", p);
    case FileOp::kFsync:
      return PathErrorContext("fsync", p);
    case FileOp::kDirFsync:
      return PathErrorContext("fsync directory", p);
    case FileOp::kRangeSync:
      return PathErrorContext("sync_file_range offset " + off + " len " + len,
                              p);
    case FileOp::kAllocate:
      return PathErrorContext("fallocate offset " + off + " len " + len, p);
    case FileOp::kInvalidateCache:
      return PathErrorContext("fadvise DONTNEED offset " + off + " len " + len,
                              p);
    case FileOp::kClose:
      return PathErrorContext(subject == FaultSubject::kDirectory
                                  ? "closing directory"
                                  : "closing file after writing",
                              p);
    case FileOp::kDelete:
      return PathErrorContext("unlink", p);
    case FileOp::kRename:
      return PathErrorContext("rename to " + r.target, p);
    case FileOp::kLink:
      return PathErrorContext("link to " + r.target, p);
    case FileOp::kCreateDir:
    case FileOp::kCreateDirIfMissing:
      return PathErrorContext("mkdir", p);
    case FileOp::kDeleteDir:
      return PathErrorContext("rmdir", p);
    case FileOp::kGetChildren:
      return PathErrorContext("opendir", p);
    case FileOp::kFileExists:
      return PathErrorContext("access", p);
    case FileOp::kGetFileSize:
      return PathErrorContext(subject == FaultSubject::kPath ? "stat" : "fstat",
                              p);
    case FileOp::kLock:
      return PathErrorContext("lock file", p);
    case FileOp::kUnlock:
      return PathErrorContext("unlock file", p);
  }
  return PathErrorContext(FileOpName(r.op), p);
}

bool IsFileOpen(FileOp op) {
  return op == FileOp::kOpenWritable || op == FileOp::kOpenRandomAccess ||
         op == FileOp::kOpenSequential;
}

}  // namespace

IOStatus InjectedFaultError(const IORecord& r, const FaultFiring& firing,
                            FaultSubject subject) {
  const int err = firing.rule.error_number;
#ifdef __linux__
  // An O_DIRECT open refused with EINVAL means the file system cannot do
  // direct I/O at all; PosixFileSystem reports that as NotSupported.
  if (err == EINVAL && IsFileOpen(r.op) && r.mode == IOMode::kDirect) {
    // ErrorContext is "While <what>: <path>"; the shared helper rebuilds it
    // with the O_DIRECT wording every FileSystem uses.
    const std::string context = ErrorContext(r, subject);
    constexpr size_t kWhile = sizeof("While ") - 1;
    const size_t colon = context.find(": ");
    return DirectOpenRefused(context.substr(kWhile, colon - kWhile),
                             context.substr(colon + 2), err);
  }
#endif
  return IOStatus::FromErrno(ErrorContext(r, subject), err);
}

namespace {

// kShortRead: how many bytes a read of `n` bytes returns.
size_t ShortReadLength(const FaultRule& rule, size_t n, const FileBase& file,
                       bool always_round) {
  size_t length = rule.short_read_bytes.value_or(n / 2);
  if (length > n) {
    length = n;
  }
  if (file.use_direct_io() &&
      (always_round || rule.round_short_read_to_alignment)) {
    length = RoundDown(length, file.alignment().offset);
  }
  return length;
}

// kFlipByte: the position of the byte to flip in `size` bytes of data
// (size or more means none).
size_t FlipPosition(const FaultFiring& firing, size_t size) {
  if (firing.rule.flip_position.has_value()) {
    return *firing.rule.flip_position;
  }
  return size == 0 ? 0 : static_cast<size_t>(firing.random % size);
}

// Applies the faults that act on a completed read (kErrorAfterEffect,
// kShortRead when `truncate_short` is set, kFlipByte) to its outcome.
void ApplyReadFault(const std::optional<FaultFiring>& firing, const IORecord& r,
                    const FileBase& file, bool truncate_short, IOStatus* s,
                    Slice* result, char* scratch) {
  if (!firing.has_value() || !s->ok()) {
    return;
  }
  switch (firing->rule.fault) {
    case Fault::kError:
      break;
    case Fault::kErrorAfterEffect:
      *result = Slice();
      *s = InjectedFaultError(r, *firing);
      break;
    case Fault::kShortRead:
      if (truncate_short) {
        const size_t length =
            ShortReadLength(firing->rule, r.length, file, false);
        if (result->size() > length) {
          *result = Slice(result->data(), length);
        }
      }
      break;
    case Fault::kFlipByte: {
      const size_t pos = FlipPosition(*firing, result->size());
      if (pos >= result->size() || scratch == nullptr) {
        break;
      }
      // The result may point into memory the caller must not change (an
      // mmap file's mapping, an emulated file's content): flip a copy in
      // the caller's scratch, which holds at least as many bytes.
      if (result->data() != scratch) {
        std::memmove(scratch, result->data(), result->size());
        *result = Slice(scratch, result->size());
      }
      scratch[pos] = static_cast<char>(scratch[pos] ^ firing->rule.flip_mask);
      break;
    }
  }
}

IORecord FileRecord(FileOp op, const FileBase& file, FileKind kind) {
  IORecord r;
  r.op = op;
  r.path = file.path();
  r.kind = kind;
  r.mode = file.mode();
  return r;
}

class FaultInjectionWritableFile final : public WritableFile {
 public:
  FaultInjectionWritableFile(std::unique_ptr<WritableFile> base, FileKind kind,
                             FaultInjectionShared shared)
      : base_(std::move(base)), kind_(kind), shared_(std::move(shared)) {}

  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }

  IOStatus Append(Slice data) override {
    return Write(data, base_->GetFileSize(), /*append=*/true);
  }
  IOStatus PositionedAppend(Slice data, uint64_t offset) override {
    return Write(data, offset, /*append=*/false);
  }
  IOStatus Truncate(uint64_t size) override {
    IORecord r = Record(FileOp::kTruncate);
    r.offset = size;
    return RunFaultInjectedOp(shared_, r,
                              [&] { return base_->Truncate(size); });
  }
  IOStatus Flush() override {
    IORecord r = Record(FileOp::kFlush);
    return RunFaultInjectedOp(shared_, r, [&] { return base_->Flush(); });
  }
  IOStatus Sync() override {
    IORecord r = Record(FileOp::kSync);
    return RunFaultInjectedOp(shared_, r, [&] { return base_->Sync(); });
  }
  IOStatus Fsync() override {
    IORecord r = Record(FileOp::kFsync);
    return RunFaultInjectedOp(shared_, r, [&] { return base_->Fsync(); });
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes) override {
    IORecord r = Record(FileOp::kRangeSync);
    r.offset = offset;
    r.length = nbytes;
    return RunFaultInjectedOp(shared_, r,
                              [&] { return base_->RangeSync(offset, nbytes); });
  }
  IOStatus Allocate(uint64_t offset, uint64_t len) override {
    IORecord r = Record(FileOp::kAllocate);
    r.offset = offset;
    r.length = len;
    return RunFaultInjectedOp(shared_, r,
                              [&] { return base_->Allocate(offset, len); });
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) override {
    IORecord r = Record(FileOp::kInvalidateCache);
    r.offset = offset;
    r.length = len;
    return RunFaultInjectedOp(
        shared_, r, [&] { return base_->InvalidateCache(offset, len); });
  }
  IOStatus Close() override {
    IORecord r = Record(FileOp::kClose);
    return RunFaultInjectedOp(shared_, r, [&] { return base_->Close(); });
  }
  uint64_t GetFileSize() const override { return base_->GetFileSize(); }

 private:
  IORecord Record(FileOp op) const { return FileRecord(op, *base_, kind_); }

  IOStatus Write(Slice data, uint64_t offset, bool append) {
    IORecord r = Record(FileOp::kWrite);
    r.append = append;
    r.offset = offset;
    r.length = data.size();
    r.buffer_alignment = BufferAlignment(data.data());
    const std::optional<FaultFiring> firing =
        shared_.rules->Check(r.op, r.path, "");
    IOStatus s;
    if (FaultFiringIs(firing, Fault::kError)) {
      s = InjectedFaultError(r, *firing);
    } else {
      Slice to_write = data;
      // A corrupted copy, aligned as the file needs, so a direct write of
      // it is accepted wherever the original would have been.
      AlignedBuffer corrupted(base_->alignment().both());
      if (FaultFiringIs(firing, Fault::kFlipByte)) {
        const size_t pos = FlipPosition(*firing, data.size());
        if (pos < data.size()) {
          corrupted.Allocate(data.size());
          corrupted.Append(data.data(), data.size());
          corrupted.data()[pos] =
              static_cast<char>(corrupted.data()[pos] ^ firing->rule.flip_mask);
          to_write = Slice(corrupted.data(), data.size());
        }
      }
      s = append ? base_->Append(to_write)
                 : base_->PositionedAppend(to_write, offset);
      if (s.ok()) {
        r.result_length = data.size();
        if (FaultFiringIs(firing, Fault::kErrorAfterEffect)) {
          s = InjectedFaultError(r, *firing);
        }
      }
    }
    r.fault_rule_id = firing.has_value() ? firing->rule_id : 0;
    r.status = s;
    shared_.recorder->Add(r);
    return s;
  }

  const std::unique_ptr<WritableFile> base_;
  const FileKind kind_;
  const FaultInjectionShared shared_;
};

class FaultInjectionRandomAccessFile final : public RandomAccessFile {
 public:
  FaultInjectionRandomAccessFile(std::unique_ptr<RandomAccessFile> base,
                                 FileKind kind, FaultInjectionShared shared)
      : base_(std::move(base)), kind_(kind), shared_(std::move(shared)) {}

  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }

  IOStatus Read(uint64_t offset, size_t n, Slice* result,
                char* scratch) const override {
    IORecord r = ReadRecord(offset, n, scratch);
    const std::optional<FaultFiring> firing =
        shared_.rules->Check(r.op, r.path, "");
    IOStatus s;
    if (FaultFiringIs(firing, Fault::kError)) {
      *result = Slice();
      s = InjectedFaultError(r, *firing);
    } else {
      s = base_->Read(offset, n, result, scratch);
      ApplyReadFault(firing, r, *base_, /*truncate_short=*/true, &s, result,
                     scratch);
    }
    Finish(r, firing, s, *result);
    return s;
  }

  IOStatus MultiRead(ReadRequest* requests,
                     size_t num_requests) const override {
    std::vector<IORecord> records;
    std::vector<std::optional<FaultFiring>> firings;
    std::vector<ReadRequest> forwarded;
    std::vector<size_t> forwarded_index;
    records.reserve(num_requests);
    firings.reserve(num_requests);
    // Every request is an occurrence of kRead; a kError rule keeps its
    // request from reaching the wrapped file, the others go in one batch so
    // the wrapped MultiRead sees them as the caller issued them.
    for (size_t i = 0; i < num_requests; ++i) {
      ReadRequest& req = requests[i];
      records.push_back(ReadRecord(req.offset, req.len, req.scratch));
      firings.push_back(
          shared_.rules->Check(FileOp::kRead, records[i].path, ""));
      if (FaultFiringIs(firings[i], Fault::kError)) {
        req.result = Slice();
        req.status = InjectedFaultError(records[i], *firings[i]);
      } else {
        ReadRequest copy;
        copy.offset = req.offset;
        copy.len = req.len;
        copy.scratch = req.scratch;
        forwarded.push_back(std::move(copy));
        forwarded_index.push_back(i);
      }
    }
    IOStatus s;
    if (!forwarded.empty()) {
      s = base_->MultiRead(forwarded.data(), forwarded.size());
    }
    for (size_t j = 0; j < forwarded.size(); ++j) {
      const size_t i = forwarded_index[j];
      ReadRequest& req = requests[i];
      if (!s.ok()) {
        // The batch could not be issued: no request has a result.
        req.result = Slice();
        req.status = s;
        continue;
      }
      req.result = forwarded[j].result;
      req.status = forwarded[j].status;
      ApplyReadFault(firings[i], records[i], *base_, /*truncate_short=*/true,
                     &req.status, &req.result, req.scratch);
    }
    for (size_t i = 0; i < num_requests; ++i) {
      Finish(records[i], firings[i], requests[i].status, requests[i].result);
    }
    return s;
  }

  IOStatus Prefetch(uint64_t offset, size_t n) const override {
    IORecord r = Record(FileOp::kPrefetch);
    r.offset = offset;
    r.length = n;
    return RunFaultInjectedOp(shared_, r,
                              [&] { return base_->Prefetch(offset, n); });
  }
  IOStatus Hint(AccessPattern pattern) const override {
    IORecord r = Record(FileOp::kHint);
    return RunFaultInjectedOp(shared_, r, [&] { return base_->Hint(pattern); });
  }
  IOStatus InvalidateCache(uint64_t offset, uint64_t len) const override {
    IORecord r = Record(FileOp::kInvalidateCache);
    r.offset = offset;
    r.length = len;
    return RunFaultInjectedOp(
        shared_, r, [&] { return base_->InvalidateCache(offset, len); });
  }
  IOStatus GetFileSize(uint64_t* size) const override {
    IORecord r = Record(FileOp::kGetFileSize);
    IOStatus s = RunFaultInjectedOp(shared_, r, [&] {
      IOStatus base_status = base_->GetFileSize(size);
      r.result_length = base_status.ok() ? *size : 0;
      return base_status;
    });
    if (!s.ok()) {
      *size = 0;
    }
    return s;
  }

 private:
  IORecord Record(FileOp op) const { return FileRecord(op, *base_, kind_); }

  IORecord ReadRecord(uint64_t offset, size_t n, const char* scratch) const {
    IORecord r = Record(FileOp::kRead);
    r.offset = offset;
    r.length = n;
    r.buffer_alignment = BufferAlignment(scratch);
    return r;
  }

  void Finish(IORecord& r, const std::optional<FaultFiring>& firing,
              const IOStatus& s, const Slice& result) const {
    r.result_length = s.ok() ? result.size() : 0;
    r.fault_rule_id = firing.has_value() ? firing->rule_id : 0;
    r.status = s;
    shared_.recorder->Add(r);
  }

  const std::unique_ptr<RandomAccessFile> base_;
  const FileKind kind_;
  const FaultInjectionShared shared_;
};

class FaultInjectionSequentialFile final : public SequentialFile {
 public:
  FaultInjectionSequentialFile(std::unique_ptr<SequentialFile> base,
                               FileKind kind, FaultInjectionShared shared)
      : base_(std::move(base)), kind_(kind), shared_(std::move(shared)) {}

  bool use_direct_io() const override { return base_->use_direct_io(); }
  IOMode mode() const override { return base_->mode(); }
  DirectIOAlignment alignment() const override { return base_->alignment(); }
  const std::string& path() const override { return base_->path(); }

  IOStatus Read(size_t n, Slice* result, char* scratch) override {
    IORecord r = FileRecord(FileOp::kRead, *base_, kind_);
    r.offset = position_;
    r.length = n;
    r.buffer_alignment = BufferAlignment(scratch);
    const std::optional<FaultFiring> firing =
        shared_.rules->Check(r.op, r.path, "");
    IOStatus s;
    if (FaultFiringIs(firing, Fault::kError)) {
      *result = Slice();
      s = InjectedFaultError(r, *firing);
    } else {
      // A short sequential read must leave the position where the returned
      // bytes end, so ask the wrapped file for only that many. A misaligned
      // direct request goes through unchanged: the wrapped file reports it.
      size_t to_read = n;
      if (FaultFiringIs(firing, Fault::kShortRead) &&
          (!base_->use_direct_io() ||
           IsAligned(n, base_->alignment().offset))) {
        to_read = ShortReadLength(firing->rule, n, *base_,
                                  /*always_round=*/true);
      }
      s = base_->Read(to_read, result, scratch);
      if (s.ok()) {
        position_ += result->size();
      }
      ApplyReadFault(firing, r, *base_, /*truncate_short=*/false, &s, result,
                     scratch);
    }
    r.result_length = s.ok() ? result->size() : 0;
    r.fault_rule_id = firing.has_value() ? firing->rule_id : 0;
    r.status = s;
    shared_.recorder->Add(r);
    return s;
  }

  IOStatus Skip(uint64_t n) override {
    IORecord r = FileRecord(FileOp::kSkip, *base_, kind_);
    r.offset = position_;
    r.length = n;
    return RunFaultInjectedOp(shared_, r, [&] {
      IOStatus s = base_->Skip(n);
      if (s.ok()) {
        position_ += n;
      }
      return s;
    });
  }

 private:
  const std::unique_ptr<SequentialFile> base_;
  const FileKind kind_;
  const FaultInjectionShared shared_;
  // Bytes read and skipped through this wrapper: the offset of the next
  // read, as far as the wrapper can tell (a Skip past the end counts whole).
  uint64_t position_ = 0;
};

class FaultInjectionDirectory final : public Directory {
 public:
  FaultInjectionDirectory(std::unique_ptr<Directory> base, std::string path,
                          FaultInjectionShared shared)
      : base_(std::move(base)),
        path_(std::move(path)),
        shared_(std::move(shared)) {}

  IOStatus Fsync() override {
    IORecord r = Record(FileOp::kDirFsync);
    return RunFaultInjectedOp(
        shared_, r, [&] { return base_->Fsync(); }, FaultSubject::kDirectory);
  }
  IOStatus Close() override {
    IORecord r = Record(FileOp::kClose);
    return RunFaultInjectedOp(
        shared_, r, [&] { return base_->Close(); }, FaultSubject::kDirectory);
  }

 private:
  IORecord Record(FileOp op) const {
    IORecord r;
    r.op = op;
    r.path = path_;
    return r;
  }

  const std::unique_ptr<Directory> base_;
  const std::string path_;
  const FaultInjectionShared shared_;
};

}  // namespace

std::unique_ptr<WritableFile> NewFaultInjectionWritableFile(
    std::unique_ptr<WritableFile> base, FileKind kind,
    FaultInjectionShared shared) {
  return std::make_unique<FaultInjectionWritableFile>(std::move(base), kind,
                                                      std::move(shared));
}

std::unique_ptr<RandomAccessFile> NewFaultInjectionRandomAccessFile(
    std::unique_ptr<RandomAccessFile> base, FileKind kind,
    FaultInjectionShared shared) {
  return std::make_unique<FaultInjectionRandomAccessFile>(std::move(base), kind,
                                                          std::move(shared));
}

std::unique_ptr<SequentialFile> NewFaultInjectionSequentialFile(
    std::unique_ptr<SequentialFile> base, FileKind kind,
    FaultInjectionShared shared) {
  return std::make_unique<FaultInjectionSequentialFile>(std::move(base), kind,
                                                        std::move(shared));
}

std::unique_ptr<Directory> NewFaultInjectionDirectory(
    std::unique_ptr<Directory> base, std::string path,
    FaultInjectionShared shared) {
  return std::make_unique<FaultInjectionDirectory>(
      std::move(base), std::move(path), std::move(shared));
}

}  // namespace strata
