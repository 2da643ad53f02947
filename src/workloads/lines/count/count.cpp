#include "workloads/lines/count/count.hpp"

#include <algorithm>

#include "workloads/simd/isa.hpp"

namespace parfold {

LineCounts count_bytes(std::string_view text, bool& after_sep) {
  LineCounts c;
  for (char const ch : text) {
    auto const b = static_cast<unsigned char>(ch);
    if (b == ' ' || (b >= '\t' && b <= '\r')) {
      after_sep = true;
      c.lines += b == '\n' ? 1U : 0U;
    } else if (b >= 0x21 && b <= 0x7e) {
      c.words += after_sep ? 1U : 0U;
      after_sep = false;
    }
  }
  c.bytes = text.size();
  return c;
}

std::uint64_t max_line_width(std::string_view text) {
  std::uint64_t column = 0;
  return max_line_width(text, column);
}

std::uint64_t max_line_width(std::string_view text, std::uint64_t& column) {
  std::uint64_t widest = 0, at = column;
  for (char const ch : text) {
    auto const b = static_cast<unsigned char>(ch);
    if (b == '\n' || b == '\r' || b == '\f') {
      widest = std::max(widest, at);
      at = 0;
    } else if (b == '\t') {
      at += 8 - at % 8;
    } else if (b >= 0x20 && b <= 0x7e) {
      ++at;
    }
  }
  column = at;
  return std::max(widest, at);
}

LineCounts count_text(std::string_view text) {
  bool after_sep = true;
  return count_text(text, after_sep);
}

LineCounts count_text(std::string_view text, bool& after_sep) {
  static auto* const kernel = simd::for_kernel_isa(
      &detail::count_blocks_sse2, &detail::count_blocks_avx2, &detail::count_blocks_avx512);
  std::uint64_t const whole = text.size() & ~std::uint64_t{63};
  LineCounts c = kernel(text.data(), whole, after_sep);
  c += count_bytes(text.substr(whole), after_sep);
  return c;
}

std::uint64_t count_newlines(std::string_view text) {
  static auto* const kernel = simd::for_kernel_isa(
      &detail::count_newlines_sse2, &detail::count_newlines_avx2, &detail::count_newlines_avx512);
  std::uint64_t const whole = text.size() & ~std::uint64_t{63};
  std::string_view const tail = text.substr(whole);
  return kernel(text.data(), whole) +
         static_cast<std::uint64_t>(std::count(tail.begin(), tail.end(), '\n'));
}

std::string value_problem(LineCounts const& c, std::uint64_t owned) {
  if (c.bytes != owned)
    return std::to_string(c.bytes) + " bytes counted where the lines done hold " +
           std::to_string(owned);
  // A word is a byte at least, and words are apart; a tab is 8 columns at most.
  if (c.lines > c.bytes || c.words > c.bytes / 2 + 1 || c.max_line / 8 > c.bytes)
    return "more lines, words or columns than the " + std::to_string(c.bytes) + " bytes hold";
  return {};
}

}  // namespace parfold
