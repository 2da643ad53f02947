#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

/// The operands of `command` (FILE...): every argument not an option, and every argument
/// after "--" (POSIX utility syntax guideline 10), even when some came before it.
/// (CLI11 2.1.2 hands "--" back to the parent command once each positional has its least
/// number of values, and "-x" after it is then refused: a hidden positional that never
/// gets one, the operands taking them all, keeps "--" in `command`.)
CLI::Option* add_operands(CLI::App& command, std::string const& name,
                          std::vector<std::string>& operands, std::string const& description);

/// CLI11's help, without add_operands' hidden positional in the usage line.
class UsageFormatter : public CLI::Formatter {
 public:
  std::string make_usage(CLI::App const* app, std::string name) const override;
};

}  // namespace parfold
