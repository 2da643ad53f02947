// Dynamic and guided dispatch at many ranks (run at 16, 32 and 64 ranks oversubscribed
// on a small machine): every item exactly once, results equal to sequential truths, the
// partials reduced along the tree holding every item once, no hang.
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <vector>

#include "../support/coverage.hpp"
#include "../support/pi_reference.hpp"
#include "mpi_gtest_main.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/pi.hpp"
#include "workloads/tasks.hpp"

namespace parfold {
namespace {

using testing_support::CoverageWorkload;
using testing_support::world_team;

/// Which rank ran each item (a map: serialized, variable size, reduced along the tree).
struct Owners {
  using Partial = std::map<std::uint64_t, int>;
  std::uint64_t n = 0;
  int rank = 0;
  [[nodiscard]] std::uint64_t items() const { return n; }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const {
    for (std::uint64_t k = r.begin; k < r.end; ++k) acc.emplace(k, rank);
  }
  static void combine(Partial& into, Partial const& from) {
    for (auto const& [k, r] : from) into.emplace(k, r + (into.count(k) != 0 ? 1000 : 0));
  }
};

std::vector<Schedule> schedules() {
  return {{ScheduleKind::dynamic, 0},
          {ScheduleKind::guided, 0},
          {ScheduleKind::dynamic, 1},
          {ScheduleKind::dynamic, 7},
          {ScheduleKind::guided, 3}};
}

TEST(Scale, EveryItemExactlyOnce) {
  Team const& team = world_team();
  CoverageWorkload const w{20'011};
  for (Schedule const s : schedules()) {
    SCOPED_TRACE(testing::Message()
                 << team.ranks() << " ranks, " << to_string(s.kind) << ", chunk " << s.chunk);
    auto const r = execute(w, s, team, {});
    if (!team.is_root()) continue;
    for (std::uint64_t k = 0; k < w.n; ++k) ASSERT_EQ(r.value[k], 1U) << "item " << k;
    std::uint64_t items = 0, chunks = 0;
    for (WorkerStats const& ws : r.info.workers) {
      items += ws.items;
      chunks += ws.chunks;
    }
    EXPECT_EQ(items, w.n);
    EXPECT_EQ(chunks, r.info.chunks);
    EXPECT_EQ(r.info.workers.size(), team.workers());
    if (team.ranks() > 1) {
      EXPECT_GT(r.info.requests, 0U);
    }
  }
}

TEST(Scale, TreeReductionOfMapsKeepsEveryItemOnce) {
  Team const& team = world_team();
  Owners const w{5'003, team.rank()};
  for (Schedule const s : schedules()) {
    auto const r = execute(w, s, team, {});
    if (!team.is_root()) continue;
    ASSERT_EQ(r.value.size(), w.n);
    for (auto const& [k, rank] : r.value)
      ASSERT_LT(rank, team.ranks()) << "item " << k << " ran twice";
  }
}

TEST(Scale, ResultsMatchSequentialTruths) {
  Team const& team = world_team();
  PiWorkload const pi{3'000'001, 11};
  TasksWorkload tasks;
  tasks.count = 50'000;
  tasks.mean_ns = 0;
  // Sequential truths: Random123's own Philox, and the closed form of the sum of k.
  std::uint64_t const expect_hits =
      team.is_root() ? testing_support::reference_hits(pi.samples, pi.seed) : 0;
  std::uint64_t const expect_index_sum = tasks.count * (tasks.count - 1) / 2;
  for (Schedule const s : schedules()) {
    SCOPED_TRACE(testing::Message() << to_string(s.kind) << ", chunk " << s.chunk);
    auto const p = execute(pi, s, team, {});
    auto const t = execute(tasks, s, team, {});
    if (!team.is_root()) continue;
    EXPECT_EQ(p.value, expect_hits);
    EXPECT_EQ(t.value.index_sum, expect_index_sum);
  }
}

}  // namespace
}  // namespace parfold
