#pragma once

// `lines count`: the workload (what `LC_ALL=C wc` counts, per file) and wc's table.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/lines/count/count.hpp"
#include "workloads/lines/input/files.hpp"
#include "workloads/lines/input/parts.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

/// `lines count`: per file, what `LC_ALL=C wc` reports (with `widths`, `wc -L` too; without
/// `words`, lines and bytes only: words stay 0), piece by piece: a long line's counts carry
/// over from one piece to the next.
struct CountText {
  bool widths = false;
  bool words = true;
  using Carry = CountCarry;
  LineCounts operator()(LinePiece const& piece, Carry& carry) const {
    if (piece.starts) carry = {};
    LineCounts c = words ? count_text(piece.text, carry.after_sep)
                         : LineCounts{count_newlines(piece.text), 0, piece.text.size(), 0};
    if (widths) c.max_line = max_line_width(piece.text, carry.column);
    return c;
  }
};
using CountWorkload = PerFileWorkload<LineCounts, CountText>;

/// The columns `wc` prints, in its order: -l, -w, -m, -c, -L (none given: -l -w -c).
struct WcColumns {
  bool lines = false, words = false, chars = false, bytes = false, max_line = false;
  [[nodiscard]] int count() const { return lines + words + chars + bytes + max_line; }
};

/// The width of wc's numbers (coreutils' compute_number_width), for the inputs `parts`
/// of which `files` were read, `asked` paths given: 1 for one column of one input; else
/// the digits of the total size of the inputs that are regular files, at least 7 when
/// one is not (a directory, a pipe). Each input counts as stat(2) sees it (fstat(2) for
/// "-", each time it is given), one that cannot be stat'ed not at all; what -z decodes
/// counts as its decoded size.
[[nodiscard]] int wc_number_width(std::vector<InputPart> const& parts,
                                  std::vector<InputFile> const& files, WcColumns columns,
                                  std::size_t asked);

/// wc's table: one row per file, a total row when `asked` (the paths given, readable or
/// not) is more than one (its -L the widest); numbers right-aligned to `width`.
[[nodiscard]] std::string wc_table(std::vector<InputFile> const& files,
                                   std::vector<LineCounts> const& counts, WcColumns columns,
                                   std::size_t asked, int width);

}  // namespace parfold
