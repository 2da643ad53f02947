#pragma once
// The pi workload's truth, independent of parfold's kernels: sample i draws from counter
// i/2 with Random123's own Philox4x32-10 under key `seed` (words 0, 1 for even i, 2, 3
// for odd i) and is a hit when x^2 + y^2 < 2^64, computed in 128-bit integers.

#include <Random123/philox.h>

#include <cstdint>

namespace parfold::testing_support {

inline bool reference_hit(std::uint64_t i, std::uint64_t seed) {
  std::uint64_t const c = i / 2;
  r123::Philox4x32 rng;
  auto const w = rng({{static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), 0, 0}},
                     {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}});
  unsigned __int128 const x = (i % 2 == 0) ? w[0] : w[2];
  unsigned __int128 const y = (i % 2 == 0) ? w[1] : w[3];
  return x * x + y * y < (static_cast<unsigned __int128>(1) << 64);
}

/// Hits among samples [0, n), one at a time.
inline std::uint64_t reference_hits(std::uint64_t n, std::uint64_t seed) {
  std::uint64_t hits = 0;
  for (std::uint64_t i = 0; i < n; ++i) hits += reference_hit(i, seed) ? 1 : 0;
  return hits;
}

}  // namespace parfold::testing_support
