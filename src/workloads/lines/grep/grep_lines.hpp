#pragma once

// `lines grep` printing lines: what each chunk selects (with line numbers, byte offsets
// and -o's matches), and rank 0 printing it in file order as grep does.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "parfold/core/range.hpp"
#include "parfold/output/ordered.hpp"
#include "workloads/lines/grep/grep_args.hpp"
#include "workloads/lines/input/files.hpp"

namespace parfold {

/// The lines one chunk selected, for printing in order by rank 0. Line numbers are
/// relative to the chunk's first line in each file; `lines_seen` says how many lines of
/// each file the chunk owned, so that rank 0 can number every line exactly.
struct ChunkLines {
  std::vector<std::uint32_t> file;  ///< per selected line
  std::vector<std::uint64_t>
      index;  ///< per selected line: 0-based, within the chunk's part of its file
  std::vector<std::uint64_t> offset;      ///< per selected line: its first byte in its file (-b)
  std::vector<std::uint64_t> size;        ///< per selected line, without its '\n'
  std::string bytes;                      ///< the selected lines, concatenated
  std::vector<std::uint64_t> lines_seen;  ///< (file, lines) pairs, in file order
  std::vector<std::uint32_t> matches;     ///< -o: per selected line, how many matches
  std::vector<std::uint64_t> match_at;    ///< -o: (begin within the line, length) pairs
  /// With -A/-B: per line, 1 when it is not selected but may be context (a neighbour of
  /// a selected line, or among the first -A or last -B lines of the chunk's window).
  std::vector<std::uint8_t> context;
  /// --json without -a: (file, offset of the chunk's first NUL byte in it) pairs, for
  /// the NUL bytes in a file's first kRgBinaryHead bytes (grep_report.hpp).
  std::vector<std::uint64_t> nul;

  friend bool operator==(ChunkLines const&, ChunkLines const&) = default;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& file& index& offset& size& bytes& lines_seen& matches& match_at& context& nul;
  }
};

/// `lines grep` printing lines: one window [begin, begin + items) of the input; the
/// partial result maps each chunk's first byte to what it selected.
struct GrepLinesWorkload {
  using Partial = std::map<std::uint64_t, ChunkLines>;

  LineFiles const* files = nullptr;
  LineMatcher const* matcher = nullptr;
  Range window;
  bool number_lines = false;            ///< count lines (-n, -m)
  bool record_matches = false;          ///< record each line's matches (-o, --color)
  std::uint64_t after = 0, before = 0;  ///< -A, -B: record the lines that may be context
  bool find_nul = false;                ///< record the first NUL byte of each file's head (--json)

  [[nodiscard]] std::uint64_t items() const { return window.size(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const;
  static void combine(Partial& into, Partial const& from) { into.insert(from.begin(), from.end()); }

 private:
  /// Records the lines of `lines` (whole lines of file `f`) that are selected or may be
  /// context, numbering them from `seen` (advanced past `lines`).
  void record_with_context(std::size_t f, std::string_view lines, std::uint64_t at,
                           std::uint64_t& seen, ChunkLines& out) const;
  /// Records `line`, which starts at byte `at` of file f.
  void record(std::size_t f, std::string_view line, std::uint64_t at, std::uint64_t index,
              bool context, ChunkLines& out) const;
  /// With find_nul, records the first NUL byte of `lines` (of file f, from byte `at`) in
  /// the file's first kRgBinaryHead bytes, unless one of file f is recorded already.
  void record_nul(std::size_t f, std::string_view lines, std::uint64_t at, ChunkLines& out) const;
};

/// A line that may be printed as context before the next selected line.
struct HeldLine {
  std::uint64_t file = 0, number = 0, offset = 0;
  std::string bytes;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& file& number& offset& bytes;
  }
};

/// How far printing got (kept in a checkpoint of `lines grep --output`).
struct Printed {
  std::uint64_t selected = 0;          ///< lines selected (and printed: -m)
  std::vector<std::uint64_t> line_no;  ///< lines before, per file
  std::vector<std::uint64_t> shown;    ///< selected lines printed, per file (-m)
  // Context (-A, -B): where the last printed line was, what may still follow it.
  bool printed_any = false;                    ///< a line went out (a "--" may come)
  std::uint64_t last_file = 0, last_line = 0;  ///< the last line printed
  std::uint64_t after_left = 0;                ///< context lines still to print after it
  std::vector<HeldLine> held;                  ///< the last -B candidate lines of last_file
  /// A new part of the input with `files` files (their line numbers from 1 again).
  void start(std::size_t files) {
    line_no.assign(files, 0);
    shown.assign(files, 0);
    last_file = ~std::uint64_t{0};  // no file of the new part follows on from the last one
    after_left = 0;
    held.clear();
  }
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& selected& line_no& shown& printed_any& last_file& last_line& after_left& held;
  }
};

/// Why `p`, read from a checkpoint, cannot be how far printing `a`'s lines of `files` got
/// after the bytes [0, done) (empty: it can): a number per file, each within the lines
/// done, the lines shown within -m and counted in `selected`, the last line printed and
/// the context held within the lines done and -A, -B.
[[nodiscard]] std::string printed_problem(Printed const& p, LineFiles const& files,
                                          GrepArgs const& a, std::uint64_t done);

/// The workload that prints `a`'s lines from window `w` of `files`.
[[nodiscard]] GrepLinesWorkload lines_workload(GrepArgs const& a, LineFiles const& files,
                                               LineMatcher const& matcher, Range w);

class GrepReport;

/// Rank 0: one window's selected lines, as grep prints them: [name:][number:][offset:]
/// then the line, or with -o each match; at most -m NUM lines per file. With `report`
/// (--json, --stats), each line printed goes there too (`first`: the index of files'
/// first file in the input); with --json the report prints it instead.
void emit_lines(GrepLinesWorkload::Partial const& window, LineFiles const& files, GrepArgs const& a,
                Printed& printed, OrderedSink& sink, GrepReport* report = nullptr,
                std::size_t first = 0);

}  // namespace parfold
