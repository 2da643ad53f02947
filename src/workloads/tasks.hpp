#pragma once

#include "cli/job.hpp"

#include <cstdint>
#include <memory>
#include <string>

#include "parfold/core/range.hpp"
#include "workloads/int256.hpp"
#include "workloads/tasks/counter.hpp"

namespace parfold {

enum class CostModel { uniform, linear, random };

/// Synthetic tasks: task k sleeps (or busy-spins) for its cost.
struct TasksWorkload {
  struct Partial {
    std::uint64_t tasks = 0;
    u128 index_sum = 0;         ///< sum of k over the tasks run: proves each ran once
    u128 cost_ns = 0;           ///< the serial time of the tasks run
    std::uint64_t counted = 0;  ///< --counter reduce: the tasks counted in the partials

    friend bool operator==(Partial const&, Partial const&) = default;
    template <class Archive>
    void serialize(Archive& ar, unsigned /*version*/) {
      auto split = [](u128& v, std::uint64_t(&w)[2]) {
        w[0] = static_cast<std::uint64_t>(v);
        w[1] = static_cast<std::uint64_t>(v >> 64);
      };
      std::uint64_t is[2], cs[2];
      split(index_sum, is);
      split(cost_ns, cs);
      ar& tasks& is& cs& counted;
      index_sum = (u128{is[1]} << 64) | is[0];
      cost_ns = (u128{cs[1]} << 64) | cs[0];
    }
  };

  std::uint64_t count = 0;
  std::uint64_t mean_ns = 1'000'000;  ///< T
  CostModel cost = CostModel::uniform;
  bool spin = false;
  CounterMode counter = CounterMode::none;
  /// The counter the threads of this rank share (--counter racy, locked, atomic).
  std::shared_ptr<SharedCounter> shared = std::make_shared<SharedCounter>();

  /// Uses `ns` of time the task's way: asleep, or busy on the CPU (--spin).
  void wait(std::uint64_t ns) const;

  /// Cost of task k: T (uniform), T * 2k / N (linear), or a pseudo-random value in
  /// [0, 2T] derived from k alone (random).
  [[nodiscard]] std::uint64_t cost_ns(std::uint64_t k) const;

  [[nodiscard]] std::uint64_t items() const { return count; }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const;
  static void combine(Partial& into, Partial const& from) {
    into.tasks += from.tasks;
    into.index_sum += from.index_sum;
    into.cost_ns += from.cost_ns;
    into.counted += from.counted;
  }
  /// A checkpoint's partial of the tasks [0, done): each ran once (their number and the
  /// sum of their indices), their costs as the cost model gives them.
  [[nodiscard]] std::string partial_problem(Partial const& p, std::uint64_t done) const;
};

/// `parfold tasks`: declares the subcommand; when chosen, stores its run in `job`.
void setup_tasks(CLI::App& app, Job& job);

}  // namespace parfold
