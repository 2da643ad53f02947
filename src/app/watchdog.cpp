#include "app/watchdog.hpp"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/exit_codes.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {
namespace {

/// Ends this process with 124; with `abort_job` (rank 0 under a PMI launcher: MPICH's
/// Hydra) the job, by MPI_Abort: a rank that exits without MPI_Finalize makes Hydra kill the
/// others, and it then reports the SIGKILL (9) of a rank that had not exited yet instead of
/// 124 (the ranks' exits cannot be ordered without MPI). It reports MPI_Abort's code.
[[noreturn]] void exit_timeout(bool abort_job) {
  int finalized = 1;
  if (abort_job) {
    // The other ranks' watchdogs end their children first (their timers started with
    // this one's, moments apart): MPI_Abort makes Hydra kill them at once. MPI_Abort off
    // the main thread (MPI_THREAD_FUNNELED) is outside the standard; MPICH's PMI abort
    // path takes it, and a hung one is ended by the launcher all the same.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    MPI_Finalized(&finalized);
  }
  if (finalized == 0) MPI_Abort(MPI_COMM_WORLD, exit_code::kTimeout);
  std::_Exit(exit_code::kTimeout);
}

}  // namespace

void start_watchdog(std::chrono::duration<double> limit, bool graceful, Team const& team,
                    std::chrono::duration<double> grace) {
  bool const root = team.is_root();
  bool const abort_job = root && team.comm.uses_mpi() && team.launcher == "mpiexec";
  std::thread([=] {
    std::this_thread::sleep_for(limit);
    if (graceful) {
      request_stop(StopReason::timeout);
      std::this_thread::sleep_for(grace);
    }
    refuse_new_children(StopReason::timeout);  // a farm's ended tasks did not fail
    cleanup_now();
    // A child being started while the first sweep ran is registered moments later.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cleanup_now();
    if (root) {
      std::fprintf(stderr, "parfold: error: --timeout of %g s exceeded%s; the job was stopped\n",
                   limit.count(),
                   graceful ? " and the checkpoint could not be written in time" : "");
      std::fflush(stderr);
    } else {
      std::this_thread::sleep_for(std::chrono::seconds(2));  // let rank 0 say why first
    }
    exit_timeout(abort_job);
  }).detach();
}

bool watchdog_ending() { return !new_children_allowed(); }

void wait_for_watchdog_exit() {
  // It says why, once, and ends the process with 124 within moments.
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace parfold
