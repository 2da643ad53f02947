#pragma once

#include <cstdint>
#include <functional>

namespace parfold {

struct Team;
class CounterSource;
class RemoteSource;

/// What a main thread does while it waits (keeps the progress line going).
using Idle = std::function<void()>;

/// Rank 0's main thread during a dynamic or guided run: answers every other rank's
/// requests for chunks (on the team's dispatch communicator) from the counter its own
/// threads also draw from, until each rank has been told that no work is left or has
/// left the run.
/// \note Collective with fetch_grants() on every other rank.
void serve_grants(Team const& team, CounterSource& counter, Idle const& idle);

/// The main thread of a rank other than 0: keeps this rank's queue filled by asking
/// rank 0 for chunks before the threads run dry (prefetching hides the round trip).
/// When this rank's run stops early (a failure), it tells rank 0 that it leaves.
/// \note Collective with serve_grants() on rank 0.
void fetch_grants(Team const& team, RemoteSource& queue, int threads, Idle const& idle);

}  // namespace parfold
