#pragma once

#include <map>
#include <utility>
#include <string>
#include <vector>

#include "parfold/core/range.hpp"
#include "workloads/lines/count.hpp"
#include "workloads/lines/files.hpp"
#include "workloads/lines/grep.hpp"
#include "workloads/lines/words.hpp"

namespace parfold {

/// `lines count`: per file, what `LC_ALL=C wc` reports. Items are bytes.
struct CountWorkload {
  using Partial = std::vector<LineCounts>;  ///< per input file

  LineFiles const* files = nullptr;

  [[nodiscard]] std::uint64_t items() const { return files->total(); }
  [[nodiscard]] std::string input_identity() const { return files->identity(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] Partial identity() const { return Partial(files->files().size()); }
  void process(Range r, Partial& acc) const {
    files->for_each_lines(r, [&](std::size_t f, std::string_view lines) { acc[f] += count_text(lines); });
  }
  static void combine(Partial& into, Partial const& from) {
    for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
  }
};

/// `lines grep -c`: per file, the number of selected lines. Items are bytes.
struct GrepCountWorkload {
  using Partial = std::vector<std::uint64_t>;  ///< per input file

  LineFiles const* files = nullptr;
  LineMatcher const* matcher = nullptr;

  [[nodiscard]] std::uint64_t items() const { return files->total(); }
  [[nodiscard]] std::string input_identity() const { return files->identity(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] Partial identity() const { return Partial(files->files().size()); }
  void process(Range r, Partial& acc) const {
    files->for_each_lines(r, [&](std::size_t f, std::string_view lines) {
      acc[f] += matcher->count_selected(lines);
    });
  }
  static void combine(Partial& into, Partial const& from) {
    for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
  }
};

/// The lines one chunk selected, for printing in order by rank 0. Line numbers are
/// relative to the chunk's first line in each file; `lines_seen` says how many lines of
/// each file the chunk owned, so that rank 0 can number every line exactly.
struct ChunkLines {
  std::vector<std::uint32_t> file;   ///< per selected line
  std::vector<std::uint64_t> index;  ///< per selected line: 0-based, within the chunk's part of its file
  std::vector<std::uint64_t> size;   ///< per selected line, without its '\n'
  std::string bytes;                 ///< the selected lines, concatenated
  std::vector<std::uint64_t> lines_seen;  ///< (file, lines) pairs, in file order

  friend bool operator==(ChunkLines const&, ChunkLines const&) = default;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & file & index & size & bytes & lines_seen;
  }
};

/// `lines grep` printing lines: one window [begin, begin + items) of the input; the
/// partial result maps each chunk's first byte to what it selected.
struct GrepLinesWorkload {
  using Partial = std::map<std::uint64_t, ChunkLines>;

  LineFiles const* files = nullptr;
  LineMatcher const* matcher = nullptr;
  Range window;
  bool number_lines = false;

  [[nodiscard]] std::uint64_t items() const { return window.size(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const;
  static void combine(Partial& into, Partial const& from) { into.insert(from.begin(), from.end()); }
};

/// `lines top`: how often each word occurs (this rank's words until the shuffle).
struct TopWorkload {
  using Partial = WordTable;

  LineFiles const* files = nullptr;
  WordRules rules;

  [[nodiscard]] std::uint64_t items() const { return files->total(); }
  [[nodiscard]] std::string input_identity() const { return files->identity(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const {
    files->for_each_lines(r, [&](std::size_t, std::string_view lines) { count_words(lines, rules, acc); });
  }
  static void combine(Partial& into, Partial const& from) {
    from.for_each([&](std::string_view word, std::uint64_t n) { into.add(word, n); });
  }
};

/// The `k` most frequent words: count descending, then word bytewise ascending.
[[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> top_words(WordCounts const& counts,
                                                                           std::uint64_t k);

/// wc's table: one row per file, a total row when there are several; numbers right-
/// aligned to the width of the total size of the files.
[[nodiscard]] std::string wc_table(std::vector<InputFile> const& files,
                                   std::vector<LineCounts> const& counts);

}  // namespace parfold
