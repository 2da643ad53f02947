#pragma once

#include <cstdint>
#include <functional>

#include "parfold/core/range.hpp"

namespace parfold {

struct Team;
class CounterSource;
class RemoteSource;

/// What a main thread does while it waits (keeps the progress line going).
using Idle = std::function<void()>;

/// Rank 0's main thread during a dynamic or guided run: answers every other rank's
/// requests for chunks (on the team's dispatch communicator) from the counter its own
/// threads also draw from, until each rank has been told that no work is left or has
/// left the run. Returns how many requests it answered.
/// \note Collective with fetch_grants() on every other rank.
std::uint64_t serve_grants(Team const& team, CounterSource& counter, Idle const& idle);

/// A rank's line to rank 0 for one dispatched run (ranks other than 0; one per run, made
/// in the same order as serve_grants() is called on rank 0).
class GrantClient {
 public:
  explicit GrantClient(Team const& team);
  /// Asks rank 0 for up to `want` (>= 1) chunk indices and waits for them, calling
  /// `idle` meanwhile; an empty range means that no work is left.
  Range ask(std::uint64_t want, Idle const& idle);
  /// Tells rank 0 that this rank leaves the run early (its run failed).
  void leave();

 private:
  Team const& team_;
  int request_tag_, grant_tag_;
};

/// How much work (seconds per thread) a rank other than 0 keeps queued: enough to hide
/// a request's round trip, and more with more ranks, so that every rank asks
/// `ranks / kRequestBudget_per_s` seconds apart and rank 0 answers at most about
/// kRequestBudget_per_s requests per second in all, however many ranks ask.
[[nodiscard]] double prefetch_cover_s(int ranks);
/// Rank 0's budget of requests per second (well below the rate it can answer).
inline constexpr double kRequestBudget_per_s = 10'000;

/// The main thread of a rank other than 0: keeps this rank's queue filled by asking
/// rank 0 for chunks before the threads run dry (prefetching hides the round trip).
/// When this rank's run stops early (a failure), it tells rank 0 that it leaves.
/// \note Collective with serve_grants() on rank 0.
void fetch_grants(Team const& team, RemoteSource& queue, int threads, Idle const& idle);

}  // namespace parfold
