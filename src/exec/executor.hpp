#pragma once

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/schedule.hpp"
#include "core/stats.hpp"
#include "core/workload.hpp"
#include "exec/team.hpp"

namespace parfold {

template <class Partial>
struct JobResult {
  Partial value;  ///< the full reduction on rank 0
  RunInfo info;
};

/// Processes chunk `c` on thread `t` of this rank.
using ChunkBody = std::function<void(int t, Chunk const& c)>;

/// Runs every chunk of `plan` exactly once over the team, calling `body` on the thread
/// that the schedule picks; returns this rank's worker stats. Rethrows the first
/// exception of a worker once all of this rank's threads have stopped. With progress on,
/// a chunk may be passed to `body` as consecutive slices (multiples of `grain` items,
/// but the last), so that progress moves within long chunks.
/// \note With MPI this is a collective operation over all ranks (dynamic and guided
/// schedules exchange chunk grants with rank 0).
std::vector<WorkerStats> run_chunks(ChunkPlan const& plan, Team const& team, ChunkBody const& body,
                                    std::uint64_t grain = 1);

/// Runs workload `w` over the team with schedule `s`. The result's value is this rank's
/// partial result (its threads' partials combined); the run information, workers
/// included, is complete on rank 0.
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute_on_ranks(W const& w, Schedule s, Team const& team) {
  using Partial = typename W::Partial;
  struct alignas(64) Slot {
    Partial value;
  };
  auto const t0 = std::chrono::steady_clock::now();
  s.chunk = effective_chunk(s, w.items(), team.workers(), w.grain());
  ChunkPlan const plan(Range{0, w.items()}, s, team.workers());

  std::vector<Slot> partials(static_cast<std::size_t>(team.my_threads()), Slot{w.identity()});
  std::vector<WorkerStats> mine = run_chunks(plan, team, [&](int t, Chunk const& c) {
    w.process(c.range, partials[static_cast<std::size_t>(t)].value);
  }, w.grain());
  JobResult<Partial> out{w.identity(), RunInfo{team.ranks(), team.threads, s, w.items(), plan.count(), 0.0, {}}};
  for (Slot const& p : partials) W::combine(out.value, p.value);
  if (team.comm == nullptr) {
    out.info.workers = std::move(mine);
  } else {
    std::vector<std::vector<WorkerStats>> stats;
    boost::mpi::gather(*team.comm, mine, stats, 0);
    for (auto& rank_stats : stats) {
      out.info.workers.insert(out.info.workers.end(), rank_stats.begin(), rank_stats.end());
    }
  }
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// Runs workload `w` over the team with schedule `s` and reduces the result on rank 0.
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute(W const& w, Schedule s, Team const& team) {
  auto const t0 = std::chrono::steady_clock::now();
  auto out = execute_on_ranks(w, s, team);
  if (team.comm != nullptr) {
    std::vector<typename W::Partial> values;
    boost::mpi::gather(*team.comm, out.value, values, 0);
    out.value = w.identity();
    for (auto const& v : values) W::combine(out.value, v);
  }
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace parfold
