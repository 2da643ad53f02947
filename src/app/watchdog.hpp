#pragma once

#include <chrono>

namespace parfold {

/// --timeout: after `limit` a graceful stop is requested when `graceful` (there is a
/// checkpoint to write), and `grace` later, or at once without one, the registered
/// temporary files are removed, rank 0 says why, and the process exits with status
/// 124. Under MPI the launcher then ends the other ranks. The program's, not the
/// library's: only the program ends the process.
void start_watchdog(std::chrono::duration<double> limit, bool graceful, bool root,
                    std::chrono::duration<double> grace = std::chrono::seconds(30));

/// Whether the watchdog is ending the process (it refused new children; killed the running).
[[nodiscard]] bool watchdog_ending();
/// Called when the job ended (it threw) while watchdog_ending(): the tasks it killed made it
/// end, so its status is not the job's: waits for the watchdog, which exits 124.
[[noreturn]] void wait_for_watchdog_exit();

}  // namespace parfold
