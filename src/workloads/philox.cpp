#include "workloads/philox.hpp"

namespace parfold {

namespace {

/// Hits of samples 2c and 2c + 1 for every counter c in [c_begin, c_end).
[[gnu::target_clones("avx2", "default")]] std::uint64_t pair_hits(std::uint64_t c_begin,
                                                                  std::uint64_t c_end,
                                                                  std::uint64_t seed) {
  constexpr std::size_t kLanes = 16;
  auto const key0 = static_cast<std::uint32_t>(seed);
  auto const key1 = static_cast<std::uint32_t>(seed >> 32);
  std::uint64_t hits = 0;
  std::uint64_t c = c_begin;
  for (; c_end - c >= kLanes; c += kLanes) {
    std::uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
    for (std::size_t l = 0; l < kLanes; ++l) {
      x0[l] = static_cast<std::uint32_t>(c + l);
      x1[l] = static_cast<std::uint32_t>((c + l) >> 32);
      x2[l] = 0;
      x3[l] = 0;
    }
    std::uint32_t k0 = key0, k1 = key1;
    for (int round = 0; round < 10; ++round) {
      for (std::size_t l = 0; l < kLanes; ++l) {
        std::uint64_t const p0 = std::uint64_t{0xD2511F53} * x0[l];
        std::uint64_t const p1 = std::uint64_t{0xCD9E8D57} * x2[l];
        x0[l] = static_cast<std::uint32_t>(p1 >> 32) ^ x1[l] ^ k0;
        x1[l] = static_cast<std::uint32_t>(p1);
        x2[l] = static_cast<std::uint32_t>(p0 >> 32) ^ x3[l] ^ k1;
        x3[l] = static_cast<std::uint32_t>(p0);
      }
      k0 += 0x9E3779B9;
      k1 += 0xBB67AE85;
    }
    std::uint64_t batch = 0;
    for (std::size_t l = 0; l < kLanes; ++l) {
      batch += in_circle(x0[l], x1[l]) ? 1U : 0U;
      batch += in_circle(x2[l], x3[l]) ? 1U : 0U;
    }
    hits += batch;
  }
  for (; c < c_end; ++c) {
    hits += pi_sample_hit(2 * c, seed) ? 1U : 0U;
    hits += pi_sample_hit(2 * c + 1, seed) ? 1U : 0U;
  }
  return hits;
}

}  // namespace

std::uint64_t pi_hits(Range samples, std::uint64_t seed) {
  std::uint64_t hits = 0;
  std::uint64_t i = samples.begin;
  if (i < samples.end && i % 2 == 1) hits += pi_sample_hit(i++, seed) ? 1U : 0U;
  // Counters whose both samples lie in [i, end).
  std::uint64_t const c_end = samples.end / 2;
  if (i / 2 < c_end) {
    hits += pair_hits(i / 2, c_end, seed);
    i = 2 * c_end;
  }
  if (i < samples.end) hits += pi_sample_hit(i, seed) ? 1U : 0U;
  return hits;
}

}  // namespace parfold
