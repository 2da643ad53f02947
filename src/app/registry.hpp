#pragma once

#include <CLI/CLI.hpp>

#include "cli/job.hpp"

namespace parfold {

/// `parfold info`: not a workload; reports where the ranks landed.
void setup_info(CLI::App& app, Job& job);

/// Declares every workload's subcommand (each workload's setup_x, in src/workloads/,
/// declares it on `app` and, when it is chosen and its options are valid, stores its
/// run in `job`).
void setup_workloads(CLI::App& app, Job& job);

}  // namespace parfold
