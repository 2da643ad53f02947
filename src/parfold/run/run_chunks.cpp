#include "parfold/run/run_chunks.hpp"

#include <sys/prctl.h>

#include <csignal>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "parfold/comm/failure.hpp"
#include "parfold/comm/peers.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/observe/monitor.hpp"
#include "parfold/run/chunk_source.hpp"
#include "parfold/run/dispatch.hpp"
#include "parfold/stop/stop.hpp"
#include "parfold/stream/courier.hpp"

namespace parfold {

namespace {

using Clock = std::chrono::steady_clock;

thread_local int t_worker = -1;

std::unique_ptr<ChunkSource> make_source(ChunkPlan const& plan, Team const& team) {
  switch (plan.kind()) {
    case ScheduleKind::static_blocks:
    case ScheduleKind::cyclic:
      return std::make_unique<FixedSource>(plan, team);
    case ScheduleKind::dynamic:
    case ScheduleKind::guided:
      break;
  }
  if (!team.is_root())
    return std::make_unique<RemoteSource>(plan, static_cast<std::uint64_t>(team.my_threads()));
  return std::make_unique<CounterSource>(plan, team.workers());
}

/// With progress on, a chunk runs as up to this many slices, so that a long chunk
/// (a static block) moves the progress line too.
constexpr std::uint64_t kProgressSlices = 64;

template <class F>
void for_each_slice(Chunk const& c, std::uint64_t grain, F&& f) {
  std::uint64_t const step =
      ceil_div(std::max(grain, ceil_div(c.range.size(), kProgressSlices)), grain) * grain;
  for (std::uint64_t b = c.range.begin; b < c.range.end; b += std::min(step, c.range.end - b)) {
    f(Chunk{c.index, {b, b + std::min(step, c.range.end - b)}});
  }
  if (c.range.empty()) f(c);
}

std::string describe(std::exception_ptr const& e) {
  try {
    std::rethrow_exception(e);
  } catch (std::exception const& x) {
    return x.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

/// Did the body throw UsageError (bad input it met while reading it)?
bool bad_input(std::exception_ptr const& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (UsageError const&) {
    return true;
  } catch (...) {
    return false;
  }
}

/// One rank's part of a run: its threads draw chunks from `source`; its main thread
/// talks to the other ranks (grants, failure notices, progress) while they work.
class RankRun {
 public:
  RankRun(ChunkPlan const& plan, Team const& team, Services services, ChunkBody const& body,
          std::uint64_t grain)
      : team_(team),
        monitor_(services.monitor),
        courier_(services.courier),
        body_(body),
        grain_(grain),
        source_(make_source(plan, team)),
        remote_(dynamic_cast<RemoteSource*>(source_.get())),
        stats_(static_cast<std::size_t>(team.my_threads())),
        running_(team.my_threads()),
        notices_(team) {}

  RankRunStats run() {
    {
      std::vector<std::jthread> pool;
      pool.reserve(stats_.size());
      for (int t = 0; t < static_cast<int>(stats_.size()); ++t)
        pool.emplace_back([this, t] { work(t); });
      try {
        talk();
        wait_for_threads();
        meet();
      } catch (RankLost const&) {  // no collective can end now: the workers stop, and so does this
        lost_ = std::current_exception();
        abandon();
      }
    }
    if (lost_) std::rethrow_exception(lost_);
    if (failed_.load()) notices_.announce();
    notices_.settle(failure_ ? describe(failure_) : std::string(), bad_input(failure_));
    return {std::move(stats_), requests_};
  }

 private:
  /// Thread `t`: takes chunks until none are left (or the run failed somewhere).
  void work(int t) {
    prctl(PR_SET_TIMERSLACK, 1UL);  // sleeps in workloads wake on time
    t_worker = t;
    WorkerStats& s = stats_[static_cast<std::size_t>(t)];
    s = {team_.rank(), t, team_.host, 0, 0, 0.0, 0.0};
    try {
      while (auto const chunk = source_->next(t)) run_chunk(t, *chunk, s);
    } catch (...) {
      fail(std::current_exception());
    }
    std::lock_guard lock(mutex_);
    if (--running_ == 0) all_stopped_.notify_one();
  }

  /// This rank failed (a worker's chunk, or a record the courier delivered): no new chunk
  /// starts here, and the ranks settle on the first failure once all have stopped.
  void fail(std::exception_ptr e) {
    std::lock_guard lock(mutex_);
    if (!failure_) failure_ = std::move(e);
    failed_.store(true);
    source_->stop();
  }

  void run_chunk(int t, Chunk const& chunk, WorkerStats& s) {
    auto const start = Clock::now();
    if (monitor_ != nullptr && monitor_->progress()) {
      for_each_slice(chunk, grain_, [&](Chunk const& slice) {
        body_(t, slice);
        monitor_->advance(t, slice.range.size());
      });
    } else {
      body_(t, chunk);
    }
    auto const end = Clock::now();
    double const chunk_s = std::chrono::duration<double>(end - start).count();
    s.busy_s += chunk_s;
    s.items += chunk.range.size();
    ++s.chunks;
    s.finish_s = std::chrono::duration<double>(end - t0_).count();
    s.smallest_chunk =
        s.chunks == 1 ? chunk.range.size() : std::min(s.smallest_chunk, chunk.range.size());
    s.largest_chunk = std::max(s.largest_chunk, chunk.range.size());
    if (source_->paced()) source_->pace().record(chunk.count, chunk_s);
    if (monitor_ != nullptr) monitor_->chunk_done(t, chunk, start, end);
  }

  /// What the main thread does whenever it waits: tell the other ranks of a failure
  /// here, stop on one there, keep the progress line going, and see a rank that died.
  void idle() {
    if (failed_.load(std::memory_order_relaxed)) notices_.announce();
    if (notices_.heard()) source_->stop();
    if (monitor_ != nullptr) monitor_->tick();
    if (courier_ != nullptr) {  // records first: they may be the last
      try {
        courier_->pump();
      } catch (RankLost const&) {
        throw;
      } catch (...) {  // taking a record failed (rank 0's disk): the run fails as a chunk would
        fail(std::current_exception());
      }
    }
    if (team_.peers != nullptr) team_.peers->check();
  }

  /// With a courier over several ranks, every rank waits here for the others, pumping it,
  /// before any collective: a worker elsewhere that waits for room to send its task's
  /// output on must find rank 0 taking it, not blocked in MPI_Allreduce.
  void meet() {
    if (courier_ == nullptr || !team_.comm.uses_mpi() || team_.ranks() == 1) return;
    MPI_Request all_here = MPI_REQUEST_NULL;
    MPI_Ibarrier(team_.comm.mpi(), &all_here);
    for (int done = 0;;) {
      MPI_Test(&all_here, &done, MPI_STATUS_IGNORE);
      if (done != 0) return;
      idle();
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  /// A rank was lost: start nothing more; the running children are ended as at a stop.
  void abandon() {
    request_stop(StopReason::rank_lost);
    signal_groups(SIGTERM);
    source_->stop();
  }

  /// Dynamic and guided over several ranks: rank 0 serves grants, the others fetch them.
  void talk() {
    if (team_.ranks() == 1) return;
    Idle const idle = [this] { this->idle(); };
    if (auto* counter = dynamic_cast<CounterSource*>(source_.get()); counter != nullptr) {
      requests_ = serve_grants(team_, *counter, idle);
    } else if (remote_ != nullptr) {
      fetch_grants(team_, *remote_, static_cast<int>(stats_.size()), idle);
    }
  }

  void wait_for_threads() {
    std::unique_lock lock(mutex_);
    // With a courier, records reach rank 0 within a few milliseconds.
    auto const wait = std::chrono::milliseconds(courier_ != nullptr ? 5 : 50);
    while (!all_stopped_.wait_for(lock, wait, [&] { return running_ == 0; })) {
      lock.unlock();
      idle();
      lock.lock();
    }
  }

  Team const& team_;
  Monitor* monitor_;
  Courier* courier_;
  ChunkBody const& body_;
  std::uint64_t grain_;
  std::unique_ptr<ChunkSource> source_;
  RemoteSource* remote_;
  std::vector<WorkerStats> stats_;
  Clock::time_point const t0_ = Clock::now();
  std::mutex mutex_;  // guards failure_ and running_
  std::condition_variable all_stopped_;
  std::exception_ptr failure_;
  std::exception_ptr lost_;  ///< RankLost: another rank ended without a word
  std::atomic<bool> failed_{false};
  int running_;
  FailureNotices notices_;
  std::uint64_t requests_ = 0;  // rank 0: chunk requests it answered
};

}  // namespace

int worker_thread() { return t_worker; }

RankRunStats run_chunks(ChunkPlan const& plan, Team const& team, Services services,
                        ChunkBody const& body, std::uint64_t grain) {
  Monitor* const monitor = services.monitor;
  if (monitor != nullptr) monitor->begin_run(plan.range().size());
  auto stats = RankRun(plan, team, services, body, grain).run();
  if (monitor != nullptr) monitor->end_run();
  return stats;
}

}  // namespace parfold
