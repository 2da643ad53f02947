// lines/grep: the literal kernels against string_view::find, Hyperscan against RE2, the word
// list automaton against a naive search.
#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "../../../support/text_gen.hpp"
#include "workloads/lines/grep/matcher.hpp"
#include "workloads/simd/isa.hpp"

namespace parfold {
namespace {

using testing_support::random_text;

using FindKernel = std::size_t (*)(char const*, std::size_t, std::size_t, char const*, std::size_t);

/// One pattern under mode 0 (plain), 1 (-i), 2 (-v), 3 (-w) or 4 (-x).
MatchRules rules(std::string const& pattern, int mode) {
  MatchRules o;
  o.patterns = {pattern};
  o.ignore_case = mode == 1;
  o.invert = mode == 2;
  o.word = mode == 3;
  o.line = mode == 4;
  return o;
}

/// The matcher for `o` with RE2 alone (no Hyperscan), the reference for Hyperscan's.
LineMatcher re2_only(MatchRules const& o) {
  struct Re2Only {  // PARFOLD_REGEX_ENGINE=re2 while the matcher is made
    Re2Only() { ::setenv("PARFOLD_REGEX_ENGINE", "re2", 1); }
    ~Re2Only() { ::unsetenv("PARFOLD_REGEX_ENGINE"); }
  } const only;
  return LineMatcher(o);
}

/// `kernel` finds each needle from several starts where string_view::find does.
void expect_finds_what_string_view_finds(FindKernel kernel) {
  std::string const text =
      random_text(77, 200, 300, true) + "needle" + std::string(40, 'n') + "needl";
  for (std::string const& needle : std::vector<std::string>{
           "ne", "needle", "nn", std::string("\0\x80", 2), "\xc3\xa9x", "zz-no"}) {
    for (std::size_t from : {std::size_t{0}, std::size_t{1}, text.size() / 2, text.size() - 3}) {
      std::size_t const want = std::min(text.find(needle, from), text.size());
      EXPECT_EQ(kernel(text.data(), text.size(), from, needle.data(), needle.size()), want)
          << "needle of " << needle.size() << " bytes from " << from;
    }
  }
}

TEST(LiteralSearch, Sse2KernelFindsWhatStringViewFinds) {
  expect_finds_what_string_view_finds(&detail::find_literal_sse2);
}

TEST(LiteralSearch, Avx2KernelFindsWhatStringViewFinds) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "this CPU has no AVX2";
  expect_finds_what_string_view_finds(&detail::find_literal_avx2);
}

TEST(LiteralSearch, Avx512KernelFindsWhatStringViewFinds) {
  if (simd::kernel_isa() != simd::Isa::avx512)
    GTEST_SKIP() << "AVX-512 kernel not chosen here (no AVX-512 F and BW, or PARFOLD_ISA)";
  expect_finds_what_string_view_finds(&detail::find_literal_avx512);
}

/// The lines a matcher selects in `text`, each as its offset.
std::vector<std::size_t> selected(LineMatcher const& m, std::string_view text) {
  std::vector<std::size_t> out;
  m.for_each_selected(text, [&](std::string_view line) {
    out.push_back(static_cast<std::size_t>(line.data() - text.data()));
  });
  return out;
}

TEST(LineMatcher, HyperscanSelectsTheLinesRe2Selects) {
  std::vector<std::string> const patterns = {"ab",
                                             "a[^b]c",
                                             "(ab|c)+X",
                                             "[[:upper:]]{2}",
                                             "\\bab",
                                             "a.c",
                                             "[^a]{3}$",
                                             "c$",
                                             "^X",
                                             "\\W\\w",
                                             "[[:space:]]a",
                                             "Y|Z|b c",
                                             "[^[:alnum:]]{2,}",
                                             "X[^Y]*Z",
                                             "a\\sb",
                                             "\\S+ \\S+",
                                             "(a|b)(c|X)?Z",
                                             "[a-c]{4}"};
  for (std::string const& pattern : patterns) {
    for (int mode = 0; mode < 5; ++mode) {
      MatchRules const o = rules(pattern, mode);
      LineMatcher const re2 = re2_only(o);
      LineMatcher const hs(o);
      EXPECT_FALSE(re2.scanned());
      // Hyperscan refuses some anchors that -w and -x wrap (^X as a word); a literal has its own
      // search.
      if (pattern != "ab" && mode < 3) {
        EXPECT_TRUE(hs.scanned()) << pattern << " mode " << mode;
      }
      for (std::uint64_t seed = 0; seed < 20; ++seed) {
        std::string const text = random_text(seed, 1 + seed * 7, 50, seed % 2 == 0);
        EXPECT_EQ(selected(hs, text), selected(re2, text))
            << pattern << " mode " << mode << " seed " << seed;
      }
    }
  }
  for (std::string const empty : {"^", "$", "^$", "a*", "x|"}) {  // empty matches: RE2's care
    MatchRules o;
    o.patterns = {empty};
    EXPECT_FALSE(LineMatcher(o).scanned()) << empty;
  }
}

/// Does some word of `words` occur in `line` as LiteralSet says: the obvious way.
bool naive_selects(std::vector<std::string> const& words, std::string const& line, bool fold,
                   LiteralBound bound) {
  auto low = [&](std::string s) {
    for (char& c : s) c = fold && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    return s;
  };
  auto word_byte = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string const l = low(line);
  for (std::string const& w : words) {
    for (std::size_t at = 0; at + w.size() <= l.size(); ++at) {
      if (l.compare(at, w.size(), low(w)) != 0) continue;
      std::size_t const end = at + w.size();
      bool const ok = bound == LiteralBound::none ||
                      (bound == LiteralBound::line ? at == 0 && end == l.size()
                                                   : (at == 0 || !word_byte(l[at - 1])) &&
                                                         (end == l.size() || !word_byte(l[end])));
      if (ok) return true;
    }
  }
  return false;
}

TEST(LiteralSet, SelectsTheLinesANaiveSearchSelects) {
  std::mt19937_64 rng(23);
  std::string const alphabet = "abAB_- .\xe9";
  auto random_string = [&](std::size_t max) {
    std::string s(rng() % (max + 1), ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  for (int round = 0; round < 60; ++round) {
    std::vector<std::string> words;
    for (std::size_t n = 1 + rng() % 12; n > 0; --n) words.push_back(random_string(4));
    std::vector<std::string_view> const views(words.begin(), words.end());
    for (LiteralBound bound : {LiteralBound::none, LiteralBound::word, LiteralBound::line}) {
      for (bool fold : {false, true}) {
        LiteralSet const set(views, fold, bound);
        for (int i = 0; i < 40; ++i) {
          std::string const line = random_string(10);
          EXPECT_EQ(set.selects(line), naive_selects(words, line, fold, bound))
              << "round " << round << " line '" << line << "' bound " << static_cast<int>(bound)
              << " fold " << fold;
        }
      }
    }
  }
}

TEST(LineMatcher, LinesInPiecesCountAsWholeLines) {
  std::mt19937_64 rng(5);
  for (std::string const pattern : {"ab", "a[^b]c", "c$", "^X", "\\bab", "X[^Y]*Z", "^", "a*"}) {
    for (int mode = 0; mode < 5; ++mode) {
      MatchRules const o = rules(pattern, mode);
      LineMatcher const re2 = re2_only(o);  // long lines held whole
      LineMatcher const hs(o);  // long lines in Hyperscan streams where it runs the pattern
      for (std::uint64_t seed = 0; seed < 8; ++seed) {
        std::string const text = random_text(seed, 1 + seed * 41, 20, seed % 2 == 0);
        for (LineMatcher const* m : {&re2, &hs}) {
          std::uint64_t const want = m->count_selected(text);
          for (std::size_t most : {std::size_t{1}, std::size_t{5}, std::size_t{100}}) {
            OpenLine open;
            std::uint64_t got = 0;
            for (std::size_t at = 0; at < text.size();) {  // pieces cut anywhere
              std::string_view const piece = std::string_view(text).substr(at, 1 + rng() % most);
              at += piece.size();
              got += open.count(*m, piece, at == text.size());
            }
            EXPECT_EQ(got, want) << pattern << " mode " << mode << " seed " << seed
                                 << (m == &hs ? " hyperscan" : " re2") << " pieces " << most;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace parfold

namespace parfold {
namespace {

// Back-references select what POSIX's definition selects: ^(.*)(.*)\2\1$ is the lines
// XYYX, found here by trying every X and Y (glibc's regex, and so grep 3.8, selects every
// line after minutes of backtracking).
TEST(LineMatcher, BackReferencesSelectWhatTheirDefinitionSelects) {
  auto xyyx = [](std::string const& s) {
    for (std::size_t x = 0; 2 * x <= s.size(); ++x) {
      std::size_t const y2 = s.size() - 2 * x;
      if (y2 % 2 != 0) continue;
      std::size_t const y = y2 / 2;
      if (s.substr(0, x) == s.substr(x + 2 * y) && s.substr(x, y) == s.substr(x + y, y))
        return true;
    }
    return false;
  };
  MatchRules o;
  o.patterns = {"^(.*)(.*)\\2\\1$"};
  o.syntax = PatternSyntax::extended;
  LineMatcher const m(o);
  EXPECT_TRUE(m.posix_by_pcre());
  std::string text;
  std::vector<std::string> want;
  std::mt19937 gen(11);
  for (int i = 0; i < 3000; ++i) {
    std::string line;
    for (std::size_t n = gen() % 7; n > 0; --n) line += "ab"[gen() % 2];
    text += line + "\n";
    if (xyyx(line)) want.push_back(line);
  }
  std::vector<std::string> got;
  m.for_each_selected(text, [&](std::string_view line) { got.emplace_back(line); });
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace parfold
