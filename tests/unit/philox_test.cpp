#include <gtest/gtest.h>

#include <cstdio>

#include <Random123/philox.h>

#include <array>
#include <cstdint>

#include "../support/pi_reference.hpp"
#include "workloads/philox.hpp"
#include "workloads/pi.hpp"
#include "workloads/simd/isa.hpp"

namespace parfold {
namespace {

/// Random123's own implementation, the reference.
std::array<std::uint32_t, 4> r123_philox(std::array<std::uint32_t, 4> c,
                                         std::array<std::uint32_t, 2> k) {
  r123::Philox4x32 rng;
  r123::Philox4x32::ctr_type ctr = {{c[0], c[1], c[2], c[3]}};
  r123::Philox4x32::key_type key = {{k[0], k[1]}};
  auto const r = rng(ctr, key);
  return {r[0], r[1], r[2], r[3]};
}

using testing_support::reference_hit;

TEST(Philox, KnownAnswerVectors) {
  // Random123's kat_vectors for philox4x32 with 10 rounds.
  EXPECT_EQ(philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (std::array<std::uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(
      philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
      (std::array<std::uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(
      philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
      (std::array<std::uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, MatchesRandom123) {
  std::uint32_t x = 12345;
  for (int n = 0; n < 2000; ++n) {
    std::array<std::uint32_t, 4> c;
    std::array<std::uint32_t, 2> k;
    for (auto& v : c) v = x = x * 1664525U + 1013904223U;
    for (auto& v : k) v = x = x * 1664525U + 1013904223U;
    ASSERT_EQ(philox4x32_10(c, k), r123_philox(c, k));
  }
}

TEST(Philox, InCircleIsExact) {
  EXPECT_TRUE(in_circle(0, 0));
  EXPECT_TRUE(in_circle(0xffffffff, 0));           // (2^32-1)^2 < 2^64
  EXPECT_FALSE(in_circle(0xffffffff, 0x20000));    // just over 2^64
  EXPECT_TRUE(in_circle(0xb504f333, 0xb504f333));  // 2 * 0xb504f333^2 < 2^64
  EXPECT_FALSE(in_circle(0xb504f334, 0xb504f334));
}

TEST(PiKernel, BatchedKernelMatchesReferenceOnEveryRangeShape) {
  for (std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{42}, ~std::uint64_t{0}}) {
    std::vector<std::uint64_t> prefix{0};  // prefix[i] = hits in [0, i)
    for (std::uint64_t i = 0; i < 300; ++i)
      prefix.push_back(prefix.back() + (reference_hit(i, seed) ? 1 : 0));
    for (std::uint64_t a = 0; a < 70; ++a) {
      for (std::uint64_t b = a; b <= 300; b += 1 + b % 7) {
        ASSERT_EQ(pi_hits({a, b}, seed), prefix[b] - prefix[a])
            << "[" << a << ", " << b << ") seed " << seed;
      }
    }
  }
  // Counters above 2^32 (the high counter word in use).
  std::uint64_t const base = (std::uint64_t{1} << 33) + 5;
  std::uint64_t expect = 0;
  for (std::uint64_t i = base; i < base + 1000; ++i) expect += reference_hit(i, 7) ? 1 : 0;
  EXPECT_EQ(pi_hits({base, base + 1000}, 7), expect);
}

/// 112 counters: 7 blocks of AVX-512's 16 lanes (one batch of 4 ways and 3 single blocks),
/// 14 of AVX2's 8, 28 of SSE2's 4; the last start crosses 2^32 inside a block.
constexpr std::uint64_t kCounters = 112;

template <class Kernel>
void expect_kernel_matches_reference(Kernel kernel, std::uint64_t lanes) {
  for (std::uint64_t c0 : {std::uint64_t{0}, std::uint64_t{12345}, (std::uint64_t{1} << 32) - 13}) {
    std::uint64_t expect = 0;
    for (std::uint64_t i = 2 * c0; i < 2 * (c0 + kCounters); ++i)
      expect += reference_hit(i, 99) ? 1 : 0;
    EXPECT_EQ(kernel(c0, kCounters / lanes, 99), expect) << "from counter " << c0;
  }
}

TEST(PiKernel, Sse2KernelMatchesReference) {
  expect_kernel_matches_reference(&detail::pair_hits_sse2, 4);
}

TEST(PiKernel, Avx2KernelMatchesReference) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "this CPU has no AVX2";
  expect_kernel_matches_reference(&detail::pair_hits_avx2, 8);
}

TEST(PiKernel, Avx512KernelMatchesReference) {
  if (simd::kernel_isa() != simd::Isa::avx512)
    GTEST_SKIP() << "AVX-512 kernel not chosen here (no AVX-512 F and BW, or PARFOLD_ISA)";
  expect_kernel_matches_reference(&detail::pair_hits_avx512, 16);
}

TEST(PiKernel, ConvergesToPi) {
  PiWorkload const w{1'000'000, 0};
  std::uint64_t hits = 0;
  w.process({0, w.samples}, hits);
  double const estimate = 4.0 * static_cast<double>(hits) / 1e6;
  EXPECT_NEAR(estimate, 3.14159265, 5 * 4 * 0.5 / 1000);  // 5 standard errors
}

}  // namespace
}  // namespace parfold
