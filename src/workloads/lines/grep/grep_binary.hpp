#pragma once

// grep without -a on binary files. GNU grep reads a file in buffers of 96 KiB; from the
// first buffer that holds a NUL byte on, it prints no line of the file but, when a line
// is selected there (NUL bytes then end lines too), says "FILE: binary file matches" on
// standard error. Counts (-c), names (-l, -L) and -q are as for text.

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/services.hpp"
#include "workloads/lines/grep/matcher.hpp"
#include "workloads/lines/input/files.hpp"

namespace parfold {

/// grep's read buffer.
constexpr std::uint64_t kGrepBuffer = std::uint64_t{96} << 10;

/// Is the file at `path` binary to grep from its start: a NUL byte in its first buffer
/// (read into `head`, reused from file to file)? False for "-" and for a file that
/// cannot be read (reported when it is read).
[[nodiscard]] bool binary_from_start(std::string const& path, std::string& head);

/// The files grep takes for binary (as paths given).
using BinaryPaths = std::unordered_set<std::string>;
/// Those of `paths` binary from their start (with `decompress`, a compressed file counts
/// as text): rank 0 looks at each file's first buffer; every rank gets its answer.
/// \note With MPI this is a collective operation over all ranks.
[[nodiscard]] BinaryPaths binary_paths(std::vector<std::string> const& paths, bool decompress,
                                       Team const& team);

/// The selected lines of a run of lines of a file, piece by piece (a long line in pieces,
/// OpenLine carrying it over); in a binary file NUL bytes end lines too, as grep matches it.
struct CountSelected {
  using Carry = OpenLine;
  LineMatcher const* matcher = nullptr;
  std::vector<char> binary;    ///< per file of the run: is it binary (none: no file is)
  bool without_match = false;  ///< -I: a binary file selects nothing
  /// Else, when given: a file is binary when these files have a NUL in its first buffer,
  /// found by the read of its first bytes (no read of its own first).
  LineFiles const* heads = nullptr;
  std::uint64_t operator()(LinePiece const& piece, OpenLine& open) const;
  /// For the files of `files`, those in `binary` marked.
  [[nodiscard]] static CountSelected over(LineFiles const& files, LineMatcher const& matcher,
                                          BinaryPaths const& binary, bool without_match);
  /// For the files of `files`, each binary as its first buffer says when it is read.
  [[nodiscard]] static CountSelected reading(LineFiles const& files, LineMatcher const& matcher,
                                             bool without_match);
};

/// Per file of `paths`, on rank 0: is a line selected when NUL bytes end lines, as grep
/// matches a binary file? Each file is read until its first such line.
/// \note With MPI this is a collective operation over all ranks.
[[nodiscard]] std::vector<bool> binary_matches(std::vector<std::string> const& paths,
                                               LineMatcher const& matcher, Team const& team,
                                               Services sv, Schedule s);

}  // namespace parfold
