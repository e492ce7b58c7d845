#include "db/info_log.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <thread>

#include "db/filename.h"

namespace strata {

Status InfoLog::Open(FileSystem* fs, Clock* clock, const std::string& dbname,
                     std::unique_ptr<InfoLog>* result) {
  const std::string path = InfoLogFileName(dbname);
  if (fs->FileExists(path).ok()) {
    IOStatus s = fs->RenameFile(
        path, OldInfoLogFileName(dbname, clock->NowMicros()));
    if (!s.ok()) return s;
  }
  FileOptions options;
  options.kind = FileKind::kInfoLog;
  std::unique_ptr<WritableFile> file;
  IOStatus s = fs->NewWritableFile(path, options, &file);
  if (!s.ok()) return s;
  result->reset(new InfoLog(std::move(file), clock));
  return Status::OK();
}

InfoLog::~InfoLog() { Close(); }

void InfoLog::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ != nullptr) {
    (void)file_->Close();
    file_.reset();
  }
}

void InfoLog::Log(const char* format, ...) {
  const uint64_t micros = clock_->NowMicros();
  const time_t seconds = static_cast<time_t>(micros / 1000000);
  struct tm t;
  gmtime_r(&seconds, &t);
  char prefix[64];
  std::snprintf(prefix, sizeof(prefix), "%04d/%02d/%02d-%02d:%02d:%02d.%06d ",
                t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
                t.tm_sec, static_cast<int>(micros % 1000000));
  std::string line = prefix;
  char body[1024];
  va_list args;
  va_start(args, format);
  const int n = std::vsnprintf(body, sizeof(body), format, args);
  va_end(args);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof(body)) {
    line.append(body, static_cast<size_t>(n));
  } else {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    va_start(args, format);
    std::vsnprintf(big.data(), big.size(), format, args);
    va_end(args);
    big.resize(static_cast<size_t>(n));
    line += big;
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_ != nullptr) (void)file_->Append(line);
}

}  // namespace strata
