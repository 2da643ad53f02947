#pragma once
// SIMD traits for AVX2. Include only from files compiled with -mavx2 whose code runs
// after a run-time check (__builtin_cpu_supports("avx2")).

#include <immintrin.h>

#include <cstdint>

namespace parfold::simd {

struct Avx2 {
  using reg = __m256i;
  static constexpr std::uint64_t lanes = 8;
  static constexpr std::uint64_t bytes = 32;
  static constexpr std::uint64_t registers = 16;  ///< vector registers

  static reg zero() { return _mm256_setzero_si256(); }
  static reg set1_32(std::uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }
  static reg set1_64(std::uint64_t v) { return _mm256_set1_epi64x(static_cast<long long>(v)); }
  static reg set1_8(unsigned char v) { return _mm256_set1_epi8(static_cast<char>(v)); }
  static void counters(std::uint64_t c, reg& lo, reg& hi) {
    lo = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(c)),
                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    if ((c & 0xFFFFFFFFULL) <= 0xFFFFFFFFULL - 7) {  // no carry into the high word
      hi = _mm256_set1_epi32(static_cast<int>(c >> 32));
    } else {
      hi = _mm256_setr_epi32(static_cast<int>(c >> 32), static_cast<int>((c + 1) >> 32),
                             static_cast<int>((c + 2) >> 32), static_cast<int>((c + 3) >> 32),
                             static_cast<int>((c + 4) >> 32), static_cast<int>((c + 5) >> 32),
                             static_cast<int>((c + 6) >> 32), static_cast<int>((c + 7) >> 32));
    }
  }
  static reg load(char const* p) { return _mm256_loadu_si256(reinterpret_cast<__m256i const*>(p)); }
  static reg xor_(reg a, reg b) { return _mm256_xor_si256(a, b); }
  static reg and_(reg a, reg b) { return _mm256_and_si256(a, b); }
  static reg or_(reg a, reg b) { return _mm256_or_si256(a, b); }
  static reg andnot(reg a, reg b) { return _mm256_andnot_si256(a, b); }
  static reg add64(reg a, reg b) { return _mm256_add_epi64(a, b); }
  static reg srli64(reg a, int n) { return _mm256_srli_epi64(a, n); }
  static reg slli64(reg a, int n) { return _mm256_slli_epi64(a, n); }
  static reg mul_epu32(reg a, reg b) { return _mm256_mul_epu32(a, b); }
  /// The even 32-bit lanes of a, the odd ones of b.
  static reg blend_odd32(reg a, reg b) { return _mm256_blend_epi32(a, b, 0xAA); }
  static reg eq8(reg a, reg b) { return _mm256_cmpeq_epi8(a, b); }
  static reg sub8(reg a, reg b) { return _mm256_sub_epi8(a, b); }
  static reg min_u8(reg a, reg b) { return _mm256_min_epu8(a, b); }
  static std::uint64_t movemask8(reg a) {
    return static_cast<std::uint32_t>(_mm256_movemask_epi8(a));
  }
  /// Bit i: byte i of a equals byte i of b.
  static std::uint64_t eq8_mask(reg a, reg b) { return movemask8(eq8(a, b)); }
  /// Bit i: byte i of a <= byte i of b, unsigned.
  static std::uint64_t le_u8_mask(reg a, reg b) { return movemask8(eq8(min_u8(a, b), a)); }
  static std::uint64_t hsum64(reg a) {
    alignas(32) std::uint64_t v[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(v), a);
    return v[0] + v[1] + v[2] + v[3];
  }
};

}  // namespace parfold::simd
