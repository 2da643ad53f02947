#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cli/report.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/services.hpp"
#include "workloads/lines/grep/matcher.hpp"

namespace parfold {

/// What `lines grep` prints.
enum class GrepOutput {
  lines,          ///< the selected lines (or with -o their matches)
  count,          ///< -c: the number of selected lines per file
  files_with,     ///< -l: the files with a selected line
  files_without,  ///< -L: the files without one
  quiet,          ///< -q: nothing; the exit status says
};

/// --color: SGR sequences from GREP_COLORS (grep's defaults: ms=mc=01;31, fn=35, ln=bn=32,
/// se=36); empty: that part is not coloured.
struct GrepColors {
  bool on = false;
  std::string selected_match = "01;31", context_match = "01;31", file_name = "35",
              line_number = "32", byte_offset = "32", separator = "36";
  bool erase_line = true;  ///< \33[K after each sequence (GREP_COLORS ne turns it off)
  /// Reads GREP_COLORS (and the older GREP_COLOR); throws UsageError for sl, cx or rv.
  void read_environment();
  /// `text` in colour `sgr` (as it is when `sgr` is empty).
  [[nodiscard]] std::string paint(std::string_view text, std::string const& sgr) const;
};

/// `lines grep`'s command line, with GNU grep's meaning.
struct GrepArgs {
  MatchRules match;
  GrepOutput output_mode = GrepOutput::lines;
  bool line_numbers = false;     ///< -n
  bool byte_offset = false;      ///< -b
  bool only_matching = false;    ///< -o
  bool with_filename = false;    ///< -H
  bool no_filename = false;      ///< -h
  bool null_after_name = false;  ///< -Z: a NUL byte after each file name, not ':' or '\n'
  bool no_messages = false;      ///< -s: no message about unreadable files
  bool text = false;             ///< -a, --binary-files=text: binary files print their lines too
  bool without_match = false;    ///< -I, --binary-files=without-match: binary files select nothing
  std::optional<std::uint64_t> max_count;  ///< -m NUM: at most NUM selected lines per file
  std::uint64_t after = 0;   ///< -A NUM (-C NUM): lines of context after each selected line
  std::uint64_t before = 0;  ///< -B NUM (-C NUM): lines of context before each
  GrepColors colors;         ///< --color
  std::optional<std::string> group_separator =
      "--";                          ///< between context groups; none: --no-group-separator
  std::string output;                ///< --output FILE, empty for stdout
  std::optional<std::string> label;  ///< --label: the name of standard input
  bool decompress = false;           ///< -z
  bool json = false;   ///< --json: ripgrep's JSON Lines (grep_report.hpp), not grep's lines
  bool stats = false;  ///< --stats: ripgrep's block of totals after the lines
  /// Binary files among read_apart with a selected line (--stats counts them).
  std::uint64_t binary_matched = 0;
  std::vector<std::string> paths;  ///< the files (with -r, those under the directories given)
  bool recursive = false;          ///< -r, -R
  bool names_forced =
      false;  ///< -r through a directory, or FILE operands given: file names are printed
  /// Text files after a binary file that matched: grep counts that match as output, so a
  /// "--" comes before their first group (with context) even when nothing was printed.
  std::unordered_set<std::string> after_binary_match;
  std::vector<std::string>
      read_apart;  ///< binary files, not among `paths` when printing: --output must not be one
  bool operands_given =
      false;  ///< FILE operands (or -r): none left to read means nothing, not standard input
  std::vector<std::string> walk_messages;  ///< -r: what the walk says, in order (Walked::messages)
  bool walk_failed = false;                ///< -r: an entry could not be read (status 2)
  bool walked_regular = false;             ///< -r: Walked::regular

  [[nodiscard]] std::string stdin_name() const { return label.value_or("(standard input)"); }
  /// Are lines prefixed with their file's name (-H, or several files without -h)?
  [[nodiscard]] bool prefix() const {
    return with_filename || ((paths.size() > 1 || names_forced) && !no_filename);
  }
  [[nodiscard]] bool context() const { return after > 0 || before > 0; }
  /// How many of a file's `n` selected lines count (-m).
  [[nodiscard]] std::uint64_t capped(std::uint64_t n) const {
    return max_count ? std::min(n, *max_count) : n;
  }
};

/// Runs `lines grep` (grep_cmd.cpp).
/// \note With MPI this is a collective operation over all ranks.
Report run_grep(GrepArgs const& a, Team const& team, Services sv, Schedule s);

}  // namespace parfold
