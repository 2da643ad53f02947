#pragma once

#include "cli/job.hpp"

#include <cstdint>
#include <string>

#include "parfold/core/range.hpp"
#include "workloads/int256.hpp"

namespace parfold {

/// Sum of i^p over magnitudes i in [m0, m1] (inclusive, unsigned), exactly; 0^0 = 1.
[[nodiscard]] Int256 power_sum(std::uint64_t m0, std::uint64_t m1, int p);

/// Exact sum of i^power for i in [from, to]; item k is the term i = from + k.
struct SumWorkload {
  using Partial = Int256;

  std::int64_t from = 0;
  std::int64_t to = 0;
  int power = 1;

  /// Number of terms, to - from + 1 (at most 2^64 - 1: checked when parsing).
  [[nodiscard]] std::uint64_t items() const {
    return static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from) + 1;
  }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 14; }
  [[nodiscard]] static Partial identity() { return Int256{}; }
  void process(Range r, Partial& acc) const;
  static void combine(Partial& into, Partial const& from) { into += from; }
  /// A checkpoint's sum of the first `done` terms: i^0 sums to their number, an even
  /// power or terms of one sign give its sign, and no sum of `done` terms of magnitude
  /// at most M has more bits than `done` and M^p together.
  [[nodiscard]] std::string partial_problem(Partial const& p, std::uint64_t done) const;
};

/// `parfold sum`: declares the subcommand; when chosen, stores its run in `job`.
void setup_sum(CLI::App& app, Job& job);

}  // namespace parfold
