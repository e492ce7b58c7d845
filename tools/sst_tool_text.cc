#include "tools/sst_tool_text.h"

#include <charconv>
#include <cstdio>

#include "table/internal_key.h"

namespace strata::sst_tool {

namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseType(std::string_view name, uint8_t* type) {
  // Every byte value RocksDB names; ValueTypeName says "unknown" for others.
  for (int t = 0; t <= 0xff; ++t) {
    const std::string_view known = ValueTypeName(static_cast<uint8_t>(t));
    if (known != "unknown" && known == name) {
      *type = static_cast<uint8_t>(t);
      return true;
    }
  }
  return false;
}

std::string TypeName(uint8_t type) {
  const std::string_view name = ValueTypeName(type);
  if (name != "unknown") return std::string(name);
  return "unknown(" + std::to_string(type) + ")";
}

// Splits off the text before the next TAB into *field. False if there is
// no TAB left.
bool NextField(std::string_view* rest, std::string_view* field) {
  const size_t tab = rest->find('\t');
  if (tab == std::string_view::npos) return false;
  *field = rest->substr(0, tab);
  rest->remove_prefix(tab + 1);
  return true;
}

}  // namespace

bool HexDecode(std::string_view hex, std::string* out, std::string* error) {
  if (hex.size() % 2 != 0) {
    *error = "odd number of hex digits (" + std::to_string(hex.size()) + ")";
    return false;
  }
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigitValue(hex[i]);
    const int lo = HexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t at = hi < 0 ? i : i + 1;
      *error = "not a hex digit: " + QuoteForMessage(Slice(hex.substr(at, 1))) +
               " at position " + std::to_string(at);
      return false;
    }
    out->push_back(static_cast<char>((hi << 4) | lo));
  }
  return true;
}

bool DecodeArgument(std::string_view text, const LineFormat& format,
                    std::string* out, std::string* error) {
  if (!format.hex) {
    out->assign(text);
    return true;
  }
  return HexDecode(text, out, error);
}

bool ParseLine(std::string_view line, const LineFormat& format,
               LineEntry* entry, std::string* error) {
  std::string_view rest = line;
  std::string_view key;
  if (!NextField(&rest, &key)) {
    *error = format.raw ? "no TAB after the key (expected "
                          "key<TAB>seqno<TAB>type<TAB>value)"
                        : "no TAB between key and value (expected "
                          "key<TAB>value)";
    return false;
  }
  entry->sequence = 0;
  entry->type = static_cast<uint8_t>(ValueType::kValue);
  if (format.raw) {
    std::string_view seqno;
    std::string_view type;
    if (!NextField(&rest, &seqno) || !NextField(&rest, &type)) {
      *error = "expected key<TAB>seqno<TAB>type<TAB>value";
      return false;
    }
    const auto [end, ec] = std::from_chars(
        seqno.data(), seqno.data() + seqno.size(), entry->sequence);
    if (seqno.empty() || ec != std::errc() ||
        end != seqno.data() + seqno.size()) {
      *error = "sequence number " + QuoteForMessage(Slice(seqno)) +
               " is not a decimal number";
      return false;
    }
    if (!ParseType(type, &entry->type)) {
      *error = "unknown entry type " + QuoteForMessage(Slice(type)) +
               " (expected kTypeValue, kTypeMerge, kTypeDeletion, ...)";
      return false;
    }
  }
  if (!format.hex) {
    entry->key.assign(key);
    entry->value.assign(rest);
    return true;
  }
  std::string detail;
  if (!HexDecode(key, &entry->key, &detail)) {
    *error = "key is not valid hex: " + detail;
    return false;
  }
  if (!HexDecode(rest, &entry->value, &detail)) {
    *error = "value is not valid hex: " + detail;
    return false;
  }
  return true;
}

bool AppendLine(Slice key, uint64_t sequence, uint8_t type, Slice value,
                const LineFormat& format, std::string* out,
                std::string* error) {
  if (!format.hex) {
    const std::string_view k = key;
    const std::string_view v = value;
    if (k.find_first_of("\t\n") != std::string_view::npos ||
        v.find('\n') != std::string_view::npos) {
      *error = "key " + QuoteForMessage(key) +
               " or its value holds a TAB or newline, which the plain text "
               "format cannot carry; use --hex";
      return false;
    }
  }
  if (format.hex) {
    out->append(key.ToHex());
  } else {
    out->append(key.data(), key.size());
  }
  out->push_back('\t');
  if (format.raw) {
    out->append(std::to_string(sequence));
    out->push_back('\t');
    out->append(TypeName(type));
    out->push_back('\t');
  }
  if (format.hex) {
    out->append(value.ToHex());
  } else {
    out->append(value.data(), value.size());
  }
  out->push_back('\n');
  return true;
}

std::string QuoteForMessage(Slice bytes) {
  std::string quoted = "'";
  bool printable = true;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      quoted.push_back(static_cast<char>(c));
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
      quoted += escaped;
      printable = false;
    }
  }
  quoted.push_back('\'');
  if (!printable) {
    quoted += " (0x" + bytes.ToHex() + ")";
  }
  return quoted;
}

}  // namespace strata::sst_tool
