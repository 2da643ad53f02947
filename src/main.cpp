// parfold: one SPMD binary; parse, pick the backend once, run, report, exit code.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "cli/options.hpp"
#include "exec/launch.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  using namespace parfold;
  Launch const launch = detect_launch();
  bool const root = launch.rank == 0;

  CLI::App app{"parfold: cut a job into chunks and fold them over MPI ranks and threads.\n"
               "Without mpirun it runs on the cores of this machine; under mpirun or srun\n"
               "it spreads the chunks over the ranks too. Results never depend on how the\n"
               "work was split.",
               "parfold"};
  app.set_version_flag("-V,--version", version_text());
  app.set_config("--config", "", "Read options from a TOML/INI file (see jobs/*.toml)");
  app.require_subcommand(1);
  app.fallthrough();
  app.footer("Examples:\n"
             "  parfold pi --samples 1e9\n"
             "  mpirun -n 4 parfold --schedule dynamic pi --samples 1e10\n"
             "  parfold sum --from 1 --to 1e9 --power 3 --json\n"
             "  parfold --threads 8 --schedule guided tasks --count 1000 --cost random\n"
             "Exit status: 0 success, 1 runtime failure, 2 bad usage or input.");
  CommonOptions common;
  add_common_options(app, common);
  Job job;
  setup_workloads(app, job);

  try {
    app.parse(argc, argv);
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
    // Every rank parses the same arguments and agrees without communicating.
    if (root) {
      std::fprintf(stderr, "parfold: error: %s\nRun 'parfold --help' for usage.\n", e.what());
    }
    return kExitUsage;
  }

  std::unique_ptr<Runtime> runtime;
  try {
    runtime = Runtime::start(argc, argv, launch, common.threads);
  } catch (std::exception const& e) {
    std::fprintf(stderr, "parfold: error: cannot start: %s\n", e.what());
    return kExitFailure;
  }
  try {
    Team const& team = runtime->team();
    Report const report = job(team, common.schedule);
    if (team.is_root()) {
      if (common.json) {
        std::printf("%s\n", to_json(report).dump(2).c_str());
      } else {
        print_text(stdout, report);
      }
      std::fflush(stdout);
    }
  } catch (std::exception const& e) {
    runtime->fail(e.what());
  }
  return 0;
}
