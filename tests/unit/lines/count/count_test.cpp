// lines/count: every counting kernel against a byte-at-a-time count of wc's definitions.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "../../../support/text_gen.hpp"
#include "workloads/lines/count/count.hpp"
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

using BlockKernel = LineCounts (*)(char const*, std::uint64_t, bool&);

/// `kernel` over the whole 64-byte blocks of 200 random texts, the rest byte by byte.
void expect_kernel_counts(BlockKernel kernel) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::string const text = random_text(seed, 1 + seed % 150, 1 + seed % 40, seed % 2 == 0);
    std::uint64_t const whole = text.size() & ~std::uint64_t{63};
    bool after_sep = true;
    LineCounts c = kernel(text.data(), whole, after_sep);
    c += count_bytes(std::string_view(text).substr(whole), after_sep);
    expect_counts(c, text, "kernel seed " + std::to_string(seed));
  }
}

using NewlineKernel = std::uint64_t (*)(char const*, std::uint64_t);

/// `kernel` (wc -l alone) over the whole 64-byte blocks of 200 random texts from every
/// start in their first 64 bytes (loads at every alignment: the kernels load unaligned), the
/// rest byte by byte, and count_newlines over all of each, against the naive count.
void expect_newline_counts(NewlineKernel kernel) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::string const text = random_text(seed, 1 + seed % 150, 1 + seed % 40, seed % 2 == 0);
    for (std::size_t at = 0; at < std::min<std::size_t>(64, text.size()); ++at) {
      std::string const rest = text.substr(at);
      std::uint64_t const whole = rest.size() & ~std::uint64_t{63};
      std::uint64_t const got = kernel(rest.data(), whole) + naive_wc(rest.substr(whole)).lines;
      EXPECT_EQ(got, naive_wc(rest).lines) << "seed " << seed << " from byte " << at;
    }
    EXPECT_EQ(count_newlines(text), naive_wc(text).lines) << "seed " << seed;
  }
  std::string const lines(200, '\n');  // every byte a newline
  EXPECT_EQ(kernel(lines.data(), 192), 192U);
}

TEST(LineCount, NewlineKernelsMatchTheNaiveCount) {
  expect_newline_counts(&detail::count_newlines_sse2);
  if (__builtin_cpu_supports("avx2")) expect_newline_counts(&detail::count_newlines_avx2);
  if (simd::kernel_isa() == simd::Isa::avx512)
    expect_newline_counts(&detail::count_newlines_avx512);
}

TEST(LineCount, CountTextAndBytesMatchTheNaiveCount) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    std::string const text = random_text(seed, 1 + seed % 150, 1 + seed % 40, seed % 2 == 0);
    expect_counts(count_text(text), text, "count_text seed " + std::to_string(seed));
    bool state = true;
    expect_counts(count_bytes(text, state), text, "count_bytes");
  }
}

TEST(LineCount, Sse2KernelMatchesTheNaiveCount) {
  expect_kernel_counts(&detail::count_blocks_sse2);
}

TEST(LineCount, Avx2KernelMatchesTheNaiveCount) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "this CPU has no AVX2";
  expect_kernel_counts(&detail::count_blocks_avx2);
}

TEST(LineCount, Avx512KernelMatchesTheNaiveCount) {
  if (simd::kernel_isa() != simd::Isa::avx512)
    GTEST_SKIP() << "AVX-512 kernel not chosen here (no AVX-512 F and BW, or PARFOLD_ISA)";
  expect_kernel_counts(&detail::count_blocks_avx512);
}

TEST(LineCount, PiecesCountAsTheWholeText) {
  std::mt19937_64 rng(11);
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    std::string const text = random_text(seed, 1 + seed * 37, 1 + seed % 20, seed % 2 == 0);
    LineCounts want = count_text(text);
    want.max_line = max_line_width(text);
    for (std::size_t most : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{300}}) {
      LineCounts got;
      bool after_sep = true;
      std::uint64_t column = 0;
      for (std::size_t at = 0; at < text.size();) {  // pieces cut anywhere, of 1 to `most` bytes
        std::string_view const piece = std::string_view(text).substr(at, 1 + rng() % most);
        LineCounts c = count_text(piece, after_sep);
        c.max_line = max_line_width(piece, column);
        got += c;
        at += piece.size();
      }
      EXPECT_EQ(got, want) << "seed " << seed << " pieces of at most " << most;
    }
  }
}

TEST(LineCount, WordRulesOfCoreutilsWc) {
  auto words = [](std::string const& s) { return count_text(s).words; };
  EXPECT_EQ(words(std::string("a\x01"
                              "b",
                              3)),
            1U);                               // controls join a word
  EXPECT_EQ(words(std::string("\0", 1)), 0U);  // a lone NUL is no word
  EXPECT_EQ(words("\xc3\xa9"), 0U);            // nor are bytes >= 0x80 alone
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

}  // namespace
}  // namespace parfold
