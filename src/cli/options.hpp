#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "parfold/core/schedule.hpp"

namespace parfold {

/// Options every workload shares (given before or after the workload's name).
struct CommonOptions {
  Schedule schedule;
  std::optional<int> threads;  ///< threads per rank; default: the fair share of cores
  bool json = false;
  std::string trace;              ///< --trace FILE
  std::optional<bool> progress;   ///< --progress / --no-progress
  std::string checkpoint;         ///< --checkpoint FILE
  double checkpoint_every_s = 5;  ///< --checkpoint-every DURATION
  double timeout_s = 0;           ///< --timeout DURATION; 0: none
};

void add_common_options(CLI::App& app, CommonOptions& opts);

/// An option taking a count in parfold's syntax (1e10, 10G, ...), at least `min`.
CLI::Option* add_count(CLI::App& app, std::string const& name, std::uint64_t& target,
                       std::string const& description, std::uint64_t min = 1);
/// An option taking a signed 64-bit integer in the same syntax.
CLI::Option* add_int(CLI::App& app, std::string const& name, std::int64_t& target,
                     std::string const& description);

}  // namespace parfold
