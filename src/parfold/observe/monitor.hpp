#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/range.hpp"
#include "parfold/core/stats.hpp"

namespace parfold {

/// What a job's observers should do, as given on the command line.
struct MonitorOptions {
  std::string trace_path;        ///< --trace FILE; empty: no trace
  std::optional<bool> progress;  ///< --progress / --no-progress; unset: when stderr is a tty
  bool json = false;             ///< --json turns the default progress off
  std::string label;             ///< the workload's name, shown on the progress line
  std::string unit = "items";    ///< what the progress line counts
};

/// One chunk as it ran, for the trace. Times are nanoseconds on this rank's clock.
struct ChunkEvent {
  std::uint32_t run = 0;  ///< which run of the job (a job may run several plans)
  std::uint32_t thread = 0;
  std::uint64_t index = 0;
  std::uint64_t begin = 0;
  std::uint64_t items = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::int32_t status =
      0;  ///< what the chunk's items reported (a task's exit status), 0 if nothing

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& run& thread& index& begin& items& start_ns& end_ns& status;
  }
};

/// Watches a job's chunks as they run: records them for `--trace` and counts them for
/// `--progress`. Workers call chunk_done() (cheap, no locks); each rank's main thread
/// calls tick() while it waits, and end_run() once its threads have stopped.
class Monitor {
 public:
  using Clock = std::chrono::steady_clock;

  /// Checks the options (rank 0 decides; every rank agrees) and, when tracing under
  /// MPI, estimates each rank's clock offset to rank 0.
  /// \note With MPI this is a collective operation over all ranks.
  Monitor(Team const& team, MonitorOptions const& options);
  ~Monitor();
  Monitor(Monitor const&) = delete;
  Monitor& operator=(Monitor const&) = delete;

  [[nodiscard]] bool tracing() const { return trace_; }
  [[nodiscard]] bool progress() const { return progress_; }

  /// The whole job's items, when it runs several plans (progress shows done / total).
  void expect_total(std::uint64_t items) { job_total_ = items; }
  /// Rank 0: what the trace says of each rank's threads after "thread N" (`about[rank]
  /// [thread]`, such as the cores and GPUs its tasks had); empty: nothing.
  void describe_threads(std::vector<std::vector<std::string>> about) {
    thread_about_ = std::move(about);
  }
  /// The job writes to a terminal on stdout while it runs: no progress line there
  /// unless --progress asked for it.
  void stdout_busy() {
    if (!options_.progress && isatty(1) == 1) display_ = false;
  }

  /// A run of `items` items starts (on every rank).
  void begin_run(std::uint64_t items);
  /// Worker `t` finished `chunk`, which ran from `start` to `end`.
  void chunk_done(int t, Chunk const& chunk, Clock::time_point start, Clock::time_point end) {
    if (trace_) {
      auto& status = done_[static_cast<std::size_t>(t)].status;
      events_[static_cast<std::size_t>(t)].push_back(
          {run_, static_cast<std::uint32_t>(t), chunk.index, chunk.range.begin, chunk.range.size(),
           (start - epoch_).count(), (end - epoch_).count(), std::exchange(status, 0)});
    }
  }
  /// Worker `t`, within a chunk: an item ended with `status` (a task's exit status); the
  /// chunk's trace span shows the first non-zero one.
  void item_status(int t, int status) {
    auto& s = done_[static_cast<std::size_t>(t)].status;
    if (s == 0) s = status;
  }
  /// Worker `t` finished `items` more items (a chunk or a slice of one).
  void advance(int t, std::uint64_t items) {
    auto& d = done_[static_cast<std::size_t>(t)].items;
    d.store(d.load(std::memory_order_relaxed) + items, std::memory_order_relaxed);
  }
  /// Main thread, often: reports progress when it is due (a clock read otherwise).
  void tick() {
    if (progress_ && Clock::now() >= next_tick_) report_progress(false);
  }
  /// Main thread, after this rank's threads stopped: the ranks' final counts meet on rank 0.
  /// \note With MPI and progress on, a collective operation over all ranks.
  void end_run();

  /// Ends the progress line and writes the trace with the run's description `about`
  /// (rank 0's report).
  /// \note With MPI this is a collective operation over all ranks.
  void finish(RunInfo const& about, std::string const& workload);

 private:
  void report_progress(bool final);
  [[nodiscard]] std::uint64_t local_done() const;
  void align_clocks();
  /// Rank 0: writes the trace atomically (StagedFile); throws when it cannot.
  void write_trace(std::vector<std::vector<ChunkEvent>> const& per_rank,
                   std::vector<std::string> const& hosts, std::vector<std::int64_t> const& offsets,
                   std::vector<std::int64_t> const& rtts, RunInfo const& about,
                   std::string const& workload) const;

  Team team_;
  MonitorOptions options_;
  bool trace_ = false;
  bool progress_ = false;
  bool tty_ = false;
  Clock::time_point epoch_;        ///< this rank's zero
  std::int64_t offset_ns_ = 0;     ///< rank 0's clock minus this rank's clock (estimate)
  std::int64_t clock_rtt_ns_ = 0;  ///< round trip of the estimate
  std::int64_t shift_ns_ = 0;      ///< this rank's times + shift = times from rank 0's epoch
  std::vector<std::vector<std::string>> thread_about_;  ///< describe_threads()
  std::uint32_t run_ = 0;                               ///< the current run
  std::uint32_t runs_ = 0;
  bool running_ = false;

  std::vector<std::vector<ChunkEvent>> events_;  ///< per thread
  struct alignas(64) Counter {
    std::atomic<std::uint64_t> items{0};
    std::int32_t status = 0;  ///< of the running chunk (its worker only)
  };
  std::unique_ptr<Counter[]> done_;
  std::uint64_t done_before_ = 0;  ///< this rank's items in earlier runs
  std::uint64_t runs_total_ = 0;   ///< items of the runs so far
  std::uint64_t job_total_ = 0;
  std::vector<std::uint64_t> remote_done_;  ///< rank 0: last count heard from each rank
  Clock::time_point next_tick_;
  Clock::time_point started_;
  int finals_ = 0;  ///< rank 0: ranks whose final count for this run arrived
  bool shown_ = false;
  bool display_ = true;  ///< rank 0: print (counts are collected either way)
};

}  // namespace parfold
