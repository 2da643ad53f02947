#pragma once

// `lines grep --json` and `--stats`: ripgrep's output for programs, as rg 13 writes it.
// With --json every printed line is a "match" or "context" message, each file with a
// selected line opens with "begin" and closes with "end" (its statistics), and a
// "summary" ends the output; with --stats rg's block of totals follows the lines. Rank 0
// only, fed in file order by the line printer (grep_lines.cpp).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
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

/// ripgrep reads a memory-mapped file's first 64 KiB for a NUL byte before it searches;
/// past them it sees only the NUL bytes of the lines it prints.
constexpr std::uint64_t kRgBinaryHead = std::uint64_t{64} << 10;

/// Rank 0's --json messages and --stats totals over one grep.
class GrepReport {
 public:
  /// For `a` (--json or --stats), whose input files are `files` as the cursor reads them
  /// (the vector grows as parts are read) and whose lines `matcher` matches.
  GrepReport(GrepArgs const& a, std::vector<InputFile> const& files, LineMatcher const& matcher);
  /// A NUL byte at `offset` (< kRgBinaryHead) of the input's file `file` (the least
  /// offset given wins): --json's binary_offset.
  void nul(std::size_t file, std::uint64_t offset);
  /// A line printed (with --json, its message, after its file's begin).
  void line(ReportedLine const& l, OrderedSink& sink);
  /// Bytes the text printer wrote (--stats' bytes printed).
  void printed(std::uint64_t bytes) { printed_ += bytes; }
  /// After the last line: --json's last end message and the summary, or --stats' block.
  void finish(OrderedSink& sink);

 private:
  /// The file of the lines printed now, from its first to its last printed line.
  struct Current {
    std::size_t file = 0;
    std::string path;  ///< its JSON path object
    std::chrono::steady_clock::time_point began;
    SearchStats stats;
    std::uint64_t stop_at = 0;             ///< >0: rg stopped reading it there (-m)
    std::uint64_t context_after_stop = 0;  ///< context lines printed since
    std::uint64_t printed_end = 0;         ///< the end of its last line printed
    std::optional<std::uint64_t> nul;      ///< the first NUL of a printed line
  };
  void begin(std::size_t file, OrderedSink& sink);
  void end(OrderedSink& sink);
  /// How many bytes of the current file rg searched, and where its first NUL was.
  [[nodiscard]] std::uint64_t searched(std::optional<std::uint64_t>& binary) const;
  void write(std::string const& message, OrderedSink& sink);
  /// Line `l`'s match or context message (reused: valid until the next message).
  std::string const& match_message(ReportedLine const& l, std::span<std::uint64_t const> matches,
                                   std::string const& path);
  void stats_block(OrderedSink& sink) const;

  GrepArgs const& a_;
  std::vector<InputFile> const& files_;
  LineMatcher const& matcher_;
  std::chrono::steady_clock::time_point const t0_ = std::chrono::steady_clock::now();
  std::optional<Current> current_;
  std::map<std::size_t, std::uint64_t> nuls_;  ///< the first NUL byte in each file's head
  SearchStats total_;                          ///< of the files ended
  std::uint64_t files_matched_ = 0;            ///< --stats: files with a selected line
  std::uint64_t unsearched_ = 0;               ///< --stats: bytes rg would not read (-m)
  std::uint64_t printed_ = 0;                  ///< --stats: bytes of the lines printed
  std::string message_;                        ///< reused for each message
  std::string line_;                           ///< a line that is not UTF-8, with its '\n'
};

}  // namespace parfold
