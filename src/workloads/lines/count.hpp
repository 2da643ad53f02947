#pragma once

#include <cstdint>
#include <string_view>

namespace parfold {

/// What `wc` reports for some text (C locale).
struct LineCounts {
  std::uint64_t lines = 0;  ///< '\n' bytes
  std::uint64_t words = 0;
  std::uint64_t bytes = 0;

  LineCounts& operator+=(LineCounts const& o) {
    lines += o.lines;
    words += o.words;
    bytes += o.bytes;
    return *this;
  }
  friend bool operator==(LineCounts const&, LineCounts const&) = default;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & lines & words & bytes;
  }
};

/// Counts `text`, which starts at the start of a line (or of a file), exactly as
/// `LC_ALL=C wc`: the widest SIMD kernel this CPU runs, then byte by byte.
[[nodiscard]] LineCounts count_text(std::string_view text);

/// Byte-at-a-time counting: the tails of count_text, and the kernels' reference.
/// `after_sep`: is the nearest preceding non-O byte a separator (true at a line start).
[[nodiscard]] LineCounts count_bytes(std::string_view text, bool& after_sep);

namespace detail {
LineCounts count_blocks_sse2(char const* p, std::uint64_t n, bool& after_sep);
LineCounts count_blocks_avx2(char const* p, std::uint64_t n, bool& after_sep);
}  // namespace detail

}  // namespace parfold
