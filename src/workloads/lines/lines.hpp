#pragma once

// `parfold lines`: what every command over line-aligned chunks of big files shares: the
// default schedule, the per-file fold over the input cursor, and the report. Each command
// has a folder of its own (count/, grep/, top/; exec_cmd.cpp here); input/ reads the files.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/job.hpp"
#include "cli/report.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/range.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/lines/input/cursor.hpp"

namespace parfold {

/// The schedule of `lines count`, `grep` and `top` when none is asked for: guided with
/// chunks of about 2 ms (--chunk auto). Big contiguous chunks first, small ones at the
/// end, taken by whichever worker is free: on a shared machine or a VM, where one core
/// reads or counts slower than another, static halves leave the faster one waiting
/// (busy max/mean 1.08-1.30 on 2 cores here), guided does not (1.00-1.02).
inline Schedule lines_schedule() { return {ScheduleKind::guided, 0}; }

/// Why `lines` lines (selected, counted) cannot come from `owned` bytes of whole lines
/// (empty: they can); LineCounts has its own (count/count.hpp).
[[nodiscard]] inline std::string value_problem(std::uint64_t lines, std::uint64_t owned) {
  if (lines <= owned) return {};
  return std::to_string(lines) + " lines in " + std::to_string(owned) + " bytes";
}

/// A workload whose partial result is one value per input file, folded piece by piece
/// (LinePiece) in memory bounded whatever the lines' lengths: `count(piece, carry)` is the
/// value of a piece, `carry` (a Count::Carry per chunk) what a piece of a long line leaves
/// open for the next; values add up. Items are bytes.
template <class Value, class Count>
struct PerFileWorkload {
  using Partial = std::vector<Value>;  ///< per input file

  LineFiles const* files = nullptr;
  Count count;

  [[nodiscard]] std::uint64_t items() const { return files->total(); }
  [[nodiscard]] std::string input_identity() const { return files->identity(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] Partial identity() const { return Partial(files->files().size()); }
  void process(Range r, Partial& acc) const {
    typename Count::Carry carry{};
    files->for_each_piece(r, [&](LinePiece const& p) { acc[p.file] += count(p, carry); });
  }
  static void combine(Partial& into, Partial const& from) {
    for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
  }
  /// A checkpoint's partial result of the bytes [0, done): a value per file, each within
  /// the bytes of the lines it owns there.
  [[nodiscard]] std::string partial_problem(Partial const& p, std::uint64_t done) const {
    if (p.size() != files->files().size())
      return std::to_string(p.size()) + " values for " + std::to_string(files->files().size()) +
             " files";
    for (std::size_t f = 0; f < p.size(); ++f) {
      if (std::string const why = value_problem(p[f], files->owned_before(f, done)); !why.empty())
        return files->files()[f].path + ": " + why;
    }
    return {};
  }
};

/// -z/--decompress: read gzip, zstd, xz and bzip2 files as their contents.
void add_decompress_flag(CLI::App& command, bool& decompress);

/// Per-file values of a fold over every input part, in the order given.
template <class Value>
struct PerFileResult {
  std::vector<InputFile> files;
  std::vector<Value> values;  ///< per file
  RunInfo info;
  bool problems = false;  ///< a file could not be read (rank 0 said so on stderr)
};

/// Says, on rank 0, whether file `i`'s value (of `values`, one per file of the input so far)
/// is decided: nothing more of it needs reading (grep -l after one line, -m NUM after NUM).
template <class Value>
using Decided = std::function<bool(std::vector<Value> const& values, std::size_t i)>;

/// Runs workload `w` over the cursor's window `in` and reduces it on rank 0: a
/// checkpointed run when there is a checkpoint (the window is then the whole input).
/// \note With MPI this is a collective operation over all ranks.
template <Workload W>
JobResult<typename W::Partial> run_window(W const& w, InputCursor::Window const& in,
                                          Team const& team, Services sv, Schedule s) {
  return sv.checkpoint != nullptr ? execute(w, s, team, sv)
                                  : execute_part(w, s, team, sv, in.bytes);
}

/// Does `pred(i)` hold for a file i of `files` that holds a byte of `bytes`?
template <class Pred>
bool any_file_in(LineFiles const& files, Range bytes, Pred&& pred) {
  for (std::size_t i = 0; i < files.files().size(); ++i) {
    if (files.overlaps(i, bytes) && pred(i)) return true;
  }
  return false;
}

/// Rank 0: does window `in` hold a byte of a file not yet `decided`?
template <class Value>
bool undecided(InputCursor::Window const& in, std::vector<Value> const& values,
               Decided<Value> const& decided) {
  return any_file_in(in.files, in.bytes,
                     [&](std::size_t i) { return !decided(values, in.first + i); });
}

/// Folds every part of the input through the cursor: a run of files as one fold over
/// their concatenation (resumable with a checkpoint), or window by window when `decided`
/// is given, skipping each window whose files are all decided by what the windows before
/// it found (rank 0 decides for all); a stream window by window. `make(LineFiles const*)`
/// gives the workload, whose partial is a vector of Value per file; unreadable files are
/// skipped as grep and wc do (said on stderr unless `quiet`).
/// \note With MPI this is a collective operation over all ranks.
template <class Value, class Make>
PerFileResult<Value> fold_per_file(std::vector<InputPart> parts, Team const& team, Services sv,
                                   Schedule s, Make make, bool quiet = false,
                                   Decided<Value> const& decided = {}) {
  auto const t0 = std::chrono::steady_clock::now();
  PerFileResult<Value> out;
  bool const early = decided && sv.checkpoint == nullptr;  // a checkpointed run reads it all
  InputCursor cursor(std::move(parts), team, sv, s, {.windows = early, .quiet = quiet});
  while (auto const in = cursor.next()) {
    out.values.resize(cursor.files().size());
    if (early && !team.comm.any(team.is_root() && undecided(*in, out.values, decided))) continue;
    auto const run = run_window(make(&in->files), *in, team, sv, s);
    if (sv.checkpoint != nullptr)
      out.info = run.info;  // with what the checkpoint resumed
    else
      add_run(out.info, run.info);
    for (std::size_t i = 0; i < run.value.size(); ++i) out.values[in->first + i] += run.value[i];
  }
  out.values.resize(cursor.files().size());
  out.files = cursor.files();
  out.problems = cursor.problems();
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// --label NAME: how output names standard input (grep's option).
void add_label_option(CLI::App& command, std::optional<std::string>& label);
/// The report of `lines NAME`.
Report lines_report(std::string const& name, RunInfo const& info, Team const& team);

}  // namespace parfold
