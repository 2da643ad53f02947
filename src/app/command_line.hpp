#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "app/registry.hpp"
#include "cli/options.hpp"
#include "parfold/comm/launch.hpp"

namespace parfold {

/// The parfold command line: common options and every workload's subcommand.
void declare_command_line(CLI::App& app, CommonOptions& common, Job& job);

/// Parses the command line. Returns the exit status when the program ends here
/// (--help, --version: 0; bad usage: 2, with one message from rank 0), else nothing.
[[nodiscard]] std::optional<int> parse_command_line(CLI::App& app, int& argc, char**& argv,
                                                    Launch const& launch);

/// What a checkpoint records of the job: the workload and its options as parsed (so
/// that `--samples 4e9` and `--samples 4000000000` are one job); common options such as
/// --threads or --schedule may change between runs.
[[nodiscard]] std::string job_key(CLI::App const& app);
/// "lines count" for `parfold lines count ...`: the chosen subcommands.
[[nodiscard]] std::string job_label(CLI::App const& app);

}  // namespace parfold
