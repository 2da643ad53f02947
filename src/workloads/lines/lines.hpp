#pragma once

#include <string>
#include <vector>

#include "core/range.hpp"
#include "workloads/lines/count.hpp"
#include "workloads/lines/files.hpp"
#include "workloads/lines/grep.hpp"

namespace parfold {

/// `lines count`: per file, what `LC_ALL=C wc` reports. Items are bytes.
struct CountWorkload {
  using Partial = std::vector<LineCounts>;  ///< per input file

  LineFiles const* files = nullptr;

  [[nodiscard]] std::uint64_t items() const { return files->total(); }
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

/// wc's table: one row per file, a total row when there are several; numbers right-
/// aligned to the width of the total size of the files.
[[nodiscard]] std::string wc_table(std::vector<InputFile> const& files,
                                   std::vector<LineCounts> const& counts);

}  // namespace parfold
