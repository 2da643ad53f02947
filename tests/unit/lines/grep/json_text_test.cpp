// The JSON text of lines grep --json against its standards: UTF-8 validity from RFC 3629's
// table (section 4) and Unicode's well-formed byte sequences, base64 from RFC 4648's test
// vectors (section 10), escapes from RFC 8259 section 7 as serde_json writes them.
#include "workloads/lines/grep/json_text.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace std::string_literals;

namespace parfold {
namespace {

TEST(JsonText, Utf8AsRfc3629) {
  for (std::string const& ok : {""s, "plain"s, "\xc3\xa9"s, "\xe2\x82\xac"s, "\xf0\x9f\x98\x80"s,
                                "\xed\x9f\xbf"s /* U+D7FF */, "\xee\x80\x80"s /* U+E000 */,
                                "\xf4\x8f\xbf\xbf"s /* U+10FFFF */, "\x00\x7f"s}) {
    EXPECT_TRUE(valid_utf8(ok)) << ok;
  }
  for (std::string const& bad :
       {"\x80"s, "\xbf"s, "\xc0\xaf"s /* overlong / */, "\xc1\xbf"s, "\xe0\x80\xaf"s /* overlong */,
        "\xed\xa0\x80"s /* U+D800, a surrogate */, "\xf0\x80\x80\xaf"s,
        "\xf4\x90\x80\x80"s /* past U+10FFFF */, "\xf5\x80\x80\x80"s, "\xff"s, "\xfe"s,
        "\xc3"s /* cut short */, "\xe2\x82"s, "a\xc3("s}) {
    EXPECT_FALSE(valid_utf8(bad)) << testing::PrintToString(bad);
  }
}

TEST(JsonText, Base64AsRfc4648Section10) {
  std::pair<std::string, std::string> const vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"},
                                                         {"\xff\xfe\xfd", "//79"}};
  for (auto const& [in, want] : vectors) {
    std::string out;
    append_base64(out, in);
    EXPECT_EQ(out, want);
  }
}

TEST(JsonText, StringsEscapedAsSerdeJson) {
  std::string out;
  append_json_string(out, "a\"b\\c\b\f\n\r\t\x01\x1f\x7f \xc3\xa9/"s + '\0');
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7f \xc3\xa9/\\u0000\"");
}

TEST(JsonText, DataIsTextOrBytes) {
  std::string out;
  append_json_data(out, "hello\n");
  append_json_data(out, "abc\xff hello\n");
  EXPECT_EQ(out, "{\"text\":\"hello\\n\"}{\"bytes\":\"YWJj/yBoZWxsbwo=\"}");
}

TEST(JsonText, DurationsAsRipgrep) {
  std::string out;
  append_duration(out, 1'000'048'062, false);
  EXPECT_EQ(out, "{\"secs\":1,\"nanos\":48062,\"human\":\"1.000048s\"}");
  out.clear();
  append_duration(out, 3'726'285, true);
  EXPECT_EQ(out, "{\"human\":\"0.003726s\",\"nanos\":3726285,\"secs\":0}");
}

}  // namespace
}  // namespace parfold
