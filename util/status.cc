#include "strata/status.h"

#include <cerrno>
#include <cstring>

namespace strata {

Status::Status(Code code, std::string_view msg)
    : state_(std::make_unique<State>(State{code, std::string(msg)})) {}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }
  return *this;
}

Status Status::Corruption(std::string_view path, uint64_t offset,
                          uint64_t size, std::string_view detail) {
  std::string msg(path);
  msg += " @ ";
  msg += std::to_string(offset);
  msg += '+';
  msg += std::to_string(size);
  msg += ": ";
  msg += detail;
  return Status(Code::kCorruption, msg);
}

Status Status::WithMessagePrefix(std::string_view prefix) const {
  if (!state_) {
    return Status();
  }
  std::string msg(prefix);
  msg += state_->message;
  return Status(state_->code, msg);
}

IOStatus IOStatus::WithMessagePrefix(std::string_view prefix) const {
  IOStatus s(Status::WithMessagePrefix(prefix));
  s.errno_ = errno_;
  return s;
}

std::string Status::ToString() const {
  if (!state_) {
    return "OK";
  }
  // RocksDB's prefixes, so that scripts matching its messages keep working.
  const char* prefix = "";
  switch (state_->code) {
    case Code::kOk:
      prefix = "OK";
      break;
    case Code::kNotFound:
      prefix = "NotFound: ";
      break;
    case Code::kCorruption:
      prefix = "Corruption: ";
      break;
    case Code::kInvalidArgument:
      prefix = "Invalid argument: ";
      break;
    case Code::kNotSupported:
      prefix = "Not implemented: ";
      break;
    case Code::kIOError:
      prefix = "IO error: ";
      break;
    case Code::kNoSpace:
      prefix = "IO error: No space left on device: ";
      break;
  }
  return prefix + state_->message;
}

IOStatus IOStatus::FromErrno(std::string_view context, int err) {
  std::string msg(context);
  msg += ": ";
  msg += std::strerror(err);
  Status base;
  switch (err) {
    case ENOSPC:
      base = Status::NoSpace(msg);
      break;
    case ENOENT:
      base = Status::NotFound(msg);
      break;
    default:
      base = Status::IOError(msg);
      break;
  }
  IOStatus s(std::move(base));
  s.errno_ = err;
  return s;
}

}  // namespace strata
