#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace parfold {

/// What `wc` reports for some text (C locale).
struct LineCounts {
  std::uint64_t lines = 0;  ///< '\n' bytes
  std::uint64_t words = 0;
  std::uint64_t bytes = 0;
  std::uint64_t max_line = 0;  ///< `wc -L`: the widest line (0 unless asked for)

  /// Adds the counts of the whole lines that follow (the widest line is the wider one).
  LineCounts& operator+=(LineCounts const& o) {
    lines += o.lines;
    words += o.words;
    bytes += o.bytes;
    max_line = std::max(max_line, o.max_line);
    return *this;
  }
  friend bool operator==(LineCounts const&, LineCounts const&) = default;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& lines& words& bytes& max_line;
  }
};

/// Why `c` cannot be the counts of `owned` bytes of whole lines (empty: it can): its
/// bytes are those, lines and words fit in them, the widest line too (a tab is 8 columns).
[[nodiscard]] std::string value_problem(LineCounts const& c, std::uint64_t owned);

/// `LC_ALL=C wc -L` of whole lines: the widest line's display width, a tab moving to the
/// next multiple of 8, a printable byte (0x20-0x7e) 1 column, any other byte none, and
/// '\r' and '\f' starting the count again, as coreutils 9.1 does.
[[nodiscard]] std::uint64_t max_line_width(std::string_view text);
/// max_line_width() of text that goes on from a line of `column` columns so far: the widest
/// line, the one open at its end included; `column` becomes the width of that one.
[[nodiscard]] std::uint64_t max_line_width(std::string_view text, std::uint64_t& column);

/// Counts `text`, which starts at the start of a line (or of a file), exactly as
/// `LC_ALL=C wc`: the widest SIMD kernel this CPU runs, then byte by byte.
[[nodiscard]] LineCounts count_text(std::string_view text);
/// count_text() of text that goes on from bytes before it: `after_sep` is the state there
/// (as count_bytes' one; true at a line start), and after text's last byte on return.
[[nodiscard]] LineCounts count_text(std::string_view text, bool& after_sep);

/// The '\n' bytes of `text` (what `LC_ALL=C wc -l` counts): the widest SIMD kernel this
/// CPU runs, then byte by byte.
[[nodiscard]] std::uint64_t count_newlines(std::string_view text);

/// What counting carries from one piece of a long line to the next (LinePiece).
struct CountCarry {
  bool after_sep = true;     ///< count_text's state
  std::uint64_t column = 0;  ///< max_line_width's
};

/// Byte-at-a-time counting: the tails of count_text, and the kernels' reference.
/// `after_sep`: is the nearest preceding non-O byte a separator (true at a line start).
[[nodiscard]] LineCounts count_bytes(std::string_view text, bool& after_sep);

namespace detail {
LineCounts count_blocks_sse2(char const* p, std::uint64_t n, bool& after_sep);
LineCounts count_blocks_avx2(char const* p, std::uint64_t n, bool& after_sep);
LineCounts count_blocks_avx512(char const* p, std::uint64_t n, bool& after_sep);
std::uint64_t count_newlines_sse2(char const* p, std::uint64_t n);
std::uint64_t count_newlines_avx2(char const* p, std::uint64_t n);
std::uint64_t count_newlines_avx512(char const* p, std::uint64_t n);
}  // namespace detail

}  // namespace parfold
