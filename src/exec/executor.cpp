#include "exec/executor.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "exec/chunk_source.hpp"
#include "exec/dispatch.hpp"
#include "exec/monitor.hpp"

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

/// With progress on, a chunk runs as up to this many slices, so that a long chunk
/// (a static block) moves the progress line too.
constexpr std::uint64_t kProgressSlices = 64;

template <class F>
void for_each_slice(Chunk const& c, std::uint64_t grain, F&& f) {
  std::uint64_t const step = ceil_div(std::max(grain, ceil_div(c.range.size(), kProgressSlices)), grain) * grain;
  for (std::uint64_t b = c.range.begin; b < c.range.end; b += std::min(step, c.range.end - b)) {
    f(Chunk{c.index, {b, b + std::min(step, c.range.end - b)}});
  }
  if (c.range.empty()) f(c);
}

}  // namespace

std::vector<WorkerStats> run_chunks(ChunkPlan const& plan, Team const& team,
                                    ChunkBody const& body, std::uint64_t grain) {
  std::unique_ptr<ChunkSource> const source = make_source(plan, team);
  auto* const remote = dynamic_cast<RemoteSource*>(source.get());
  int const threads = team.my_threads();
  std::vector<WorkerStats> stats(static_cast<std::size_t>(threads));
  std::exception_ptr failure;
  std::mutex failure_mutex;
  Monitor* const monitor = team.monitor;
  bool const progress = monitor != nullptr && monitor->progress();
  if (monitor != nullptr) monitor->begin_run(plan.range().size());
  int running = threads;  // threads still working, under `running_mutex`
  std::mutex running_mutex;
  std::condition_variable stopped;
  auto const t0 = Clock::now();

  auto worker = [&](int t) {
    prctl(PR_SET_TIMERSLACK, 1UL);  // sleeps in workloads wake on time
    WorkerStats& s = stats[static_cast<std::size_t>(t)];
    s = {team.rank, t, team.host, 0, 0, 0.0, 0.0};
    try {
      while (auto const chunk = source->next(t)) {
        auto const start = Clock::now();
        if (progress) {
          for_each_slice(*chunk, grain, [&](Chunk const& slice) {
            body(t, slice);
            monitor->advance(t, slice.range.size());
          });
        } else {
          body(t, *chunk);
        }
        auto const end = Clock::now();
        double const chunk_s = std::chrono::duration<double>(end - start).count();
        s.busy_s += chunk_s;
        s.items += chunk->range.size();
        ++s.chunks;
        s.finish_s = std::chrono::duration<double>(end - t0).count();
        if (remote != nullptr) remote->record(chunk_s);
        if (monitor != nullptr) monitor->chunk_done(t, *chunk, start, end);
      }
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      source->stop();
    }
    std::lock_guard lock(running_mutex);
    if (--running == 0) stopped.notify_one();
  };
  // While the main thread waits it keeps the progress line going.
  std::function<void()> const idle = [monitor] {
    if (monitor != nullptr) monitor->tick();
  };

  {
    std::vector<std::jthread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    // This rank's main thread talks to the other ranks while the threads work.
    if (auto* counter = dynamic_cast<CounterSource*>(source.get());
        counter != nullptr && team.comm != nullptr) {
      serve_grants(*team.comm, *counter, idle);
    } else if (remote != nullptr) {
      fetch_grants(*team.comm, *remote, threads, idle);
    }
    if (progress) {
      std::unique_lock lock(running_mutex);
      while (!stopped.wait_for(lock, std::chrono::milliseconds(50), [&] { return running == 0; })) {
        monitor->tick();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (monitor != nullptr) monitor->end_run();
  return stats;
}

}  // namespace parfold
