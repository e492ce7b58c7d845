// JsonWriter: builds one JSON document in memory, for db_bench's
// --report_json. Small on purpose (db_bench takes no JSON dependency): it
// places commas, indents two spaces per level and escapes strings; the caller
// pairs Begin/End calls and gives a Key before each member of an object.
//
// Strings are byte strings: valid UTF-8 passes through, '"', '\\' and
// control characters are escaped, and a byte that is not part of valid
// UTF-8 becomes the code point of the same value (\u0080 to \u00ff), so the
// output is always valid JSON. Non-finite doubles are written as null.
//
// Not thread-safe. Misuse (a value without a Key inside an object, an
// unbalanced End) is a programming error caught by assert.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace strata::bench {

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  // The name of the next member; REQUIRES: directly inside an object.
  void Key(std::string_view name);

  void String(std::string_view value);
  void Uint(uint64_t value);
  void Int(int64_t value);
  // Shortest form that reads back as the same double ("%.17g" at most);
  // NaN and infinities become null.
  void Double(double value);
  void Bool(bool value);
  void Null();

  // The document so far; complete once every Begin has its End.
  const std::string& str() const { return out_; }

 private:
  // Separator and indentation before a value or a key.
  void BeforeValue();
  void Open(char bracket, bool is_object);
  void Close(char bracket, bool is_object);

  struct Level {
    bool is_object;
    bool empty = true;
  };
  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace strata::bench
