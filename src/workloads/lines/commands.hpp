#pragma once

// The subcommands of `parfold lines`, each declared by its own folder's command file.

#include "cli/job.hpp"

namespace parfold {

/// `parfold lines`: declares the subcommand and its own (count, top, grep, exec).
void setup_lines(CLI::App& app, Job& job);
void add_count_command(CLI::App& lines, Job& job);  ///< count/count_cmd.cpp
void add_grep_command(CLI::App& lines, Job& job);   ///< grep/grep_cli.cpp
void add_top_command(CLI::App& lines, Job& job);    ///< top/top_cmd.cpp
void add_exec_command(CLI::App& lines, Job& job);   ///< exec_cmd.cpp

}  // namespace parfold
