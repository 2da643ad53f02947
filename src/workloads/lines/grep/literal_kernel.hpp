#pragma once
// Finding a literal: compare the needle's first and last bytes at V::bytes positions at
// once and check the candidates with memcmp. Written once over SIMD traits V and
// instantiated in literal_sse2.cpp, literal_avx2.cpp, literal_avx512.cpp.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace parfold::detail {

/// Position of the first occurrence of needle[0, m) in text[from, n), or n. m >= 2.
template <class V>
std::size_t find_literal(char const* text, std::size_t n, std::size_t from, char const* needle,
                         std::size_t m) {
  if (m > n || from > n - m) return n;
  auto const first = V::set1_8(static_cast<unsigned char>(needle[0]));
  auto const last = V::set1_8(static_cast<unsigned char>(needle[m - 1]));
  std::size_t i = from;
  for (; i + m - 1 + V::bytes <= n; i += V::bytes) {
    std::uint64_t const a = V::eq8_mask(V::load(text + i), first);
    for (std::uint64_t mask = a & V::eq8_mask(V::load(text + i + m - 1), last); mask != 0;
         mask &= mask - 1) {
      std::size_t const at = i + static_cast<std::size_t>(std::countr_zero(mask));
      if (std::memcmp(text + at + 1, needle + 1, m - 2) == 0) return at;
    }
  }
  for (; i + m <= n; ++i) {
    if (text[i] == needle[0] && std::memcmp(text + i + 1, needle + 1, m - 1) == 0) return i;
  }
  return n;
}

}  // namespace parfold::detail
