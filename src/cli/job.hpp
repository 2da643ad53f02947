#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/report.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/services.hpp"

namespace parfold {

/// The run of the workload chosen on the command line: it runs over `team` with the
/// job's services and the schedule asked for, and returns what to report.
using Job = std::function<Report(Team const& team, Services services, Schedule schedule)>;

}  // namespace parfold
