#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace parfold {

/// Declares the hidden `parfold completion bash|zsh|fish`: it prints a completion script
/// for that shell, made from the command line's own tree of subcommands and options (the
/// build installs its output, so the completions cannot drift from --help).
void add_completion_command(CLI::App& app);

/// The script asked for with `parfold completion SHELL`, or nothing when another
/// subcommand was chosen.
[[nodiscard]] std::optional<std::string> completion_requested(CLI::App const& app);

}  // namespace parfold
