#pragma once

#include <array>
#include <cstdint>

#include "parfold/core/range.hpp"

namespace parfold {

/// Philox4x32-10 (Salmon et al., SC'11), the same function as Random123's philox4x32.
[[nodiscard]] constexpr std::array<std::uint32_t, 4> philox4x32_10(
    std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) {
  for (int round = 0; round < 10; ++round) {
    std::uint64_t const p0 = std::uint64_t{0xD2511F53} * ctr[0];
    std::uint64_t const p1 = std::uint64_t{0xCD9E8D57} * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
    key[0] += 0x9E3779B9;
    key[1] += 0xBB67AE85;
  }
  return ctr;
}

/// Is (x, y) inside the quarter circle: x^2 + y^2 < 2^64, exactly?
[[nodiscard]] constexpr bool in_circle(std::uint32_t x, std::uint32_t y) {
  std::uint64_t const xx = std::uint64_t{x} * x;
  return xx + std::uint64_t{y} * y >= xx;  // no wrap-around past 2^64
}

/// Is sample `i` of the pi workload a hit? Sample i draws from counter i/2 under key
/// `seed`: even i uses output words 0 and 1, odd i words 2 and 3.
[[nodiscard]] constexpr bool pi_sample_hit(std::uint64_t i, std::uint64_t seed) {
  std::uint64_t const c = i / 2;
  auto const w =
      philox4x32_10({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), 0, 0},
                    {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)});
  return (i % 2 == 0) ? in_circle(w[0], w[1]) : in_circle(w[2], w[3]);
}

namespace detail {
/// The batched kernels: hits of samples 2c and 2c + 1 for the counters c in
/// [c_begin, c_begin + blocks * lanes), lanes = 4 (SSE2), 8 (AVX2) or 16 (AVX-512), the
/// last two only where the CPU has them.
std::uint64_t pair_hits_sse2(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed);
std::uint64_t pair_hits_avx2(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed);
std::uint64_t pair_hits_avx512(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed);
}  // namespace detail

/// Hits among the samples of `samples`: a batched kernel that the compiler vectorizes,
/// with AVX2 and AVX-512 versions chosen at run time where the CPU has them
/// (simd/isa.hpp).
[[nodiscard]] std::uint64_t pi_hits(Range samples, std::uint64_t seed);

}  // namespace parfold
