#pragma once
// Counting lines and words, 64 bytes at a time, written once over SIMD traits V and
// instantiated in count_sse2.cpp, count_avx2.cpp, count_avx512.cpp.
//
// Byte classes (C locale, as coreutils' wc): S = the six separators (space, \t \n \v \f \r),
// P = printable (0x21-0x7e), O = every other byte. A word is a maximal run of non-S bytes
// holding at least one P; so a word starts at each P byte whose nearest preceding non-O
// byte is an S (or the start of the line).

#include <bit>
#include <cstdint>

#include "workloads/lines/count/count.hpp"

namespace parfold::detail {

template <class V>
struct CountKernel {
  using R = typename V::reg;

  struct Masks {
    std::uint64_t newline = 0, sep = 0, print = 0;
  };

  static inline Masks classify(char const* p) {
    R const nl = V::set1_8('\n'), space = V::set1_8(' ');
    R const nine = V::set1_8(9), four = V::set1_8(4), bang = V::set1_8(0x21),
            span = V::set1_8(0x5d);
    Masks m;
    for (std::uint64_t k = 0; k < 64 / V::bytes; ++k) {
      R const x = V::load(p + k * V::bytes);
      R const ctl = V::sub8(x, nine);  // \t..\r -> 0..4
      R const vis = V::sub8(x, bang);  // 0x21..0x7e -> 0..0x5d
      unsigned const shift = static_cast<unsigned>(k * V::bytes);
      m.newline |= V::eq8_mask(x, nl) << shift;
      m.sep |= (V::eq8_mask(x, space) | V::le_u8_mask(ctl, four)) << shift;
      m.print |= V::le_u8_mask(vis, span) << shift;
    }
    return m;
  }

  /// Counts `n` bytes (a multiple of 64) at p; `after_sep` is the state before p (is
  /// the nearest preceding non-O byte a separator?) and after the last byte on return.
  static LineCounts blocks(char const* p, std::uint64_t n, bool& after_sep) {
    LineCounts c;
    std::uint64_t in = after_sep ? 1 : 0;
    for (std::uint64_t at = 0; at < n; at += 64) {
      Masks const m = classify(p + at);
      std::uint64_t const other = ~(m.sep | m.print);
      std::uint64_t const follows_sep = (m.sep << 1) | in;
      // Runs of O bytes that follow a separator carry its state to the byte after them.
      std::uint64_t const run_starts = follows_sep & other;
      std::uint64_t const after_runs = (other + run_starts) & ~other;
      std::uint64_t const starts = m.print & (follows_sep | after_runs);
      c.lines += static_cast<std::uint64_t>(std::popcount(m.newline));
      c.words += static_cast<std::uint64_t>(std::popcount(starts));
      std::uint64_t const significant = m.sep | m.print;
      if (significant != 0) in = (m.sep >> (63 - std::countl_zero(significant))) & 1;
    }
    after_sep = in != 0;
    c.bytes = n;
    return c;
  }

  /// The '\n' bytes in `n` bytes (a multiple of 64) at p: `wc -l` alone, a compare and a
  /// population count per 64 bytes where blocks() classifies every byte three ways.
  static std::uint64_t newlines(char const* p, std::uint64_t n) {
    R const nl = V::set1_8('\n');
    std::uint64_t lines = 0;
    for (std::uint64_t at = 0; at < n; at += 64) {
      std::uint64_t m = 0;
      for (std::uint64_t k = 0; k < 64 / V::bytes; ++k)
        m |= V::eq8_mask(V::load(p + at + k * V::bytes), nl) << (k * V::bytes);
      lines += static_cast<std::uint64_t>(std::popcount(m));
    }
    return lines;
  }
};

}  // namespace parfold::detail
