#pragma once

#include <concepts>
#include <cstdint>

#include "parfold/core/range.hpp"

namespace parfold {

/// What the executors need from a workload (the fold of a range of items):
/// - `Partial`: the partial result of some items; exact, so that combining partials
///   in any grouping and order gives bit-identical results. A trivially copyable
///   Partial travels between ranks as its bytes; any other needs Boost.Serialization
///   (a `serialize` member or free function; std containers via boost/serialization).
/// - `items()`: the size N of the job's range [0, N); `grain()`: the smallest chunk
///   worth dispatching (the automatic chunk size never goes below it).
/// - `identity()`, `process(range, partial)` folds the items of `range` into `partial`,
///   `combine(into, from)` the associative and commutative reduction.
/// Workloads know nothing of MPI or threads; `process` runs concurrently on distinct
/// partials, so it must not touch shared mutable state.
template <class W>
concept Workload = requires(W const& w, Range r, typename W::Partial& acc,
                            typename W::Partial const& other) {
  typename W::Partial;
  requires std::semiregular<typename W::Partial>;
  { w.items() } -> std::same_as<std::uint64_t>;
  { w.grain() } -> std::same_as<std::uint64_t>;
  { w.identity() } -> std::same_as<typename W::Partial>;
  { w.process(r, acc) } -> std::same_as<void>;
  { w.combine(acc, other) } -> std::same_as<void>;
};

}  // namespace parfold
