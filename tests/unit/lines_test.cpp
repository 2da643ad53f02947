#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <random>
#include <filesystem>
#include <fstream>

#include "../support/text_gen.hpp"
#include "parfold/core/errors.hpp"
#include "workloads/lines/count.hpp"
#include "workloads/lines/files.hpp"
#include "workloads/lines/grep.hpp"
#include "workloads/lines/words.hpp"
#include "workloads/simd/isa.hpp"

namespace parfold {
namespace {

using testing_support::naive_wc;
using testing_support::random_text;

void expect_counts(LineCounts const& got, std::string const& text, std::string const& what) {
  auto const want = naive_wc(text);
  EXPECT_EQ(got.lines, want.lines) << what;
  EXPECT_EQ(got.words, want.words) << what;
  EXPECT_EQ(got.bytes, want.bytes) << what;
}

TEST(LineCount, EveryKernelMatchesTheNaiveCount) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::string const text = random_text(seed, 1 + seed % 150, 1 + seed % 40, seed % 2 == 0);
    expect_counts(count_text(text), text, "count_text seed " + std::to_string(seed));
    bool state = true;
    expect_counts(count_bytes(text, state), text, "count_bytes");
    std::uint64_t const whole = text.size() & ~std::uint64_t{63};
    for (auto* kernel : {&detail::count_blocks_sse2, &detail::count_blocks_avx2, &detail::count_blocks_avx512}) {
      if (kernel == &detail::count_blocks_avx2 && !__builtin_cpu_supports("avx2")) continue;
      if (kernel == &detail::count_blocks_avx512 && simd::kernel_isa() != simd::Isa::avx512) continue;
      bool after_sep = true;
      LineCounts c = kernel(text.data(), whole, after_sep);
      c += count_bytes(std::string_view(text).substr(whole), after_sep);
      expect_counts(c, text, "kernel seed " + std::to_string(seed));
    }
  }
}

TEST(LineCount, WordRulesOfCoreutilsWc) {
  auto words = [](std::string const& s) { return count_text(s).words; };
  EXPECT_EQ(words(std::string("a\x01" "b", 3)), 1U);          // controls join a word
  EXPECT_EQ(words(std::string("\0", 1)), 0U);                   // a lone NUL is no word
  EXPECT_EQ(words("\xc3\xa9"), 0U);                             // nor are bytes >= 0x80 alone
  EXPECT_EQ(words("\xc3\xa9x"), 1U);
  EXPECT_EQ(words("a\rb c\vd\fe\tf"), 6U);
  // O runs across a 64-byte block boundary, after a separator and after a letter.
  std::string s(63, '\x80');
  s[0] = ' ';
  s += "\x80\x80x";
  EXPECT_EQ(words(s), 1U);
  std::string t(63, '\x80');
  t[0] = 'a';
  t += "\x80\x80x";
  EXPECT_EQ(words(t), 1U);
  EXPECT_EQ(words(std::string(200, ' ') + "a"), 1U);
}

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
    bool const in_word = alnum ? std::isalnum(b) != 0 && b < 0x80 : !(b == ' ' || (b >= '\t' && b <= '\r'));
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
    if (round % 7 == 0) text.insert(rng() % (text.size() + 1), std::string(64 + rng() % 100, 'w'));  // a long word
    for (bool alnum : {false, true}) {
      for (bool fold : {false, true}) {
        WordTable table;
        count_words(text, {fold, alnum}, table);
        EXPECT_EQ(table.to_map(), naive_words(text, alnum, fold)) << "round " << round << " alnum " << alnum << " fold " << fold;
      }
    }
  }
}

TEST(LiteralSearch, EveryKernelFindsWhatStringViewFinds) {
  std::string const text = random_text(77, 200, 300, true) + "needle" + std::string(40, 'n') + "needl";
  for (std::string const& needle : std::vector<std::string>{"ne", "needle", "nn", std::string("\0\x80", 2), "\xc3\xa9x", "zz-no"}) {
    for (std::size_t from : {std::size_t{0}, std::size_t{1}, text.size() / 2, text.size() - 3}) {
      std::size_t const want = std::min(text.find(needle, from), text.size());
      EXPECT_EQ(detail::find_literal_sse2(text.data(), text.size(), from, needle.data(), needle.size()), want);
      if (__builtin_cpu_supports("avx2")) {
        EXPECT_EQ(detail::find_literal_avx2(text.data(), text.size(), from, needle.data(), needle.size()), want);
      }
      if (simd::kernel_isa() == simd::Isa::avx512) {
        EXPECT_EQ(detail::find_literal_avx512(text.data(), text.size(), from, needle.data(), needle.size()), want);
      }
    }
  }
}

/// The lines a matcher selects in `text`, each as its offset.
std::vector<std::size_t> selected(LineMatcher const& m, std::string_view text) {
  std::vector<std::size_t> out;
  m.for_each_selected(text, [&](std::string_view line) { out.push_back(static_cast<std::size_t>(line.data() - text.data())); });
  return out;
}

TEST(LineMatcher, HyperscanSelectsTheLinesRe2Selects) {
  std::vector<std::string> const patterns = {"ab", "a[^b]c", "(ab|c)+X", "[[:upper:]]{2}", "\\bab", "a.c", "[^a]{3}$",
                                             "c$", "^X", "\\W\\w", "[[:space:]]a", "Y|Z|b c", "[^[:alnum:]]{2,}",
                                             "X[^Y]*Z", "a\\sb", "\\S+ \\S+", "(a|b)(c|X)?Z", "[a-c]{4}"};
  for (std::string const& pattern : patterns) {
    for (int mode = 0; mode < 5; ++mode) {
      GrepOptions o;
      o.patterns = {pattern};
      o.ignore_case = mode == 1;
      o.invert = mode == 2;
      o.word = mode == 3;
      o.line = mode == 4;
      ::setenv("PARFOLD_REGEX_ENGINE", "re2", 1);
      LineMatcher const re2(o);
      ::unsetenv("PARFOLD_REGEX_ENGINE");
      LineMatcher const hs(o);
      EXPECT_FALSE(re2.scanned());
      // Hyperscan refuses some anchors that -w and -x wrap (^X as a word); a literal has its own search.
      if (pattern != "ab" && mode < 3) {
        EXPECT_TRUE(hs.scanned()) << pattern << " mode " << mode;
      }
      for (std::uint64_t seed = 0; seed < 20; ++seed) {
        std::string const text = random_text(seed, 1 + seed * 7, 50, seed % 2 == 0);
        EXPECT_EQ(selected(hs, text), selected(re2, text)) << pattern << " mode " << mode << " seed " << seed;
      }
    }
  }
  for (std::string const empty : {"^", "$", "^$", "a*", "x|"}) {  // empty matches: RE2's care
    GrepOptions o;
    o.patterns = {empty};
    EXPECT_FALSE(LineMatcher(o).scanned()) << empty;
  }
}

class TempFiles {
 public:
  TempFiles() : dir_(std::filesystem::temp_directory_path() / ("parfold-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~TempFiles() { std::filesystem::remove_all(dir_); }
  std::string add(std::string const& name, std::string const& content) {
    auto const path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

 private:
  std::filesystem::path dir_;
};

/// The files' bytes rebuilt from for_each_lines over chunks of `chunk` bytes, checking that
/// each span starts a line, continues where the last ended and is what the file holds.
std::vector<std::string> rebuild(LineFiles const& files, std::uint64_t chunk) {
  std::vector<std::string> rebuilt(files.files().size());
  for (std::uint64_t a = 0; a < files.total(); a += chunk) {
    files.for_each_lines({a, std::min(files.total(), a + chunk)}, [&](std::size_t f, std::string_view lines, std::uint64_t at) {
      std::string_view const data = files.bytes(f);
      auto const begin = static_cast<std::size_t>(at);
      EXPECT_EQ(lines, data.substr(begin, lines.size()));
      EXPECT_TRUE(begin == 0 || data[begin - 1] == '\n') << "span starts mid-line";
      EXPECT_EQ(begin, rebuilt[f].size()) << "gap or overlap in file " << f;
      rebuilt[f] += lines;
    });
  }
  return rebuilt;
}

TEST(LineFiles, ChunksOwnEveryLineExactlyOnce) {
  TempFiles tmp;
  std::vector<std::string> texts = {random_text(1, 30, 20, true), "", random_text(2, 100, 5, false),
                                    "\n\n\n", "x", random_text(3, 7, 50, true)};
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i) paths.push_back(tmp.add("f" + std::to_string(i), texts[i]));
  LineFiles const files(paths);
  std::uint64_t total = 0;
  for (auto const& t : texts) total += t.size();
  ASSERT_EQ(files.total(), total);
  for (std::uint64_t chunk : {1, 2, 3, 7, 64, 1000, 100000}) {
    EXPECT_EQ(rebuild(files, chunk), texts) << "chunk " << chunk;
  }
}

TEST(LineFiles, LinesLongerThanTheReadBufferComeWhole) {
  TempFiles tmp;
  std::size_t const window = LineFiles::kReadBytes;
  std::vector<std::string> const texts = {
      random_text(4, 3000, 200, true) + std::string(3 * window + 5, 'x') + "\n" + random_text(5, 500, 90, false),
      std::string(window, 'y') + "\n" + std::string(window - 1, 'z') + "\n",  // lines ending at the buffer's edge
      std::string(2 * window + 1, 'w')};                                    // one line, no '\n'
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i) paths.push_back(tmp.add("g" + std::to_string(i), texts[i]));
  LineFiles const files(paths);
  for (std::uint64_t chunk : {std::uint64_t{4099}, std::uint64_t{window - 1}, std::uint64_t{window + 1},
                              std::uint64_t{1} << 20, files.total()}) {
    EXPECT_EQ(rebuild(files, chunk), texts) << "chunk " << chunk;
  }
}

TEST(LineFiles, BadInputNamesTheFile) {
  TempFiles tmp;
  auto const ok = tmp.add("ok", "a\n");
  auto message = [](std::vector<std::string> const& paths) {
    try {
      LineFiles const f(paths);
    } catch (UsageError const& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message({ok, "/nonexistent/x"}), "/nonexistent/x: No such file or directory");
  EXPECT_EQ(message({"/tmp"}), "/tmp: Is a directory");
  EXPECT_EQ(message({ok}), "accepted");
}

}  // namespace
}  // namespace parfold
