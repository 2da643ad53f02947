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

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <cstdio>

#include "exec/chunk_source.hpp"
#include "exec/dispatch.hpp"
#include "exec/monitor.hpp"
#include "exec/stop.hpp"

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

namespace {
/// Checkpointed segments take about this long, so that a stop request waits at most
/// about this long for the segment in flight.
constexpr double kSegmentTarget_s = 1.0;
constexpr std::uint64_t kFirstSegmentDivisor = 4096;
}  // namespace

SegmentPlan plan_segment(Team const& team, Checkpoint const& cp, std::uint64_t items, std::uint64_t last_items,
                         double last_s, std::uint64_t grain, bool finished) {
  SegmentPlan p;
  p.stop = static_cast<int>(stop_requested());
  if (team.comm != nullptr) {
    int any = 0;
    boost::mpi::all_reduce(*team.comm, p.stop, any, boost::mpi::maximum<int>());
    p.stop = any;
  }
  if (team.is_root()) {
    std::uint64_t const least = grain * team.workers();
    double next = 0;
    if (last_items == 0) {
      next = static_cast<double>(items) / kFirstSegmentDivisor;
    } else {
      double const scale = std::clamp(kSegmentTarget_s / std::max(last_s, 1e-6), 0.25, 4.0);
      next = static_cast<double>(last_items) * scale;
    }
    p.next = std::max(least, ceil_div(static_cast<std::uint64_t>(std::min(next, 1.8e19)), grain) * grain);
    p.save = finished || p.stop != 0 || cp.due();
  }
  if (team.comm != nullptr) {
    boost::mpi::broadcast(*team.comm, p.next, 0);
    boost::mpi::broadcast(*team.comm, p.save, 0);
  }
  return p;
}

void save_checkpoint(Team const& team, Checkpoint& cp, std::uint64_t done,
                     std::function<std::string()> const& state) {
  on_root(team, [&] { cp.save(done, state()); });
}

void add_run(RunInfo& into, RunInfo const& run) {
  if (into.workers.empty()) into.workers.resize(run.workers.size());
  for (std::size_t i = 0; i < run.workers.size() && i < into.workers.size(); ++i) {
    WorkerStats& w = into.workers[i];
    WorkerStats const& r = run.workers[i];
    w.rank = r.rank;
    w.thread = r.thread;
    w.host = r.host;
    w.chunks += r.chunks;
    w.items += r.items;
    w.busy_s += r.busy_s;
    w.finish_s = r.finish_s;  // within the last run
  }
  into.ranks = run.ranks;
  into.threads = run.threads;
  into.chunks += run.chunks;
  into.schedule = run.schedule;
}

void stopped(int reason, Checkpoint const& cp, std::uint64_t done, std::uint64_t items) {
  char share[64];
  std::snprintf(share, sizeof(share), "%.1f%%", 100.0 * static_cast<double>(done) / static_cast<double>(items));
  std::string const held = "the checkpoint " + cp.path() + " holds " + std::to_string(done) + " of " +
                           std::to_string(items) + " items (" + share + ")";
  if (static_cast<StopReason>(reason) == StopReason::timeout) {
    throw Stopped("--timeout exceeded: " + held + "; run the same command again to resume", kExitTimeout);
  }
  throw Stopped("stopped by " + stop_signal_name() + ": " + held + "; run the same command again to resume",
                kExitInterrupted);
}

}  // namespace parfold
