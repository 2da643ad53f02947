#pragma once
// SIMD traits for SSE2, the x86-64 baseline. The kernels are templates over such traits
// (see simd/avx2.hpp); each instruction set is compiled in its own files.

#include <emmintrin.h>

#include <cstdint>

namespace parfold::simd {

struct Sse2 {
  using reg = __m128i;
  static constexpr std::uint64_t lanes = 4;       ///< 32-bit lanes
  static constexpr std::uint64_t bytes = 16;      ///< byte lanes
  static constexpr std::uint64_t registers = 16;  ///< vector registers

  static reg zero() { return _mm_setzero_si128(); }
  static reg set1_32(std::uint32_t v) { return _mm_set1_epi32(static_cast<int>(v)); }
  static reg set1_64(std::uint64_t v) { return _mm_set1_epi64x(static_cast<long long>(v)); }
  static reg set1_8(unsigned char v) { return _mm_set1_epi8(static_cast<char>(v)); }
  /// Counters c, c+1, ...: low 32 bits in `lo`, high 32 bits in `hi`.
  static void counters(std::uint64_t c, reg& lo, reg& hi) {
    lo = _mm_setr_epi32(static_cast<int>(c), static_cast<int>(c + 1), static_cast<int>(c + 2),
                        static_cast<int>(c + 3));
    hi = _mm_setr_epi32(static_cast<int>(c >> 32), static_cast<int>((c + 1) >> 32),
                        static_cast<int>((c + 2) >> 32), static_cast<int>((c + 3) >> 32));
  }
  static reg load(char const* p) { return _mm_loadu_si128(reinterpret_cast<__m128i const*>(p)); }
  static reg xor_(reg a, reg b) { return _mm_xor_si128(a, b); }
  static reg and_(reg a, reg b) { return _mm_and_si128(a, b); }
  static reg or_(reg a, reg b) { return _mm_or_si128(a, b); }
  static reg andnot(reg a, reg b) { return _mm_andnot_si128(a, b); }  ///< ~a & b
  static reg add64(reg a, reg b) { return _mm_add_epi64(a, b); }
  static reg srli64(reg a, int n) { return _mm_srli_epi64(a, n); }
  static reg slli64(reg a, int n) { return _mm_slli_epi64(a, n); }
  static reg mul_epu32(reg a, reg b) { return _mm_mul_epu32(a, b); }
  static reg eq8(reg a, reg b) { return _mm_cmpeq_epi8(a, b); }
  static reg sub8(reg a, reg b) { return _mm_sub_epi8(a, b); }
  static reg min_u8(reg a, reg b) { return _mm_min_epu8(a, b); }
  static std::uint64_t movemask8(reg a) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(a)) & 0xFFFFU;
  }
  /// Bit i: byte i of a equals byte i of b.
  static std::uint64_t eq8_mask(reg a, reg b) { return movemask8(eq8(a, b)); }
  /// Bit i: byte i of a <= byte i of b, unsigned.
  static std::uint64_t le_u8_mask(reg a, reg b) { return movemask8(eq8(min_u8(a, b), a)); }
  static std::uint64_t hsum64(reg a) {
    alignas(16) std::uint64_t v[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(v), a);
    return v[0] + v[1];
  }
};

}  // namespace parfold::simd
