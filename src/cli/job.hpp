#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

#include "cli/report.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/services.hpp"

namespace parfold {

/// The workload chosen on the command line.
struct Job {
  /// Runs over `team` with the job's services and the schedule asked for; returns what
  /// to report.
  std::function<Report(Team const& team, Services services, Schedule schedule)> run;
  /// The workload's own default schedule, used when --schedule is not given (its chunk
  /// when --chunk is not given either); none: the common default.
  std::optional<Schedule> default_schedule;
  /// What the progress line counts ("tasks", "chunks").
  std::string unit = "items";
  /// The status when what the job prints cannot be written (1; grep's 2 for lines grep).
  int output_failure = 1;
  /// Standard input is among its inputs: rank 0 under a launcher drains it from the
  /// start (relay_standard_input), as MPICH's Hydra needs.
  bool reads_stdin = false;
};

}  // namespace parfold
