#include "workloads/shell/farm.hpp"

#include <string.h>  // sigabbrev_np

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <thread>
#include <utility>

#include "cli/numbers.hpp"
#include "cli/options.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/io/read_at.hpp"
#include "parfold/observe/monitor.hpp"
#include "parfold/observe/units.hpp"
#include "parfold/process/child.hpp"
#include "parfold/process/environment.hpp"
#include "parfold/run/execute.hpp"
#include "parfold/stop/stop.hpp"
#include "parfold/stream/courier.hpp"
#include "parfold/stream/reorder.hpp"
#include "workloads/shell/ahead.hpp"
#include "workloads/shell/slots.hpp"

namespace parfold {

namespace {

/// Rank 0's courier word: the halt.
constexpr int kHaltSoon = 1;
constexpr int kHaltNow = 2;

/// One rank's side of a farm: runs items on its workers and posts each attempt.
class Farm {
 public:
  Farm(Team const& team, FarmItems const& items, FarmOptions const& opt, Courier& courier)
      : team_(team), items_(items), opt_(opt), courier_(courier) {
    std::vector<std::string> extra;
    for (std::string const& name : items.env_names) extra.push_back(name + "=");
    extra.emplace_back("PARFOLD_RANK=");
    extra.emplace_back("PARFOLD_THREAD=");
    env_ = child_environment(extra);
  }

  /// No new item starts: a stop signal, a halt, or the process ending (--timeout).
  [[nodiscard]] bool stopping() const {
    return stop_or_ending() != StopReason::none || courier_.told() != 0;
  }

  /// Runs item i; returns its exit status.
  int run_one(std::uint64_t i, int attempt) const {
    ItemLaunch const launch = items_.launch(i);
    int const thread = worker_thread();
    if (launch.nothing) {
      post(Attempt::to_parcel(
          {i, attempt, 0, 0, false, false, true, 0, 0, team_.rank(), thread, team_.host, {}, {}}));
      return 0;
    }
    ChildSpec spec;
    spec.env = env_;
    std::size_t const first =
        spec.env.size() - launch.values.size() - 2;  // the farm's names are last
    for (std::size_t k = 0; k < launch.values.size(); ++k) spec.env[first + k] += launch.values[k];
    spec.env[spec.env.size() - 2] += std::to_string(team_.rank());
    spec.env[spec.env.size() - 1] += std::to_string(thread);
    spec.should_stop = [this] {
      return stop_or_ending() != StopReason::none || courier_.told() == kHaltNow;
    };
    spec.timeout_s = opt_.task_timeout_s;
    spec.input_file = launch.input;
    if (!team_.is_root()) {  // rank 0 keeps what it reads where it is read: on its node
      spec.on_output = send_ahead(courier_, i, attempt, opt_.memory_per_output, ending);
    }
    CapturedOutput out(opt_.memory_per_output), err(opt_.memory_per_output);
    ThreadBinding const bound(launch.cpus);  // the child inherits this thread's cores
    ChildResult const r = run_shell(std::string(launch.command), spec, out, err);
    if (r.input_changed) {  // its output is not that of the file: the job has no result
      throw changed_while_read(launch.input->path,
                               "its size or time changed, or it was gone, while a command read it");
    }
    double const start = std::chrono::duration<double>(r.start.time_since_epoch()).count();
    bool const stopped = r.stopped || (!r.timed_out && ended_by_stop(r.signal));
    bool const passed =
        r.signal == 0 && !r.timed_out && !stopped &&
        std::find(opt_.ok_exit.begin(), opt_.ok_exit.end(), r.exit_code) != opt_.ok_exit.end();
    post(Attempt::to_parcel({.index = i,
                             .attempt = attempt,
                             .exit_code = r.exit_code,
                             .signal = r.signal,
                             .timed_out = r.timed_out,
                             .stopped = stopped,
                             .passed = passed,
                             .start_s = start,
                             .runtime_s = r.runtime_s,
                             .rank = team_.rank(),
                             .thread = thread,
                             .host = team_.host,
                             .out = std::move(out),
                             .err = std::move(err)}));
    return r.exit_code;
  }

  [[nodiscard]] FarmItems const& items() const { return items_; }

 private:
  /// Posts an attempt's record; on ranks but 0 in memory (its output went ahead: nothing
  /// of it touches this rank's disk).
  void post(Parcel record) const {
    if (team_.is_root()) return courier_.post(std::move(record));
    courier_.post_in_memory(std::move(record), ending);
  }
  /// The run ends (a stop, the process ending): a rank 0 that is gone waits for nothing.
  static bool ending() { return stop_or_ending() != StopReason::none; }

  /// Whether a task that `signal` ended was ended by a stop, not failed. parfold's stop
  /// handler signals the running tasks' groups; and a batch system's stop (`scancel
  /// --signal=USR1`, a walltime's SIGTERM) reaches every process of the job step at once,
  /// the tasks too, maybe a moment before parfold: a stop signal waits up to 250 ms for
  /// parfold's own stop request.
  [[nodiscard]] bool ended_by_stop(int signal) const {
    if (signal == 0) return false;
    if (stopping()) return true;
    if (signal != SIGTERM && signal != SIGINT && signal != SIGUSR1 && signal != SIGHUP)
      return false;
    for (int i = 0; i < 50 && !stopping(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return stopping();
  }

  Team const& team_;
  FarmItems const& items_;
  FarmOptions const& opt_;
  Courier& courier_;
  /// Every child's environment; the farm's names last, values empty.
  std::vector<std::string> env_;
};

/// One pass of a farm as a workload: all items (the first pass) or a list of retries.
struct FarmPass {
  using Partial = std::uint64_t;  ///< attempts run

  Farm const* farm = nullptr;
  std::vector<std::uint64_t> const* list = nullptr;  ///< null: every item
  int attempt = 1;
  Monitor* monitor = nullptr;  ///< a trace span per chunk shows its item's exit status

  [[nodiscard]] std::uint64_t items() const {
    return list != nullptr ? list->size() : farm->items().count;
  }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] static Partial identity() { return 0; }
  void process(Range r, Partial& n) const {
    for (std::uint64_t k = r.begin; k < r.end; ++k) {
      std::uint64_t const i = list != nullptr ? (*list)[k] : k;
      if (farm->stopping()) return;
      if (list == nullptr && farm->items().done && farm->items().done(i)) continue;
      int const status = farm->run_one(i, attempt);
      if (monitor != nullptr) monitor->item_status(worker_thread(), status);
      ++n;
    }
  }
  static void combine(Partial& into, Partial const& from) { into += from; }
};

/// A failed attempt that runs again, and the rank it runs on.
struct Retry {
  std::uint64_t index = 0;
  int rank = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& index& rank;
  }
};

/// Rank 0: takes every attempt as it arrives, decides retries and the halt, and
/// releases each item's last attempt in order.
class Collector {
 public:
  Collector(Team const& team, FarmItems const& items, FarmOptions const& opt,
            FarmOutcome const& outcome)
      : team_(team),
        items_(items),
        opt_(opt),
        outcome_(outcome),
        order_(0, [this](std::uint64_t, Parcel&& r) {
          (holding_ ? outcome_.held
                    : outcome_.finished)(numbered(Attempt::from_parcel(std::move(r))));
        }) {}

  void attach(Courier& courier) { courier_ = &courier; }

  void take(Parcel&& record) {
    if (OutputPiece::is_one(record)) return ahead_.add(OutputPiece::from_parcel(std::move(record)));
    Attempt a = Attempt::from_parcel(std::move(record));
    ahead_.complete(a);
    if (outcome_.attempted) {
      a.index += opt_.first_item;  // as the job numbers it, for this moment only
      outcome_.attempted(a);
      a.index -= opt_.first_item;
    }
    pending_.erase(a.index);
    if (a.stopped) {  // the halt or a stop ended it: it did not finish
      ++summary_.ended;
      return;
    }
    if (!a.passed && static_cast<std::uint64_t>(a.attempt) <= opt_.retries &&
        courier_->told() == 0) {
      retries_.push_back(
          Retry{a.index, (a.rank + 1) % team_.ranks()});  // on another rank when there is one
      pending_.emplace(a.index, retried_.keep(Attempt::to_parcel(std::move(a))));
      ++summary_.retried;
      return;
    }
    finish(std::move(a));
  }
  /// The failed attempts whose retry never ran (a halt or a stop came first) are final.
  void give_up_retries() {
    for (auto& [index, record] : std::exchange(pending_, {}))
      finish(Attempt::from_parcel(std::move(record)));
  }

  /// The done items: skipped, or released in their turn when an earlier run left them.
  void skip_done() {
    if (!items_.done) return;
    auto const* ended = items_.ended;
    for (std::uint64_t i = 0; i < items_.count; ++i) {
      if (!items_.done(i)) continue;
      if (ended != nullptr && ended->contains(i)) {
        order_.put(i, Attempt::to_parcel(Attempt::decode(std::string(ended->at(i)))));
      } else {
        order_.skip(i);
      }
    }
  }
  /// After a stop: what waits for its turn goes to outcome.held; failed attempts whose
  /// retry never ran are dropped (they run again when the job resumes).
  void hold_rest() {
    pending_.clear();
    if (!outcome_.held) return;
    holding_ = true;
    order_.release_all();
  }
  std::vector<Retry> take_retries() { return std::exchange(retries_, {}); }
  void release_rest() { order_.release_all(); }
  FarmSummary& summary() { return summary_; }

 private:
  void finish(Attempt&& a) {
    ++(a.passed ? summary_.succeeded : summary_.failed);
    if (opt_.unordered) {
      outcome_.finished(numbered(std::move(a)));
    } else {
      std::uint64_t const index = a.index;
      order_.put(index, Attempt::to_parcel(std::move(a)));
    }
    if (courier_->told() == 0 &&
        opt_.halt.reached(summary_.failed + opt_.failed_before,
                          summary_.succeeded + opt_.succeeded_before,
                          opt_.job_items != 0 ? opt_.job_items : items_.count)) {
      summary_.halted = true;
      summary_.halted_on_success = opt_.halt.why == Halt::Why::success;
      courier_->tell(opt_.halt.when == Halt::When::now ? kHaltNow : kHaltSoon);
    }
  }

  /// `a` with its item numbered as the job numbers it (FarmOptions::first_item).
  [[nodiscard]] Attempt numbered(Attempt&& a) const {
    a.index += opt_.first_item;
    return std::move(a);
  }

  Team const& team_;
  FarmItems const& items_;
  FarmOptions const& opt_;
  FarmOutcome const& outcome_;
  Courier* courier_ = nullptr;
  bool holding_ = false;  ///< releasing to outcome.held (after a stop)
  ReorderBuffer order_;
  AheadOutputs ahead_;  ///< output of attempts still running elsewhere
  std::vector<Retry> retries_;
  std::map<std::uint64_t, Parcel> pending_;  ///< the failed attempts of the retries
  Spool retried_{"retried"};                 ///< their output meanwhile
  FarmSummary summary_;
};

/// The retries rank 0 decided, broadcast to every rank; returns this rank's share.
std::vector<std::uint64_t> retries_for(Team const& team, std::vector<Retry> const& all) {
  std::vector<std::uint64_t> mine;
  for (Retry const& r : all) {
    if (r.rank == team.rank()) mine.push_back(r.index);
  }
  return mine;
}

/// The first pass over the items, then the retries of the failed ones (--retries).
/// \note With MPI this is a collective operation over all ranks.
RunInfo run_attempts(Team const& team, Services services, Schedule s, Farm const& farm,
                     FarmOptions const& opt, Collector& collector, Courier& courier) {
  RunInfo info =
      execute_on_ranks(FarmPass{&farm, nullptr, 1, services.monitor}, s, team, services).info;
  courier.finish();
  for (int attempt = 2; static_cast<std::uint64_t>(attempt) <= opt.retries + 1; ++attempt) {
    std::vector<Retry> retries = team.is_root() ? collector.take_retries() : std::vector<Retry>{};
    team.comm.broadcast(retries);
    if (retries.empty() || any_rank(team, stop_or_ending() != StopReason::none) ||
        courier.told() != 0)
      break;
    std::vector<std::uint64_t> const mine = retries_for(team, retries);
    Team const here = Team::local(team.my_threads());
    (void)execute_on_ranks(FarmPass{&farm, &mine, attempt}, Schedule{ScheduleKind::dynamic, 1},
                           here, Services{nullptr, nullptr, &courier});
    courier.finish();
  }
  return info;
}

}  // namespace

void replay_tagged(CapturedOutput const& out, std::string const* tag,
                   std::function<void(std::string_view)> const& write) {
  if (tag == nullptr) return out.replay(write);
  std::string const prefix = *tag + "\t";
  bool line_start = true;
  out.replay([&](std::string_view piece) {
    while (!piece.empty()) {
      if (line_start) write(prefix);
      std::size_t const nl = piece.find('\n');
      std::size_t const n = nl == std::string_view::npos ? piece.size() : nl + 1;
      write(piece.substr(0, n));
      line_start = nl != std::string_view::npos;
      piece.remove_prefix(n);
    }
  });
}

void write_stderr(CapturedOutput const& err, std::string const* tag) {
  if (err.empty()) return;
  replay_tagged(err, tag,
                [](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stderr); });
  std::fflush(stderr);
}

FarmSummary run_farm(Team const& team, Services services, Schedule s, FarmItems const& items,
                     FarmOptions const& opt, FarmOutcome const& outcome) {
  Collector collector(team, items, opt, outcome);
  Courier courier(team, [&](Parcel&& r) { collector.take(std::move(r)); });
  collector.attach(courier);
  on_root(team, [&] { collector.skip_done(); });
  Farm const farm(team, items, opt, courier);
  services.courier = &courier;
  services.checkpoint = nullptr;
  RunInfo info;
  try {
    info = run_attempts(team, services, s, farm, opt, collector, courier);
  } catch (RankLost const&) {  // rank 0 keeps what reached it, for a checkpoint to save
    if (team.is_root()) {
      courier.pump();
      collector.hold_rest();
    }
    throw;
  }
  bool const stopped = any_rank(team, stop_or_ending() != StopReason::none);
  on_root(team, [&] {
    if (stopped) return collector.hold_rest();
    collector.give_up_retries();
    collector.release_rest();  // past the gaps a halt left
  });
  FarmSummary summary = collector.summary();
  team.comm.broadcast(summary.succeeded);
  team.comm.broadcast(summary.failed);
  team.comm.broadcast(summary.retried);
  team.comm.broadcast(summary.ended);
  team.comm.broadcast(summary.halted);
  team.comm.broadcast(summary.halted_on_success);
  std::uint64_t done = 0;
  if (items.done) {
    for (std::uint64_t i = 0; i < items.count; ++i) done += items.done(i) ? 1U : 0U;
  }
  summary.not_run = items.count - done - summary.succeeded - summary.failed;
  summary.info = info;
  return summary;
}

}  // namespace parfold
