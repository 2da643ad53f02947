#pragma once

// `lines count`: the workload (what `LC_ALL=C wc` counts, per file) and wc's table.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/lines/count/count.hpp"
#include "workloads/lines/input/files.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

/// `lines count`: per file, what `LC_ALL=C wc` reports (with `widths`, `wc -L` too).
struct CountText {
  bool widths = false;
  LineCounts operator()(std::string_view lines) const {
    LineCounts c = count_text(lines);
    if (widths) c.max_line = max_line_width(lines);
    return c;
  }
};
using CountWorkload = PerFileWorkload<LineCounts, CountText>;

/// The columns `wc` prints, in its order: -l, -w, -m, -c, -L (none given: -l -w -c).
struct WcColumns {
  bool lines = false, words = false, chars = false, bytes = false, max_line = false;
  [[nodiscard]] int count() const { return lines + words + chars + bytes + max_line; }
};

/// wc's table: one row per file, a total row when `asked` (the paths given, readable or
/// not) is more than one (its -L the widest); numbers right-aligned to the width of the
/// total size of the files (at least 7 when one is a directory), or unpadded for one
/// column of one file.
[[nodiscard]] std::string wc_table(std::vector<InputFile> const& files,
                                   std::vector<LineCounts> const& counts, WcColumns columns,
                                   std::size_t asked);

}  // namespace parfold
