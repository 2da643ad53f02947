// parfold: one SPMD binary; parse, pick the backend once, run, report, exit code.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "core/errors.hpp"
#include "exec/agree.hpp"
#include "exec/launch.hpp"
#include "exec/checkpoint.hpp"
#include "exec/monitor.hpp"
#include "exec/stop.hpp"
#include "exec/team.hpp"
#include "report/report.hpp"
#include "workloads/registry.hpp"

#ifndef PARFOLD_VERSION
#define PARFOLD_VERSION "0.0.0"
#endif

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

std::string version_text() {
  // MPI_Get_library_version may be called before MPI_Init.
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(mpi, &len);
  std::string lib(mpi, static_cast<std::size_t>(len));
  if (auto const cut = lib.find_first_of(",\n"); cut != std::string::npos) lib.resize(cut);
  return std::string("parfold ") + PARFOLD_VERSION + " (" + lib + ", CLI11 " CLI11_VERSION ")";
}

/// What a checkpoint records of the job: the workload and its options as given
/// (common options such as --threads or --schedule may change between runs).
std::string job_key(CLI::App const& app) {
  std::string key;
  for (CLI::App const* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    key += (key.empty() ? "" : " ") + sub->get_name();
    std::vector<std::string> given;
    for (CLI::Option const* opt : sub->get_options()) {
      if (opt->count() == 0 || opt->get_name() == "--help") continue;
      std::string text = opt->get_name() + "=";
      for (std::string const& r : opt->results()) text += r + ",";
      given.push_back(text);
    }
    std::sort(given.begin(), given.end());
    for (std::string const& g : given) key += " " + g;
  }
  return key;
}

/// "lines count" for `parfold lines count ...`: the chosen subcommands.
std::string job_label(CLI::App const& app) {
  std::string label;
  for (CLI::App const* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    label += (label.empty() ? "" : " ") + sub->get_name();
  }
  return label;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace parfold;
  Launch const launch = detect_launch();
  bool const root = launch.rank == 0;

  CLI::App app{
      "parfold: cut a job into chunks and fold them over MPI ranks and threads.\n"
      "Without mpirun it runs on the cores of this machine; under mpirun or srun\n"
      "it spreads the chunks over the ranks too. Results never depend on how the\n"
      "work was split.",
      "parfold"};
  app.set_version_flag("-V,--version", version_text());
  app.set_config("--config", "", "Read options from a TOML/INI file (see jobs/*.toml)");
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Examples:\n"
      "  parfold pi --samples 1e9\n"
      "  mpirun -n 4 parfold --schedule dynamic pi --samples 1e10\n"
      "  parfold sum --from 1 --to 1e9 --power 3 --json\n"
      "  parfold --threads 8 --schedule guided tasks --count 1000 --cost random\n"
      "  parfold --trace run.json lines count big.log; python3 jobs/plot_timeline.py run.json\n"
      "  mpirun -n 4 parfold info          (where did my ranks and threads land?)\n"
      "Exit status: 0 success, 1 runtime failure, 2 bad usage or input.");
  CommonOptions common;
  add_common_options(app, common);
  Job job;
  setup_workloads(app, job);

  try {
    app.parse(argc, argv);
    std::vector<CLI::App*> chosen = app.get_subcommands();
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    if (chosen.size() > 1) {
      throw CLI::ValidationError("one workload at a time: " + chosen[0]->get_name() + " and " +
                                 chosen[1]->get_name() + " were both given");
    }
  } catch (CLI::CallForHelp const& e) {
    if (root) std::fputs(app.help("", CLI::AppFormatMode::Normal).c_str(), stdout);
    return 0;
  } catch (CLI::CallForAllHelp const& e) {
    if (root) std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (CLI::CallForVersion const& e) {
    if (root) std::printf("%s\n", e.what());
    return 0;
  } catch (CLI::ParseError const& e) {
    std::string message = e.what();
    if (dynamic_cast<CLI::RequiredError const*>(&e) != nullptr && app.get_subcommands().empty()) {
      message = app.remaining().empty() ? "no workload given (choose pi, sum, tasks, lines or info)"
                                        : "unknown workload '" + app.remaining().front() +
                                              "' (choose pi, sum, tasks, lines or info)";
    }
    // Every rank parses the same arguments and fails alike. Under a launcher the ranks
    // still meet once, so that no rank's exit makes the launcher kill rank 0 before it
    // has printed the message.
    std::unique_ptr<boost::mpi::environment> env;
    if (launch.uses_mpi()) env = std::make_unique<boost::mpi::environment>(argc, argv, false);
    if (root) {
      std::fprintf(stderr, "parfold: error: %s\nRun 'parfold --help' for usage.\n",
                   message.c_str());
      std::fflush(stderr);
    }
    if (env) boost::mpi::communicator().barrier();
    return kExitUsage;
  }

  // Stop signals are caught from here on, so that one arriving during MPI start-up
  // stops the job after its first segment instead of killing it.
  if (!common.checkpoint.empty()) catch_stop_signals();
  std::unique_ptr<Runtime> runtime;
  try {
    runtime = Runtime::start(argc, argv, launch, common.threads);
  } catch (std::exception const& e) {
    std::fprintf(stderr, "parfold: error: cannot start: %s\n", e.what());
    return kExitFailure;
  }
  Team team = runtime->team();
  try {
    Monitor monitor(team, {common.trace, common.progress, common.json, job_label(app)});
    team.monitor = &monitor;
    std::unique_ptr<Checkpoint> checkpoint;
    if (!common.checkpoint.empty()) {
      checkpoint = std::make_unique<Checkpoint>(common.checkpoint, job_key(app), common.checkpoint_every_s);
      team.checkpoint = checkpoint.get();
    }
    if (common.timeout_s > 0) {
      start_watchdog(std::chrono::duration<double>(common.timeout_s), checkpoint != nullptr, team.is_root());
    }
    Report const report = job(team, common.schedule);
    monitor.finish(report.info, report.workload);
    if (team.is_root()) {
      if (common.json) {
        // Bytes that are not UTF-8 (words, file names) print as U+FFFD.
        std::printf("%s\n",
                    to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      } else {
        print_text(stdout, report);
      }
      std::fflush(stdout);
    }
    return from_root(team, report.exit_code);  // only rank 0 holds the reduced result
  } catch (UsageError const& e) {  // every rank knows: rank 0 says it once
    if (team.is_root()) {
      std::fprintf(stderr, "parfold: error: %s\n", e.what());
    }
    return kExitUsage;
  } catch (JobError const& e) {
    if (team.is_root()) std::fprintf(stderr, "parfold: error: %s\n", e.what());
    return kExitFailure;
  } catch (Stopped const& e) {  // every rank agreed to stop after the checkpoint
    if (team.is_root()) std::fprintf(stderr, "parfold: %s\n", e.what());
    return e.exit_code;
  } catch (std::exception const& e) {  // only this rank knows
    runtime->fail(e.what());
  }
  return 0;
}
