#include "env/io_errors.h"

#include <cstdio>
#include <cstring>

namespace strata {

IOStatus CheckDirectIOAlignment(std::string_view op, std::string_view path,
                                uint64_t offset, size_t len,
                                const void* buffer,
                                const DirectIOAlignment& alignment) {
  const bool buffer_ok = len == 0 || IsAligned(buffer, alignment.memory);
  if (IsAligned(offset, alignment.offset) && IsAligned(len, alignment.offset) &&
      buffer_ok) {
    return IOStatus::OK();
  }
  char addr[32];
  std::snprintf(addr, sizeof(addr), "%p", buffer);
  std::string msg(path);
  msg += ": misaligned direct ";
  msg += op;
  msg += " at offset " + std::to_string(offset) + " len " +
         std::to_string(len) + " buffer " + addr +
         ": offset and length must be multiples of " +
         std::to_string(alignment.offset) +
         " and the buffer address a multiple of " +
         std::to_string(alignment.memory);
  return Status::InvalidArgument(msg);
}

IOStatus DirectOpenRefused(std::string_view what, std::string_view path,
                           int err) {
  const std::string text =
      PathErrorContext(std::string(what) + " with O_DIRECT", path) + ": " +
      std::strerror(err) + " (the file system refuses direct I/O)";
  return IOStatus::WithErrno(Status::NotSupported(text), err);
}

std::string ReadErrorContext(std::string_view path, uint64_t offset,
                             size_t len) {
  return "While pread offset " + std::to_string(offset) + " len " +
         std::to_string(len) + ": " + std::string(path);
}

std::string WriteErrorContext(std::string_view path, uint64_t offset,
                              size_t len) {
  return "While pwrite to file at offset " + std::to_string(offset) + " len " +
         std::to_string(len) + ": " + std::string(path);
}

std::string PathErrorContext(std::string_view what, std::string_view path) {
  return "While " + std::string(what) + ": " + std::string(path);
}

}  // namespace strata
