// Pattern in, pattern out: what to_re2 writes for grep's regular expressions, one rule of
// GNU grep 3.8 (C locale) or POSIX per test. Each expected RE2 string was written by hand
// from grep's manual, POSIX and RE2's syntax, in pattern.cpp's spelling: every branch and
// every repeated atom in a group, a group of an ERE or \(...\) of a BRE as "((...))", a
// byte other than a letter, digit or _ as \xHH, a bracket expression as a class of byte
// ranges without '\n'. As a second check each output is compiled with RE2 as LineMatcher
// compiles it, and must select the lines LC_ALL=C grep selects (`hits`) and no others of
// `misses` (each was checked against /usr/bin/grep 3.8).

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <exception>
#include <string>
#include <vector>

#include "parfold/core/errors.hpp"
#include "workloads/lines/grep/pattern.hpp"

namespace parfold {
namespace {

using namespace std::string_literals;  // "a\0b"s keeps its NUL

constexpr PatternSyntax E = PatternSyntax::extended;
constexpr PatternSyntax G = PatternSyntax::basic;
constexpr PatternSyntax F = PatternSyntax::fixed;

/// One pattern (of one syntax) and the RE2 regex it must become.
struct Case {
  std::string pattern;
  PatternSyntax syntax;
  std::string re2;
  std::vector<std::string> hits;    ///< lines grep selects with the pattern
  std::vector<std::string> misses;  ///< lines it does not
  bool ignore_case = false;
};

/// A pattern that to_re2 refuses, and what its message must say.
struct Refusal {
  std::string pattern;
  PatternSyntax syntax;
  std::string message;
};

std::string describe(std::string const& pattern, PatternSyntax syntax, bool ignore_case) {
  char const* flag = syntax == E ? " (-E" : syntax == G ? " (-G" : " (-F";
  return testing::PrintToString(pattern) + flag + (ignore_case ? " -i)" : ")");
}

/// RE2 as LineMatcher (matcher.cpp) compiles the translation.
RE2::Options grep_options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_posix_syntax(true);
  o.set_longest_match(true);
  o.set_one_line(false);
  o.set_never_nl(true);
  o.set_word_boundary(true);
  o.set_case_sensitive(true);
  o.set_log_errors(false);
  return o;
}

void expect_translations(std::vector<Case> const& cases) {
  for (Case const& c : cases) {
    SCOPED_TRACE(describe(c.pattern, c.syntax, c.ignore_case));
    std::string got;
    try {
      got = to_re2(c.pattern, c.syntax, c.ignore_case);
    } catch (std::exception const& e) {
      ADD_FAILURE() << "threw: " << e.what();
      continue;
    }
    EXPECT_EQ(got, c.re2);
    RE2 const re(got, grep_options());
    if (!re.ok()) {
      ADD_FAILURE() << "RE2 refuses " << got << ": " << re.error();
      continue;
    }
    for (std::string const& line : c.hits) {
      EXPECT_TRUE(RE2::PartialMatch(line, re)) << "must select " << testing::PrintToString(line);
    }
    for (std::string const& line : c.misses) {
      EXPECT_FALSE(RE2::PartialMatch(line, re))
          << "must not select " << testing::PrintToString(line);
    }
  }
}

void expect_refusals(std::vector<Refusal> const& refusals) {
  for (Refusal const& r : refusals) {
    SCOPED_TRACE(describe(r.pattern, r.syntax, false));
    try {
      std::string const got = to_re2(r.pattern, r.syntax, false);
      ADD_FAILURE() << "no UsageError; wrote " << got;
    } catch (UsageError const& e) {
      EXPECT_NE(std::string(e.what()).find(r.message), std::string::npos)
          << "message: " << e.what() << "\nwanted: " << r.message;
    }
  }
}

// A BRE's operators are the backslashed \( \) \{m,n\} \| \+ \? (GNU extensions: \| \+ \?).
TEST(Pattern, BasicOperatorsAreBackslashed) {
  expect_translations({
      {R"(a\(b\)c)", G, R"((a((b))c))", {"abc"}, {"a(b)c", "ac"}},
      {R"(a\{2,3\})", G, R"(((a){2,3}))", {"aa", "xaaay"}, {"a", "a{2,3}"}},
      {R"(a\|b)", G, R"((a)|(b))", {"a", "b"}, {"c", "|"}},
      {R"(a\+)", G, R"(((a)+))", {"a", "aaa"}, {"+", "b"}},
      {R"(ab\?c)", G, R"((a(b)?c))", {"ac", "abc"}, {"ab?c", "abbc"}},
      {R"(\(ab\)*c)", G, R"(((((ab)))*c))", {"c", "ababc"}, {"ab", "x"}},
  });
}

// In a BRE, + ? { } | ( ) are ordinary characters.
TEST(Pattern, BasicTakesExtendedOperatorsLiterally) {
  expect_translations({
      {"a+?{|()", G, R"((a\x2b\x3f\x7b\x7c\x28\x29))", {"a+?{|()"}, {"a", "aa"}},
      {"a{2}", G, R"((a\x7b2\x7d))", {"a{2}"}, {"aa"}},
      {"(a|b)", G, R"((\x28a\x7cb\x29))", {"(a|b)"}, {"a", "b"}},
  });
}

// An ERE's operators are bare; backslashed, they are the characters themselves.
TEST(Pattern, ExtendedOperatorsAreBare) {
  expect_translations({
      {"(a|b)c", E, R"((((a)|(b))c))", {"ac", "bc"}, {"c", "(a|b)c"}},
      {"a{2,3}", E, R"(((a){2,3}))", {"aa"}, {"a", "a{2,3}"}},
      {"a+b?", E, R"(((a)+(b)?))", {"a", "aab"}, {"b", "+?"}},
      {R"(a\(b\)\|)", E, R"((a\x28b\x29\x7c))", {"a(b)|"}, {"ab", "a"}},
      {R"(a\{2\}\+\?)", E, R"((a\x7b2\x7d\x2b\x3f))", {"a{2}+?"}, {"aa", "a"}},
  });
}

// A * with nothing before it is literal in a BRE (at the start, after \(, \| or ^); an ERE
// drops a repetition there, as grep does (with a warning).
TEST(Pattern, LeadingStar) {
  expect_translations({
      {"*a", G, R"((\x2aa))", {"*a"}, {"a"}},
      {R"(\(*a\))", G, R"((((\x2aa))))", {"*a"}, {"a"}},
      {R"(x\|*a)", G, R"((x)|(\x2aa))", {"*a", "x"}, {"a"}},
      {"^*a", G, R"((^\x2aa))", {"*a"}, {"a", "b*a"}},
      {R"(\+a)", G, R"((\x2ba))", {"+a"}, {"a"}},
      {"*a", E, "(a)", {"a", "*a"}, {"b", "*"}},
      {"(*a)", E, "(((a)))", {"a"}, {"*"}},
      {"x|*a", E, "(x)|(a)", {"a", "x"}, {"*"}},
      {"+a", E, "(a)", {"a"}, {"+"}},
      {"{2}a", E, "(a)", {"a"}, {"{2}"}},
  });
}

// Intervals: {,n} is {0,n} and {,} is *; an ERE { that starts no valid interval is
// itself, and so is a BRE \{ with nothing before it.
TEST(Pattern, Intervals) {
  expect_translations({
      {"ba{,2}c", E, "(b(a){0,2}c)", {"bc", "baac"}, {"baaac"}},
      {R"(ba\{,2\}c)", G, "(b(a){0,2}c)", {"bc", "baac"}, {"baaac"}},
      {"a{2,}", E, "((a){2,})", {"aa"}, {"a"}},
      {"ba{,}c", E, "(b(a){0,}c)", {"bc", "baaac"}, {"b-c"}},
      {"a{1000}", E, "((a){1000})", {std::string(1000, 'a')}, {std::string(999, 'a')}},
      {R"(a\{2\}\{2\})", G, "(((a){2}){2})", {"aaaa"}, {"aaa"}},
      {"a{x}", E, R"((a\x7bx\x7d))", {"a{x}"}, {"a"}},
      {"a{1", E, R"((a\x7b1))", {"a{1"}, {"a"}},
      {R"(\{1\}a)", G, R"((\x7b1\x7da))", {"{1}a"}, {"a"}},
  });
}

// grep's own interval errors, and counts RE2 cannot run (above 1000), refused by name.
TEST(Pattern, RefusesBadIntervals) {
  expect_refusals({
      {"a{2,1}", E, R"(Invalid content of \{\})"},
      {"a{}", E, R"(Invalid content of \{\})"},
      {R"(a\{x\})", G, R"(Invalid content of \{\})"},
      {R"(a\{1)", G, R"(Unmatched \{)"},
      {"a{32768}", E, "Regular expression too big"},
      {"a{1001}", E, "repetition count above 1000"},
      {R"(a\{0,1001\})", G, "repetition count above 1000"},
  });
}

// Bracket expressions: a leading ] (after an optional ^) and a first or last - are
// members; [:class:], [=x=] and [.x.] are the C locale's bytes.
TEST(Pattern, BracketExpressions) {
  expect_translations({
      {"[]a]", E, R"(([\x5d\x61]))", {"]", "a"}, {"b", "["}},
      {"[^]a]", E, R"(([\x00-\x09\x0b-\x5c\x5e-\x60\x62-\xff]))", {"b", "\\"}, {"]", "a", "]a"}},
      {"[a-]", E, R"(([\x2d\x61]))", {"-", "a"}, {"b"}},
      {"[]-a]", E, R"(([\x5d-\x61]))", {"^", "_"}, {"-", "b"}},
      {"[[:alpha:]]", G, R"(([\x41-\x5a\x61-\x7a]))", {"Q"}, {"1", "_"}},
      {"[[:digit:][:space:]]", E, R"(([\x09\x0b-\x0d\x20\x30-\x39]))", {"5", " "}, {"a"}},
      {"[[=a=]b]", E, R"(([\x61-\x62]))", {"a", "b"}, {"=", "c"}},
      {"[[.a.]-c]", E, R"(([\x61-\x63]))", {"b"}, {".", "d"}},
      {"[[.].]]", E, R"(([\x5d]))", {"]"}, {"."}},
      {"[:a]", E, R"(([\x3a\x61]))", {":"}, {"b"}},
  });
}

// Inside brackets \ . * $ ^ (not first) and [ are ordinary bytes, where RE2 reads escapes.
TEST(Pattern, BracketMetacharacters) {
  expect_translations({
      {R"([\])", E, R"(([\x5c]))", {"\\"}, {"]"}},
      {R"([a\-z])", E, R"(([\x5c-\x7a]))", {"\\", "_", "m"}, {"-", "A"}},
      {R"([\n])", G, R"(([\x5c\x6e]))", {"n", "\\"}, {"x"}},
      {"[.*$]", E, R"(([\x24\x2a\x2e]))", {".", "*", "$"}, {"a"}},
      {"[^^]", E, R"(([\x00-\x09\x0b-\x5d\x5f-\xff]))", {"a"}, {"^", "^^"}},
      {"[[]", E, R"(([\x5b]))", {"["}, {"]"}},
  });
}

// grep's errors for bracket expressions, in its words.
TEST(Pattern, RefusesBadBrackets) {
  expect_refusals({
      {"[a", E, "Unmatched [, [^, [:, [., or [="},
      {"[[:alpha:]", G, "Unmatched [, [^, [:, [., or [="},
      {"[[:foo:]]", E, "Invalid character class name"},
      {"[z-a]", E, "Invalid range end"},
      {"[[=ab=]]", E, "Invalid collation character"},
      {"[:space:]", E, "character class syntax is [[:space:]], not [:space:]"},
      {"[^:a:]", G, "character class syntax is [[:space:]], not [:space:]"},
      // A range's end cannot start another; a class cannot bound one (glibc's regex).
      {"a[1-3-5]c", E, "Invalid range end"},
      {"[[:alpha:]-z]", G, "Invalid range end"},
      {"[0-[:alpha:]]", E, "Invalid range end"},
      // After a dropped leading *, + or ?, a ) is a character: the ( is left open.
      {"(*)b", E, "Unmatched ( or \\("},
      {"(a|+)", E, "Unmatched ( or \\("},
  });
  // What grep accepts of the same families: [x-] and [--3], [:...:] with only colons, or
  // with a class or range in it, a ) after a dropped {n}, or a second ).
  expect_translations({
      {"[1-3-]", E, R"(([\x2d\x31-\x33]))", {"-", "2"}, {"4"}},
      {"[--3]", E, R"(([\x2d-\x33]))", {"-", "/", "3"}, {"4"}},
      {"[::]", E, R"(([\x3a]))", {":"}, {"a"}},
      {"[:spac-e:]", E, R"(([\x3a\x61\x63-\x65\x70\x73]))", {"d", ":"}, {"b"}},
      {"(*))b", E, R"(((())\x29b))", {")b"}, {"b"}},
      {"^*b", E, R"(((^)*b))", {"b", "xb"}, {"x"}},
      {"(a|{1})", E, "(((a)|()))", {"a", ""}, {}},
  });
}

// GNU escapes: \w \W \s \S are classes of the C locale, \b \B \< \> word boundaries,
// \` \' the ends of the line; any other escaped character is itself.
TEST(Pattern, Escapes) {
  expect_translations({
      {R"(\w)", E, R"(([\x30-\x39\x41-\x5a\x5f\x61-\x7a]))", {"_", "7"}, {"-", " "}},
      {R"(\W)", E, R"(([\x00-\x09\x0b-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xff]))", {"-"}, {"a_1"}},
      {R"(\s)", E, R"(([\x09\x0b-\x0d\x20]))", {"a b", "\t"}, {"ab"}},
      {R"(\S)", G, R"(([\x00-\x08\x0e-\x1f\x21-\xff]))", {" x"}, {" ", "\t"}},
      {R"(\w\+)", G, R"((([\x30-\x39\x41-\x5a\x5f\x61-\x7a])+))", {"a"}, {"-"}},
      {R"(a\b)", E, R"((a\b))", {"a", "a-"}, {"ab"}},
      {R"(a\Bb)", G, R"((a\Bb))", {"ab"}, {"a b"}},
      {R"(\<ab)", E, R"((\bab))", {"ab", "x ab"}, {"xab"}},
      {R"(ab\>)", G, R"((ab\b))", {"ab", "ab-"}, {"abc"}},
      {R"(\`ab)", E, "(^ab)", {"ab"}, {"xab"}},
      {R"(ab\')", G, "(ab$)", {"xab"}, {"abx"}},
      {R"(\.)", G, R"((\x2e))", {"."}, {"a"}},
      {R"(\d)", E, "(d)", {"d"}, {"1"}},
  });
}

// A trailing \ is grep's error; \< and \> that RE2's \b cannot express are refused by name.
TEST(Pattern, RefusesBadEscapes) {
  expect_refusals({
      {R"(a\)", E, "Trailing backslash"},
      {R"(\<-)", E, R"(\< before anything but a letter, digit or _)"},
      {R"(\<)", G, R"(\< before anything but a letter, digit or _)"},
      {R"(-\>)", E, R"(\> after anything but a letter, digit or _)"},
  });
}

// An ERE's ^ and $ are anchors anywhere (a^b matches nothing); a BRE's only at the start or
// end of the pattern, of \( \) and of \| branches, and ordinary characters elsewhere.
TEST(Pattern, AnchorsInTheMiddle) {
  expect_translations({
      {"a^b", G, R"((a\x5eb))", {"a^b"}, {"ab", "b"}},
      {"a^b", E, "(a^b)", {}, {"a^b", "ab"}},
      {"a$b", G, R"((a\x24b))", {"a$b"}, {"ab"}},
      {"a$b", E, "(a$b)", {}, {"a$b", "ab"}},
      {"^^a", G, R"((^\x5ea))", {"^a"}, {"a", "x^a"}},
      {"^^a", E, "(^^a)", {"a"}, {"^a"}},
      {R"(x\|^a)", G, "(x)|(^a)", {"ab"}, {"ba"}},
      {R"(\(a$\))", G, "(((a$)))", {"ba"}, {"ab"}},
      {R"(a$\|b)", G, "(a$)|(b)", {"xa"}, {"a$"}},
  });
}

// -F: every byte is itself, with no group around the string.
TEST(Pattern, FixedStrings) {
  expect_translations({
      {"a.b*[c]", F, R"(a\x2eb\x2a\x5bc\x5d)", {"a.b*[c]"}, {"axb*[c]", "a.bb[c]"}},
      {R"(\(d)$^)", F, R"(\x5c\x28d\x29\x24\x5e)", {R"(x\(d)$^)"}, {"(d)", R"(\(d))"}},
      {"{1}|+", F, R"(\x7b1\x7d\x7c\x2b)", {"{1}|+"}, {"1"}},
      {"", F, "", {"", "x"}, {}},
      {"a.B", F, R"([aA]\x2e[bB])", {"A.b"}, {"axb"}, true},
  });
}

// -i in the C locale folds the ASCII letters only, in literals, ranges and classes.
TEST(Pattern, IgnoreCaseFoldsAsciiOnly) {
  expect_translations({
      {"ab_1", E, "([aA][bB]_1)", {"AB_1", "aB_1"}, {"ab-1"}, true},
      {"a[b-c]x", E, R"(([aA][\x42-\x43\x62-\x63][xX]))", {"ACX"}, {"adx"}, true},
      {"[[:upper:]]", G, R"(([\x41-\x5a\x61-\x7a]))", {"q"}, {"1"}, true},
      {"[^a]", E, R"(([\x00-\x09\x0b-\x40\x42-\x60\x62-\xff]))", {"b"}, {"A", "aA"}, true},
      {"\xc3\x89", G, R"((\xc3\x89))", {"\xc3\x89"}, {"\xc3\xa9"}, true},  // É in UTF-8
      {"\xe9", E, R"((\xe9))", {"\xe9"}, {"\xc9", "e"}, true},             // é in Latin-1
  });
}

// An unmatched ) is an ordinary character in an ERE (and ( and ) always are in a BRE).
TEST(Pattern, UnmatchedCloseIsLiteralInExtended) {
  expect_translations({
      {"a)", E, R"((a\x29))", {"a)"}, {"a"}},
      {")", E, R"((\x29))", {")"}, {"("}},
      {"(a))", E, R"((((a))\x29))", {"a)"}, {"a"}},
      {"a|)", E, R"((a)|(\x29))", {")"}, {"b"}},
      {"(a", G, R"((\x28a))", {"(a"}, {"a"}},
      {"a)", G, R"((a\x29))", {"a)"}, {"a"}},
  });
}

// An unmatched ( or \( is grep's error, and so is a BRE's unmatched \).
TEST(Pattern, RefusesUnmatchedParentheses) {
  expect_refusals({
      {"(a", E, R"(Unmatched ( or \()"},
      {"((a)", E, R"(Unmatched ( or \()"},
      {"a)b(", E, R"(Unmatched ( or \()"},
      {R"(\(a)", G, R"(Unmatched ( or \()"},
      {R"(\(\(a\))", G, R"(Unmatched ( or \()"},
      {R"(a\))", G, R"(Unmatched ) or \))"},
  });
}

// Back-references need backtracking: RE2 has none, so they are refused by name.
TEST(Pattern, RefusesBackReferences) {
  expect_refusals({
      {R"((a)\1)", E, "back-reference"},
      {R"(\(a\)\1)", G, "back-reference"},
      {R"(\(a\)\(b\)\2)", G, "back-reference"},
  });
}

// An empty pattern, branch or group matches the empty string: every line.
TEST(Pattern, EmptyAlternatives) {
  expect_translations({
      {"", E, "()", {"", "x"}, {}},
      {"a|", E, "(a)|()", {"", "x"}, {}},
      {"|a", E, "()|(a)", {"x"}, {}},
      {"a||b", E, "(a)|()|(b)", {"x"}, {}},
      {"(|a)b", E, "((()|(a))b)", {"b", "ab"}, {"a"}},
      {R"(a\|)", G, "(a)|()", {"x"}, {}},
      {"a|", G, R"((a\x7c))", {"a|"}, {"a"}},
  });
}

// A pattern is bytes: NUL and bytes >= 0x80 are ordinary characters, in and out of brackets.
TEST(Pattern, NulAndHighBytes) {
  expect_translations({
      {"a\0b"s, E, R"((a\x00b))", {"a\0b"s}, {"ab", "a0b"}},
      {"a\0*b"s, G, R"((a(\x00)*b))", {"ab", "a\0\0b"s}, {"a0b"}},
      {"[^\0]"s, E, R"(([\x01-\x09\x0b-\xff]))", {"x\0"s}, {"\0"s, ""}},
      {"a\0b"s, F, R"(a\x00b)", {"a\0b"s}, {"ab"}},
      {"\xe9", E, R"((\xe9))", {"\xe9"}, {"\xc9", "e"}},
      {"[\xe0-\xef]x", E, R"(([\xe0-\xef]x))", {"\xe9x"}, {"\xdfx"}},
      {"a.x", E, "(a.x)", {"a\xffx", "a\0x"s}, {"ax"}},
      {"\xc3\xa9", F, R"(\xc3\xa9)", {"caf\xc3\xa9"}, {"cafe"}},
  });
}

}  // namespace
}  // namespace parfold
