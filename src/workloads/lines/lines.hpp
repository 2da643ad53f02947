#pragma once

// `parfold lines`: the workloads over line-aligned chunks of big files, one file each
// (count_cmd.cpp, grep_cmd.cpp, top_cmd.cpp, exec_cmd.cpp), and what their commands share.

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "cli/job.hpp"
#include "cli/report.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/range.hpp"
#include "workloads/lines/count.hpp"
#include "workloads/lines/files.hpp"
#include "workloads/lines/stream.hpp"

namespace parfold {

/// The schedule of `lines count`, `grep` and `top` when none is asked for: guided with
/// chunks of about 2 ms (--chunk auto). Big contiguous chunks first, small ones at the
/// end, taken by whichever worker is free: on a shared machine or a VM, where one core
/// reads or counts slower than another, static halves leave the faster one waiting
/// (busy max/mean 1.08-1.30 on 2 cores here), guided does not (1.00-1.02).
inline Schedule lines_schedule() { return {ScheduleKind::guided, 0}; }

/// A workload whose partial result is one value per input file: `count(lines)` (or
/// `count(file, lines)`) is the value of a run of whole lines of one file; values add up.
/// Items are bytes.
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
    files->for_each_lines(r, [&](std::size_t f, std::string_view lines, std::uint64_t) {
      if constexpr (std::is_invocable_v<Count const&, std::size_t, std::string_view>) {
        acc[f] += count(f, lines);  // a count that depends on the file
      } else {
        acc[f] += count(lines);
      }
    });
  }
  static void combine(Partial& into, Partial const& from) {
    for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
  }
};

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
[[nodiscard]] std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts,
                                   WcColumns columns, std::size_t asked);

/// -z/--decompress: read gzip, zstd, xz and bzip2 files as their contents.
void add_decompress_flag(CLI::App& command, bool& decompress);

/// Opens the files on every rank and makes sure that every rank sees the same input.
/// With Unreadable::skip (grep, wc), rank 0 says "parfold: PATH: reason" on stderr for
/// each path that cannot be read (unless `quiet`) and the job goes on without it.
/// \note With MPI this is a collective operation over all ranks.
std::unique_ptr<LineFiles> open_everywhere(std::vector<std::string> const& paths, Team const& team,
                                           LineFiles::Unreadable unreadable = LineFiles::Unreadable::refuse,
                                           bool quiet = false, bool decompress = false);
/// Refuses a result computed from files that changed while they were read.
/// \note With MPI this is a collective operation over all ranks.
void require_unchanged(LineFiles const& files, Team const& team);
/// Per-file values of a fold over every input part, in the order given.
template <class Value>
struct PerFileResult {
  std::vector<InputFile> files;
  std::vector<Value> values;  ///< per file
  RunInfo info;
  bool problems = false;  ///< a file could not be read (rank 0 said so on stderr)
};

/// A fold that may stop early (-m, -l, -q) or prints what it finds runs in windows of
/// this many bytes of input per worker: rank 0 holds at most one window's findings.
constexpr std::uint64_t kWindowPerWorker = std::uint64_t{16} << 20;
[[nodiscard]] inline std::uint64_t window_bytes(Team const& team) { return kWindowPerWorker * team.workers(); }

/// Says, on rank 0, whether file `i`'s value (of `values`, one per file of a run of files)
/// is decided: nothing more of it needs reading (grep -l after one line, -m NUM after NUM).
template <class Value>
using Decided = std::function<bool(std::vector<Value> const& values, std::size_t i)>;

/// The fold of a run of files in windows of kWindowPerWorker per worker, skipping each window whose
/// files are all `decided` by what the windows before it found (rank 0 decides for all);
/// the values per file on rank 0.
/// \note With MPI this is a collective operation over all ranks.
template <class Value, class Make>
JobResult<std::vector<Value>> fold_until_decided(LineFiles const& files, Team const& team, Services sv, Schedule s,
                                                 Make const& make, Decided<Value> const& decided) {
  std::uint64_t const window = window_bytes(team);
  auto const t0 = std::chrono::steady_clock::now();
  JobResult<std::vector<Value>> out{std::vector<Value>(files.files().size()), {}};
  for (std::uint64_t at = 0; at < files.total();) {
    Range const w{at, std::min(at + window, files.total())};
    at = w.end;
    bool open = false;  // a file of this window is still undecided
    for (std::size_t i = 0; team.is_root() && i < files.files().size(); ++i) {
      open = open || (files.overlaps(i, w) && !decided(out.value, i));
    }
    if (!team.comm.any(open)) continue;
    auto const run = execute_part(make(&files), s, team, sv, w);
    add_run(out.info, run.info);
    for (std::size_t i = 0; i < out.value.size(); ++i) out.value[i] += run.value[i];
  }
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// Folds every part of the input: a run of files as one fold over their concatenation
/// (resumable with a checkpoint when it is the only part; window by window until
/// `decided` when that is given and there is no checkpoint), a stream window by window,
/// its windows' values added. `make(LineFiles const*)` gives the workload, whose partial
/// is a vector of Value per file; unreadable files are skipped as grep and wc do (said on
/// stderr unless `quiet`).
/// \note With MPI this is a collective operation over all ranks.
template <class Value, class Make>
PerFileResult<Value> fold_per_file(std::vector<InputPart> const& parts, Team const& team, Services sv, Schedule s,
                                   Make make, bool quiet = false, Decided<Value> const& decided = {}) {
  auto const t0 = std::chrono::steady_clock::now();
  PerFileResult<Value> out;
  for (InputPart const& part : parts) {
    if (part.stream) {
      Value total{};
      InputFile const file = for_each_window(team, sv, s, *part.stream, [&](LineFiles const& window) {
        auto const run = execute_part(make(&window), s, team, sv);
        add_run(out.info, run.info);
        total += run.value[0];
      });
      out.files.push_back(file);
      out.values.push_back(total);
      continue;
    }
    auto const files = open_everywhere(part.paths, team, LineFiles::Unreadable::skip, quiet, part.decompress);
    auto run = decided && sv.checkpoint == nullptr ? fold_until_decided<Value>(*files, team, sv, s, make, decided)
                                                   : execute(make(files.get()), s, team, sv);
    require_unchanged(*files, team);
    if (parts.size() == 1) out.info = run.info;  // with what a checkpoint resumed
    else add_run(out.info, run.info);
    out.files.insert(out.files.end(), files->files().begin(), files->files().end());
    out.values.insert(out.values.end(), run.value.begin(), run.value.end());
    out.problems = out.problems || !files->problems().empty();
  }
  out.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

/// --label NAME: how output names standard input (grep's option).
void add_label_option(CLI::App& command, std::optional<std::string>& label);
/// The report of `lines NAME`.
Report lines_report(std::string const& name, RunInfo const& info, Team const& team);

/// `parfold lines`: declares the subcommand and its own (count, grep, top).
void setup_lines(CLI::App& app, Job& job);
/// The subcommands of `parfold lines`.
void add_count_command(CLI::App& lines, Job& job);
void add_grep_command(CLI::App& lines, Job& job);
/// grep's -NUM in the arguments of `lines grep` (`args` in order, argv[0] left out),
/// rewritten as --context=NUM: CLI11 would take "-3" for a positional. Not a value of an
/// option (`-e -3` is a pattern) nor after "--". And "--opt=" (an empty value) as "--opt"
/// and "", which CLI11 reads as meant (it would take the next argument as the value).
void expand_grep_context_numbers(CLI::App const& app, std::vector<std::string>& args);
void add_top_command(CLI::App& lines, Job& job);
void add_exec_command(CLI::App& lines, Job& job);

}  // namespace parfold
