#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "parfold/core/schedule.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/run/services.hpp"
#include "app/report/report.hpp"

namespace parfold {

/// The run of the workload chosen on the command line.
using Job = std::function<Report(Team const& team, Services services, Schedule schedule)>;

/// Each workload declares its subcommand on `app`; when the subcommand is chosen and
/// its options are valid, it stores its run in `job`.
void setup_pi(CLI::App& app, Job& job);
void setup_sum(CLI::App& app, Job& job);
void setup_tasks(CLI::App& app, Job& job);
void setup_lines(CLI::App& app, Job& job);
/// `parfold info`: not a workload; reports where the ranks landed.
void setup_info(CLI::App& app, Job& job);

/// Declares every workload's subcommand.
void setup_workloads(CLI::App& app, Job& job);

}  // namespace parfold
