#pragma once

// `lines grep --json` and `--stats`: ripgrep's output for programs, as rg 13 writes it.
// With --json every printed line is a "match" or "context" message, each file with a
// selected line opens with "begin" and closes with "end" (its statistics), and a
// "summary" ends the output; with --stats rg's block of totals follows the lines. Rank 0
// only, fed in file order by the line printer (grep_lines.cpp).

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parfold/output/ordered.hpp"
#include "workloads/lines/grep/grep_args.hpp"
#include "workloads/lines/input/files.hpp"

namespace parfold {

/// ripgrep's statistics of one search (a file) or of all.
struct SearchStats {
  std::uint64_t elapsed_ns = 0, searches = 0, searches_with_match = 0, bytes_searched = 0,
                bytes_printed = 0, matched_lines = 0, matches = 0;
  SearchStats& operator+=(SearchStats const& o);
};

/// A line as it is printed, for the report.
struct ReportedLine {
  std::size_t file = 0;      ///< its file's index in the input (InputCursor::files())
  std::string_view bytes;    ///< without its '\n'
  bool terminated = true;    ///< a '\n' ended it (not a file's unterminated last line)
  bool selected = true;      ///< a match; else context
  std::uint64_t number = 0;  ///< its line number
  std::uint64_t offset = 0;  ///< its first byte in its file
  std::span<std::uint64_t const> matches;  ///< (begin, length) pairs
  bool find_matches = false;  ///< matches not given: the report finds them (held context)
  bool last = false;  ///< the -m NUM-th selected line of its file: rg stops reading after it
};

/// Rank 0's --json messages and --stats totals over one grep.
class GrepReport {
 public:
  /// For `a` (--json or --stats), whose input files are `files` as the cursor reads them
  /// (the vector grows as parts are read) and whose lines `matcher` matches.
  GrepReport(GrepArgs const& a, std::vector<InputFile> const& files, LineMatcher const& matcher);
  /// A NUL byte at `offset` of the input's file `file` (the least offset given wins):
  /// --json's binary_offset.
  void nul(std::size_t file, std::uint64_t offset);
  /// A line printed (with --json, its message, after its file's begin).
  void line(ReportedLine const& l, OrderedSink& sink);
  /// Bytes the text printer wrote (--stats' bytes printed).
  void printed(std::uint64_t bytes) { printed_ += bytes; }
  /// After the last line: --json's last end message and the summary, or --stats' block.
  void finish(OrderedSink& sink);

 private:
  void begin(std::size_t file, OrderedSink& sink);
  void end(OrderedSink& sink);
  void write(std::string const& message, OrderedSink& sink);
  /// Appends ripgrep's path object for the input's file `file`.
  void append_path(std::string& out, std::size_t file) const;
  void stats_block(OrderedSink& sink) const;

  GrepArgs const& a_;
  std::vector<InputFile> const& files_;
  LineMatcher const& matcher_;
  std::chrono::steady_clock::time_point const t0_ = std::chrono::steady_clock::now();
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t current_ = kNone;  ///< --json: the file whose begin is out and end is not
  std::chrono::steady_clock::time_point began_;    ///< when its begin went out
  SearchStats file_;                               ///< its statistics so far
  std::uint64_t stop_at_ = 0;                      ///< >0: rg stopped reading it there (-m)
  std::map<std::size_t, std::uint64_t> nuls_;      ///< the first NUL byte found per file
  SearchStats total_;                              ///< of the files ended (--json)
  std::size_t last_matched_ = kNone;               ///< --stats: the last file with a selected line
  std::uint64_t files_matched_ = 0, printed_ = 0;  ///< --stats
  std::string message_;                            ///< reused for each message
};

}  // namespace parfold
