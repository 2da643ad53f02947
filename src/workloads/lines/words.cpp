#include "workloads/lines/words.hpp"

#include <array>

namespace parfold {

namespace {

enum : unsigned char { kSep = 1, kPrint = 2, kAlnum = 4 };

constexpr std::array<unsigned char, 256> make_classes() {
  std::array<unsigned char, 256> c{};
  for (int b = 0; b < 256; ++b) {
    unsigned char v = 0;
    if (b == ' ' || (b >= '\t' && b <= '\r')) v |= kSep;
    if (b >= 0x21 && b <= 0x7e) v |= kPrint;
    if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) v |= kAlnum;
    c[static_cast<std::size_t>(b)] = v;
  }
  return c;
}
constexpr auto kClasses = make_classes();

unsigned char cls(char ch) { return kClasses[static_cast<unsigned char>(ch)]; }

void add(std::string_view word, bool fold_case, std::string& scratch, WordCounts& counts) {
  if (fold_case) {
    scratch.assign(word);
    for (char& ch : scratch) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    word = scratch;
  }
  if (auto it = counts.find(word); it != counts.end()) {
    ++it->second;
  } else {
    counts.emplace(std::string(word), 1);
  }
}

}  // namespace

void count_words(std::string_view text, WordRules rules, WordCounts& counts) {
  std::string scratch;
  std::size_t const n = text.size();
  std::size_t i = 0;
  if (rules.alnum) {
    while (i < n) {
      while (i < n && (cls(text[i]) & kAlnum) == 0) ++i;
      std::size_t const start = i;
      while (i < n && (cls(text[i]) & kAlnum) != 0) ++i;
      if (i > start) add(text.substr(start, i - start), rules.fold_case, scratch, counts);
    }
    return;
  }
  while (i < n) {
    while (i < n && (cls(text[i]) & kSep) != 0) ++i;
    std::size_t const start = i;
    bool printable = false;
    while (i < n && (cls(text[i]) & kSep) == 0) {
      printable |= (cls(text[i]) & kPrint) != 0;
      ++i;
    }
    if (printable) add(text.substr(start, i - start), rules.fold_case, scratch, counts);
  }
}

}  // namespace parfold
