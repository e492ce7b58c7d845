#include "db/filename.h"

#include <cinttypes>
#include <cstdio>
#include <memory>

namespace strata {
namespace {

std::string NumberedName(const std::string& dbname, uint64_t number,
                         const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/%06" PRIu64 ".%s", number, suffix);
  return dbname + buf;
}

// Parses a decimal number filling all of `digits`; false on overflow,
// emptiness or any other character.
bool ParseNumber(Slice digits, uint64_t* value) {
  if (digits.empty() || digits.size() > 20) return false;
  uint64_t v = 0;
  for (char c : std::string_view(digits.data(), digits.size())) {
    if (c < '0' || c > '9') return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *value = v;
  return true;
}

}  // namespace

std::string WalFileName(const std::string& dbname, uint64_t number) {
  return NumberedName(dbname, number, "log");
}

std::string TableFileName(const std::string& dbname, uint64_t number) {
  return NumberedName(dbname, number, "sst");
}

std::string TableFileBaseName(uint64_t number) {
  return NumberedName("", number, "sst").substr(1);
}

std::string ManifestFileName(const std::string& dbname, uint64_t number) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "/MANIFEST-%06" PRIu64, number);
  return dbname + buf;
}

std::string CurrentFileName(const std::string& dbname) {
  return dbname + "/CURRENT";
}

std::string LockFileName(const std::string& dbname) { return dbname + "/LOCK"; }

std::string InfoLogFileName(const std::string& dbname) {
  return dbname + "/LOG";
}

std::string OldInfoLogFileName(const std::string& dbname, uint64_t micros) {
  return dbname + "/LOG.old." + std::to_string(micros);
}

std::string TempFileName(const std::string& dbname, uint64_t number) {
  return NumberedName(dbname, number, "dbtmp");
}

bool ParseFileName(const std::string& name, uint64_t* number,
                   DBFileType* type) {
  Slice rest(name);
  if (name == "CURRENT") {
    *number = 0;
    *type = DBFileType::kCurrent;
    return true;
  }
  if (name == "LOCK") {
    *number = 0;
    *type = DBFileType::kLock;
    return true;
  }
  if (name == "LOG" || rest.starts_with("LOG.old.")) {
    *number = 0;
    *type = DBFileType::kInfoLog;
    return true;
  }
  if (rest.starts_with("MANIFEST-")) {
    rest.remove_prefix(9);
    if (!ParseNumber(rest, number)) return false;
    *type = DBFileType::kManifest;
    return true;
  }
  const size_t dot = name.find('.');
  if (dot == std::string::npos) return false;
  if (!ParseNumber(Slice(name.data(), dot), number)) return false;
  const std::string suffix = name.substr(dot + 1);
  if (suffix == "log") {
    *type = DBFileType::kWal;
  } else if (suffix == "sst") {
    *type = DBFileType::kTable;
  } else if (suffix == "dbtmp") {
    *type = DBFileType::kTemp;
  } else {
    return false;
  }
  return true;
}

IOStatus SetCurrentFile(FileSystem* fs, const std::string& dbname,
                        uint64_t manifest_number, uint64_t temp_number) {
  std::string contents = ManifestFileName(dbname, manifest_number);
  contents = contents.substr(dbname.size() + 1) + "\n";
  const std::string temp = TempFileName(dbname, temp_number);
  FileOptions options;
  options.kind = FileKind::kCurrent;
  std::unique_ptr<WritableFile> file;
  IOStatus s = fs->NewWritableFile(temp, options, &file);
  if (s.ok()) s = file->Append(contents);
  if (s.ok()) s = file->Fsync();
  if (s.ok()) s = file->Close();
  if (s.ok()) s = fs->RenameFile(temp, CurrentFileName(dbname));
  if (s.ok()) {
    std::unique_ptr<Directory> dir;
    s = fs->NewDirectory(dbname, &dir);
    if (s.ok()) s = dir->Fsync();
    if (s.ok()) s = dir->Close();
  }
  if (!s.ok()) {
    (void)fs->DeleteFile(temp);
  }
  return s;
}

IOStatus SyncDir(FileSystem* fs, const std::string& dir) {
  std::unique_ptr<Directory> d;
  IOStatus s = fs->NewDirectory(dir, &d);
  if (s.ok()) s = d->Fsync();
  if (s.ok()) s = d->Close();
  return s;
}

IOStatus ReadFileToString(FileSystem* fs, const std::string& path,
                          FileKind kind, std::string* data) {
  data->clear();
  FileOptions options;
  options.kind = kind;
  std::unique_ptr<SequentialFile> file;
  IOStatus s = fs->NewSequentialFile(path, options, &file);
  if (!s.ok()) return s;
  std::string scratch(8192, '\0');
  while (true) {
    Slice chunk;
    s = file->Read(scratch.size(), &chunk, scratch.data());
    if (!s.ok()) return s;
    if (chunk.empty()) break;
    data->append(chunk.data(), chunk.size());
  }
  return IOStatus::OK();
}

Status ReadCurrentFile(FileSystem* fs, const std::string& dbname,
                       std::string* manifest_name) {
  std::string contents;
  const std::string path = CurrentFileName(dbname);
  IOStatus s = ReadFileToString(fs, path, FileKind::kCurrent, &contents);
  if (!s.ok()) return s;
  uint64_t number = 0;
  DBFileType type;
  if (contents.empty() || contents.back() != '\n' ||
      !ParseFileName(contents.substr(0, contents.size() - 1), &number,
                     &type) ||
      type != DBFileType::kManifest) {
    return Status::Corruption(path + ": CURRENT does not name a MANIFEST: '" +
                              contents + "'");
  }
  *manifest_name = contents.substr(0, contents.size() - 1);
  return Status::OK();
}

}  // namespace strata
