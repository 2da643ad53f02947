// The pi kernel for every x86-64 CPU (SSE2, the baseline).
#include <emmintrin.h>

#include "workloads/philox_batch.hpp"

namespace parfold::detail {
namespace {
struct Sse2 {
  using reg = __m128i;
  static constexpr std::uint64_t lanes = 4;
  static reg zero() { return _mm_setzero_si128(); }
  static reg set1_32(std::uint32_t v) { return _mm_set1_epi32(static_cast<int>(v)); }
  static reg set1_64(std::uint64_t v) { return _mm_set1_epi64x(static_cast<long long>(v)); }
  static void counters(std::uint64_t c, reg& lo, reg& hi) {
    lo = _mm_setr_epi32(static_cast<int>(c), static_cast<int>(c + 1), static_cast<int>(c + 2),
                        static_cast<int>(c + 3));
    hi = _mm_setr_epi32(static_cast<int>(c >> 32), static_cast<int>((c + 1) >> 32),
                        static_cast<int>((c + 2) >> 32), static_cast<int>((c + 3) >> 32));
  }
  static reg xor_(reg a, reg b) { return _mm_xor_si128(a, b); }
  static reg and_(reg a, reg b) { return _mm_and_si128(a, b); }
  static reg or_(reg a, reg b) { return _mm_or_si128(a, b); }
  static reg andnot(reg a, reg b) { return _mm_andnot_si128(a, b); }  // ~a & b
  static reg add64(reg a, reg b) { return _mm_add_epi64(a, b); }
  static reg srli64(reg a, int n) { return _mm_srli_epi64(a, n); }
  static reg slli64(reg a, int n) { return _mm_slli_epi64(a, n); }
  static reg mul_epu32(reg a, reg b) { return _mm_mul_epu32(a, b); }
  static std::uint64_t hsum64(reg a) {
    alignas(16) std::uint64_t v[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(v), a);
    return v[0] + v[1];
  }
};
}  // namespace

std::uint64_t pair_hits_sse2(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed) {
  return PhiloxBatch<Sse2>::pair_hits(c_begin, blocks, seed);
}
}  // namespace parfold::detail
