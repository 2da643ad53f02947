#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/stats.hpp"

namespace parfold {

/// One line of a workload's result: its JSON key and value, and its text rendering.
struct Field {
  std::string key;
  nlohmann::ordered_json value;
  std::string text;
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
};

[[nodiscard]] nlohmann::ordered_json to_json(Report const& r);
void print_text(std::FILE* out, Report const& r);

/// Formats a number with thousands separators: 1234567 -> "1,234,567".
[[nodiscard]] std::string group_digits(std::string const& digits);

}  // namespace parfold
