// Status and IOStatus: the result of every operation that can fail.
//
// A Status is either OK (no allocation, cheap to copy and return) or carries a
// code and a message. Messages name the file and, for I/O and corruption, the
// offset and length: "IO error: While pread offset 4096 len 512: /d/1.sst:
// Input/output error". ToString() renders RocksDB's prefixes ("Not
// implemented: ", "Invalid argument: ", ...) so scripts that match RocksDB's
// texts keep working.
//
// IOStatus is what env/ returns. It is a Status that also carries the errno
// of the failing system call (0 when there was none); it converts to Status
// unchanged (slicing drops only the errno).
//
// Thread-safety: a Status is a value; distinct objects may be used from
// different threads, const methods concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace strata {

class [[nodiscard]] Status {
 public:
  // Persisted nowhere; the order is only for switch statements.
  enum class Code : uint8_t {
    kOk = 0,
    kNotFound,
    kCorruption,
    kInvalidArgument,
    kNotSupported,
    kIOError,
    kNoSpace,  // An IOError caused by a full device (ENOSPC); retryable.
  };

  Status() noexcept = default;  // OK.
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&& other) noexcept = default;
  Status& operator=(Status&& other) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg = {}) {
    return Status(Code::kNotFound, msg);
  }
  static Status Corruption(std::string_view msg) {
    return Status(Code::kCorruption, msg);
  }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status NotSupported(std::string_view msg) {
    return Status(Code::kNotSupported, msg);
  }
  static Status IOError(std::string_view msg) {
    return Status(Code::kIOError, msg);
  }
  static Status NoSpace(std::string_view msg) {
    return Status(Code::kNoSpace, msg);
  }

  // "Corruption: <path> @ <offset>+<size>: <detail>": the form every
  // corruption found in a file takes.
  static Status Corruption(std::string_view path, uint64_t offset,
                           uint64_t size, std::string_view detail);

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsNotSupported() const { return code() == Code::kNotSupported; }
  // True for every I/O failure, a full device included (as in RocksDB,
  // where NoSpace is a subcode of IOError).
  bool IsIOError() const {
    return code() == Code::kIOError || code() == Code::kNoSpace;
  }
  bool IsNoSpace() const { return code() == Code::kNoSpace; }

  // The message without the code prefix; empty for OK.
  std::string_view message() const {
    return state_ ? std::string_view(state_->message) : std::string_view();
  }

  // "OK", or the code's prefix followed by the message, e.g.
  // "Not implemented: If memory mapped reads ...". NoSpace renders as
  // "IO error: No space left on device: <message>", as RocksDB does.
  std::string ToString() const;

  // The same code with `prefix` put before the message (OK stays OK).
  Status WithMessagePrefix(std::string_view prefix) const;

  // Marks a status as deliberately ignored; the call site must say why in a
  // comment.
  void PermitUncheckedError() const {}

 protected:
  Status(Code code, std::string_view msg);

 private:
  struct State {
    Code code;
    std::string message;
  };
  std::unique_ptr<State> state_;  // Null means OK.
};

class [[nodiscard]] IOStatus : public Status {
 public:
  IOStatus() noexcept = default;
  // Keeps the code and message of `s`; errno 0.
  IOStatus(const Status& s) : Status(s) {}  // NOLINT: implicit on purpose.
  IOStatus(Status&& s) noexcept : Status(std::move(s)) {}  // NOLINT

  static IOStatus OK() { return IOStatus(); }

  // Builds the status for a failed system call: the code follows `err`
  // (ENOSPC -> NoSpace, ENOENT -> NotFound, anything else -> IOError) and
  // the message is "<context>: <strerror(err)>". `context` names the
  // operation, the file and, for reads and writes, the offset and length,
  // e.g. "While pwrite to file at offset 4096 len 512: /d/000012.sst".
  static IOStatus FromErrno(std::string_view context, int err);

  // `status` (code and message) carrying errno `err`, for errors that came
  // from a system call but are not an IOError (a file system that refuses
  // O_DIRECT is NotSupported, with the kernel's EINVAL).
  static IOStatus WithErrno(Status status, int err) {
    IOStatus s(std::move(status));
    s.errno_ = err;
    return s;
  }

  // The same code and errno with `prefix` put before the message.
  IOStatus WithMessagePrefix(std::string_view prefix) const;

  // The errno of the failing system call, or 0 when the error did not come
  // from one (an emulated file system sets it as the kernel would).
  int error_number() const { return errno_; }

 private:
  int errno_ = 0;
};

// Shorthand for the most common form: returns early from the enclosing
// function when `expr` is not OK.
#define STRATA_RETURN_IF_ERROR(expr)  \
  do {                                \
    auto _strata_s = (expr);          \
    if (!_strata_s.ok()) {            \
      return _strata_s;               \
    }                                 \
  } while (0)

}  // namespace strata
