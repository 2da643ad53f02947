#pragma once
// The batched Philox4x32-10 pi kernel, written once over SIMD traits V (simd/sse2.hpp,
// simd/avx2.hpp, simd/avx512.hpp) and instantiated per instruction set in
// philox_sse2.cpp, philox_avx2.cpp, philox_avx512.cpp. Where the traits have fused
// operations (blend_odd32, xor3, carry63) the kernel uses them.

#include <cstdint>

namespace parfold::detail {

template <class V>
struct PhiloxBatch {
  using R = typename V::reg;

  /// (hi, lo) of the 32x32 products x * m in every 32-bit lane.
  static inline void mulhilo(R x, R m, R& hi, R& lo) {
    R const even = V::mul_epu32(x, m);
    R const odd = V::mul_epu32(V::srli64(x, 32), m);
    if constexpr (requires { V::blend_odd32(x, m); }) {
      hi = V::blend_odd32(V::srli64(even, 32), odd);
      lo = V::blend_odd32(even, V::slli64(odd, 32));
    } else {
      R const hi_mask = V::set1_64(0xFFFFFFFF00000000ULL);
      R const lo_mask = V::set1_64(0x00000000FFFFFFFFULL);
      hi = V::or_(V::srli64(even, 32), V::and_(odd, hi_mask));
      lo = V::or_(V::and_(even, lo_mask), V::slli64(odd, 32));
    }
  }

  static inline R xor3(R a, R b, R c) {
    if constexpr (requires { V::xor3(a, b, c); }) {
      return V::xor3(a, b, c);
    } else {
      return V::xor_(V::xor_(a, b), c);
    }
  }

  /// Bit 63 of each 64-bit lane is the carry out of a + b.
  static inline R carry64(R a, R b) {
    R const s = V::add64(a, b);
    if constexpr (requires { V::carry63(a, b, s); }) {
      return V::carry63(a, b, s);
    } else {
      return V::or_(V::and_(a, b), V::andnot(s, V::or_(a, b)));
    }
  }

  /// Points (x, y) outside the circle, per 64-bit lane counted in bit 63 (one bit for
  /// the even and one for the odd 32-bit lane).
  static inline R misses(R x, R y, R& acc) {
    R const xe = V::mul_epu32(x, x), ye = V::mul_epu32(y, y);
    R const xs = V::srli64(x, 32), ys = V::srli64(y, 32);
    R const xo = V::mul_epu32(xs, xs), yo = V::mul_epu32(ys, ys);
    acc = V::add64(acc, V::srli64(carry64(xe, ye), 63));
    acc = V::add64(acc, V::srli64(carry64(xo, yo), 63));
    return acc;
  }

  /// Hits of samples 2c and 2c + 1 for c in [c_begin, c_begin + blocks * V::lanes).
  /// Runs kWays independent blocks side by side to hide the multiplier's latency, as
  /// many as the registers hold (each takes about 8).
  static std::uint64_t pair_hits(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed) {
    constexpr std::uint64_t kWays = V::registers / 8;
    R const m0 = V::set1_32(0xD2511F53), m1 = V::set1_32(0xCD9E8D57);
    R miss = V::zero();
    std::uint64_t b = 0;
    auto run = [&]<std::uint64_t Ways>(std::uint64_t first_block) {
      R x0[Ways], x1[Ways], x2[Ways], x3[Ways];
      for (std::uint64_t w = 0; w < Ways; ++w) {
        V::counters(c_begin + (first_block + w) * V::lanes, x0[w], x1[w]);
        x2[w] = V::zero();
        x3[w] = V::zero();
      }
      auto k0 = static_cast<std::uint32_t>(seed);
      auto k1 = static_cast<std::uint32_t>(seed >> 32);
      for (int round = 0; round < 10; ++round) {
        R const key0 = V::set1_32(k0), key1 = V::set1_32(k1);
        for (std::uint64_t w = 0; w < Ways; ++w) {
          R hi0, lo0, hi1, lo1;
          mulhilo(x0[w], m0, hi0, lo0);
          mulhilo(x2[w], m1, hi1, lo1);
          x0[w] = xor3(hi1, x1[w], key0);
          x1[w] = lo1;
          x2[w] = xor3(hi0, x3[w], key1);
          x3[w] = lo0;
        }
        k0 += 0x9E3779B9;
        k1 += 0xBB67AE85;
      }
      for (std::uint64_t w = 0; w < Ways; ++w) {
        misses(x0[w], x1[w], miss);
        misses(x2[w], x3[w], miss);
      }
    };
    for (; blocks - b >= kWays; b += kWays) run.template operator()<kWays>(b);
    for (; b < blocks; ++b) run.template operator()<1>(b);
    return 2 * blocks * V::lanes - V::hsum64(miss);
  }
};

}  // namespace parfold::detail
