// `parfold run`: a list of shell commands over every core and node; their output in
// task order, a GNU parallel style joblog, and grep-like exit statuses.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/numbers.hpp"
#include "cli/options.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/core/exit_codes.hpp"
#include "parfold/core/hash.hpp"
#include "parfold/io/staged_file.hpp"
#include "parfold/observe/units.hpp"
#include "parfold/output/ordered.hpp"
#include "workloads/run/farm.hpp"
#include "workloads/run/run.hpp"
#include "workloads/run/task_list.hpp"

namespace parfold {

namespace {

struct RunArgs {
  std::string task_file;
  std::string command;  ///< --command template, empty: the lines are commands
  std::string output;   ///< --output FILE
  std::string joblog;   ///< --joblog FILE
  std::string results;  ///< --results DIR
  FarmOptions farm;     ///< --retries, --halt, --task-timeout, --unordered
};

/// What rank 0 has printed so far.
struct RunProgress {
  std::uint64_t out_bytes = 0;
  std::uint64_t checksum = fnv1a({});  ///< FNV-1a of the stdout bytes, in task order
  std::vector<std::string> first_failures;
};

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
  /// One row per attempt, flushed at once: a killed job leaves the record of what ended.
  void row(Attempt const& t, std::string const& command) {
    if (f_ == nullptr) return;
    std::fprintf(f_, "%llu\t%s\t%.3f\t%.3f\t0\t%zu\t%d\t%d\t%s\t%d\t%d\t%d\n",
                 static_cast<unsigned long long>(t.index + 1), t.host.c_str(), t.start_s, t.runtime_s, t.out.size(),
                 t.signal == 0 ? t.exit_code : 0, t.signal, command.c_str(), t.rank, t.thread, t.attempt);
    std::fflush(f_);
  }

 private:
  std::FILE* f_ = nullptr;
};

/// Rank 0: --results DIR: DIR/<task>.out, .err and .status (the exit status as the
/// shell's $? gives it), each written whole or not at all.
void write_results(std::string const& dir, Attempt const& t) {
  if (dir.empty()) return;
  std::string const base = dir + "/" + std::to_string(t.index);
  for (auto const& [suffix, text] : {std::pair<char const*, std::string const*>{".out", &t.out}, {".err", &t.err}}) {
    StagedFile f(base + suffix, temporary_name(base + suffix));
    f.write(*text);
    f.commit();
  }
  StagedFile status(base + ".status", temporary_name(base + ".status"));
  status.write(std::to_string(t.exit_code) + "\n");
  status.commit();
}

/// Rank 0: a task's last attempt: stdout to the sink, stderr to stderr, whole.
void emit_task(Attempt const& t, Task const& task, RunArgs const& a, RunProgress& p, OrderedSink& sink) {
  write_results(a.results, t);
  sink.write(t.out);
  sink.flush();
  if (!t.out.empty() && !sink.to_file()) std::fflush(stdout);  // each task's output as soon as its turn comes
  if (!t.err.empty()) {
    std::fwrite(t.err.data(), 1, t.err.size(), stderr);
    std::fflush(stderr);
  }
  p.checksum = fnv1a(t.out, p.checksum);
  p.out_bytes += t.out.size();
  if (!t.ok() && p.first_failures.size() < 5) {
    p.first_failures.push_back("line " + std::to_string(task.line) + " (" + t.ending() + ")");
  }
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

/// Rank 0: why the run ends early or fails, on stderr, once.
void say_how_it_ended(FarmSummary const& f, RunProgress const& progress, RunArgs const& a, std::uint64_t tasks) {
  if (f.halted) {
    std::string const ended = f.ended > 0 ? " (" + group_digits(f.ended) + " of them ended while running)" : "";
    std::fprintf(stderr, "parfold: --halt %s reached: %s not run%s\n", a.farm.halt.text().c_str(),
                 count_of(f.not_run, "task").c_str(), ended.c_str());
  }
  if (f.failed == 0) return;
  std::string firsts;
  for (std::string const& x : progress.first_failures) firsts += (firsts.empty() ? "" : ", ") + x;
  std::fprintf(stderr, "parfold: %s of %s failed: %s%s\n", group_digits(f.failed).c_str(),
               count_of(tasks, "task").c_str(), firsts.c_str(), f.failed > progress.first_failures.size() ? ", ..." : "");
}

/// The report of a run: counts, tasks/s, the output's checksum.
Report run_report(RunArgs const& a, Team const& team, FarmSummary const& f, RunProgress const& progress,
                  std::uint64_t tasks) {
  Report r{.workload = "run", .unit = "tasks", .info = f.info, .launcher = team.launcher};
  char sum[24];
  std::snprintf(sum, sizeof(sum), "%016llx", static_cast<unsigned long long>(progress.checksum));
  double const per_s = f.info.wall_s > 0 ? static_cast<double>(f.succeeded + f.failed) / f.info.wall_s : 0.0;
  r.result = {{"tasks", tasks, ""},          {"succeeded", f.succeeded, ""},
              {"failed", f.failed, ""},      {"retried", f.retried, ""},
              {"not_run", f.not_run, ""},    {"tasks_per_s", per_s, "tasks/s"},
              {"output_bytes", progress.out_bytes, "B"}, {"output_fnv1a", std::string(sum), ""}};
  if (!a.output.empty()) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the tasks' output is already out
  bool const failed = f.failed > 0 || (f.halted && !f.halted_on_success);
  r.exit_code = failed ? exit_code::kFailure : exit_code::kSuccess;
  if (team.is_root()) say_how_it_ended(f, progress, a, tasks);
  return r;
}

/// Rank 0: where the tasks' output goes (stdout, or FILE staged and removed on a stop).
std::unique_ptr<OrderedSink> open_output(OrderedRun const& run, std::optional<CleanupFile>& temporary) {
  auto sink = open_sink(run, false, false, false, 0);
  if (sink->to_file()) temporary.emplace(sink->staging());
  return sink;
}

Report run_tasks(RunArgs const& a, Team const& team, Services sv, Schedule s) {
  if (sv.checkpoint != nullptr) {
    throw UsageError("--checkpoint: parfold run cannot resume a task list yet; run it without --checkpoint");
  }
  // A stop signal ends the running tasks' process groups (SIGTERM, SIGKILL after a
  // grace period) before parfold ends: no task outlives it, no temporary file is left.
  catch_stop_signals();
  std::vector<Task> const tasks = task_list(a, team);
  OrderedRun const run{a.output, tasks.size(), 0, {}, {}, {a.task_file},
                       "the running tasks were ended and no new one started"};
  std::unique_ptr<Joblog> joblog;
  std::unique_ptr<OrderedSink> sink;
  std::optional<CleanupFile> temporary;
  on_root(team, [&] {
    joblog = open_records(a);
    sink = open_output(run, temporary);
  });
  FarmItems const items{tasks.size(), {"PARFOLD_TASK", "PARFOLD_TASK_LINE"}, [&](std::uint64_t i) {
                          return ItemLaunch{tasks[i].command, std::nullopt, {}, 0, {std::to_string(i), std::to_string(tasks[i].line)}};
                        }, {}};
  RunProgress progress;
  FarmOutcome const outcome{
      [&](Attempt const& t) { joblog->row(t, tasks[t.index].command); },
      [&](Attempt&& t) { emit_task(t, tasks[t.index], a, progress, *sink); }};
  FarmSummary const f = run_farm(team, sv, s, items, a.farm, outcome);
  stop_if_requested(team, run);
  on_root(team, [&] { sink->commit(); });
  return run_report(a, team, f, progress, tasks.size());
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
  add_farm_options(*run, a->farm);
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
    job.unit = "tasks";
    job.run = [a](Team const& team, Services sv, Schedule s) { return run_tasks(*a, team, sv, s); };
  });
}

}  // namespace parfold
