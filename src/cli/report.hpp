#pragma once

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "parfold/core/stats.hpp"
#include "parfold/observe/units.hpp"

namespace parfold {

/// One line of a workload's result: its JSON key and value, and its text rendering.
struct Field {
  std::string key;
  nlohmann::ordered_json value;
  std::string text;
  /// When set, the JSON value is what this makes, made only when --json prints it (a row
  /// per file of 20,000 files costs more than reading them).
  std::function<nlohmann::ordered_json()> make_value{};

  [[nodiscard]] nlohmann::ordered_json json() const { return make_value ? make_value() : value; }
};

/// Everything rank 0 reports about a finished run.
struct Report {
  std::string workload{};
  std::string unit{};  ///< what an item is: "samples", "terms", "tasks"
  std::vector<Field> result{};
  RunInfo info{};
  std::string launcher = "none";
  std::optional<double> speedup{};  ///< where the workload knows its serial time
  /// When set, the text report is exactly this (tool-compatible output, e.g. wc's).
  std::optional<std::string> text{};
  int exit_code = 0;  ///< e.g. 1 for a grep that matched nothing
  /// When set, --json prints exactly this (reports that are not runs, e.g. `info`).
  std::optional<nlohmann::ordered_json> json{};
};

/// How evenly the work spread over the workers.
struct Balance {
  double busy_min_s = 0, busy_mean_s = 0, busy_max_s = 0;
  double imbalance = 1;  ///< busiest worker's busy time / mean busy time (1 = perfect)
  /// Idle at the end: how long before the last worker's finish each worker ran out of
  /// chunks (finish times are taken from each rank's start of the run).
  double idle_end_mean_s = 0, idle_end_max_s = 0;
  double overhead_s = 0;   ///< wall time - the busiest worker's busy time
  double utilization = 0;  ///< total busy time / (workers x wall time)
  double parallelism = 0;  ///< achieved parallelism: total busy time / wall time
};
[[nodiscard]] Balance balance(RunInfo const& info);

[[nodiscard]] nlohmann::ordered_json to_json(Report const& r);
void print_text(std::FILE* out, Report const& r);

}  // namespace parfold
