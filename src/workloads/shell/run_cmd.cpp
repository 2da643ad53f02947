// `parfold run`: a list of shell commands over every core and node; their output in
// task order, a GNU parallel style joblog, and grep-like exit statuses.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/exit_codes.hpp"
#include "cli/numbers.hpp"
#include "cli/options.hpp"
#include "parfold/checkpoint/archive.hpp"
#include "parfold/checkpoint/checkpoint.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/core/hash.hpp"
#include "parfold/io/staged_file.hpp"
#include "parfold/io/standard_output.hpp"
#include "parfold/io/whole_file.hpp"
#include "parfold/observe/units.hpp"
#include "parfold/output/ordered.hpp"
#include "workloads/shell/farm_options.hpp"
#include "workloads/shell/journal.hpp"
#include "workloads/shell/run.hpp"
#include "workloads/shell/task_list.hpp"

namespace parfold {

namespace {

struct RunArgs {
  std::string task_file;
  std::string command;        ///< --command template, empty: the lines are commands
  std::string output;         ///< --output FILE
  std::string joblog;         ///< --joblog FILE
  std::string results;        ///< --results DIR
  FarmOptions farm;           ///< --retries, --halt, --task-timeout, --unordered
  bool retry_failed = false;  ///< --retry-failed: the checkpoint's failed tasks run again
};

/// Rank 0: the joblog, GNU parallel's columns and then parfold's.
class Joblog {
 public:
  /// A resumed run appends to the joblog of the runs before it (as GNU parallel's --resume).
  Joblog(std::string const& path, bool append) {
    if (path.empty()) return;
    f_ = std::fopen(path.c_str(), append ? "a" : "w");
    if (f_ == nullptr) throw UsageError("--joblog " + path + ": " + std::strerror(errno));
    if (std::ftell(f_) > 0) return;  // its header is there
    std::fputs(
        "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tRank\tThread\tA"
        "ttempt\n",
        f_);
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
                 static_cast<unsigned long long>(t.index + 1), t.host.c_str(), t.start_s,
                 t.runtime_s, t.out.size(), t.signal == 0 ? t.exit_code : 0, t.signal,
                 command.c_str(), t.rank, t.thread, t.attempt);
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
  for (auto const& [suffix, text] :
       {std::pair<char const*, CapturedOutput const*>{".out", &t.out}, {".err", &t.err}}) {
    StagedFile f(base + suffix);
    text->replay([&](std::string_view piece) { f.write(piece); });
    f.commit();
  }
  StagedFile status(base + ".status");
  status.write(std::to_string(t.exit_code) + "\n");
  status.commit();
}

/// Rank 0: a task's last attempt: stdout to the sink, stderr to stderr, whole.
void emit_task(Attempt const& t, ShellTask const& task, RunArgs const& a, RunProgress& p,
               OrderedSink& sink) {
  write_results(a.results, t);
  t.out.replay([&](std::string_view piece) {
    sink.write(piece);
    p.checksum = fnv1a(piece, p.checksum);
  });
  sink.flush();
  if (!t.out.empty() && !sink.to_file())
    flush_stdout();  // each task's output as soon as its turn comes (a failure: at the end)
  write_stderr(t.err);
  p.out_bytes += t.out.size();
  ++(t.passed ? p.succeeded : p.failed);
  if (!t.passed && p.first_failures.size() < 5) {
    p.first_failures.push_back("line " + std::to_string(task.line) + " (" + t.ending() + ")");
  }
}

/// Every rank: the task list, read by rank 0 and sent to every rank.
/// \note With MPI this is a collective operation over all ranks.
std::vector<ShellTask> task_list(RunArgs const& a, Team const& team) {
  std::vector<ShellTask> tasks;
  int stopped = 0;  // a StopReason: a FIFO with no writer, a terminal, and a stop came first
  on_root(team, [&] {
    if (!a.command.empty()) check_command_template(a.command);
    std::optional<std::string> const text =
        read_whole(a.task_file, [] { return stop_requested() != StopReason::none; });
    stopped = text ? 0 : static_cast<int>(stop_requested());
    if (!text) return;
    tasks = parse_tasks(*text, a.command, a.task_file);
    if (tasks.empty())
      throw UsageError(a.task_file + ": no tasks (every line is empty or a # comment)");
  });
  team.comm.broadcast(stopped);  // rank 0's reason: the others may have had no signal
  if (stopped != 0)
    throw stop_error(static_cast<StopReason>(stopped), false,
                     "; " + a.task_file + " was not read whole: no task ran");
  team.comm.broadcast(tasks);
  return tasks;
}

/// Rank 0: the joblog (appended to when `resumed`), and the --results directory made.
std::unique_ptr<Joblog> open_records(RunArgs const& a, bool resumed) {
  auto joblog = std::make_unique<Joblog>(a.joblog, resumed);
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
void say_how_it_ended(FarmSummary const& f, RunProgress const& p, RunArgs const& a,
                      std::uint64_t tasks) {
  if (f.halted) {
    std::string const ended =
        f.ended > 0 ? " (" + group_digits(f.ended) + " of them ended while running)" : "";
    std::fprintf(stderr, "parfold: --halt %s reached: %s not run%s\n", a.farm.halt.text().c_str(),
                 count_of(f.not_run, "task").c_str(), ended.c_str());
  }
  if (p.failed == 0) return;
  std::string firsts;
  for (std::string const& x : p.first_failures) firsts += (firsts.empty() ? "" : ", ") + x;
  std::fprintf(stderr, "parfold: %s of %s failed: %s%s\n", group_digits(p.failed).c_str(),
               count_of(tasks, "task").c_str(), firsts.c_str(),
               p.failed > p.first_failures.size() ? ", ..." : "");
}

/// The report of a run: counts (earlier runs of a checkpoint included), tasks/s, the
/// output's checksum.
Report run_report(RunArgs const& a, Team const& team, FarmSummary const& f, RunProgress const& p,
                  std::uint64_t tasks) {
  Report r{.workload = "run", .unit = "tasks", .info = f.info, .launcher = team.launcher};
  char sum[24];
  std::snprintf(sum, sizeof(sum), "%016llx", static_cast<unsigned long long>(p.checksum));
  double const per_s =
      f.info.wall_s > 0 ? static_cast<double>(f.succeeded + f.failed) / f.info.wall_s : 0.0;
  r.result = {{"tasks", tasks, ""},
              {"succeeded", p.succeeded, ""},
              {"failed", p.failed, ""},
              {"retried", f.retried, ""},
              {"not_run", f.not_run, ""},
              {"tasks_per_s", per_s, "tasks/s"},
              {"output_bytes", p.out_bytes, "B"},
              {"output_fnv1a", std::string(sum), ""}};
  if (!a.output.empty()) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the tasks' output is already out
  bool const failed = p.failed > 0 || (f.halted && !f.halted_on_success);
  r.exit_code = failed ? exit_code::kFailure : exit_code::kSuccess;
  if (team.is_root()) say_how_it_ended(f, p, a, tasks);
  return r;
}

/// With --checkpoint: the checkpoint of this run, what it recorded (rank 0) and which
/// tasks are done (every rank).
struct Resume {
  std::unique_ptr<Checkpoint> checkpoint;
  RunJournal journal;
  std::vector<char> done;
};

/// Opens the checkpoint (its job: `run` and the output file; the tasks are checked one by
/// one, so that a longer list resumes and a changed one is refused).
/// \note With MPI this is a collective operation over all ranks.
Resume open_resume(RunArgs const& a, Team const& team, Checkpoint const* given,
                   std::vector<ShellTask> const& tasks) {
  Resume r;
  if (given == nullptr) {
    if (a.retry_failed)
      throw UsageError("--retry-failed reruns the failed tasks of a --checkpoint FILE: give one");
    return r;
  }
  if (a.retry_failed && !a.output.empty()) {
    throw UsageError("--retry-failed with --output: the failed tasks' output is already in " +
                     a.output + "; use --results DIR or stdout");
  }
  std::string const job = "run" + (a.output.empty() ? std::string() : " --output=" + a.output);
  r.checkpoint = std::make_unique<Checkpoint>(given->path(), job, given->every_s());
  CheckpointState const state = r.checkpoint->open(team, 0, "");
  on_root(team, [&] {
    if (!state.partial.empty()) {
      r.journal = read_partial<RunJournal>(*r.checkpoint, state.partial, [&](RunJournal const& j) {
        return j.problem(tasks.size(), !a.output.empty());
      });
    }
    r.journal.require_same_tasks(tasks, a.task_file, given->path());
    if (a.retry_failed) r.journal.forget_failed();
    r.done = r.journal.done_flags(tasks.size());
  });
  team.comm.broadcast(r.done);
  return r;
}

/// Rank 0: where finished tasks go: their output (stdout or --output), stderr, --results,
/// the joblog, and with a checkpoint the record of what is out, saved when due.
class TaskPrinter {
 public:
  TaskPrinter(RunArgs const& a, std::vector<ShellTask> const& tasks, OrderedRun const& run,
              Resume& resume)
      : a_(a),
        tasks_(tasks),
        joblog_(open_records(a, !resume.journal.tasks.empty())),
        cp_(resume.checkpoint.get()),
        journal_(resume.journal) {
    bool const resumed = !journal_.tasks.empty();
    sink_ =
        open_sink(run, cp_, resumed, journal_.tasks.size() == tasks.size(), journal_.output_bytes);
    if (sink_->to_file() && cp_ == nullptr) temporary_.emplace(sink_->staging());
  }
  void attempted(Attempt const& t) { joblog_->row(t, tasks_[t.index].command); }
  void finished(Attempt&& t) {
    emit_task(t, tasks_[t.index], a_, journal_.progress, *sink_);
    if (cp_ == nullptr) return;
    journal_.held.erase(t.index);
    journal_.tasks[t.index] = {tasks_[t.index].line, fnv1a(tasks_[t.index].command), t.exit_code,
                               t.attempt, t.passed};
    if (cp_->due()) save();
  }
  /// At a stop: a task that ended but waits for its turn is kept in the checkpoint.
  void held(Attempt&& t) {
    if (cp_ != nullptr) journal_.held[t.index] = Attempt::encode(std::move(t));
  }
  void save() {
    journal_.output_bytes = sink_->sync();
    cp_->save(0, to_bytes(journal_));  // no prefix of tasks: the journal says which are done
  }
  void commit() { sink_->commit(); }
  [[nodiscard]] RunProgress const& progress() const { return journal_.progress; }
  [[nodiscard]] std::uint64_t recorded() const { return journal_.tasks.size(); }

 private:
  RunArgs const& a_;
  std::vector<ShellTask> const& tasks_;
  std::unique_ptr<Joblog> joblog_;
  Checkpoint* cp_;
  RunJournal& journal_;
  std::unique_ptr<OrderedSink> sink_;
  std::optional<CleanupFile> temporary_;  ///< FILE's staging, removed at once on a stop
};

/// What a checkpoint that holds `held` of `tasks` tasks means for the user.
std::string tasks_kept(Checkpoint const& checkpoint, std::uint64_t held, std::uint64_t tasks) {
  return "the checkpoint " + checkpoint.path() + " holds " + group_digits(held) + " of " +
         count_of(tasks, "task") + " (the tasks that were running will run again); " +
         "run the same command again to go on";
}

/// After the tasks: a stop ends the job (with a checkpoint, saved first: 75 or 124).
/// \note With MPI this is a collective operation over all ranks.
void end_if_stopped(Team const& team, OrderedRun const& run, Resume const& resume,
                    std::optional<TaskPrinter>& printer, std::uint64_t tasks) {
  if (resume.checkpoint == nullptr) return stop_if_requested(team, run);
  StopReason const why = stop_requested();
  if (!any_rank(team, why != StopReason::none)) return;
  std::uint64_t held = 0;
  on_root(team, [&] {
    printer->save();
    held = printer->recorded();
  });
  throw stop_error(why, true, ": " + tasks_kept(*resume.checkpoint, held, tasks));
}

/// Runs the farm; when a rank is lost, rank 0 saves what reached it (with a checkpoint)
/// and the loss says what was kept.
template <class Farm>
FarmSummary run_lost_or_farm(Team const& team, Resume const& resume,
                             std::optional<TaskPrinter>& printer, std::uint64_t tasks,
                             Farm&& farm) {
  try {
    return farm();
  } catch (RankLost const& e) {
    if (!team.is_root() || resume.checkpoint == nullptr) throw;
    printer->save();
    throw e.keeping("; " + tasks_kept(*resume.checkpoint, printer->recorded(), tasks));
  }
}

Report run_task_list(RunArgs const& a, Team const& team, Services sv, Schedule s) {
  // A stop signal ends the running tasks' process groups (SIGTERM, SIGKILL after a
  // grace period) before parfold ends: no task outlives it, no temporary file is left.
  catch_stop_signals();
  std::vector<ShellTask> const tasks = task_list(a, team);
  Resume resume = open_resume(a, team, sv.checkpoint, tasks);
  OrderedRun const run{a.output,
                       tasks.size(),
                       0,
                       {},
                       {},
                       {a.task_file},
                       "the running tasks were ended and no new one started"};
  std::optional<TaskPrinter> printer;
  on_root(team, [&] { printer.emplace(a, tasks, run, resume); });
  FarmItems items{tasks.size(),
                  {"PARFOLD_TASK", "PARFOLD_TASK_LINE"},
                  [&](std::uint64_t i) {
                    return ItemLaunch{tasks[i].command,
                                      std::nullopt,
                                      {std::to_string(i), std::to_string(tasks[i].line)}};
                  },
                  {}};
  if (!resume.done.empty()) items.done = [&](std::uint64_t i) { return resume.done[i] != 0; };
  items.ended = &resume.journal.held;
  FarmOutcome const outcome{[&](Attempt const& t) { printer->attempted(t); },
                            [&](Attempt&& t) { printer->finished(std::move(t)); },
                            [&](Attempt&& t) { printer->held(std::move(t)); }};
  FarmSummary const f = run_lost_or_farm(team, resume, printer, tasks.size(), [&] {
    return run_farm(team, sv, s, items, a.farm, outcome);
  });
  end_if_stopped(team, run, resume, printer, tasks.size());
  RunProgress progress;
  on_root(team, [&] {
    if (resume.checkpoint) printer->save();
    printer->commit();
    progress = printer->progress();
  });
  return run_report(a, team, f, progress, tasks.size());
}

}  // namespace

void setup_run(CLI::App& app, Job& job) {
  auto a = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand(
      "run", "Run shell commands, one per line of TASKFILE, on every core and node");
  run->add_option(
         "--command", a->command,
         "Run CMD once per line of TASKFILE, {} replaced by the line, shell-quoted: write {} "
         "bare, not in quotes (refused there: a $(...) in a line would run)")
      ->type_name("CMD");
  run->add_option("--output", a->output, "Write the tasks' output to FILE (whole or not at all)")
      ->type_name("FILE");
  run->add_option("--joblog", a->joblog,
                  "Log every task to FILE (GNU parallel's columns, then Rank Thread Attempt)")
      ->type_name("FILE");
  run->add_option(
         "--results", a->results,
         "Keep each task's stdout, stderr and exit status in DIR/<task>.out, .err, .status")
      ->type_name("DIR");
  add_farm_options(*run, a->farm, "task");
  run->add_flag("--retry-failed", a->retry_failed,
                "With --checkpoint: run the tasks that failed before again too");
  run->add_option("TASKFILE", a->task_file,
                  "One shell command (or argument) per line; - reads standard input")
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
    job.reads_stdin = a->task_file == "-";
    job.run = [a](Team const& team, Services sv, Schedule s) {
      return run_task_list(*a, team, sv, s);
    };
  });
}

}  // namespace parfold
