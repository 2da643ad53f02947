#pragma once

#include "cli/job.hpp"

namespace parfold {

/// `parfold run`: declares the subcommand; when chosen, stores its run in `job`.
void setup_run(CLI::App& app, Job& job);

}  // namespace parfold
