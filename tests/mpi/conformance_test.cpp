// The same test bodies on the local thread pool (1, 2, 3, 8 threads) and under
// mpirun (any number of ranks, 1-3 threads each): every schedule and several chunk
// sizes give exactly the independently computed results.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include <unistd.h>
#include "mpi_gtest_main.hpp"
#include "parfold/run/execute.hpp"

#include <filesystem>
#include <fstream>

#include "../support/coverage.hpp"
#include "../support/pi_reference.hpp"
#include "../support/text_gen.hpp"
#include "workloads/lines/count/wc.hpp"
#include "workloads/pi.hpp"
#include "workloads/sum.hpp"
#include "workloads/tasks.hpp"

namespace parfold {
namespace {

using testing_support::CoverageWorkload;
using testing_support::world_team;

static_assert(Workload<CoverageWorkload>);
static_assert(Workload<PiWorkload>);
static_assert(Workload<SumWorkload>);
static_assert(Workload<TasksWorkload>);

/// The teams to try: thread counts on this rank count (all ranks alike).
std::vector<Team> teams() {
  Team const& world = world_team();
  std::vector<int> const counts =
      world.ranks() == 1 ? std::vector<int>{1, 2, 3, 8} : std::vector<int>{1, 2, 3};
  std::vector<Team> out;
  for (int t : counts) {
    Team team = world;
    team.threads.assign(static_cast<std::size_t>(world.ranks()), t);
    out.push_back(team);
  }
  return out;
}

constexpr ScheduleKind kKinds[] = {ScheduleKind::static_blocks, ScheduleKind::cyclic,
                                   ScheduleKind::dynamic, ScheduleKind::guided};

/// Runs `check(team, schedule)` for every team, schedule and chunk size in `chunks`.
template <class F>
void for_each_config(std::vector<std::uint64_t> const& chunks, F check) {
  for (Team const& team : teams()) {
    for (ScheduleKind kind : kKinds) {
      for (std::uint64_t chunk : chunks) {
        SCOPED_TRACE(testing::Message() << team.ranks() << " ranks x " << team.my_threads()
                                        << " threads, " << to_string(kind) << ", chunk " << chunk);
        check(team, Schedule{kind, chunk});
      }
    }
  }
}

TEST(Conformance, EveryItemExactlyOnceAndStatsAddUp) {
  CoverageWorkload const w{257};
  for_each_config({0, 1, 3, 7, 300}, [&](Team const& team, Schedule s) {
    auto const r = execute(w, s, team, {});
    if (!team.is_root()) return;
    for (std::uint64_t k = 0; k < w.n; ++k) ASSERT_EQ(r.value[k], 1U) << "item " << k;
    EXPECT_EQ(r.info.workers.size(), team.workers());
    std::uint64_t items = 0, chunks = 0;
    for (WorkerStats const& ws : r.info.workers) {
      items += ws.items;
      chunks += ws.chunks;
      EXPECT_GE(ws.busy_s, 0.0);
    }
    EXPECT_EQ(items, w.n);
    EXPECT_EQ(chunks, r.info.chunks);
  });
}

TEST(Conformance, PiMatchesSequentialRandom123) {
  PiWorkload const w{20011, 3};
  // sequential reference with Random123 and 128-bit arithmetic
  std::uint64_t const expect = testing_support::reference_hits(w.samples, w.seed);
  for_each_config({0, 1, 2, 333, 30000}, [&](Team const& team, Schedule s) {
    auto const r = execute(w, s, team, {});
    if (team.is_root()) {
      EXPECT_EQ(r.value, expect);
    }
  });
}

TEST(Conformance, SumMatchesNaiveSum) {
  SumWorkload const w{-1000, 2345, 3};
  __int128 expect = 0;
  for (std::int64_t i = w.from; i <= w.to; ++i) expect += static_cast<__int128>(i) * i * i;
  for_each_config({0, 1, 5, 4000}, [&](Team const& team, Schedule s) {
    auto const r = execute(w, s, team, {});
    if (team.is_root()) {
      EXPECT_EQ(r.value, Int256::from_u128(static_cast<u128>(expect)));
    }
  });
}

TEST(Conformance, TasksRunExactlyOnce) {
  TasksWorkload w;
  w.count = 500;
  w.mean_ns = 0;
  for_each_config({0, 1, 9}, [&](Team const& team, Schedule s) {
    auto const r = execute(w, s, team, {});
    if (!team.is_root()) return;
    EXPECT_EQ(r.value.tasks, 500U);
    EXPECT_EQ(r.value.index_sum, u128{500 * 499 / 2});
  });
}

TEST(Conformance, LinesCountMatchesNaiveCount) {
  // Every rank writes the same files into its own directory.
  auto const dir =
      std::filesystem::temp_directory_path() / ("parfold-conf-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> texts = {testing_support::random_text(11, 40, 60, true), "",
                                    testing_support::random_text(12, 300, 8, false), "\n\n",
                                    testing_support::random_text(13, 3, 200, true)};
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    paths.push_back((dir / ("f" + std::to_string(i))).string());
    std::ofstream(paths.back(), std::ios::binary) << texts[i];
  }
  {
    LineFiles const files(paths);
    CountWorkload const w{&files, {}};
    for_each_config({0, 1, 7, 100}, [&](Team const& team, Schedule s) {
      auto const r = execute(w, s, team, {});
      if (!team.is_root()) return;
      for (std::size_t f = 0; f < texts.size(); ++f) {
        auto const want = testing_support::naive_wc(texts[f]);
        EXPECT_EQ(r.value[f], (LineCounts{want.lines, want.words, want.bytes})) << "file " << f;
      }
    });
  }
  std::filesystem::remove_all(dir);
}

TEST(Conformance, WorkerFailureIsReportedNotHidden) {
  Team const& world = world_team();
  struct Failing {
    using Partial = std::uint64_t;
    [[nodiscard]] std::uint64_t items() const { return 100; }
    [[nodiscard]] static std::uint64_t grain() { return 1; }
    [[nodiscard]] static Partial identity() { return 0; }
    void process(Range r, Partial& acc) const {
      if (r.begin <= 50 && 50 < r.end) throw std::runtime_error("item 50 failed");
      acc += r.size();
    }
    static void combine(Partial& into, Partial const& from) { into += from; }
  };
  Team const team = world.with_threads(3);
  for (ScheduleKind kind : kKinds) {
    // The rank that ran item 50 fails: every rank throws the same JobError naming it.
    int failed = -1;
    try {
      (void)execute(Failing{}, Schedule{kind, 4}, team, {});
      ADD_FAILURE() << "no exception";
    } catch (JobError const& e) {
      EXPECT_EQ(e.message(), "item 50 failed");
      failed = e.rank();
    }
    auto const seen = team.comm.all_gather(failed);
    EXPECT_GE(failed, 0);
    EXPECT_EQ(std::count(seen.begin(), seen.end(), failed), team.ranks()) << "ranks disagree";
  }
}

}  // namespace
}  // namespace parfold
