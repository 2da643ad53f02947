#pragma once

// The front door of a run: a workload's items over the team (ranks x threads), with a
// schedule. The ways in, each for a reason:
//   execute()           the whole job, reduced on rank 0; checkpointed in segments when the
//                       services carry a checkpoint (the checkpoint layer plans and saves)
//   execute_part()      some of the items (a window, a segment), reduced on rank 0
//   execute_on_ranks()  some of the items, each rank keeping its partial (a shuffle follows)
//   fold() (fold.hpp)   the public API: the reduction on every rank
// The way down: execute -> checkpoint/ (plan, save, restore) and run_chunks (the pool of
// a rank) -> chunk sources and rank 0's dispatcher; nothing below comes back up here.

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "parfold/checkpoint/archive.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/core/stats.hpp"
#include "parfold/core/workload.hpp"
#include "parfold/run/run_chunks.hpp"
#include "parfold/run/services.hpp"

namespace parfold {

template <class Partial>
struct JobResult {
  Partial value;  ///< see the function that returned it: a rank's partial or the reduction
  RunInfo info;   ///< complete (workers included) on rank 0
};

/// Runs the items `part` (default: all) of workload `w` over the team with schedule `s`.
/// The result's value is this rank's partial result (its threads' partials combined);
/// the run information, workers included, is complete on rank 0.
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute_on_ranks(W const& w, Schedule s, Team const& team,
                                                Services services,
                                                std::optional<Range> part = std::nullopt) {
  using Partial = typename W::Partial;
  struct alignas(64) Slot {
    Partial value;
  };
  auto const t0 = std::chrono::steady_clock::now();
  Range const range = part.value_or(Range{0, w.items()});
  s = resolve(s, range.size(), team.workers(), w.grain());
  ChunkPlan const plan(range, s, team.workers());

  std::vector<Slot> partials(static_cast<std::size_t>(team.my_threads()), Slot{w.identity()});
  RankRunStats mine = run_chunks(
      plan, team, services,
      [&](int t, Chunk const& c) {
        w.process(c.range, partials[static_cast<std::size_t>(t)].value);
      },
      w.grain());
  JobResult<Partial> out{
      w.identity(), RunInfo{team.ranks(), team.threads, s, range.size(), plan.count(), 0.0, {}}};
  out.info.requests = mine.requests;
  for (Slot const& p : partials) w.combine(out.value, p.value);
  for (WorkerStats& m : mine.workers) m.peak_rss_kib = peak_rss_kib();
  for (auto& rank_stats : team.comm.gather(mine.workers)) {
    out.info.workers.insert(out.info.workers.end(), rank_stats.begin(), rank_stats.end());
  }
  if (s.adaptive) {  // the chunks as run (on rank 0), not the plan's pieces
    out.info.chunks = 0;
    for (WorkerStats const& m : out.info.workers) out.info.chunks += m.chunks;
  }
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// The partials of every rank combined on rank 0 (the identity elsewhere); see
/// Comm::reduce for how they travel.
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
typename W::Partial reduce_on_root(W const& w, Team const& team, typename W::Partial mine) {
  using P = typename W::Partial;
  return team.comm.reduce(std::move(mine), w.identity(),
                          [&w](P& into, P const& from) { w.combine(into, from); });
}

/// Runs the items `part` (default: all) of workload `w` over the team with schedule `s`
/// and reduces the result on rank 0 (other ranks hold the identity).
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute_part(W const& w, Schedule s, Team const& team,
                                            Services services,
                                            std::optional<Range> part = std::nullopt) {
  auto const t0 = std::chrono::steady_clock::now();
  auto out = execute_on_ranks(w, s, team, services, part);
  out.value = reduce_on_root(w, team, std::move(out.value));
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// Adds a run's information (a segment's, a window's) to the job's: items, chunks and
/// each worker's counts add up (the wall time is the caller's to measure).
void add_run(RunInfo& into, RunInfo const& run);

/// With a checkpoint: the items run in segments of about a second, in order, so that
/// what is done is always a prefix [0, done) of the range; after a segment rank 0 may
/// write the checkpoint (every few seconds, at the end, and on a stop request). The
/// result is the full reduction on rank 0.
/// \note With MPI this is a collective operation over all ranks.
namespace detail {
template <Workload W>
JobResult<typename W::Partial> execute_checkpointed(W const& w, Schedule s, Team const& team,
                                                    Services services) {
  using Partial = typename W::Partial;
  Checkpoint& cp = *services.checkpoint;
  auto const t0 = std::chrono::steady_clock::now();
  std::uint64_t const items = w.items();
  CheckpointState const state = cp.open(team, items, input_identity(w));
  JobResult<Partial> out{w.identity(), RunInfo{team.ranks(), team.threads, s, items, 0, 0.0, {}}};
  out.info.resumed = state.done;
  restore_partial(team, cp, state, out.value,
                  [&](Partial const& p) { return partial_problem(w, p, state.done); });
  if (services.monitor != nullptr) services.monitor->expect_total(items - state.done);
  run_segments(
      team, &cp, items, state.done, w.grain(), std::numeric_limits<std::uint64_t>::max(),
      [&](Range part) {
        auto run = execute_part(w, s, team, services, part);
        w.combine(out.value, run.value);
        add_run(out.info, run.info);
      },
      [&] { return to_bytes(out.value); });
  out.info.items = items;
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}
}  // namespace detail

/// Runs workload `w` over the team with schedule `s` and reduces the result on rank 0
/// (other ranks hold the identity); with a checkpoint, in checkpointed segments.
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute(W const& w, Schedule s, Team const& team,
                                       Services services) {
  if (services.checkpoint != nullptr) return detail::execute_checkpointed(w, s, team, services);
  return execute_part(w, s, team, services);
}

}  // namespace parfold
