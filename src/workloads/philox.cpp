#include "workloads/philox.hpp"

#include "workloads/simd/isa.hpp"

namespace parfold {

namespace {

/// Hits of samples 2c and 2c + 1 for every counter c in [c_begin, c_end): whole blocks
/// in the widest kernel this CPU runs, the rest one counter at a time.
std::uint64_t pair_hits(std::uint64_t c_begin, std::uint64_t c_end, std::uint64_t seed) {
  static std::uint64_t const lanes = simd::for_kernel_isa<std::uint64_t>(4, 8, 16);
  static auto* const kernel = simd::for_kernel_isa(&detail::pair_hits_sse2, &detail::pair_hits_avx2,
                                                   &detail::pair_hits_avx512);
  std::uint64_t const blocks = (c_end - c_begin) / lanes;
  std::uint64_t hits = kernel(c_begin, blocks, seed);
  for (std::uint64_t c = c_begin + blocks * lanes; c < c_end; ++c) {
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
