#pragma once

// The farm's options on a command line (CLI11): --retries, --halt, --task-timeout,
// --unordered. The engine (farm.hpp) takes them as FarmOptions and knows no command line.

#include <string>

#include <CLI/CLI.hpp>

#include "workloads/shell/farm.hpp"

namespace parfold {

/// Declares --retries, --halt, --task-timeout on `cmd`, into `opt`, in the words of its
/// items (`item`: "task", "chunk"); for tasks --unordered too.
void add_farm_options(CLI::App& cmd, FarmOptions& opt, std::string const& item);

}  // namespace parfold
