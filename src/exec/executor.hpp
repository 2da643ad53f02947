#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/map.hpp>
#include <boost/serialization/unordered_map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/schedule.hpp"
#include "core/stats.hpp"
#include "core/errors.hpp"
#include "core/workload.hpp"
#include "exec/agree.hpp"
#include "exec/checkpoint.hpp"
#include "exec/monitor.hpp"
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
JobResult<typename W::Partial> execute_on_ranks(W const& w, Schedule s, Team const& team,
                                                std::optional<Range> part = std::nullopt) {
  using Partial = typename W::Partial;
  struct alignas(64) Slot {
    Partial value;
  };
  auto const t0 = std::chrono::steady_clock::now();
  Range const range = part.value_or(Range{0, w.items()});
  s.chunk = effective_chunk(s, range.size(), team.workers(), w.grain());
  ChunkPlan const plan(range, s, team.workers());

  std::vector<Slot> partials(static_cast<std::size_t>(team.my_threads()), Slot{w.identity()});
  std::vector<WorkerStats> mine = run_chunks(plan, team, [&](int t, Chunk const& c) {
    w.process(c.range, partials[static_cast<std::size_t>(t)].value);
  }, w.grain());
  JobResult<Partial> out{w.identity(), RunInfo{team.ranks(), team.threads, s, range.size(), plan.count(), 0.0, {}}};
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

/// Runs the items `part` (default: all) of workload `w` over the team with schedule `s`
/// and reduces the result on rank 0 (other ranks hold the identity).
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute_part(W const& w, Schedule s, Team const& team,
                                            std::optional<Range> part = std::nullopt) {
  auto const t0 = std::chrono::steady_clock::now();
  auto out = execute_on_ranks(w, s, team, part);
  if (team.comm != nullptr) {
    std::vector<typename W::Partial> values;
    boost::mpi::gather(*team.comm, out.value, values, 0);
    out.value = w.identity();
    for (auto const& v : values) W::combine(out.value, v);
  }
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// A partial result as bytes, for a checkpoint, and back.
template <class P>
std::string to_bytes(P const& p) {
  std::ostringstream os;
  boost::archive::binary_oarchive ar(os);
  ar << p;
  return os.str();
}
template <class P>
P from_bytes(std::string const& bytes) {
  std::istringstream is(bytes);
  boost::archive::binary_iarchive ar(is);
  P p;
  ar >> p;
  return p;
}

/// What identifies a workload's input in a checkpoint (files: sizes, times, contents).
template <class W>
std::string input_identity(W const& w) {
  if constexpr (requires { { w.input_identity() } -> std::convertible_to<std::string>; }) {
    return w.input_identity();
  } else {
    return {};
  }
}

/// Rank 0: `into` becomes the checkpoint's partial result when some items are done;
/// one that cannot be read is bad input (UsageError on every rank).
/// \note With MPI this is a collective operation over all ranks.
template <class P>
void restore_partial(Team const& team, Checkpoint const& cp, CheckpointState const& state, P& into) {
  if (state.done == 0) return;
  on_root(team, [&] {
    try {
      into = from_bytes<P>(state.partial);
    } catch (std::exception const& e) {
      throw UsageError("--checkpoint " + cp.path() + ": its partial result cannot be read (" + e.what() +
                       "); delete it to start over");
    }
  });
}

/// The segments of a checkpointed job, and what happens after each.
struct SegmentPlan {
  std::uint64_t next = 0;  ///< items in the next segment
  int stop = 0;            ///< a StopReason: stop after this segment
  bool save = false;       ///< write the checkpoint now
};
/// Rank 0 decides (segment size from the time of the last one, whether to save);
/// every rank learns; any rank's stop request stops all.
/// \note With MPI this is a collective operation over all ranks.
SegmentPlan plan_segment(Team const& team, Checkpoint const& cp, std::uint64_t items, std::uint64_t last_items,
                         double last_s, std::uint64_t grain, bool finished);
/// Rank 0 writes the checkpoint with the partial result `state()` returns (called on
/// rank 0 only); every rank learns whether that worked (JobError if not).
/// \note With MPI this is a collective operation over all ranks.
void save_checkpoint(Team const& team, Checkpoint& cp, std::uint64_t done,
                     std::function<std::string()> const& state);
/// Adds a segment's run to the job's run information.
void add_run(RunInfo& into, RunInfo const& run);
/// Ends a job that was asked to stop after its checkpoint was written.
[[noreturn]] void stopped(int reason, Checkpoint const& cp, std::uint64_t done, std::uint64_t items);

/// Runs the items [done, items) in order, segment by segment: `segment(Range)` runs one
/// and folds its result in. Without a checkpoint (`cp` null) segments hold `most` items;
/// with one about a second's worth (at most `most`), and after each rank 0 may write the
/// checkpoint with `state()` (the partial result so far, called on rank 0 only), or the
/// job stops there. With no items at all, one empty segment runs.
/// \note With MPI this is a collective operation over all ranks.
template <class Segment>
void run_segments(Team const& team, Checkpoint* cp, std::uint64_t items, std::uint64_t done, std::uint64_t grain,
                  std::uint64_t most, Segment&& segment, std::function<std::string()> const& state) {
  SegmentPlan plan{most};
  if (cp != nullptr) plan = plan_segment(team, *cp, items, 0, 0.0, grain, done == items);
  for (bool first = true; done < items || (first && items == 0); first = false) {
    Range const part{done, done + std::min({plan.next, most, items - done})};
    auto const t0 = std::chrono::steady_clock::now();
    segment(part);
    double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done = part.end;
    if (cp == nullptr) continue;
    plan = plan_segment(team, *cp, items, part.size(), seconds, grain, done == items);
    if (plan.save) save_checkpoint(team, *cp, done, state);
    if (plan.stop != 0 && done < items) stopped(plan.stop, *cp, done, items);
  }
}

/// With --checkpoint: the items run in segments of about a second, in order, so that
/// what is done is always a prefix [0, done) of the range; after a segment rank 0 may
/// write the checkpoint (every few seconds, at the end, and on a stop request).
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute_checkpointed(W const& w, Schedule s, Team const& team,
                                                    Checkpoint& cp) {
  using Partial = typename W::Partial;
  auto const t0 = std::chrono::steady_clock::now();
  std::uint64_t const items = w.items();
  CheckpointState const state = cp.open(team, items, input_identity(w));
  JobResult<Partial> out{w.identity(), RunInfo{team.ranks(), team.threads, s, items, 0, 0.0, {}}};
  out.info.resumed = state.done;
  restore_partial(team, cp, state, out.value);
  if (team.monitor != nullptr) team.monitor->expect_total(items - state.done);
  run_segments(
      team, &cp, items, state.done, w.grain(), std::numeric_limits<std::uint64_t>::max(),
      [&](Range part) {
        auto run = execute_part(w, s, team, part);
        W::combine(out.value, run.value);
        add_run(out.info, run.info);
      },
      [&] { return to_bytes(out.value); });
  out.info.items = items;
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// Runs workload `w` over the team with schedule `s` and reduces the result on rank 0;
/// with --checkpoint, in checkpointed segments.
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> execute(W const& w, Schedule s, Team const& team) {
  if (team.checkpoint != nullptr) return execute_checkpointed(w, s, team, *team.checkpoint);
  return execute_part(w, s, team);
}

}  // namespace parfold
