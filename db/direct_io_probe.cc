#include "db/direct_io_probe.h"

#include <cstring>
#include <memory>

#include "db/db_options.h"
#include "db/filename.h"
#include "util/aligned_buffer.h"

namespace strata {
namespace {

Status ProbeFailure(const std::string& dir, const char* step,
                    const IOStatus& cause) {
  return IOStatus::WithErrno(Status::InvalidArgument(std::string(kDirectIONotSupportedMessage) +
                                 " " + dir + ": " + step + ": " +
                                 cause.ToString()),
                             cause.error_number());
}

}  // namespace

Status ProbeDirectIO(FileSystem* fs, const std::string& dir) {
  // Number 0 is never handed out by the DB; the name is still a *.dbtmp
  // that Open's cleanup would remove if a crash left it.
  const std::string path = TempFileName(dir, 0);
  FileOptions write_options;
  write_options.kind = FileKind::kTemp;
  write_options.use_direct_writes = true;
  std::unique_ptr<WritableFile> file;
  IOStatus s = fs->NewWritableFile(path, write_options, &file);
  if (!s.ok()) {
    (void)fs->DeleteFile(path);
    return ProbeFailure(dir, "open for direct write", s);
  }
  const size_t block = file->alignment().both();
  AlignedBuffer out(file->alignment().memory);
  out.Allocate(block);
  for (size_t i = 0; i < block; ++i) {
    out.Append(reinterpret_cast<const char*>(&i), 1);
  }
  s = file->Append(Slice(out.data(), block));
  if (s.ok()) s = file->Fsync();
  IOStatus close_status = file->Close();
  if (s.ok()) s = close_status;
  if (!s.ok()) {
    (void)fs->DeleteFile(path);
    return ProbeFailure(dir, "direct write", s);
  }

  FileOptions read_options;
  read_options.kind = FileKind::kTemp;
  read_options.use_direct_reads = true;
  std::unique_ptr<RandomAccessFile> reader;
  s = fs->NewRandomAccessFile(path, read_options, &reader);
  if (!s.ok()) {
    (void)fs->DeleteFile(path);
    return ProbeFailure(dir, "open for direct read", s);
  }
  AlignedBuffer in(reader->alignment().memory);
  in.Allocate(block);
  Slice result;
  s = reader->Read(0, block, &result, in.data());
  reader.reset();
  (void)fs->DeleteFile(path);
  if (!s.ok()) return ProbeFailure(dir, "direct read", s);
  if (result.size() != block ||
      std::memcmp(result.data(), out.data(), block) != 0) {
    return ProbeFailure(
        dir, "direct read",
        IOStatus(Status::IOError(path + ": read back " +
                                 std::to_string(result.size()) +
                                 " bytes that differ from the " +
                                 std::to_string(block) + " written")));
  }
  return Status::OK();
}

}  // namespace strata
