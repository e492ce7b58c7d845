// db_bench's JsonWriter: escaping, separators and numbers, checked both as
// exact text and by reading the output back with a strict JSON reader.
#include "db_bench/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "testutil/json_reader.h"

namespace strata::bench {
namespace {

using test::JsonValue;
using test::ParseJson;

JsonValue ReadBack(const std::string& json) {
  JsonValue value;
  std::string error;
  EXPECT_TRUE(ParseJson(json, &value, &error)) << error << "\n" << json;
  return value;
}

TEST(JsonQuoteTest, EscapesQuoteBackslashAndNamedControls) {
  EXPECT_EQ(R"("a\"b\\c\nd\re\tf\bg\fh")", JsonQuote("a\"b\\c\nd\re\tf\bg\fh"));
}

TEST(JsonQuoteTest, OtherControlCharactersBecomeUnicodeEscapes) {
  EXPECT_EQ(R"("\u0000\u0001\u001f ")",
            JsonQuote(std::string("\x00\x01\x1f\x20", 4)));
}

TEST(JsonQuoteTest, ValidUtf8PassesThrough) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 /";
  EXPECT_EQ("\"" + text + "\"", JsonQuote(text));
}

TEST(JsonQuoteTest, InvalidUtf8BytesBecomeLatin1CodePoints) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a
  // surrogate (ED A0 80) and a byte that never starts a sequence.
  const std::string text =
      "a\x80"
      "b\xC3"
      "c\xC0\xAF"
      "d\xED\xA0\x80"
      "e\xFF";
  const std::string quoted = JsonQuote(text);
  EXPECT_EQ(R"("a\u0080b\u00c3c\u00c0\u00afd\u00ed\u00a0\u0080e\u00ff")",
            quoted);
  const JsonValue back = ReadBack(quoted);
  EXPECT_EQ(
      "a\xC2\x80"
      "b\xC3\x83"
      "c\xC3\x80\xC2\xAF"
      "d\xC3\xAD\xC2\xA0"
      "\xC2\x80"
      "e\xC3\xBF",
      back.text);
}

TEST(JsonQuoteTest, EveryByteValueReadsBackAsValidJson) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const JsonValue back = ReadBack(JsonQuote(all));
  ASSERT_EQ(JsonValue::Type::kString, back.type);
  // ASCII comes back byte for byte.
  EXPECT_EQ(all.substr(0, 128), back.text.substr(0, 128));
}

TEST(JsonWriterTest, NestedContainersWithCommasAndIndentation) {
  JsonWriter json;
  json.BeginObject();
  json.Key("a");
  json.Uint(1);
  json.Key("list");
  json.BeginArray();
  json.Int(-2);
  json.Bool(true);
  json.Null();
  json.BeginObject();
  json.EndObject();
  json.BeginArray();
  json.EndArray();
  json.EndArray();
  json.Key("s");
  json.String("x\"y");
  json.EndObject();
  EXPECT_EQ(
      "{\n"
      "  \"a\": 1,\n"
      "  \"list\": [\n"
      "    -2,\n"
      "    true,\n"
      "    null,\n"
      "    {},\n"
      "    []\n"
      "  ],\n"
      "  \"s\": \"x\\\"y\"\n"
      "}\n",
      json.str());
  const JsonValue back = ReadBack(json.str());
  EXPECT_EQ("1", back.Find("a")->text);
  ASSERT_EQ(5u, back.Find("list")->array.size());
  EXPECT_EQ("x\"y", back.Find("s")->text);
}

TEST(JsonWriterTest, KeysAreEscaped) {
  JsonWriter json;
  json.BeginObject();
  json.Key("k\"\n");
  json.Uint(0);
  json.EndObject();
  const JsonValue back = ReadBack(json.str());
  EXPECT_NE(nullptr, back.Find("k\"\n"));
}

TEST(JsonWriterTest, IntegersKeepAllDigits) {
  JsonWriter json;
  json.BeginArray();
  json.Uint(std::numeric_limits<uint64_t>::max());
  json.Int(std::numeric_limits<int64_t>::min());
  json.EndArray();
  const JsonValue back = ReadBack(json.str());
  ASSERT_EQ(2u, back.array.size());
  EXPECT_EQ("18446744073709551615", back.array[0].text);
  EXPECT_EQ("-9223372036854775808", back.array[1].text);
}

TEST(JsonWriterTest, DoublesAreShortestExactAndNonFiniteIsNull) {
  JsonWriter json;
  json.BeginArray();
  json.Double(0.1);
  json.Double(2.5);
  json.Double(1.0 / 3.0);
  json.Double(1e300);
  json.Double(std::nan(""));
  json.Double(std::numeric_limits<double>::infinity());
  json.Double(-std::numeric_limits<double>::infinity());
  json.EndArray();
  const JsonValue back = ReadBack(json.str());
  ASSERT_EQ(7u, back.array.size());
  EXPECT_EQ("0.1", back.array[0].text);
  EXPECT_EQ("2.5", back.array[1].text);
  EXPECT_EQ(1.0 / 3.0, back.array[2].AsDouble());
  EXPECT_EQ(1e300, back.array[3].AsDouble());
  for (size_t i = 4; i < 7; ++i) EXPECT_TRUE(back.array[i].is_null()) << i;
}

TEST(JsonReaderTest, RejectsMalformedDocuments) {
  // The reader must be able to fail, or the round trips above prove nothing.
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\":1,}", "01", "\"a\nb\"", "\"\\x\"", "[1] 2",
        "{\"a\":1,\"a\":2}", "nul", "\"\\ud800\"", "1.", "-"}) {
    JsonValue value;
    std::string error;
    EXPECT_FALSE(ParseJson(bad, &value, &error)) << "accepted: " << bad;
  }
}

}  // namespace
}  // namespace strata::bench
