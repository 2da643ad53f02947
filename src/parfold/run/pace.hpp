#pragma once

#include <atomic>
#include <cstdint>

namespace parfold {

/// --chunk auto: the time one chunk should take. Long enough that taking a chunk
/// (~0.2 us within a rank, a message to rank 0 across ranks) costs nothing next to it,
/// short enough that the last chunks end together (well under a second of imbalance
/// on any run that lasts more than a few hundred milliseconds per worker).
inline constexpr double kTargetChunk_s = 2e-3;

/// How fast one rank gets through the pieces of a plan: every finished chunk adds its
/// pieces and its time. Sizes adaptive chunks and the prefetch of grants.
/// Thread-safe.
class Pace {
 public:
  /// A chunk of `pieces` pieces took `seconds`.
  void record(std::uint64_t pieces, double seconds) {
    ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
    pieces_.fetch_add(pieces, std::memory_order_relaxed);
  }
  /// Mean seconds per piece so far; 0 before the first chunk ends.
  [[nodiscard]] double piece_s() const;
  /// Pieces for the next adaptive chunk of a plan with `remaining` pieces left over
  /// `workers` workers: as many as take about kTargetChunk_s (one until a time is
  /// known); dynamic takes at most a fair share remaining / (2 workers) of what is
  /// left, guided at least that share. Never more than `remaining`, never 0.
  [[nodiscard]] std::uint64_t chunk(std::uint64_t remaining, std::uint64_t workers,
                                    bool guided) const;

 private:
  std::atomic<std::uint64_t> pieces_{0}, ns_{0};
};

}  // namespace parfold
