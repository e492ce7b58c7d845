// The text format of strata_sst: the lines `write` reads from stdin and
// `scan` prints, so that scan's output can be fed back into write.
//
//   plain:  key<TAB>value
//   raw:    key<TAB>seqno<TAB>type<TAB>value   (scan --raw, write --raw)
//
// A line is split at its first TABs, so a value may itself hold TABs. With
// --hex, keys and values are hex-encoded (lower case on output, either case
// on input), which carries any byte; without it a key may hold neither TAB
// nor newline and a value no newline. `type` is RocksDB's enumerator name
// (kTypeValue, kTypeDeletion, kTypeMerge, ...), as table/internal_key.h
// spells it.
//
// Errors are returned as text without a line number (the caller adds it).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "strata/slice.h"

namespace strata::sst_tool {

// Options shared by parsing and formatting.
struct LineFormat {
  bool hex = false;  // Keys and values are hex-encoded.
  bool raw = false;  // Lines carry seqno and type.
};

// One parsed input line.
struct LineEntry {
  std::string key;
  uint64_t sequence = 0;
  uint8_t type = 1;  // ValueType; 1 = kTypeValue (put).
  std::string value;
};

// Decodes `hex` (even length, digits 0-9a-fA-F) into *out. False with
// *error describing the first problem otherwise.
bool HexDecode(std::string_view hex, std::string* out, std::string* error);

// Decodes a key given on the command line (--key, --from, --to): hex when
// format.hex. False with *error otherwise.
bool DecodeArgument(std::string_view text, const LineFormat& format,
                    std::string* out, std::string* error);

// Parses one line (without its newline). False with *error naming what is
// wrong ("no TAB between key and value", "key is not valid hex: ...").
bool ParseLine(std::string_view line, const LineFormat& format,
               LineEntry* entry, std::string* error);

// Appends the line for one entry, newline included, to *out. With
// format.raw, `sequence` and `type` are printed too. False with *error if
// plain text cannot carry the bytes (a TAB or newline in the key, a newline
// in the value); *out is unchanged then.
bool AppendLine(Slice key, uint64_t sequence, uint8_t type, Slice value,
                const LineFormat& format, std::string* out, std::string* error);

// `bytes` quoted for messages, with their hex form when some would not
// print: 'abc', or 'a\x01' (0x6101).
std::string QuoteForMessage(Slice bytes);

}  // namespace strata::sst_tool
