#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/report.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/services.hpp"
#include "workloads/lines/grep.hpp"

namespace parfold {

/// What `lines grep` prints.
enum class GrepOutput {
  lines,          ///< the selected lines (or with -o their matches)
  count,          ///< -c: the number of selected lines per file
  files_with,     ///< -l: the files with a selected line
  files_without,  ///< -L: the files without one
  quiet,          ///< -q: nothing; the exit status says
};

/// `lines grep`'s command line, with GNU grep's meaning.
struct GrepArgs {
  GrepOptions match;
  GrepOutput output_mode = GrepOutput::lines;
  bool line_numbers = false;    ///< -n
  bool byte_offset = false;     ///< -b
  bool only_matching = false;   ///< -o
  bool with_filename = false;   ///< -H
  bool no_filename = false;     ///< -h
  bool null_after_name = false; ///< -Z: a NUL byte after each file name, not ':' or '\n'
  bool no_messages = false;     ///< -s: no message about unreadable files
  bool text = false;            ///< -a: taken, and always so
  std::optional<std::uint64_t> max_count;  ///< -m NUM: at most NUM selected lines per file
  std::uint64_t after = 0;   ///< -A NUM (-C NUM): lines of context after each selected line
  std::uint64_t before = 0;  ///< -B NUM (-C NUM): lines of context before each
  std::string output;                ///< --output FILE, empty for stdout
  std::optional<std::string> label;  ///< --label: the name of standard input
  bool decompress = false;           ///< -z
  std::vector<std::string> paths;

  [[nodiscard]] std::string stdin_name() const { return label.value_or("(standard input)"); }
  /// Are lines prefixed with their file's name (-H, or several files without -h)?
  [[nodiscard]] bool prefix() const { return with_filename || (paths.size() > 1 && !no_filename); }
  /// What follows a file name before a line or a count.
  [[nodiscard]] std::string after_name() const { return null_after_name ? std::string(1, '\0') : ":"; }
  [[nodiscard]] bool context() const { return after > 0 || before > 0; }
  /// How many of a file's `n` selected lines count (-m).
  [[nodiscard]] std::uint64_t capped(std::uint64_t n) const { return max_count ? std::min(n, *max_count) : n; }
};

/// Runs `lines grep` (grep_cmd.cpp).
/// \note With MPI this is a collective operation over all ranks.
Report run_grep(GrepArgs const& a, Team const& team, Services sv, Schedule s);

}  // namespace parfold
