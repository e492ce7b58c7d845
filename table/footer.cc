#include "table/footer.h"

#include <cstdio>

#include "util/coding.h"

namespace strata {

namespace {

std::string Hex64(uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof(buf), "0x%016llx",
                static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Status Footer::EncodeTo(std::string* dst) const {
  if (format_version > kLatestFormatVersion) {
    return Status::InvalidArgument(
        "footer: unsupported format_version " + std::to_string(format_version) +
        " (0.." + std::to_string(kLatestFormatVersion) + " can be written)");
  }
  const auto checksum_byte = static_cast<uint8_t>(checksum_type);
  ChecksumType checked;
  if (!ChecksumTypeFromByte(checksum_byte, &checked)) {
    return Status::InvalidArgument("footer: unknown checksum type " +
                                   std::to_string(checksum_byte));
  }
  if (format_version == 0 && checksum_type != ChecksumType::kCRC32c) {
    return Status::InvalidArgument(
        "footer: format_version 0 (legacy footer) can only use kCRC32c, not " +
        std::string(ChecksumTypeEnumName(checksum_type)) +
        "; use format_version 1 or later");
  }
  if (format_version > 0) {
    dst->push_back(static_cast<char>(checksum_byte));
  }
  const size_t handles_start = dst->size();
  metaindex_handle.EncodeTo(dst);
  index_handle.EncodeTo(dst);
  dst->resize(handles_start + kHandlesAreaLength, '\0');
  if (format_version > 0) {
    PutFixed32(dst, format_version);
    PutFixed64(dst, kBlockBasedTableMagicNumber);
  } else {
    PutFixed64(dst, kLegacyBlockBasedTableMagicNumber);
  }
  return Status::OK();
}

Status Footer::DecodeFrom(Slice tail, std::string_view file_path,
                          uint64_t file_size, Footer* footer) {
  if (tail.size() > kMaxEncodedLength) {
    tail.remove_prefix(tail.size() - kMaxEncodedLength);
  }
  if (tail.size() < kMinEncodedLength) {
    return Status::Corruption(
        file_path, 0, file_size,
        "file is too short (" + std::to_string(file_size) +
            " bytes) to be an SST file: its footer needs at least " +
            std::to_string(kMinEncodedLength) + " bytes");
  }
  const uint64_t tail_offset = file_size - tail.size();
  const uint64_t magic = DecodeFixed64(tail.data() + tail.size() - 8);

  Footer result;
  Slice handles;
  uint64_t footer_offset;
  size_t footer_length;
  if (magic == kLegacyBlockBasedTableMagicNumber) {
    footer_length = kLegacyEncodedLength;
    footer_offset = file_size - footer_length;
    result.format_version = 0;
    result.checksum_type = ChecksumType::kCRC32c;
    handles =
        Slice(tail.data() + tail.size() - footer_length, kHandlesAreaLength);
  } else if (magic == kBlockBasedTableMagicNumber) {
    footer_length = kNewEncodedLength;
    footer_offset = file_size - footer_length;
    const uint32_t version = DecodeFixed32(tail.data() + tail.size() - 12);
    if (version > kLatestFormatVersion) {
      return Status::Corruption(file_path, file_size - 12, 4,
                                "unsupported format_version " +
                                    std::to_string(version) +
                                    " in the footer (RocksDB 7.8.3 reads 0.." +
                                    std::to_string(kLatestFormatVersion) + ")");
    }
    if (tail.size() < kNewEncodedLength) {
      return Status::Corruption(
          file_path, tail_offset, tail.size(),
          "file is too short (" + std::to_string(file_size) +
              " bytes) for a format_version " + std::to_string(version) +
              " footer of " + std::to_string(kNewEncodedLength) + " bytes");
    }
    const char* start = tail.data() + tail.size() - footer_length;
    const auto checksum_byte = static_cast<uint8_t>(start[0]);
    if (!ChecksumTypeFromByte(checksum_byte, &result.checksum_type)) {
      return Status::Corruption(file_path, footer_offset, 1,
                                "unsupported checksum type " +
                                    std::to_string(checksum_byte) +
                                    " in the footer (0..4 are known)");
    }
    result.format_version = version;
    handles = Slice(start + 1, kHandlesAreaLength);
  } else if (magic == kPlainTableMagicNumber ||
             magic == kLegacyPlainTableMagicNumber) {
    return Status::Corruption(
        file_path, file_size - 8, 8,
        "not a block-based table: the footer has the plain-table magic "
        "number " +
            Hex64(magic));
  } else {
    return Status::Corruption(file_path, file_size - 8, 8,
                              "bad table magic number: expected " +
                                  Hex64(kBlockBasedTableMagicNumber) +
                                  ", found " + Hex64(magic) +
                                  " (not an SST file, or a truncated one)");
  }

  Status s = result.metaindex_handle.DecodeFrom(&handles);
  if (s.ok()) {
    s = result.index_handle.DecodeFrom(&handles);
  }
  if (!s.ok()) {
    return Status::Corruption(file_path, footer_offset, footer_length,
                              "footer: " + std::string(s.message()));
  }
  *footer = result;
  return Status::OK();
}

std::string Footer::ToString() const {
  std::string s;
  if (format_version > 0) {
    s += "checksum: " + std::string(ChecksumTypeEnumName(checksum_type)) + "\n";
  }
  s += "metaindex handle: " + metaindex_handle.ToString() + "\n";
  s += "index handle: " + index_handle.ToString() + "\n";
  s += "format_version: " + std::to_string(format_version) + "\n";
  s += "table_magic_number: " +
       Hex64(format_version == 0 ? kLegacyBlockBasedTableMagicNumber
                                 : kBlockBasedTableMagicNumber) +
       "\n";
  return s;
}

}  // namespace strata
