// `parfold run`: a list of shell commands over every core and node; their output in
// task order, a GNU parallel style joblog, and grep-like exit statuses.
#include <string.h>  // sigabbrev_np

#include <csignal>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "cli/numbers.hpp"
#include "cli/options.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/core/exit_codes.hpp"
#include "parfold/core/hash.hpp"
#include "parfold/io/staged_file.hpp"
#include "parfold/observe/units.hpp"
#include "parfold/output/ordered.hpp"
#include "parfold/process/child.hpp"
#include "parfold/process/environment.hpp"
#include "workloads/run/run.hpp"
#include "workloads/run/task_list.hpp"

namespace parfold {

namespace {

/// What one task did, with its output, for rank 0 to print in task order.
struct TaskRecord {
  std::uint64_t line = 0;
  int exit_code = 0;
  int signal = 0;
  bool timed_out = false;  ///< ended by --task-timeout
  double start_s = 0;  ///< seconds since the epoch
  double runtime_s = 0;
  int rank = 0;
  int thread = 0;
  std::string host;
  std::string out, err;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & line & exit_code & signal & timed_out & start_s & runtime_s & rank & thread & host & out & err;
  }
};

struct RunArgs {
  std::string task_file;
  std::string command;  ///< --command template, empty: the lines are commands
  std::string output;   ///< --output FILE
  std::string joblog;   ///< --joblog FILE
  std::string results;  ///< --results DIR
  double task_timeout_s = 0;  ///< --task-timeout; 0: none
};

/// One window of tasks [window.begin, window.end): each runs in its own shell.
struct TaskWindow {
  using Partial = std::map<std::uint64_t, TaskRecord>;  ///< by task index

  std::vector<Task> const* tasks = nullptr;
  std::vector<std::string> const* env = nullptr;  ///< every task's environment, PARFOLD_* last, empty
  Range window;
  int rank = 0;
  std::string const* host = nullptr;
  double task_timeout_s = 0;

  [[nodiscard]] std::uint64_t items() const { return window.size(); }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const {
    for (std::uint64_t i = window.begin + r.begin; i < window.begin + r.end; ++i) {
      if (stop_requested() != StopReason::none) return;  // no new task starts
      acc.emplace(i, run_task(i));
    }
  }
  static void combine(Partial& into, Partial const& from) { into.insert(from.begin(), from.end()); }

  [[nodiscard]] TaskRecord run_task(std::uint64_t i) const {
    Task const& task = (*tasks)[i];
    int const thread = worker_thread();
    ChildSpec spec;
    spec.env = *env;
    std::size_t const n = spec.env.size();  // the last four: PARFOLD_TASK, _TASK_LINE, _RANK, _THREAD
    spec.env[n - 4] += std::to_string(i);
    spec.env[n - 3] += std::to_string(task.line);
    spec.env[n - 2] += std::to_string(rank);
    spec.env[n - 1] += std::to_string(thread);
    spec.should_stop = [] { return stop_requested() != StopReason::none; };
    spec.timeout_s = task_timeout_s;
    CapturedOutput out, err;
    ChildResult const r = run_shell(task.command, spec, out, err);
    double const start = std::chrono::duration<double>(r.start.time_since_epoch()).count();
    return {task.line, r.exit_code, r.signal, r.timed_out, start, r.runtime_s, rank, thread, *host, out.str(), err.str()};
  }
};


/// What rank 0 has printed so far.
struct RunProgress {
  std::uint64_t succeeded = 0, failed = 0, out_bytes = 0;
  std::uint64_t checksum = fnv1a({});  ///< FNV-1a of the stdout bytes, in task order
  std::vector<std::string> first_failures;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & succeeded & failed & out_bytes & checksum & first_failures;
  }
};

std::string describe_end(TaskRecord const& t) {
  if (t.timed_out) return "timed out after " + duration_text(t.runtime_s);
  if (t.signal == 0) return "exit " + std::to_string(t.exit_code);
  char const* name = sigabbrev_np(t.signal);
  return "signal " + (name != nullptr ? "SIG" + std::string(name) : std::to_string(t.signal));
}

/// Rank 0: the joblog, GNU parallel's columns and then parfold's.
class Joblog {
 public:
  explicit Joblog(std::string const& path) {
    if (path.empty()) return;
    f_ = std::fopen(path.c_str(), "w");
    if (f_ == nullptr) throw UsageError("--joblog " + path + ": " + std::strerror(errno));
    std::fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tRank\tThread\tAttempt\n", f_);
    std::fflush(f_);
  }
  ~Joblog() {
    if (f_ != nullptr) std::fclose(f_);
  }
  Joblog(Joblog const&) = delete;
  Joblog& operator=(Joblog const&) = delete;
  void row(std::uint64_t index, TaskRecord const& t, std::string const& command) {
    if (f_ == nullptr) return;
    std::fprintf(f_, "%llu\t%s\t%.3f\t%.3f\t0\t%zu\t%d\t%d\t%s\t%d\t%d\t1\n", static_cast<unsigned long long>(index + 1),
                 t.host.c_str(), t.start_s, t.runtime_s, t.out.size(), t.signal == 0 ? t.exit_code : 0, t.signal,
                 command.c_str(), t.rank, t.thread);
  }
  void flush() {
    if (f_ != nullptr) std::fflush(f_);
  }

 private:
  std::FILE* f_ = nullptr;
};

/// Rank 0: --results DIR: DIR/<task>.out, .err and .status (the exit status as the
/// shell's $? gives it), each written whole or not at all.
void write_results(std::string const& dir, std::uint64_t index, TaskRecord const& t) {
  if (dir.empty()) return;
  std::string const base = dir + "/" + std::to_string(index);
  for (auto const& [suffix, text] : {std::pair<char const*, std::string const*>{".out", &t.out}, {".err", &t.err}}) {
    StagedFile f(base + suffix, temporary_name(base + suffix));
    f.write(*text);
    f.commit();
  }
  StagedFile status(base + ".status", temporary_name(base + ".status"));
  status.write(std::to_string(t.exit_code) + "\n");
  status.commit();
}

/// Rank 0: one window's tasks in order: stdout to the sink, stderr to stderr, a joblog row each.
void emit_tasks(TaskWindow::Partial const& window, std::vector<Task> const& tasks, RunArgs const& a, RunProgress& p,
                OrderedSink& sink, Joblog& joblog) {
  for (auto const& [index, t] : window) {
    write_results(a.results, index, t);
    sink.write(t.out);
    if (!t.err.empty()) std::fwrite(t.err.data(), 1, t.err.size(), stderr);
    p.checksum = fnv1a(t.out, p.checksum);
    p.out_bytes += t.out.size();
    if (t.exit_code == 0) {
      ++p.succeeded;
    } else {
      ++p.failed;
      if (p.first_failures.size() < 5) p.first_failures.push_back("line " + std::to_string(t.line) + " (" + describe_end(t) + ")");
    }
    joblog.row(index, t, tasks[index].command);
  }
  std::fflush(stderr);
  joblog.flush();
}

/// Every rank: the task list, read by rank 0 and sent to every rank.
/// \note With MPI this is a collective operation over all ranks.
std::vector<Task> task_list(RunArgs const& a, Team const& team) {
  std::vector<Task> tasks;
  on_root(team, [&] {
    if (!a.command.empty() && a.command.find("{}") == std::string::npos) {
      throw UsageError("--command '" + a.command + "' has no {} for the argument");
    }
    tasks = parse_tasks(read_task_file(a.task_file), a.command);
    if (tasks.empty()) throw UsageError(a.task_file + ": no tasks (every line is empty or a # comment)");
  });
  team.comm.broadcast(tasks);
  return tasks;
}

/// Rank 0: the joblog, and the --results directory made.
std::unique_ptr<Joblog> open_records(RunArgs const& a) {
  auto joblog = std::make_unique<Joblog>(a.joblog);
  std::error_code ec;
  if (!a.results.empty() && !std::filesystem::create_directories(a.results, ec) && ec) {
    throw UsageError("--results " + a.results + ": " + ec.message());
  }
  if (!a.results.empty() && !std::filesystem::is_directory(a.results)) {
    throw UsageError("--results " + a.results + ": not a directory");
  }
  return joblog;
}

/// The report of a run; rank 0 says which tasks failed.
Report run_report(RunArgs const& a, Team const& team, RunInfo const& info, RunProgress const& progress,
                  std::uint64_t tasks) {
  Report r{.workload = "run", .unit = "tasks", .info = info, .launcher = team.launcher};
  char sum[24];
  std::snprintf(sum, sizeof(sum), "%016llx", static_cast<unsigned long long>(progress.checksum));
  r.result = {{"tasks", tasks, ""}, {"succeeded", progress.succeeded, ""}, {"failed", progress.failed, ""},
              {"output_bytes", progress.out_bytes, ""}, {"output_fnv1a", std::string(sum), ""}};
  if (!a.output.empty()) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the tasks' output is already out
  r.exit_code = progress.failed > 0 ? 1 : 0;
  if (team.is_root() && progress.failed > 0) {
    std::string firsts;
    for (std::string const& f : progress.first_failures) firsts += (firsts.empty() ? "" : ", ") + f;
    std::fprintf(stderr, "parfold: %s of %s failed: %s%s\n", group_digits(progress.failed).c_str(),
                 count_of(tasks, "task").c_str(), firsts.c_str(), progress.failed > 5 ? ", ..." : "");
  }
  return r;
}

/// Tasks per window: rank 0 holds one window's outputs.
std::uint64_t window_for(Team const& team) { return std::max<std::uint64_t>(256, 16 * team.workers()); }

Report run_tasks(RunArgs const& a, Team const& team, Services sv, Schedule s) {
  if (sv.checkpoint != nullptr) {
    throw UsageError("--checkpoint: parfold run cannot resume a task list yet; run it without --checkpoint");
  }
  // A stop signal ends the running tasks' process groups (SIGTERM, SIGKILL after a
  // grace period) before parfold ends: no task outlives it.
  catch_stop_signals();
  std::vector<Task> const tasks = task_list(a, team);
  std::unique_ptr<Joblog> joblog;
  on_root(team, [&] { joblog = open_records(a); });
  OrderedRun const run{a.output, tasks.size(), window_for(team), {}, {}, {a.task_file},
                       "the running tasks were ended and no new one started"};
  // What every task inherits, computed once; its last four entries are set per task.
  std::vector<std::string> const env =
      child_environment({"PARFOLD_TASK=", "PARFOLD_TASK_LINE=", "PARFOLD_RANK=", "PARFOLD_THREAD="});
  RunProgress progress;
  RunInfo const info = run_ordered(
      team, sv, run, progress,
      [&](Range w) { return execute_part(TaskWindow{&tasks, &env, w, team.rank(), &team.host, a.task_timeout_s}, s, team, sv); },
      [&](TaskWindow::Partial const& window, OrderedSink& sink) { emit_tasks(window, tasks, a, progress, sink, *joblog); });
  return run_report(a, team, info, progress, tasks.size());
}

}  // namespace

void setup_run(CLI::App& app, Job& job) {
  auto a = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand("run", "Run shell commands, one per line of TASKFILE, on every core and node");
  run->add_option("--command", a->command, "Run CMD once per line of TASKFILE, {} replaced by the line (shell-quoted)")
      ->type_name("CMD");
  run->add_option("--output", a->output, "Write the tasks' output to FILE (whole or not at all)")->type_name("FILE");
  run->add_option("--joblog", a->joblog, "Log every task to FILE (GNU parallel's columns, then Rank Thread Attempt)")
      ->type_name("FILE");
  run->add_option("--results", a->results, "Keep each task's stdout, stderr and exit status in DIR/<task>.out, .err, .status")
      ->type_name("DIR");
  run->add_option_function<std::string>(
         "--task-timeout",
         [a](std::string const& text) {
           auto const s = parse_duration(text);
           if (!s || !(*s > 0)) throw CLI::ValidationError("--task-timeout", "'" + text + "': not a positive duration (e.g. 30s, 5m)");
           a->task_timeout_s = *s;
         },
         "End a task after DURATION (SIGTERM to its process group, SIGKILL 5 s later): it counts as failed")
      ->type_name("DURATION");
  run->add_option("TASKFILE", a->task_file, "One shell command (or argument) per line; - reads standard input")
      ->required()
      ->type_name("");
  run->footer(
      "Each task runs as /bin/sh -c in its own process group, stdin from /dev/null, with\n"
      "PARFOLD_TASK, PARFOLD_TASK_LINE, PARFOLD_RANK, PARFOLD_THREAD set and the launcher's rank\n"
      "variables removed. Output comes out in task order, whatever ran where. Default schedule:\n"
      "dynamic, chunk 1. Exit status: 0 if every task succeeded, 1 if any failed, 2 on bad input.\n"
      "Example: mpirun -n 4 parfold run --command 'gzip -9 {}' files.txt");
  run->final_callback([a, &job] {
    job.default_schedule = Schedule{ScheduleKind::dynamic, 1};
    job.run = [a](Team const& team, Services sv, Schedule s) { return run_tasks(*a, team, sv, s); };
  });
}

}  // namespace parfold
