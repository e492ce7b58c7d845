#include "db/wal_reader.h"

#include <algorithm>
#include <cassert>
#include <cstdio>

#include "util/coding.h"
#include "util/crc32c.h"

namespace strata {
namespace {

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

bool AllZero(Slice s) {
  return std::all_of(s.data(), s.data() + s.size(),
                     [](char c) { return c == 0; });
}

const char* TypeName(uint8_t type) {
  switch (static_cast<WalRecordType>(type)) {
    case WalRecordType::kFull:
      return "FULL";
    case WalRecordType::kFirst:
      return "FIRST";
    case WalRecordType::kMiddle:
      return "MIDDLE";
    case WalRecordType::kLast:
      return "LAST";
    case WalRecordType::kZero:
      break;
  }
  return "unknown";
}

}  // namespace

WalReader::WalReader(std::unique_ptr<SequentialFileReader> file,
                     Reporter* reporter, bool verify_checksums)
    : file_(std::move(file)),
      reporter_(reporter),
      verify_checksums_(verify_checksums),
      block_(new char[kWalBlockSize]) {
  assert(file_->offset() == 0);
}

IOStatus WalReader::ReadBlock() {
  block_start_offset_ = buffer_end_offset_;
  Slice result;
  IOStatus s = file_->Read(kWalBlockSize, &result, block_.get());
  if (!s.ok()) {
    buffer_ = Slice();
    eof_ = true;  // Nothing more will be read.
    return s;
  }
  buffer_ = result;
  buffer_end_offset_ += result.size();
  if (result.size() < kWalBlockSize) {
    eof_ = true;
  }
  return IOStatus::OK();
}

void WalReader::Drop(uint64_t offset, uint64_t size,
                     const std::string& problem) {
  consumed_end_ = std::max(consumed_end_, offset + size);
  if (reporter_ != nullptr) {
    reporter_->Corruption(offset, size,
                          Status::Corruption(path(), offset, size, problem));
  }
}

WalReader::FragmentResult WalReader::ReadFragment(Slice* fragment,
                                                  uint8_t* type,
                                                  uint64_t* fragment_offset,
                                                  BadRange* bad) {
  while (true) {
    if (buffer_.size() < kWalHeaderSize) {
      if (eof_) {
        // Nothing, a cut header or a trailer at the end of the file.
        return status_.ok() ? FragmentResult::kEof : FragmentResult::kIOError;
      }
      // A trailer (0..6 bytes) ends the block: skip it.
      IOStatus s = ReadBlock();
      if (!s.ok()) {
        status_ = s;
        return FragmentResult::kIOError;
      }
      continue;
    }
    const char* header = buffer_.data();
    const uint64_t offset = buffer_offset();
    const size_t length = DecodeFixed16(header + 4);
    const uint8_t t = static_cast<uint8_t>(header[6]);
    if (t == static_cast<uint8_t>(WalRecordType::kZero) && AllZero(buffer_)) {
      // Zeros to the end of what the block holds: padding, not a record.
      buffer_ = Slice(buffer_.data() + buffer_.size(), 0);
      continue;
    }
    const uint64_t block_space = kWalBlockSize - (offset - block_start_offset_);
    if (kWalHeaderSize + length > block_space) {
      // Fragments never cross a block: the length itself is bad.
      bad->offset = offset;
      bad->size = buffer_.size();
      bad->problem = "bad record length: " + std::to_string(length) +
                     " payload bytes, but only " +
                     std::to_string(block_space - kWalHeaderSize) +
                     " fit before the end of the block";
      buffer_ = Slice(buffer_.data() + buffer_.size(), 0);
      return FragmentResult::kBad;
    }
    if (kWalHeaderSize + length > buffer_.size()) {
      // The block is short only at the end of the file: a cut payload.
      assert(eof_);
      return FragmentResult::kEof;
    }
    const Slice payload(header + kWalHeaderSize, length);
    if (verify_checksums_) {
      const uint32_t stored = crc32c::Unmask(DecodeFixed32(header));
      const uint32_t computed =
          crc32c::Extend(crc32c::Value(header + 6, 1), payload.data(), length);
      if (stored != computed) {
        // The length may be what is wrong: trust nothing else in the block.
        bad->offset = offset;
        bad->size = buffer_.size();
        bad->problem = "checksum mismatch: stored " + Hex32(stored) +
                       ", computed " + Hex32(computed) +
                       " (crc32c of type and " + std::to_string(length) +
                       " payload bytes)";
        buffer_ = Slice(buffer_.data() + buffer_.size(), 0);
        return FragmentResult::kBad;
      }
    }
    if (t == 0 || t > kMaxWalRecordType) {
      bad->offset = offset;
      bad->problem = "unknown record type " + std::to_string(t);
      if (verify_checksums_) {
        // The checksum vouches for the length: skip just this fragment.
        bad->size = kWalHeaderSize + length;
        buffer_ = Slice(buffer_.data() + kWalHeaderSize + length,
                        buffer_.size() - kWalHeaderSize - length);
      } else {
        bad->size = buffer_.size();
        buffer_ = Slice(buffer_.data() + buffer_.size(), 0);
      }
      return FragmentResult::kBad;
    }
    buffer_ = Slice(buffer_.data() + kWalHeaderSize + length,
                    buffer_.size() - kWalHeaderSize - length);
    *fragment = payload;
    *type = t;
    *fragment_offset = offset;
    return FragmentResult::kFragment;
  }
}

bool WalReader::ReadRecord(Slice* record, std::string* scratch) {
  scratch->clear();
  *record = Slice();
  bool in_chain = false;      // A FIRST was read and no LAST yet.
  uint64_t chain_offset = 0;  // Where the FIRST starts.
  while (true) {
    Slice fragment;
    uint8_t type = 0;
    uint64_t offset = 0;
    BadRange bad;
    switch (ReadFragment(&fragment, &type, &offset, &bad)) {
      case FragmentResult::kFragment: {
        const uint64_t end = offset + kWalHeaderSize + fragment.size();
        switch (static_cast<WalRecordType>(type)) {
          case WalRecordType::kFull:
          case WalRecordType::kFirst:
            if (in_chain) {
              Drop(chain_offset, offset - chain_offset,
                   std::string("partial record without end: a ") +
                       TypeName(type) + " fragment follows a FIRST");
            }
            if (type == static_cast<uint8_t>(WalRecordType::kFull)) {
              *record = fragment;
              scratch->clear();
              last_record_offset_ = offset;
              end_of_good_data_ = end;
              consumed_end_ = end;
              return true;
            }
            scratch->assign(fragment.data(), fragment.size());
            in_chain = true;
            chain_offset = offset;
            break;
          case WalRecordType::kMiddle:
          case WalRecordType::kLast:
            if (!in_chain) {
              Drop(offset, end - offset,
                   std::string("missing start of fragmented record: ") +
                       TypeName(type) + " fragment without a FIRST");
              break;
            }
            scratch->append(fragment.data(), fragment.size());
            if (type == static_cast<uint8_t>(WalRecordType::kLast)) {
              *record = Slice(*scratch);
              last_record_offset_ = chain_offset;
              end_of_good_data_ = end;
              consumed_end_ = end;
              return true;
            }
            break;
          case WalRecordType::kZero:
            assert(false);  // ReadFragment returns it as kBad.
            break;
        }
        break;
      }
      case FragmentResult::kBad:
        if (in_chain) {
          Drop(chain_offset, bad.offset - chain_offset,
               "error in middle of record: the fragmented record starting "
               "here is broken by the corruption at offset " +
                   std::to_string(bad.offset));
          in_chain = false;
          scratch->clear();
        }
        Drop(bad.offset, bad.size, bad.problem);
        break;
      case FragmentResult::kEof:
        // Whatever follows the last record or dropped range is an
        // incomplete record: a cut header or payload, a chain without its
        // LAST, or trailing zero padding.
        scratch->clear();
        torn_tail_bytes_ = buffer_end_offset_ - consumed_end_;
        tail_torn_ = torn_tail_bytes_ > 0;
        return false;
      case FragmentResult::kIOError:
        scratch->clear();
        return false;
    }
  }
}

}  // namespace strata
