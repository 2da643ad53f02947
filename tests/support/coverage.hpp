#pragma once
// A workload that counts how often each item was processed: its partial is a vector (a
// large, serialized partial), and every entry must be 1 after a run.

#include <cstdint>
#include <vector>

#include "parfold/core/range.hpp"

namespace parfold::testing_support {

struct CoverageWorkload {
  using Partial = std::vector<std::uint32_t>;
  std::uint64_t n = 0;
  [[nodiscard]] std::uint64_t items() const { return n; }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] Partial identity() const { return Partial(n, 0); }
  void process(Range r, Partial& acc) const {
    for (std::uint64_t k = r.begin; k < r.end; ++k) ++acc[k];
  }
  static void combine(Partial& into, Partial const& from) {
    for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
  }
};

}  // namespace parfold::testing_support
