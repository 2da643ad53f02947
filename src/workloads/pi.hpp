#pragma once

#include "cli/job.hpp"

#include <cstdint>
#include <string>

#include "parfold/core/range.hpp"
#include "workloads/philox.hpp"

namespace parfold {

/// Monte Carlo pi: the fraction of Philox4x32-10 points in the quarter circle.
struct PiWorkload {
  using Partial = std::uint64_t;  ///< hits

  std::uint64_t samples = 0;
  std::uint64_t seed = 0;

  [[nodiscard]] std::uint64_t items() const { return samples; }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 16; }
  [[nodiscard]] static Partial identity() { return 0; }
  void process(Range r, Partial& hits) const { hits += pi_hits(r, seed); }
  static void combine(Partial& into, Partial const& from) { into += from; }
  /// A checkpoint's hits of the samples [0, done): at most one per sample.
  [[nodiscard]] static std::string partial_problem(Partial hits, std::uint64_t done) {
    if (hits <= done) return {};
    return std::to_string(hits) + " hits in " + std::to_string(done) + " samples";
  }
};

/// `parfold pi`: declares the subcommand; when chosen, stores its run in `job`.
void setup_pi(CLI::App& app, Job& job);

}  // namespace parfold
