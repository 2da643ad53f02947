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

}  // namespace parfold
