// `parfold lines grep`: select lines like LC_ALL=C grep (binary files: grep_binary.hpp); count them
// (-c), name the files (-l, -L), say whether any (-q), or print them in file order through the
// ordered output runner (grep_lines.cpp). The command line is in grep_cli.cpp.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "parfold/comm/agree.hpp"
#include "parfold/output/ordered.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/lines/grep/grep_args.hpp"
#include "workloads/lines/grep/grep_binary.hpp"
#include "workloads/lines/grep/grep_lines.hpp"
#include "workloads/lines/grep/grep_report.hpp"
#include "workloads/lines/grep/matcher.hpp"
#include "workloads/lines/input/parts.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

namespace {

using GrepCountWorkload = PerFileWorkload<std::uint64_t, CountSelected>;

/// Where the selected lines go, and the message for a checkpoint without --output.
OrderedRun lines_run(GrepArgs const& a, std::uint64_t items, std::uint64_t window,
                     std::string identity, GrepReport* report) {
  std::vector<std::string> inputs = a.paths;  // which --output must not be
  inputs.insert(inputs.end(), a.read_apart.begin(), a.read_apart.end());
  return {a.output,
          items,
          window,
          std::move(identity),
          "--checkpoint: lines grep without -c prints lines as it goes, so a resumed run could "
          "not print exactly the same output; use -c, or --output FILE",
          std::move(inputs),
          {},
          report != nullptr ? [report](OrderedSink& sink) { report->finish(sink); }
                            : std::function<void(OrderedSink&)>()};
}

/// The report of a grep that printed lines.
Report lines_printed(GrepArgs const& a, RunInfo const& info, Printed const& printed, bool problems,
                     Team const& team) {
  Report r = lines_report("grep", info, team);
  r.result = {{"pattern", a.match.text(), ""}, {"selected", printed.selected, ""}};
  if (!a.output.empty()) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the lines are already out
  r.exit_code = problems               ? 2
                : printed.selected > 0 ? 0
                                       : 1;  // grep's 2 for a file it could not read
  return r;
}

/// Rank 0: may window `w` still print something? Not when -m NUM lines of each of its
/// files are out, with the -A context after the last: grep stops reading there.
bool window_open(GrepArgs const& a, LineFiles const& files, Printed const& printed, Range w) {
  if (!a.max_count) return true;
  return any_file_in(files, w, [&](std::size_t i) {
    return printed.shown[i] < *a.max_count || (printed.last_file == i && printed.after_left > 0);
  });
}

/// Prints the selected lines of one run of files (the whole input) in file order on rank
/// 0's stdout or into --output FILE, window by window; with --checkpoint (and --output) a
/// stopped run resumes exactly.
/// \note With MPI this is a collective operation over all ranks.
RunInfo print_run(GrepArgs const& a, InputCursor::Window const& in, Printed& printed,
                  LineMatcher const& matcher, GrepReport* report, Team const& team, Services sv,
                  Schedule s) {
  LineFiles const& files = in.files;
  OrderedRun const run = lines_run(a, files.total(), window_bytes(team), files.identity(), report);
  printed.start(files.files().size());
  auto window_of = [&](Range w) -> JobResult<GrepLinesWorkload::Partial> {
    auto const workload = lines_workload(a, files, matcher, w);
    if (!team.comm.any(team.is_root() && window_open(a, files, printed, w)))
      return {workload.identity(), {}};
    return execute_part(workload, s, team, sv);
  };
  return run_ordered(
      team, sv, run, printed, window_of,
      [&](GrepLinesWorkload::Partial const& window, OrderedSink& sink) {
        emit_lines(window, files, a, printed, sink, report, in.first);
      },
      [&](Printed const& p, std::uint64_t done) { return printed_problem(p, files, a, done); });
}

/// As print_run(), for inputs in several parts or with streams (standard input, -z):
/// window by window as the cursor yields them (no checkpoint).
/// \note With MPI this is a collective operation over all ranks.
RunInfo print_parts(InputCursor& cursor, GrepArgs const& a, Printed& printed,
                    LineMatcher const& matcher, GrepReport* report, Team const& team, Services sv,
                    Schedule s) {
  LineFiles const* files = nullptr;  // the window last run
  std::size_t first = 0;             // its first file's index in the input
  auto next = [&]() -> std::optional<JobResult<GrepLinesWorkload::Partial>> {
    auto const in = cursor.next();
    if (!in) return std::nullopt;
    if (in->begins_part)
      printed.start(in->files.files().size());  // line numbers run on across a stream's windows
    files = &in->files;
    first = in->first;
    return execute_part(lines_workload(a, in->files, matcher, in->bytes), s, team, sv);
  };
  return run_ordered_stream(team, sv, lines_run(a, 0, 0, "", report), next,
                            [&](GrepLinesWorkload::Partial const& selected, OrderedSink& sink) {
                              emit_lines(selected, *files, a, printed, sink, report, first);
                            });
}

/// Prints the selected lines of every part of the input, in order.
/// \note With MPI this is a collective operation over all ranks.
Report print_lines(std::vector<InputPart> parts, GrepArgs const& a, LineMatcher const& matcher,
                   Team const& team, Services sv, Schedule s) {
  bool const one_run =
      parts.size() == 1 && !parts[0].stream;  // resumable: the only case with a checkpoint
  InputCursor cursor(std::move(parts), team, sv, s, {.windows = !one_run, .quiet = a.no_messages});
  Printed printed;  // rank 0's
  std::optional<GrepReport> report;
  if ((a.json || a.stats) && a.max_count != 0u)  // as rg: -m 0 prints nothing at all
    report.emplace(a, cursor.files(), matcher);
  GrepReport* const r = report ? &*report : nullptr;
  RunInfo info;
  if (one_run) {
    while (auto const in = cursor.next())
      info = print_run(a, *in, printed, matcher, r, team, sv, s);
  } else {
    info = print_parts(cursor, a, printed, matcher, r, team, sv, s);
  }
  return lines_printed(a, info, printed, cursor.problems(), team);
}

/// When the rest of a file need not be read, as grep stops reading it: -q after any line
/// (of any file), -l and -L after one, -m NUM after NUM; nothing before the end for -c.
Decided<std::uint64_t> decided_by(GrepArgs const& a) {
  using Values = std::vector<std::uint64_t>;
  switch (a.output_mode) {
    case GrepOutput::quiet:
      return [](Values const& v, std::size_t) {
        return std::any_of(v.begin(), v.end(), [](auto n) { return n > 0; });
      };
    case GrepOutput::files_with:
    case GrepOutput::files_without:
      return [](Values const& v, std::size_t i) { return v[i] > 0; };
    default:
      break;
  }
  if (!a.max_count) return {};
  return [m = *a.max_count](Values const& v, std::size_t i) { return v[i] >= m; };
}

/// -c, -l, -L and -q: the selected lines of each file, counted (at most -m NUM).
/// \note With MPI this is a collective operation over all ranks.
Report report_counts(std::vector<InputPart> const& parts, GrepArgs const& a,
                     LineMatcher const& matcher, BinaryPaths const& binary, Team const& team,
                     Services sv, Schedule s) {
  auto run = std::make_shared<PerFileResult<std::uint64_t>>(fold_per_file<std::uint64_t>(
      parts, team, sv, s,
      [&](LineFiles const* files) {
        // Without -a, each file is found binary or not by the read of its first bytes.
        return GrepCountWorkload{
            files, a.text ? CountSelected::over(*files, matcher, binary, a.without_match)
                          : CountSelected::reading(*files, matcher, a.without_match)};
      },
      a.no_messages, decided_by(a)));
  Report r = lines_report("grep", run->info, team);
  std::string text;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < run->files.size(); ++i) {
    std::string const& path = run->files[i].path;
    std::uint64_t const n = run->values[i] = a.capped(run->values[i]);
    total += n;
    GrepColors const& c = a.colors;
    std::string const name = c.paint(path, c.file_name);
    std::string const name_end = a.null_after_name ? std::string(1, '\0') : "\n";
    std::string const after_name =
        a.null_after_name ? std::string(1, '\0') : c.paint(":", c.separator);
    if (a.output_mode == GrepOutput::count)
      text += (a.prefix() ? name + after_name : "") + std::to_string(n) + "\n";
    if (a.output_mode == GrepOutput::files_with && n > 0) text += name + name_end;
    if (a.output_mode == GrepOutput::files_without && n == 0) text += name + name_end;
  }
  auto rows = [run] {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < run->files.size(); ++i)
      out.push_back({{"path", run->files[i].path}, {"count", run->values[i]}});
    return out;
  };
  r.result = {{"pattern", a.match.text(), ""}, {"files", {}, "", rows}, {"total", total, ""}};
  r.text = text;
  // As grep: 0 when a line was selected, else 1; 2 when a file could not be read, but for
  // -q, which succeeds on any selected line.
  bool const quiet_success = a.output_mode == GrepOutput::quiet && total > 0;
  r.exit_code = run->problems && !quiet_success ? 2 : total > 0 ? 0 : 1;
  return r;
}

/// The parts of grep's input: for files that the walk (-r) found regular and read as files
/// (without -z), one run, each not asked again; otherwise as plan_inputs() cuts them.
/// \note With MPI this is a collective operation over all ranks.
std::vector<InputPart> plan_grep_inputs(GrepArgs const& a, Team const& team) {
  if (!a.walked_regular || a.decompress || a.paths.empty())
    return plan_inputs(a.paths, a.decompress, {a.stdin_name(), a.stdin_name()}, team);
  require_same(team, {static_cast<std::int64_t>(a.paths.size())},
               "not every rank sees the same input: the directories hold different files");
  return {InputPart{a.paths, std::nullopt, false}};
}

/// Runs grep over its input, found (-r: under directories) and cut into parts; a file of
/// `binary` is matched with NUL bytes ending lines.
/// \note With MPI this is a collective operation over all ranks.
Report run_parts(GrepArgs const& a, LineMatcher const& matcher, BinaryPaths const& binary,
                 Team const& team, Services sv, Schedule s) {
  // -r through directories without a file, or every FILE left out, reads nothing, not
  // standard input.
  auto const parts =
      a.operands_given && a.paths.empty() ? std::vector<InputPart>{} : plan_grep_inputs(a, team);
  if (a.output_mode != GrepOutput::lines)
    return report_counts(parts, a, matcher, binary, team, sv, s);
  return print_lines(parts, a, matcher, team, sv, s);
}

/// Printing lines with binary files among them: those print no line but, when one is
/// selected, "FILE: binary file matches" on stderr (even with -s), as grep does.
/// \note With MPI this is a collective operation over all ranks.
Report run_printing(GrepArgs const& a, LineMatcher const& matcher, BinaryPaths const& binary,
                    Team const& team, Services sv, Schedule s) {
  GrepArgs text = a;
  text.paths.clear();
  std::vector<std::string> binaries;
  for (std::string const& path : a.paths)
    (binary.count(path) != 0 ? binaries : text.paths).push_back(path);
  text.names_forced = a.names_forced || a.paths.size() > 1;  // names as for the files given
  text.read_apart = binaries;
  std::vector<bool> const matched = a.without_match
                                        ? std::vector<bool>(binaries.size(), false)
                                        : binary_matches(binaries, matcher, team, sv, s);
  bool after_match = false;  // which text files come after a binary file that matched
  for (std::size_t i = 0, b = 0; i < a.paths.size(); ++i) {
    if (binary.count(a.paths[i]) != 0)
      after_match = after_match || matched[b++];
    else if (after_match)
      text.after_binary_match.insert(a.paths[i]);
  }
  text.binary_matched =
      static_cast<std::uint64_t>(std::count(matched.begin(), matched.end(), true));
  Report r = run_parts(text, matcher, {}, team, sv, s);
  for (std::size_t i = 0; team.is_root() && i < matched.size(); ++i) {
    if (matched[i]) std::fprintf(stderr, "parfold: %s: binary file matches\n", binaries[i].c_str());
  }
  bool const any = std::find(matched.begin(), matched.end(), true) != matched.end();
  if (r.exit_code == 1 && any) r.exit_code = 0;
  return r;
}

}  // namespace

Report run_grep(GrepArgs const& a, Team const& team, Services sv, Schedule s) {
  if ((a.json || a.stats) && sv.checkpoint != nullptr) {
    throw UsageError(
        "--checkpoint with --json or --stats is not supported: their totals would count "
        "only what the resumed run read");
  }
  // An invalid pattern is bad input that every rank sees: exit 2 from rank 0.
  LineMatcher const matcher(a.match);
  if (matcher.posix_by_pcre()) {
    char const* const flag = a.only_matching ? "-o"
                             : a.colors.on   ? "--color"
                             : a.json        ? "--json"
                                             : nullptr;
    if (flag != nullptr) {
      throw UsageError(std::string(flag) +
                       " with a back-reference (or \\< or \\> by a byte not of a word) is not "
                       "supported: PCRE2 selects the lines, but its matches are not grep's "
                       "leftmost-longest ones");
    }
  }
  if (team.is_root() && !a.no_messages) {
    for (std::string const& message : a.walk_messages)
      std::fprintf(stderr, "parfold: %s\n", message.c_str());
  }
  // Without -a, a file with a NUL byte in grep's first buffer is binary (grep_binary.hpp):
  // known before printing lines, found as it is read when counting.
  bool const printing = a.output_mode == GrepOutput::lines;
  // --json reads binary files as text, as ripgrep reads a file it names (grep_report.hpp).
  bool const as_text = a.text || (a.json && !a.without_match);
  BinaryPaths const binary =
      as_text || !printing ? BinaryPaths{} : binary_paths(a.paths, a.decompress, team);
  Report r = printing && !binary.empty() ? run_printing(a, matcher, binary, team, sv, s)
                                         : run_parts(a, matcher, binary, team, sv, s);
  bool const quiet_success = a.output_mode == GrepOutput::quiet && r.exit_code == 0;
  if (a.walk_failed && !quiet_success)
    r.exit_code = 2;  // grep's 2 for an entry it could not read (not for a loop)
  return r;
}

}  // namespace parfold
