// PCRE2 over a window of lines against the truth grep -P defines: each line matched
// alone. The window's search may only ever save work, never change a line's answer.
#include "workloads/lines/grep/pcre_lines.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace parfold {
namespace {

std::vector<std::string> lines_alone(PcreLines const& p, std::string const& text, bool invert) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view const line(text.data() + at, end - at);
    if (p.selects(line) != invert) out.emplace_back(line);
    at = end + 1;
  }
  return out;
}

std::vector<std::string> lines_by_window(PcreLines const& p, std::string const& text, bool invert) {
  std::vector<std::string> out;
  auto take = [&](std::string_view line) { out.emplace_back(line); };
  p.for_each(text, invert, take);
  return out;
}

TEST(PcreLines, WindowUseReadsThePatternConservatively) {
  EXPECT_EQ(window_use("a+b"), WindowUse::exact);
  EXPECT_EQ(window_use("(\\w+) \\1"), WindowUse::exact);
  EXPECT_EQ(window_use("(?i)ab|(?:cd)"), WindowUse::exact);
  EXPECT_EQ(window_use("(?<=a)b"), WindowUse::verify);
  EXPECT_EQ(window_use("b(?=a)"), WindowUse::verify);
  for (char const* never : {"(?<!a)b",
                            "b(?!a)",
                            "\\Ab",
                            "b\\z",
                            "b\\Z",
                            "\\Gb",
                            "(?>a+)b",
                            "a*+b",
                            "a++",
                            "a?+",
                            "a{2}+",
                            "(*SKIP)a",
                            "(?(1)a|b)",
                            "(a(?1)?b)",
                            "(?R)",
                            "(?m)^a",
                            "(?x)a +",
                            "\\Qa\\E",
                            "(?&n)",
                            "a\\s*\\K",
                            "(?^)^b",
                            "(?#[)(?<!\\s)a",
                            "x(?=(\\s*))\\1$",
                            "\\c[(?!a)",
                            "\\R$",
                            "a\\X$"}) {
    EXPECT_EQ(window_use(never), WindowUse::never) << never;
  }
  EXPECT_EQ(window_use("(?<*\\s)a"), WindowUse::verify);  // a non-atomic look-behind
  EXPECT_EQ(window_use("(?<n>a)\\k<n>"), WindowUse::exact);
  EXPECT_EQ(window_use("(?# comment )a"), WindowUse::exact);
  EXPECT_EQ(window_use("[(?!]x"), WindowUse::exact);  // inside a class: characters
  EXPECT_EQ(window_use("\\(?!x"), WindowUse::exact);  // an escaped ( made optional, then !x
}

TEST(PcreLines, AWindowSelectsWhatEachLineAloneSelects) {
  // Look-arounds that see across a line end, matches that could span one, anchors,
  // back-references, empty matches, possessive and atomic parts.
  std::vector<std::string> const patterns = {"(?<=\\s)b",
                                             "(?<!\\n)b",
                                             "b(?=\\s)",
                                             "b(?!\\s)",
                                             "a\\sb",
                                             "a[^x]*b",
                                             "^b",
                                             "a$",
                                             "\\Ab",
                                             "b\\z",
                                             "(a)\\1",
                                             "(?<=a)$",
                                             "^$",
                                             "x*",
                                             "a\\s*+$",
                                             "(?>a\\s*)$",
                                             "(?s)a.b",
                                             "\\bb",
                                             "(?<=^)a",
                                             "a\\s*\\K",
                                             "(?^)^b",
                                             "(?<*\\s)a",
                                             "(?#[)(?<!\\s)a",
                                             "x(?=(\\s*))\\1$",
                                             "(?=(\\s*))\\1b",
                                             "\\R$",
                                             "a\\X$",
                                             "(*CR)a$",
                                             "(*CR)^b",
                                             "x(?=(\\s?))\\1$"};
  std::mt19937 gen(7);
  std::string const alphabet = "ab x\r\n\n";
  for (int round = 0; round < 40; ++round) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += alphabet[gen() % alphabet.size()];
    if (round % 2 == 0) text += '\n';
    for (std::string const& pattern : patterns) {
      PcreLines const p(pattern, "", false);
      for (bool invert : {false, true}) {
        EXPECT_EQ(lines_by_window(p, text, invert), lines_alone(p, text, invert))
            << pattern << (invert ? " -v" : "") << " on " << testing::PrintToString(text);
      }
    }
  }
}

TEST(PcreLines, AFilterFindsTheCandidatesOfBoundedPatterns) {
  // grep -P -w: the bounds are negative look-arounds; the unbounded pattern finds the lines.
  PcreLines const p("(?<!\\w)(?:ab)(?!\\w)", "ab", false);
  std::string const text = "xab\nab\nab-c\ncabd\n-ab\n";
  EXPECT_EQ(lines_by_window(p, text, false), (std::vector<std::string>{"ab", "ab-c", "-ab"}));
  EXPECT_EQ(lines_by_window(p, text, false), lines_alone(p, text, false));
}

}  // namespace
}  // namespace parfold
