#pragma once

#include <cstdint>

namespace parfold {

/// A half-open range [begin, end) of work items.
struct Range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  [[nodiscard]] constexpr std::uint64_t size() const { return end - begin; }
  [[nodiscard]] constexpr bool empty() const { return begin == end; }
  friend constexpr bool operator==(Range, Range) = default;
};

/// A chunk: the index-th piece of a job's range, or `count` consecutive pieces from
/// the index-th (an adaptive schedule's chunk).
struct Chunk {
  std::uint64_t index = 0;
  Range range;
  std::uint64_t count = 1;
};

/// Part `i` of `parts` near-equal contiguous blocks of `r`: the first size % parts
/// blocks hold one item more. Every item lies in exactly one block.
[[nodiscard]] constexpr Range partition(Range r, std::uint64_t i, std::uint64_t parts) {
  std::uint64_t const q = r.size() / parts;
  std::uint64_t const rem = r.size() % parts;
  std::uint64_t const begin = r.begin + i * q + (i < rem ? i : rem);
  return {begin, begin + q + (i < rem ? 1U : 0U)};
}

/// ceil(a / b) for b > 0, without overflow.
[[nodiscard]] constexpr std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) {
  return a / b + (a % b != 0 ? 1U : 0U);
}

}  // namespace parfold
