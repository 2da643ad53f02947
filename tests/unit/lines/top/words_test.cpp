// lines/top: the word tables against the definition of a word, byte by byte.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>

#include "../../../support/text_gen.hpp"
#include "workloads/lines/top/words.hpp"

namespace parfold {
namespace {

using testing_support::random_text;

/// The words of `text` by their definition, one byte at a time: wc's (maximal runs of
/// bytes other than space and \t-\r holding a byte 0x21-0x7e) or, with `alnum`, maximal
/// runs of [A-Za-z0-9]; with `fold`, ASCII upper case counted as lower case.
WordCounts naive_words(std::string const& text, bool alnum, bool fold) {
  WordCounts out;
  std::string word;
  bool printable = false;
  auto flush = [&] {
    if (!word.empty() && (printable || alnum)) ++out[word];
    word.clear();
    printable = false;
  };
  for (char c : text) {
    auto const b = static_cast<unsigned char>(c);
    bool const in_word =
        alnum ? std::isalnum(b) != 0 && b < 0x80 : !(b == ' ' || (b >= '\t' && b <= '\r'));
    if (!in_word) {
      flush();
      continue;
    }
    word += fold && b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : c;
    printable = printable || (b >= 0x21 && b <= 0x7e);
  }
  flush();
  return out;
}

TEST(WordCount, BlocksOf64BytesFindTheWordsOfTheDefinition) {
  std::string const palette("  \t\n\v\f\raBzZ09_!~\x00\x01\x1f\x7f\x80\xc3\xff", 23);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 600; ++round) {
    std::string text(rng() % 300, ' ');
    for (char& c : text) c = palette[rng() % palette.size()];
    if (round % 7 == 0)
      text.insert(rng() % (text.size() + 1), std::string(64 + rng() % 100, 'w'));  // a long word
    for (bool alnum : {false, true}) {
      for (bool fold : {false, true}) {
        WordTable table;
        count_words(text, {fold, alnum}, table);
        EXPECT_EQ(table.to_map(), naive_words(text, alnum, fold))
            << "round " << round << " alnum " << alnum << " fold " << fold;
      }
    }
  }
}

TEST(WordCount, PiecesCountTheWordsOfTheWholeText) {
  std::string const palette("  \t\n\v\f\raBzZ09_!~\x00\x01\x1f\x7f\x80\xc3\xff", 23);
  std::mt19937_64 rng(9);
  for (int round = 0; round < 200; ++round) {
    std::string text(rng() % 400, ' ');
    for (char& c : text) c = palette[rng() % palette.size()];
    if (round % 5 == 0)
      text.insert(rng() % (text.size() + 1), std::string(64 + rng() % 300, 'W'));  // a long word
    for (bool alnum : {false, true}) {
      for (bool fold : {false, true}) {
        WordTable whole, pieces;
        count_words(text, {fold, alnum}, whole);
        WordCarry carry;
        for (std::size_t at = 0; at < text.size();) {  // pieces cut anywhere, 1 to 130 bytes
          std::string_view const piece = std::string_view(text).substr(at, 1 + rng() % 130);
          at += piece.size();
          count_words(piece, {fold, alnum}, pieces, carry, at < text.size());
        }
        EXPECT_EQ(pieces.to_map(), whole.to_map())
            << "round " << round << " alnum " << alnum << " fold " << fold;
        EXPECT_EQ(whole.to_map(), naive_words(text, alnum, fold));
      }
    }
  }
}

TEST(WordCount, AWordLongerThanTheLongestCountsAsItsFirstBytes) {
  std::string const first = std::string(kLongestWord + 10, 'y') + "A";
  std::string const second =
      std::string(kLongestWord, 'y') + "\x01B";  // alike for kLongestWord bytes
  std::string const text =
      "x " + first + "\n" + second + " x\n" + std::string(kLongestWord - 1, 'y');
  WordCounts const want = {
      {std::string(kLongestWord, 'y'), 2}, {std::string(kLongestWord - 1, 'y'), 1}, {"x", 2}};
  WordTable whole, pieces;
  count_words(text, {}, whole);
  EXPECT_EQ(whole.to_map(), want);
  WordCarry carry;
  for (std::size_t at = 0; at < text.size(); at += 1000)
    count_words(std::string_view(text).substr(at, 1000), {}, pieces, carry,
                at + 1000 < text.size());
  EXPECT_EQ(pieces.to_map(), want);
  EXPECT_TRUE(is_word(std::string(kLongestWord, '\x01'), {}));  // the start of a longer word
  EXPECT_FALSE(is_word(std::string(kLongestWord - 1, '\x01'), {}));
  EXPECT_FALSE(is_word("a b", {}));
  EXPECT_FALSE(is_word("Ab", {true, false}));
}

}  // namespace
}  // namespace parfold
