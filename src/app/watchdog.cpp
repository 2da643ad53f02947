#include "app/watchdog.hpp"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/exit_codes.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

void start_watchdog(std::chrono::duration<double> limit, bool graceful, bool root,
                    std::chrono::duration<double> grace) {
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
    std::_Exit(exit_code::kTimeout);
  }).detach();
}

bool watchdog_ending() { return !new_children_allowed(); }

void wait_for_watchdog_exit() {
  // It says why, once, and ends the process with 124 within moments.
  while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
}

}  // namespace parfold
