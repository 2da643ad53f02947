#pragma once
// Random text for the lines tests: line lengths from 0 to several times a chunk, with or
// without a final newline, every byte value including NUL, \r and bytes >= 0x80.

#include <cstdint>
#include <random>
#include <string>

namespace parfold::testing_support {

inline std::string random_text(std::uint64_t seed, std::size_t max_line, std::size_t lines,
                               bool final_newline) {
  std::mt19937_64 rng(seed);
  std::string const alphabet = std::string("abc XYZ\t\r\v\f  ,.!\x01\x7f\x80\xc3\xa9\xff") + '\0';
  std::string out;
  for (std::size_t l = 0; l < lines; ++l) {
    std::size_t const len = rng() % (max_line + 1);
    bool const binary = rng() % 4 == 0;
    for (std::size_t i = 0; i < len; ++i) {
      out.push_back(binary ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()]);
    }
    out.push_back('\n');
  }
  if (!final_newline && !out.empty()) out.pop_back();
  return out;
}

/// wc's counts, computed the obvious way: split at separators, keep runs with a
/// printable byte.
struct NaiveCounts {
  std::uint64_t lines = 0, words = 0, bytes = 0;
};
inline NaiveCounts naive_wc(std::string const& text) {
  auto is_sep = [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  NaiveCounts c;
  c.bytes = text.size();
  std::string run;
  auto flush = [&] {
    for (unsigned char ch : run) {
      if (ch >= 0x21 && ch <= 0x7e) {
        ++c.words;
        break;
      }
    }
    run.clear();
  };
  for (char ch : text) {
    if (ch == '\n') ++c.lines;
    if (is_sep(static_cast<unsigned char>(ch))) {
      flush();
    } else {
      run.push_back(ch);
    }
  }
  flush();
  return c;
}

}  // namespace parfold::testing_support
