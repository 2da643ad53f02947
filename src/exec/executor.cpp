#include "exec/executor.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "exec/chunk_source.hpp"
#include "exec/dispatch.hpp"

namespace parfold {

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<ChunkSource> make_source(ChunkPlan const& plan, Team const& team) {
  switch (plan.kind()) {
    case ScheduleKind::static_blocks:
    case ScheduleKind::cyclic:
      return std::make_unique<FixedSource>(plan, team);
    case ScheduleKind::dynamic:
    case ScheduleKind::guided:
      break;
  }
  if (team.comm != nullptr && !team.is_root()) return std::make_unique<RemoteSource>(plan);
  return std::make_unique<CounterSource>(plan);
}

}  // namespace

std::vector<WorkerStats> run_chunks(ChunkPlan const& plan, Team const& team,
                                    ChunkBody const& body) {
  std::unique_ptr<ChunkSource> const source = make_source(plan, team);
  auto* const remote = dynamic_cast<RemoteSource*>(source.get());
  int const threads = team.my_threads();
  std::vector<WorkerStats> stats(static_cast<std::size_t>(threads));
  std::exception_ptr failure;
  std::mutex failure_mutex;

  auto worker = [&](int t) {
    prctl(PR_SET_TIMERSLACK, 1UL);  // sleeps in workloads wake on time
    WorkerStats& s = stats[static_cast<std::size_t>(t)];
    s = {team.rank, t, team.host, 0, 0, 0.0};
    try {
      while (auto const chunk = source->next(t)) {
        auto const start = Clock::now();
        body(t, *chunk);
        double const chunk_s = std::chrono::duration<double>(Clock::now() - start).count();
        s.busy_s += chunk_s;
        s.items += chunk->range.size();
        ++s.chunks;
        if (remote != nullptr) remote->record(chunk_s);
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      source->stop();
    }
  };

  {
    std::vector<std::jthread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    // This rank's main thread talks to the other ranks while the threads work.
    if (auto* counter = dynamic_cast<CounterSource*>(source.get());
        counter != nullptr && team.comm != nullptr) {
      serve_grants(*team.comm, *counter);
    } else if (remote != nullptr) {
      fetch_grants(*team.comm, *remote, threads);
    }
  }
  if (failure) std::rethrow_exception(failure);
  return stats;
}

}  // namespace parfold
