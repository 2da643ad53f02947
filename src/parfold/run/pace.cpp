#include "parfold/run/pace.hpp"

#include <algorithm>
#include <cmath>

namespace parfold {

double Pace::piece_s() const {
  std::uint64_t const n = pieces_.load(std::memory_order_relaxed);
  return n == 0 ? 0.0
                : static_cast<double>(ns_.load(std::memory_order_relaxed)) * 1e-9 /
                      static_cast<double>(n);
}

std::uint64_t Pace::chunk(std::uint64_t remaining, std::uint64_t workers, bool guided) const {
  if (remaining == 0) return 1;
  double const per_piece = piece_s();
  // Below 1 ns per piece the clock cannot tell; 2^40 pieces is more than any plan.
  std::uint64_t const timed = per_piece <= 0 ? 1
                                             : static_cast<std::uint64_t>(std::llround(std::clamp(
                                                   kTargetChunk_s / per_piece, 1.0, 0x1p40)));
  std::uint64_t const fair =
      std::max<std::uint64_t>(1, remaining / (2 * std::max<std::uint64_t>(1, workers)));
  return std::min(remaining, guided ? std::max(timed, fair) : std::min(timed, fair));
}

}  // namespace parfold
