#pragma once

#include <chrono>

#include "parfold/comm/context.hpp"

namespace parfold {

/// --timeout: after `limit` a graceful stop is requested when `graceful` (there is a
/// checkpoint to write), and `grace` later, or at once without one, the registered
/// temporary files are removed, rank 0 says why, and the process exits with status
/// 124. Under MPI the other ranks exit 2 s after rank 0 has said it, or the launcher ends
/// them first; under a PMI launcher (MPICH's Hydra) rank 0 ends the job with MPI_Abort
/// (status 124), since Hydra would report the SIGKILL it sends to ranks still running.
/// The program's, not the library's: only the program ends the process.
void start_watchdog(std::chrono::duration<double> limit, bool graceful, Team const& team,
                    std::chrono::duration<double> grace = std::chrono::seconds(30));

/// Whether the watchdog is ending the process (it refused new children; killed the running).
[[nodiscard]] bool watchdog_ending();
/// Called when the job ended (it threw) while watchdog_ending(): the tasks it killed made it
/// end, so its status is not the job's: waits for the watchdog, which exits 124.
[[noreturn]] void wait_for_watchdog_exit();

}  // namespace parfold
