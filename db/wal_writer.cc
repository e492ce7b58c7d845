#include "db/wal_writer.h"

#include <algorithm>
#include <cassert>

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {

WalWriter::WalWriter(std::unique_ptr<WritableFileWriter> file,
                     uint64_t log_number, bool manual_flush)
    : file_(std::move(file)),
      log_number_(log_number),
      manual_flush_(manual_flush) {
  assert(!file_->use_direct_io());
  assert(file_->size() == 0);
  for (uint8_t t = 0; t <= kMaxWalRecordType; ++t) {
    const char c = static_cast<char>(t);
    type_crc_[t] = crc32c::Value(&c, 1);
  }
}

IOStatus WalWriter::Poison(IOStatus s) {
  if (first_error_.ok()) {
    first_error_ = s;
  }
  return first_error_;
}

IOStatus WalWriter::AddRecord(Slice record) {
  if (!first_error_.ok()) {
    return first_error_;
  }
  const char* ptr = record.data();
  size_t left = record.size();
  bool begin = true;
  // An empty record still gets one (FULL, length 0) fragment: the loop body
  // runs at least once.
  do {
    const size_t block_left = kWalBlockSize - block_offset_;
    if (block_left < kWalHeaderSize) {
      // No room for a header: zero-fill the trailer, start a new block.
      if (block_left > 0) {
        static constexpr char kZeros[kWalHeaderSize] = {};
        IOStatus s = file_->Append(Slice(kZeros, block_left));
        if (!s.ok()) {
          return Poison(std::move(s));
        }
      }
      block_offset_ = 0;
    }
    // With exactly kWalHeaderSize bytes left, this is a zero-length
    // fragment (a FIRST, unless the record is empty), as RocksDB writes it.
    const size_t avail = kWalBlockSize - block_offset_ - kWalHeaderSize;
    const size_t fragment_length = std::min(left, avail);
    const bool end = (left == fragment_length);
    WalRecordType type;
    if (begin && end) {
      type = WalRecordType::kFull;
    } else if (begin) {
      type = WalRecordType::kFirst;
    } else if (end) {
      type = WalRecordType::kLast;
    } else {
      type = WalRecordType::kMiddle;
    }
    IOStatus s = EmitFragment(type, ptr, fragment_length);
    if (!s.ok()) {
      return Poison(std::move(s));
    }
    ptr += fragment_length;
    left -= fragment_length;
    begin = false;
  } while (left > 0);
  if (!manual_flush_) {
    IOStatus s = file_->Flush();
    if (!s.ok()) {
      return Poison(std::move(s));
    }
  }
  return IOStatus::OK();
}

IOStatus WalWriter::EmitFragment(WalRecordType type, const char* data,
                                 size_t n) {
  assert(n <= 0xffff);
  assert(block_offset_ + kWalHeaderSize + n <= kWalBlockSize);
  char header[kWalHeaderSize];
  const uint8_t t = static_cast<uint8_t>(type);
  const uint32_t crc = crc32c::Extend(type_crc_[t], data, n);
  EncodeFixed32(header, crc32c::Mask(crc));
  EncodeFixed16(header + 4, static_cast<uint16_t>(n));
  header[6] = static_cast<char>(t);
  STRATA_RETURN_IF_ERROR(file_->Append(Slice(header, kWalHeaderSize)));
  STRATA_RETURN_IF_ERROR(file_->Append(Slice(data, n)));
  block_offset_ += kWalHeaderSize + n;
  return IOStatus::OK();
}

IOStatus WalWriter::Flush() {
  if (!first_error_.ok()) {
    return first_error_;
  }
  IOStatus s = file_->Flush();
  return s.ok() ? s : Poison(std::move(s));
}

IOStatus WalWriter::Sync(bool use_fsync) {
  if (!first_error_.ok()) {
    return first_error_;
  }
  IOStatus s = use_fsync ? file_->Fsync() : file_->Sync();
  return s.ok() ? s : Poison(std::move(s));
}

IOStatus WalWriter::Close() {
  if (closed_) {
    return close_status_;
  }
  closed_ = true;
  IOStatus s = file_->Close();
  // After an earlier error the writer's own message says the data was not
  // flushed; the caller learns more from the first error itself.
  close_status_ = first_error_.ok() ? s : first_error_;
  if (first_error_.ok() && !s.ok()) {
    first_error_ = s;
  }
  return close_status_;
}

}  // namespace strata
