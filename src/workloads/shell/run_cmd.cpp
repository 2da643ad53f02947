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
#include "parfold/run/run_chunks.hpp"
#include "workloads/shell/farm_options.hpp"
#include "workloads/shell/journal.hpp"
#include "workloads/shell/parallel_form.hpp"
#include "workloads/shell/run.hpp"
#include "workloads/shell/slots.hpp"
#include "workloads/shell/stages.hpp"
#include "workloads/shell/task_list.hpp"

namespace parfold {

namespace {

struct RunArgs {
  std::vector<std::string> words;  ///< TASKFILE, or COMMAND... ::: ARGUMENTS...
  std::string task_file;           ///< TASKFILE, or what the ::: form's tasks come from
  bool parallel_form = false;      ///< the words hold a ::: (GNU parallel's form)
  ParallelForm form;               ///< --colsep, --header, --tag, --tagstring (::: form)
  bool link = false;               ///< --link: every source linked, as :::+
  bool dry_run = false;            ///< --dry-run: print the commands, run none
  SlotRequest slots;               ///< --cpus-per-task, --gpus-per-task, --gpus
  std::string command;             ///< --command template, empty: the lines are commands
  std::string output;              ///< --output FILE
  std::string joblog;              ///< --joblog FILE
  std::string results;             ///< --results DIR
  FarmOptions farm;                ///< --retries, --halt, --task-timeout, --unordered
  bool retry_failed = false;       ///< --retry-failed: the checkpoint's failed tasks run again
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
        "ttempt\tCpus\tGpus\n",
        f_);
    std::fflush(f_);
  }
  ~Joblog() {
    if (f_ != nullptr) std::fclose(f_);
  }
  Joblog(Joblog const&) = delete;
  Joblog& operator=(Joblog const&) = delete;
  /// One row per attempt, flushed at once: a killed job leaves the record of what ended.
  /// `slot`: the cores and GPUs it had (null: none asked for, the columns stay empty).
  void row(Attempt const& t, std::string const& command, Slot const* slot) {
    if (f_ == nullptr) return;
    std::fprintf(f_, "%llu\t%s\t%.3f\t%.3f\t0\t%zu\t%d\t%d\t%s\t%d\t%d\t%d\t%s\t%s\n",
                 static_cast<unsigned long long>(t.index + 1), t.host.c_str(), t.start_s,
                 t.runtime_s, t.out.size(), t.signal == 0 ? t.exit_code : 0, t.signal,
                 command.c_str(), t.rank, t.thread, t.attempt,
                 slot != nullptr ? slot->cpu_list().c_str() : "",
                 slot != nullptr ? slot->gpu_list().c_str() : "");
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
  std::uint64_t written = 0;
  std::string const* tag = a.form.tags() ? &task.tag : nullptr;
  replay_tagged(t.out, tag, [&](std::string_view piece) {
    sink.write(piece);
    written += piece.size();
    p.checksum = fnv1a(piece, p.checksum);
  });
  sink.flush();
  if (!t.out.empty() && !sink.to_file())
    flush_stdout();  // each task's output as soon as its turn comes (a failure: at the end)
  write_stderr(t.err, tag);
  p.out_bytes += written;
  ++(t.passed ? p.succeeded : p.failed);
  if (!t.passed && p.first_failures.size() < 5) {
    std::string const what = a.parallel_form ? "task " : "line ";  // {#} or the file's line
    p.first_failures.push_back(what + std::to_string(task.line) + " (" + t.ending() + ")");
  }
}

/// Every rank: the task list, read by rank 0 and sent to every rank.
/// \note With MPI this is a collective operation over all ranks.
std::vector<ShellTask> task_list(RunArgs const& a, Team const& team) {
  std::vector<ShellTask> tasks;
  int stopped = 0;  // a StopReason: a FIFO with no writer, a terminal, and a stop came first
  on_root(team, [&] {
    if (!a.command.empty()) check_command_template(a.command);
    auto const read = [](std::string const& path) {
      return read_whole(path, [] { return stop_requested() != StopReason::none; });
    };
    if (a.parallel_form) {
      auto expanded = expand_parallel_form(a.form, read);
      stopped = expanded ? 0 : static_cast<int>(stop_requested());
      if (expanded) tasks = std::move(*expanded);
      return;
    }
    std::optional<std::string> const text = read(a.task_file);
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
  if (a.slots.cpus_per_task > 0)
    r.result.push_back({"cpus_per_task", static_cast<std::uint64_t>(a.slots.cpus_per_task), ""});
  if (a.slots.gpus_per_task > 0)
    r.result.push_back({"gpus_per_task", static_cast<std::uint64_t>(a.slots.gpus_per_task), ""});
  if (a.slots.any()) r.result.push_back({"slots", team.workers(), ""});
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
              Resume& resume, Placement const& placement)
      : a_(a),
        tasks_(tasks),
        placement_(placement),
        joblog_(open_records(a, !resume.journal.tasks.empty())),
        cp_(resume.checkpoint.get()),
        journal_(resume.journal) {
    bool const resumed = !journal_.tasks.empty();
    sink_ =
        open_sink(run, cp_, resumed, journal_.tasks.size() == tasks.size(), journal_.output_bytes);
    if (sink_->to_file() && cp_ == nullptr) temporary_.emplace(sink_->staging());
  }
  void attempted(Attempt const& t) {
    joblog_->row(t, tasks_[t.index].command, placement_.of(t.rank, t.thread));
  }
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
  Placement const& placement_;
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

/// Each rank's workers' slots as the trace names them; none without --cpus/--gpus-per-task.
std::vector<std::vector<std::string>> slots_of(Placement const& placed) {
  std::vector<std::vector<std::string>> about(placed.all.size());
  for (std::size_t r = 0; r < placed.all.size(); ++r) {
    for (Slot const& slot : placed.all[r]) about[r].push_back(slot.describe());
  }
  return about;
}

/// --dry-run: rank 0 prints each task's command, in task order; nothing runs.
Report dry_run(Team const& team, std::vector<ShellTask> const& tasks, Placement const& placed) {
  on_root(team, [&] {
    // The slots on stderr: they depend on the ranks and threads, the commands do not.
    for (std::size_t r = 0; r < placed.all.size(); ++r) {
      for (std::size_t w = 0; w < placed.all[r].size(); ++w) {
        std::fprintf(stderr, "parfold: rank %zu worker %zu: %s\n", r, w,
                     placed.all[r][w].describe().c_str());
      }
    }
    for (ShellTask const& t : tasks) write_stdout(t.command + "\n");
    check_stdout();
  });
  Report r{.workload = "run", .unit = "tasks", .info = {}, .launcher = team.launcher};
  r.result = {{"tasks", static_cast<std::uint64_t>(tasks.size()), ""}, {"dry_run", true, ""}};
  r.text = "";
  return r;
}

/// The stages of the task list: cut at each `#PARFOLD BARRIER`.
std::vector<Stage> stages_of(std::vector<ShellTask> const& tasks) {
  std::vector<std::uint64_t> barriers;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (tasks[i].after_barrier) barriers.push_back(i);
  }
  return cut_stages(tasks.size(), barriers);
}

/// The farm's items: each task's command, and in its environment its number, its line
/// ({#} in the ::: form), its slot ({%}: 1, 2, ... over every rank's workers) and, with
/// --cpus-per-task or --gpus-per-task, its cores (bound) and GPUs.
FarmItems task_items(std::vector<ShellTask> const& tasks, Placement const& placed,
                     SlotRequest const& req) {
  std::vector<std::string> names{"PARFOLD_TASK", "PARFOLD_TASK_LINE", "PARFOLD_SLOT"};
  std::vector<std::vector<std::string>> slot_values(placed.mine.size());  // each worker's
  for (std::size_t w = 0; w < placed.mine.size(); ++w) {
    std::vector<std::string> slot_names;
    slot_environment(req, placed.mine[w], slot_names, slot_values[w]);
    if (w == 0) names.insert(names.end(), slot_names.begin(), slot_names.end());
  }
  std::uint64_t const first_slot = placed.team.first_worker(placed.team.rank()) + 1;
  auto launch = [&tasks, &placed, slot_values, first_slot](std::uint64_t i) {
    auto const worker = static_cast<std::size_t>(worker_thread());
    ItemLaunch l{
        tasks[i].command,
        std::nullopt,
        {std::to_string(i), std::to_string(tasks[i].line), std::to_string(first_slot + worker)}};
    if (placed.mine.empty()) return l;
    l.values.insert(l.values.end(), slot_values.at(worker).begin(), slot_values.at(worker).end());
    l.cpus = placed.mine.at(worker).cpus;
    return l;
  };
  return FarmItems{tasks.size(), std::move(names), launch, {}};
}

Report run_task_list(RunArgs const& a, Team const& given, Services sv, Schedule s) {
  // A stop signal ends the running tasks' process groups (SIGTERM, SIGKILL after a
  // grace period) before parfold ends: no task outlives it, no temporary file is left.
  catch_stop_signals();
  std::vector<ShellTask> const tasks = task_list(a, given);
  Placement const placed = place_tasks(given, a.slots);
  Team const& team = placed.team;  // one worker per slot with --cpus/--gpus-per-task
  if (a.dry_run) return dry_run(team, tasks, placed);
  if (sv.monitor != nullptr && team.is_root()) sv.monitor->describe_threads(slots_of(placed));
  Resume resume = open_resume(a, team, sv.checkpoint, tasks);
  OrderedRun const run{a.output,
                       tasks.size(),
                       0,
                       {},
                       {},
                       {a.task_file},
                       "the running tasks were ended and no new one started",
                       {}};
  std::optional<TaskPrinter> printer;
  on_root(team, [&] { printer.emplace(a, tasks, run, resume, placed); });
  FarmItems items = task_items(tasks, placed, a.slots);
  if (!resume.done.empty()) items.done = [&](std::uint64_t i) { return resume.done[i] != 0; };
  items.ended = &resume.journal.held;
  FarmOutcome const outcome{[&](Attempt const& t) { printer->attempted(t); },
                            [&](Attempt&& t) { printer->finished(std::move(t)); },
                            [&](Attempt&& t) { printer->held(std::move(t)); }};
  FarmSummary const f = run_lost_or_farm(team, resume, printer, tasks.size(), [&] {
    return run_stages(team, sv, s, items, stages_of(tasks), a.farm, outcome);
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

/// GNU parallel's options that parfold takes, and those it refuses by name (with the way
/// to do it here).
void add_parallel_options(CLI::App& run, RunArgs& a) {
  run.add_option("--colsep", a.form.colsep,
                 "With ::: or ::::, split each argument into columns {1} {2} ... at REGEX")
      ->type_name("REGEX");
  run.add_option_function<std::string>(
         "--header",
         [&a](std::string const& h) {
           if (h != ":")
             throw CLI::ValidationError("--header",
                                        "only ':' is taken (GNU parallel's "
                                        "--header REGEX is not)");
           a.form.header = true;
         },
         "--header : the first argument of each source names its columns: {name}")
      ->type_name(":");
  run.add_flag("--tag", a.form.tag, "Put the task's arguments and a TAB before each output line");
  run.add_option("--tagstring", a.form.tagstring,
                 "Put STR (replacement strings allowed) and a TAB before each output line")
      ->type_name("STR");
  run.add_flag("--link,--xapply", a.link, "Pair the sources' arguments, as :::+ does");
  run.add_flag("--dry-run", a.dry_run, "Print each task's command, in order; run none");
  run.add_flag_callback(
      "-k,--keep-order", [] {}, "Accepted: output is always in task order");
  struct Refused {
    char const* names;
    char const* why;
    bool value;
  };
  for (Refused const& r : std::initializer_list<Refused>{
           {"-j,--jobs",
            "tasks run one per worker: set --threads N per rank, and ranks with mpirun/srun", true},
           {"-S,--sshlogin", "parfold reaches other hosts through mpirun or srun, not ssh", true},
           {"--pipe,--pipepart",
            "to split standard input or a file among commands, use 'parfold lines exec'", false},
           {"-N,--max-args", "each task takes one argument of each source", true},
           {"-n", "each task takes one argument of each source", true},
           {"-X,-m", "each task takes one argument of each source", false},
           {"-q,--quote", "parfold always quotes the arguments, never the command", false}}) {
    std::string const names = r.names, why = r.why;
    std::string const first = names.substr(0, names.find(','));
    auto refuse = [first, why](auto const&...) {
      throw CLI::ValidationError(first, "GNU parallel's " + first + " is not taken: " + why);
    };
    CLI::Option* o = r.value ? run.add_option_function<std::string>(names, refuse)
                             : run.add_flag_callback(names, refuse);
    o->group("");  // refusals stay out of --help
  }
}

/// After parsing: the words are a TASKFILE or GNU parallel's form.
void settle_words(RunArgs& a) {
  a.parallel_form = std::any_of(a.words.begin(), a.words.end(), is_source_separator);
  bool const needs_form = a.form.tags() || !a.form.colsep.empty() || a.form.header || a.link;
  if (!a.parallel_form) {
    if (a.words.empty())
      throw CLI::ValidationError("run",
                                 "give a TASKFILE (- for standard input), or COMMAND ::: "
                                 "ARGUMENTS (GNU parallel's form)");
    if (a.words.size() != 1) {
      throw CLI::ValidationError("run",
                                 "takes one TASKFILE, or COMMAND ::: ARGUMENTS (GNU "
                                 "parallel's form); got " +
                                     std::to_string(a.words.size()) + " words and no :::");
    }
    if (needs_form)
      throw CLI::ValidationError("run",
                                 "--tag, --tagstring, --colsep, --header and --link "
                                 "need GNU parallel's form: COMMAND ::: ARGUMENTS");
    a.task_file = a.words.front();
    return;
  }
  if (!a.command.empty())
    throw CLI::ValidationError("--command", "give the command before ::: instead");
  if (a.dry_run && !a.output.empty())
    throw CLI::ValidationError("--dry-run", "prints the commands on standard output: no --output");
  parse_parallel_words(a.words, a.form);
  if (a.link) {
    for (ArgSource& s : a.form.sources) s.linked = true;
  }
  a.task_file = "the arguments after :::";
}

}  // namespace

void setup_run(CLI::App& app, Job& job) {
  auto a = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand(
      "run",
      "Run shell commands, one per line of TASKFILE or as GNU parallel's ::: forms give them, "
      "on every core and node");
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
  add_slot_options(*run, a->slots);
  add_parallel_options(*run, *a);
  run->add_option("TASKFILE | COMMAND ::: ARGS", a->words,
                  "One shell command (or argument) per line of TASKFILE (- reads standard "
                  "input); or GNU parallel's form: COMMAND ::: A B :::+ C D :::: FILE")
      ->type_name("");
  run->footer(
      "Each task runs as /bin/sh -c in its own process group, stdin from /dev/null, with\n"
      "PARFOLD_TASK, PARFOLD_TASK_LINE, PARFOLD_SLOT, PARFOLD_RANK, PARFOLD_THREAD set and the\n"
      "launcher's rank variables removed. Output comes out in task order, whatever ran where.\n"
      "Default schedule: dynamic, chunk 1. Exit status: 0 if every task succeeded, 1 if any\n"
      "failed, 2 on bad input. Examples:\n"
      "  mpirun -n 4 parfold run --command 'gzip -9 {}' files.txt\n"
      "  parfold run gzip -9 ::: *.log\n"
      "  mpirun -n 4 parfold run 'convert {} {.}.png' ::: *.jpg\n"
      "  parfold run --colsep , --header : 'echo {name} is {age}' :::: people.csv");
  run->final_callback([a, &job] {
    settle_words(*a);
    job.default_schedule = Schedule{ScheduleKind::dynamic, 1};
    job.unit = "tasks";
    job.run = [a](Team const& team, Services sv, Schedule s) {
      return run_task_list(*a, team, sv, s);
    };
  });
}

}  // namespace parfold
