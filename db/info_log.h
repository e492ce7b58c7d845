// InfoLog: the human-readable LOG file of a DB directory (options after
// sanitization, flushes, compactions, warnings). Always buffered; each line
// is handed to the OS when written, so the LOG survives a process crash.
// An existing LOG is renamed to LOG.old.<micros> first.
//
// Thread-safety: Log may be called concurrently.
#pragma once

#include <cstdarg>
#include <memory>
#include <mutex>
#include <string>

#include "strata/env.h"
#include "strata/status.h"

namespace strata {

class InfoLog {
 public:
  static Status Open(FileSystem* fs, Clock* clock, const std::string& dbname,
                     std::unique_ptr<InfoLog>* result);
  ~InfoLog();

  // printf-style; a timestamp prefix and a newline are added.
  void Log(const char* format, ...) __attribute__((format(printf, 2, 3)));
  void Close();

 private:
  InfoLog(std::unique_ptr<WritableFile> file, Clock* clock)
      : file_(std::move(file)), clock_(clock) {}

  std::mutex mutex_;
  std::unique_ptr<WritableFile> file_;  // Guarded by mutex_.
  Clock* const clock_;
};

}  // namespace strata
