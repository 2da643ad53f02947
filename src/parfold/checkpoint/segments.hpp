#pragma once

// Checkpointing as a layer the run consults (run/execute.hpp): open and restore a
// checkpoint, plan the next segment, save, stop. Nothing here runs a workload.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "parfold/checkpoint/archive.hpp"
#include "parfold/checkpoint/checkpoint.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/core/range.hpp"
#include "parfold/observe/monitor.hpp"

namespace parfold {

/// Why a partial result read from a checkpoint does not fit the job (empty: it fits).
template <class P>
using PartialCheck = std::function<std::string(P const&)>;

/// The partial result that checkpoint `cp` holds as `bytes`, read trusting no length in
/// it (from_bytes) and checked by `problem`; throws FileError naming the checkpoint when
/// it cannot be read or does not fit.
template <class P>
P read_partial(Checkpoint const& cp, std::string_view bytes,
               std::type_identity_t<PartialCheck<P>> const& problem = {}) {
  P p;
  std::string why;
  try {
    p = from_bytes<P>(bytes);
  } catch (std::exception const& e) {
    why = std::string("its partial result cannot be read (") + e.what() + ")";
  }
  if (why.empty() && problem) {
    if (std::string const unfit = problem(p); !unfit.empty())
      why = "its partial result does not fit this job (" + unfit + ")";
  }
  if (!why.empty())
    throw FileError(FileError::Role::checkpoint,
                    " " + cp.path() + ": " + why + "; delete it to start over");
  return p;
}

/// Rank 0: `into` becomes the checkpoint's partial result when some items are done
/// (read_partial()); one that cannot be read or does not fit is bad input (FileError on
/// every rank).
/// \note With MPI this is a collective operation over all ranks.
template <class P>
void restore_partial(Team const& team, Checkpoint const& cp, CheckpointState const& state, P& into,
                     std::type_identity_t<PartialCheck<P>> const& problem = {}) {
  if (state.done == 0) return;
  on_root(team, [&] { into = read_partial<P>(cp, state.partial, problem); });
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
SegmentPlan plan_segment(Team const& team, Checkpoint const& cp, std::uint64_t items,
                         std::uint64_t last_items, double last_s, std::uint64_t grain,
                         bool finished);
/// Rank 0 writes the checkpoint with the partial result `state()` returns (called on
/// rank 0 only); every rank learns whether that worked (JobError if not).
/// \note With MPI this is a collective operation over all ranks.
void save_checkpoint(Team const& team, Checkpoint& cp, std::uint64_t done,
                     std::function<std::string()> const& state);
/// What the checkpoint holds, for the user: "the checkpoint F holds 4 of 9 items (44.4%); run
/// the same command again to resume".
[[nodiscard]] std::string what_is_kept(Checkpoint const& cp, std::uint64_t done,
                                       std::uint64_t items);
/// Ends a job that was asked to stop after its checkpoint was written (throws Stopped).
[[noreturn]] void stopped(int reason, Checkpoint const& cp, std::uint64_t done,
                          std::uint64_t items);

/// Runs the items [done, items) in order, segment by segment: `segment(Range)` runs one
/// and folds its result in. Without a checkpoint (`cp` null) segments hold `most` items;
/// with one about a second's worth (at most `most`), and after each rank 0 may write the
/// checkpoint with `state()` (the partial result so far, called on rank 0 only), or the
/// job stops there. With no items at all, one empty segment runs.
/// \note With MPI this is a collective operation over all ranks.
template <class Segment>
void run_segments(Team const& team, Checkpoint* cp, std::uint64_t items, std::uint64_t done,
                  std::uint64_t grain, std::uint64_t most, Segment&& segment,
                  std::function<std::string()> const& state) {
  SegmentPlan plan{most};
  if (cp != nullptr) plan = plan_segment(team, *cp, items, 0, 0.0, grain, done == items);
  for (bool first = true; done < items || (first && items == 0); first = false) {
    Range const part{done, done + std::min({plan.next, most, items - done})};
    auto const t0 = std::chrono::steady_clock::now();
    segment(part);
    double const seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    done = part.end;
    if (cp == nullptr) continue;
    plan = plan_segment(team, *cp, items, part.size(), seconds, grain, done == items);
    if (plan.save) save_checkpoint(team, *cp, done, state);
    if (plan.stop != 0 && done < items) stopped(plan.stop, *cp, done, items);
  }
}

}  // namespace parfold
