#pragma once

// Standard input for `parfold lines`: rank 0 reads it (a LineBlockReader thread) and every
// rank gets it as a sequence of in-memory windows of whole lines, which the workloads
// fold as they fold files.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/io/line_blocks.hpp"
#include "parfold/run/services.hpp"
#include "workloads/lines/files.hpp"

namespace parfold {

/// Does `paths` mean standard input (none, or "-")? Refuses (UsageError) "-" among other
/// files or given twice: each of those would need its own pass.
[[nodiscard]] bool reads_stdin(std::vector<std::string> const& paths);

/// Standard input (rank 0's, under mpirun) as windows of whole lines, the same on every
/// rank, in input order. Rank 0 reads ahead by at most one window.
class StreamWindows {
 public:
  /// `name`: how output names the input ("" for none, as wc reading its standard input).
  /// A window holds window_per_worker(s.chunk) bytes per worker of the team.
  /// \note With MPI this is a collective operation over all ranks.
  StreamWindows(Team const& team, std::string name, std::uint64_t chunk);
  /// The next window (an in-memory LineFiles holding one file), or null at the end of
  /// the input or once rank 0 was asked to stop.
  /// \note With MPI this is a collective operation over all ranks.
  std::unique_ptr<LineFiles> next();
  /// The input read so far, as one file: its name, its size, and whether it is a regular
  /// file (`< FILE`: wc's widths differ for a pipe).
  [[nodiscard]] InputFile const& file() const { return file_; }

  /// Bytes of input per worker in a window: 8 MiB, or with --chunk 4 chunks (at least
  /// 64 KiB): windows small enough that rank 0 reads ahead while the workers fold.
  [[nodiscard]] static std::uint64_t window_per_worker(std::uint64_t chunk);

 private:
  Team const& team_;
  InputFile file_;
  std::unique_ptr<LineBlockReader> reader_;  ///< rank 0's
};

/// Refuses (UsageError) a checkpoint of a job that reads standard input.
void require_rereadable(Services sv);

/// Runs f(window) (collective) on each window of standard input in order, and returns
/// the input as one file. Refuses --checkpoint: standard input cannot be read again.
/// \note With MPI this is a collective operation over all ranks.
template <class F>
InputFile for_each_window(Team const& team, Services sv, Schedule s, std::string const& name, F&& f) {
  require_rereadable(sv);
  StreamWindows windows(team, name, s.chunk);
  while (auto const window = windows.next()) f(*window);
  return windows.file();
}

}  // namespace parfold
