// parfold: one SPMD binary; parse, pick the backend once, run, report, exit code.
// The program, not the library, decides how the process ends.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "app/command_line.hpp"
#include "app/watchdog.hpp"
#include "cli/exit_codes.hpp"
#include "cli/report.hpp"
#include "parfold/checkpoint/checkpoint.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/comm/mpi_runtime.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/io/standard_output.hpp"
#include "parfold/observe/monitor.hpp"
#include "parfold/stop/children.hpp"
#include "parfold/stop/stop.hpp"

namespace {

using namespace parfold;

/// Ends the whole job after a failure known to this rank only: prints the message
/// tagged with rank and host, removes temporary files, and aborts every rank (MPI).
[[noreturn]] void fail_alone(Team const& team, std::string const& message) {
  cleanup_now();
  if (team.ranks() == 1 && !team.comm.uses_mpi()) {
    std::fprintf(stderr, "parfold: error: %s\n", message.c_str());
    std::fflush(stderr);
    std::_Exit(exit_code::kFailure);
  }
  std::fprintf(stderr, "parfold: error on rank %d (%s): %s\n", team.rank(), team.host.c_str(),
               message.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, exit_code::kFailure);
  std::_Exit(exit_code::kFailure);
}

/// srun with a missing or wrong MPI plugin starts N one-rank jobs that each run it all.
void warn_about_launch(Team const& team) {
  if (team.launched_ranks == team.ranks() || !team.is_root()) return;
  std::fprintf(
      stderr,
      "parfold: warning: %s started %d tasks but MPI sees %d rank%s: each task runs the whole job "
      "on its own (for srun, try --mpi=pmix)\n",
      team.launcher.c_str(), team.launched_ranks, team.ranks(), team.ranks() == 1 ? "" : "s");
}

void print_report(Report const& report, bool json) {
  if (json) {
    // Bytes that are not UTF-8 (words, file names) print as U+FFFD.
    write_stdout(to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                 "\n");
  } else {
    print_text(stdout, report);
  }
  flush_stdout();
}

/// The schedule asked for, or the workload's own default where none was given.
Schedule schedule_for(CLI::App const& app, CommonOptions const& common, Job const& job) {
  Schedule s = common.schedule;
  if (!job.default_schedule || app.get_option("--schedule")->count() > 0) return s;
  s.kind = job.default_schedule->kind;
  if (app.get_option("--chunk")->count() == 0) s.chunk = job.default_schedule->chunk;
  return s;
}

/// Runs the chosen job with its services and prints its report; returns the exit status.
int run_job(CLI::App const& app, CommonOptions const& common, Job const& job, Team const& team) {
  Monitor monitor(team, {common.trace, common.progress, common.json, job_label(app), job.unit});
  std::unique_ptr<Checkpoint> checkpoint;
  if (!common.checkpoint.empty()) {
    checkpoint =
        std::make_unique<Checkpoint>(common.checkpoint, job_key(app), common.checkpoint_every_s);
  }
  if (common.timeout_s > 0) {
    start_watchdog(std::chrono::duration<double>(common.timeout_s), checkpoint != nullptr, team);
  }
  Report const report =
      job.run(team, Services{&monitor, checkpoint.get()}, schedule_for(app, common, job));
  monitor.finish(report.info, report.workload);
  on_root(team, [&] {
    print_report(report, common.json);
    check_stdout();  // everything printed, by the job or its report, reached its place
  });
  return from_root(team, report.exit_code);  // only rank 0 holds the reduced result
}

/// A rank was lost: no collective (not even MPI_Finalize) can complete, so this rank
/// ends on its own, status 1, after what it kept (the job's code saved it); the lowest
/// live rank says why, and aborts the job for the ranks on other hosts.
[[noreturn]] void end_after_loss(RankLost const& e, std::string const& checkpoint) {
  if (e.speaker()) {
    std::string const kept = e.says_kept() || checkpoint.empty()
                                 ? std::string()
                                 : "; the checkpoint " + checkpoint +
                                       " holds what its last save held: run the same command "
                                       "again to go on from there";
    std::fprintf(stderr, "parfold: error: %s%s\n", e.what(), kept.c_str());
  }
  std::fflush(stdout);
  std::fflush(stderr);
  cleanup_now();
  if (e.speaker()) MPI_Abort(MPI_COMM_WORLD, exit_code::kFailure);
  std::_Exit(exit_code::kFailure);
}

/// The exit status for what the job threw; rank 0 says why, once.
int exit_for(Team const& team, Job const& job, std::string const& checkpoint) {
  auto say = [&](std::string const& prefix, char const* what) {
    if (team.is_root()) std::fprintf(stderr, "parfold: %s%s\n", prefix.c_str(), what);
  };
  try {
    throw;
  } catch (FileError const& e) {
    say("error: ", file_message(e).c_str());
    return exit_code::kUsage;
  } catch (UsageError const& e) {
    say("error: ", e.what());
    return exit_code::kUsage;
  } catch (WriteError const& e) {
    say("error: write error on ", e.what());
    return job.output_failure;
  } catch (JobError const& e) {
    if (e.rank() >= 0 && team.ranks() > 1) {
      say("error on rank " + std::to_string(e.rank()) + " (" + e.host() + "): ",
          e.message().c_str());
    } else {
      say("error: ", e.rank() >= 0 ? e.message().c_str() : e.what());
    }
    return exit_code::kFailure;
  } catch (RankLost const& e) {
    end_after_loss(e, checkpoint);
  } catch (Stopped const& e) {  // every rank agreed to stop after the checkpoint
    say("", stop_message(e).c_str());
    return exit_code::of_stop(e.facts());
  } catch (std::exception const& e) {  // only this rank knows
    fail_alone(team, e.what());
  }
}

}  // namespace

int main(int argc, char** argv) {
  Launch const launch = detect_launch();
  CLI::App app;
  CommonOptions common;
  Job job;
  declare_command_line(app, common, job);
  if (auto const rc = parse_command_line(app, argc, argv, launch)) return *rc;

  // Stop signals are caught from here on, so that one arriving during MPI start-up
  // stops the job after its first segment instead of killing it.
  if (!common.checkpoint.empty()) catch_stop_signals();
  std::unique_ptr<Context> context;
  try {
    context = std::make_unique<Context>(argc, argv, common.threads);
  } catch (ThreadLevelRefused const& e) {
    if (e.speaker()) std::fprintf(stderr, "parfold: error: %s\n", e.what());
    return exit_code::kFailure;
  } catch (std::exception const& e) {
    std::fprintf(stderr, "parfold: error: cannot start: %s\n", e.what());
    return exit_code::kFailure;
  }
  Team const& team = context->team();
  warn_about_launch(team);
  int status = exit_code::kSuccess;
  try {
    status = run_job(app, common, job, team);
  } catch (...) {
    if (watchdog_ending()) wait_for_watchdog_exit();
    status = exit_for(team, job, common.checkpoint);
  }
  end_children();  // nothing a task started outlives parfold, even what left its process group
  return status;
}
