#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/range.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/core/stats.hpp"
#include "parfold/run/services.hpp"

namespace parfold {

/// Processes chunk `c` on thread `t` of this rank.
using ChunkBody = std::function<void(int t, Chunk const& c)>;

/// The calling worker thread's index within its rank (0 .. threads - 1) while it runs a
/// chunk of a fold; -1 on any other thread.
[[nodiscard]] int worker_thread();

/// What one rank's part of a run did.
struct RankRunStats {
  std::vector<WorkerStats> workers;  ///< this rank's threads
  std::uint64_t requests = 0;        ///< rank 0: the chunk requests it answered (dynamic, guided)
};

/// Runs every chunk of `plan` exactly once over the team, calling `body` on the thread
/// that the schedule picks; returns what this rank did. When a body throws on
/// any rank, every rank stops taking chunks and, once all of its threads have stopped,
/// throws the same JobError (the message, rank and host of the lowest failed rank).
/// With a monitor whose progress is on, a chunk may be passed to `body` as consecutive
/// slices (multiples of `grain` items, but the last), so that progress moves within
/// long chunks. A courier in `services` is pumped by the main thread while it waits.
/// (The checkpoint in `services` is not used here.)
/// \note With MPI this is a collective operation over all ranks (dynamic and guided
/// schedules exchange chunk grants with rank 0).
RankRunStats run_chunks(ChunkPlan const& plan, Team const& team, Services services,
                        ChunkBody const& body, std::uint64_t grain = 1);

}  // namespace parfold
