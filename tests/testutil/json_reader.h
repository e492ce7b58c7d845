// A strict, small JSON reader for tests that check JSON a tool wrote (the
// db_bench --report_json document): RFC 8259 values into a tree, with
// numbers kept as their text so that 64-bit integers compare exactly.
// Rejects trailing commas, leading zeros, unescaped control characters,
// bad escapes and trailing garbage. \u escapes are decoded to UTF-8
// (surrogate pairs included).
//
// Header-only. Not thread-safe per object; values are plain data.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace strata::test {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the literal.
  std::vector<JsonValue> array;
  std::map<std::string, JsonValue> object;  // Duplicate keys are rejected.

  bool is_null() const { return type == Type::kNull; }
  // The member `key`, or nullptr when this is not an object or lacks it.
  const JsonValue* Find(const std::string& key) const {
    if (type != Type::kObject) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &it->second;
  }
  uint64_t AsUint() const { return std::strtoull(text.c_str(), nullptr, 10); }
  double AsDouble() const { return std::strtod(text.c_str(), nullptr); }
};

// Parses `input` as one JSON document into *value. On failure returns false
// and sets *error to the byte offset and what was wrong.
inline bool ParseJson(const std::string& input, JsonValue* value,
                      std::string* error);

namespace json_internal {

class Parser {
 public:
  explicit Parser(const std::string& in) : in_(in) {}

  bool Document(JsonValue* value, std::string* error) {
    bool ok = Value(value, 0);
    if (ok) {
      SkipSpace();
      if (pos_ != in_.size()) ok = Fail("trailing characters");
    }
    if (!ok) *error = "offset " + std::to_string(pos_) + ": " + error_;
    return ok;
  }

 private:
  bool Fail(const std::string& what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\n' ||
                                 in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Literal(const char* word) {
    const std::string w(word);
    if (in_.compare(pos_, w.size(), w) != 0) return Fail("bad literal");
    pos_ += w.size();
    return true;
  }
  bool Value(JsonValue* v, int depth) {
    if (depth > 100) return Fail("nested too deeply");
    SkipSpace();
    if (pos_ >= in_.size()) return Fail("unexpected end");
    const char c = in_[pos_];
    if (c == '{') return Object(v, depth);
    if (c == '[') return Array(v, depth);
    if (c == '"') {
      v->type = JsonValue::Type::kString;
      return String(&v->text);
    }
    if (c == 't') {
      v->type = JsonValue::Type::kBool;
      v->boolean = true;
      return Literal("true");
    }
    if (c == 'f') {
      v->type = JsonValue::Type::kBool;
      return Literal("false");
    }
    if (c == 'n') return Literal("null");
    return Number(v);
  }
  bool Object(JsonValue* v, int depth) {
    v->type = JsonValue::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != '"') return Fail("expected key");
      std::string key;
      if (!String(&key)) return false;
      if (v->object.count(key) > 0) return Fail("duplicate key " + key);
      SkipSpace();
      if (pos_ >= in_.size() || in_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      if (!Value(&v->object[key], depth + 1)) return false;
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }
  bool Array(JsonValue* v, int depth) {
    v->type = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < in_.size() && in_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      v->array.emplace_back();
      if (!Value(&v->array.back(), depth + 1)) return false;
      SkipSpace();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }
  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > in_.size()) return Fail("short \\u escape");
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = in_[pos_++];
      *out <<= 4;
      if (h >= '0' && h <= '9') {
        *out |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        *out |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        *out |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        return Fail("bad hex digit");
      }
    }
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool String(std::string* out) {
    ++pos_;  // The opening quote.
    while (true) {
      if (pos_ >= in_.size()) return Fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(in_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return Fail("unescaped control character");
      if (c != '\\') {
        *out += static_cast<char>(c);
        continue;
      }
      if (pos_ >= in_.size()) return Fail("unterminated escape");
      const char e = in_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          *out += e;
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (in_.compare(pos_, 2, "\\u") != 0) {
              return Fail("lone high surrogate");
            }
            pos_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return Fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Fail("lone low surrogate");
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return Fail("bad escape");
      }
    }
  }
  bool Digits() {
    const size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  bool Number(JsonValue* v) {
    const size_t start = pos_;
    if (in_[pos_] == '-') ++pos_;
    if (pos_ < in_.size() && in_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return Fail("bad value");
    }
    if (pos_ < in_.size() && in_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return Fail("bad fraction");
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (!Digits()) return Fail("bad exponent");
    }
    v->type = JsonValue::Type::kNumber;
    v->text = in_.substr(start, pos_ - start);
    return true;
  }

  const std::string& in_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace json_internal

inline bool ParseJson(const std::string& input, JsonValue* value,
                      std::string* error) {
  *value = JsonValue();
  return json_internal::Parser(input).Document(value, error);
}

}  // namespace strata::test
