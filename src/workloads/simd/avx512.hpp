#pragma once
// SIMD traits for AVX-512 (F and BW). Include only from files compiled with
// -mavx512f -mavx512bw whose code runs after a run-time check (simd/isa.hpp).
// Beyond the common operations it has three that fuse several (xor3, blend_odd32,
// carry63: one vpternlogd or vpblendmd each) and byte compares straight into bit masks.

#include <immintrin.h>

#include <cstdint>

namespace parfold::simd {

struct Avx512 {
  using reg = __m512i;
  static constexpr std::uint64_t lanes = 16;
  static constexpr std::uint64_t bytes = 64;
  static constexpr std::uint64_t registers = 32;

  static reg zero() { return _mm512_setzero_si512(); }
  static reg set1_32(std::uint32_t v) { return _mm512_set1_epi32(static_cast<int>(v)); }
  static reg set1_64(std::uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
  static reg set1_8(unsigned char v) { return _mm512_set1_epi8(static_cast<char>(v)); }
  static void counters(std::uint64_t c, reg& lo, reg& hi) {
    lo = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(c)),
                          _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    if ((c & 0xFFFFFFFFULL) <= 0xFFFFFFFFULL - 15) {  // no carry into the high word
      hi = _mm512_set1_epi32(static_cast<int>(c >> 32));
    } else {
      alignas(64) std::uint32_t h[16];
      for (std::uint64_t i = 0; i < 16; ++i) h[i] = static_cast<std::uint32_t>((c + i) >> 32);
      hi = _mm512_load_si512(h);
    }
  }
  static reg load(char const* p) { return _mm512_loadu_si512(p); }
  static reg xor_(reg a, reg b) { return _mm512_xor_si512(a, b); }
  static reg and_(reg a, reg b) { return _mm512_and_si512(a, b); }
  static reg or_(reg a, reg b) { return _mm512_or_si512(a, b); }
  static reg andnot(reg a, reg b) { return _mm512_andnot_si512(a, b); }
  static reg add64(reg a, reg b) { return _mm512_add_epi64(a, b); }
  static reg srli64(reg a, unsigned n) { return _mm512_srli_epi64(a, n); }
  static reg slli64(reg a, unsigned n) { return _mm512_slli_epi64(a, n); }
  static reg mul_epu32(reg a, reg b) { return _mm512_mul_epu32(a, b); }
  static reg sub8(reg a, reg b) { return _mm512_sub_epi8(a, b); }
  static std::uint64_t hsum64(reg a) {
    return static_cast<std::uint64_t>(_mm512_reduce_add_epi64(a));
  }

  /// a ^ b ^ c
  static reg xor3(reg a, reg b, reg c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
  /// The even 32-bit lanes of a, the odd ones of b.
  static reg blend_odd32(reg a, reg b) { return _mm512_mask_blend_epi32(0xAAAA, a, b); }
  /// (a & b) | (~s & (a | b)): with s = a + b, bit 63 is the carry out of the sum.
  static reg carry63(reg a, reg b, reg s) { return _mm512_ternarylogic_epi64(a, b, s, 0xD4); }

  /// Bit i: byte i of a equals byte i of b.
  static std::uint64_t eq8_mask(reg a, reg b) { return _mm512_cmpeq_epi8_mask(a, b); }
  /// Bit i: byte i of a <= byte i of b, unsigned.
  static std::uint64_t le_u8_mask(reg a, reg b) { return _mm512_cmple_epu8_mask(a, b); }
};

}  // namespace parfold::simd
