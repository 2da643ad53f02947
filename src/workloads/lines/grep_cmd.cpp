// `parfold lines grep`: select lines like LC_ALL=C grep -a -E/-F; count them (-c) or
// print them in file order through the ordered output runner.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>

#include <boost/serialization/map.hpp>
#include <boost/serialization/vector.hpp>

#include "cli/options.hpp"
#include "parfold/output/ordered.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "workloads/lines/grep.hpp"
#include "workloads/lines/lines.hpp"
#include "workloads/lines/stream.hpp"

namespace parfold {

namespace {

/// `lines grep -c`: per file, the number of selected lines.
struct CountSelected {
  LineMatcher const* matcher = nullptr;
  std::uint64_t operator()(std::string_view lines) const { return matcher->count_selected(lines); }
};
using GrepCountWorkload = PerFileWorkload<std::uint64_t, CountSelected>;

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

void GrepLinesWorkload::process(Range r, Partial& acc) const {
  ChunkLines out;
  std::size_t const none = files->files().size();
  std::size_t current = none;  // the file whose lines are being counted (with -n)
  std::uint64_t seen = 0;
  auto flush = [&] {
    if (current != none) {
      out.lines_seen.push_back(current);
      out.lines_seen.push_back(seen);
    }
  };
  files->for_each_lines({window.begin + r.begin, window.begin + r.end}, [&](std::size_t f, std::string_view lines) {
    if (number_lines && f != current) {
      flush();
      current = f;
      seen = 0;
    }
    char const* counted = lines.data();
    matcher->for_each_selected(lines, [&](std::string_view line) {
      if (number_lines) {
        seen += static_cast<std::uint64_t>(std::count(counted, line.data(), '\n'));
        counted = line.data();
      }
      out.file.push_back(static_cast<std::uint32_t>(f));
      out.index.push_back(seen);
      out.size.push_back(line.size());
      out.bytes.append(line);
    });
    if (number_lines) {
      seen += static_cast<std::uint64_t>(std::count(counted, lines.data() + lines.size(), '\n'));
      if (lines.back() != '\n') ++seen;  // the file's last line, without '\n'
    }
  });
  flush();
  // Chunks that selected nothing and numbered nothing need no record.
  if (!out.file.empty() || !out.lines_seen.empty()) acc.emplace(window.begin + r.begin, std::move(out));
}

struct GrepArgs {
  GrepOptions match;
  bool count = false;
  bool line_numbers = false;
  bool with_filename = false;
  bool no_filename = false;
  std::string output;  ///< --output FILE, empty for stdout
  std::optional<std::string> label;  ///< --label: the name of standard input
  std::vector<std::string> paths;
  [[nodiscard]] std::string stdin_name() const { return label.value_or("(standard input)"); }
};

/// Bytes of input per window when printing lines: rank 0 holds at most one window's
/// selected lines.
constexpr std::uint64_t kWindowPerWorker = std::uint64_t{16} << 20;

/// How far printing got (kept in a checkpoint of `lines grep --output`).
struct Printed {
  std::uint64_t selected = 0;          ///< lines selected
  std::vector<std::uint64_t> line_no;  ///< lines before, per file
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & selected & line_no;
  }
};

/// Rank 0: one window's selected lines, as grep prints them.
void emit_lines(GrepLinesWorkload::Partial const& window, LineFiles const& files, GrepArgs const& a, bool prefix,
                Printed& printed, OrderedSink& sink) {
  for (auto const& [begin, chunk] : window) {
    std::string_view const bytes = chunk.bytes;
    std::size_t offset = 0;
    for (std::size_t i = 0; i < chunk.file.size(); ++i) {
      if (prefix) {
        sink.write(files.files()[chunk.file[i]].path);
        sink.write(":");
      }
      if (a.line_numbers) sink.write(std::to_string(printed.line_no[chunk.file[i]] + chunk.index[i] + 1) + ":");
      sink.write(bytes.substr(offset, chunk.size[i]));
      sink.write("\n");
      offset += chunk.size[i];
    }
    printed.selected += chunk.file.size();
    for (std::size_t i = 0; i + 1 < chunk.lines_seen.size(); i += 2) {
      printed.line_no[chunk.lines_seen[i]] += chunk.lines_seen[i + 1];
    }
  }
}

/// Where the selected lines go, and the message for a checkpoint without --output.
OrderedRun lines_run(GrepArgs const& a, std::uint64_t items, std::uint64_t window, std::string identity) {
  return {a.output, items, window, std::move(identity),
          "--checkpoint: lines grep without -c prints lines as it goes, so a resumed run could "
          "not print exactly the same output; use -c, or --output FILE",
          a.paths};
}

/// The report of a grep that printed lines.
Report lines_printed(GrepArgs const& a, RunInfo const& info, Printed const& printed, bool problems,
                     Team const& team) {
  Report r = lines_report("grep", info, team);
  r.result = {{"pattern", a.match.pattern, ""}, {"selected", printed.selected, ""}};
  if (!a.output.empty()) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the lines are already out
  r.exit_code = problems ? 2 : printed.selected > 0 ? 0 : 1;  // grep's 2 for a file it could not read
  return r;
}

/// Prints the selected lines in file order on rank 0's stdout or into --output FILE,
/// window by window; with --checkpoint (and --output) a stopped run resumes exactly.
/// \note With MPI this is a collective operation over all ranks.
Report print_lines(GrepArgs const& a, LineFiles const& files, LineMatcher const& matcher, bool prefix,
                   Team const& team, Services sv, Schedule s) {
  OrderedRun const run = lines_run(a, files.total(), kWindowPerWorker * team.workers(), files.identity());
  Printed printed;  // rank 0's
  printed.line_no.assign(files.files().size(), 0);
  RunInfo const info = run_ordered(
      team, sv, run, printed,
      [&](Range w) { return execute_part(GrepLinesWorkload{&files, &matcher, w, a.line_numbers}, s, team, sv); },
      [&](GrepLinesWorkload::Partial const& window, OrderedSink& sink) {
        emit_lines(window, files, a, prefix, printed, sink);
      });
  require_unchanged(files, team);
  return lines_printed(a, info, printed, !files.problems().empty(), team);
}

/// As print_lines(), for standard input, window by window as it arrives.
/// \note With MPI this is a collective operation over all ranks.
Report print_stdin_lines(GrepArgs const& a, LineMatcher const& matcher, bool prefix, Team const& team, Services sv,
                         Schedule s) {
  require_rereadable(sv);
  StreamWindows windows(team, a.stdin_name(), s.chunk);
  std::unique_ptr<LineFiles> window;
  Printed printed;  // rank 0's: line numbers run on across windows
  printed.line_no.assign(1, 0);
  RunInfo const info = run_ordered_stream(
      team, sv, lines_run(a, 0, 0, ""),
      [&]() -> std::optional<JobResult<GrepLinesWorkload::Partial>> {
        window = windows.next();
        if (!window) return std::nullopt;
        return execute_part(GrepLinesWorkload{window.get(), &matcher, {0, window->total()}, a.line_numbers}, s,
                            team, sv);
      },
      [&](GrepLinesWorkload::Partial const& selected, OrderedSink& sink) {
        emit_lines(selected, *window, a, prefix, printed, sink);
      });
  return lines_printed(a, info, printed, false, team);
}

/// `grep -c` of standard input: the selected lines of each window add up.
std::pair<InputFile, std::uint64_t> count_stdin(GrepArgs const& a, LineMatcher const& matcher, RunInfo& info,
                                                Team const& team, Services sv, Schedule s) {
  auto const t0 = std::chrono::steady_clock::now();
  std::uint64_t n = 0;
  InputFile const file = for_each_window(team, sv, s, a.stdin_name(), [&](LineFiles const& window) {
    auto const part = execute_part(GrepCountWorkload{&window, {&matcher}}, s, team, sv);
    add_run(info, part.info);
    n += part.value[0];
  });
  info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {file, n};
}

Report run_grep(GrepArgs const& a, Team const& team, Services sv, Schedule s) {
  // An invalid pattern is bad input that every rank sees: exit 2 from rank 0.
  LineMatcher const matcher(a.match);
  bool const from_stdin = reads_stdin(a.paths);
  bool const prefix = a.with_filename || (a.paths.size() > 1 && !a.no_filename);
  if (from_stdin && !a.count) return print_stdin_lines(a, matcher, prefix, team, sv, s);
  std::vector<InputFile> files;
  std::vector<std::uint64_t> counts;
  RunInfo info;
  bool problems = false;
  if (from_stdin) {
    auto const [file, n] = count_stdin(a, matcher, info, team, sv, s);
    files.push_back(file);
    counts.push_back(n);
  } else {
    auto const input = open_everywhere(a.paths, team, LineFiles::Unreadable::skip);  // as grep: the others are read
    if (!a.count) return print_lines(a, *input, matcher, prefix, team, sv, s);
    auto run = execute(GrepCountWorkload{input.get(), {&matcher}}, s, team, sv);
    require_unchanged(*input, team);
    files = input->files();
    counts = std::move(run.value);
    info = run.info;
    problems = !input->problems().empty();
  }
  Report r = lines_report("grep", info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string text;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    std::string const& path = files[i].path;
    rows.push_back({{"path", path}, {"count", counts[i]}});
    text += (prefix ? path + ":" : "") + std::to_string(counts[i]) + "\n";
    total += counts[i];
  }
  r.result = {{"pattern", a.match.pattern, ""}, {"files", rows, ""}, {"total", total, ""}};
  r.text = text;
  r.exit_code = problems ? 2 : total > 0 ? 0 : 1;  // as grep: 1 when no line was selected
  return r;
}

}  // namespace

void add_grep_command(CLI::App& lines, Job& job) {
  auto g = std::make_shared<GrepArgs>();
  auto* grep = lines.add_subcommand("grep", "Select lines like LC_ALL=C grep -a -E (RE2 patterns)");
  grep->set_help_flag("--help", "Print this help message and exit");  // -h is grep's
  auto* count_flag = grep->add_flag("-c,--count", g->count, "Print the number of selected lines per file");
  grep->add_flag("-n,--line-number", g->line_numbers, "Prefix lines with their line number");
  grep->add_flag("-i,--ignore-case", g->match.ignore_case, "Ignore case (ASCII letters)");
  grep->add_flag("-v,--invert-match", g->match.invert, "Select the lines that do not match");
  grep->add_flag("-F,--fixed-strings", g->match.fixed, "PATTERN is a literal string");
  auto* with = grep->add_flag("-H,--with-filename", g->with_filename, "Prefix each line with its file name");
  grep->add_flag("-h,--no-filename", g->no_filename, "Never prefix file names")->excludes(with);
  grep->add_option("--output", g->output, "Write the lines to FILE (whole or not at all; resumable with --checkpoint)")
      ->type_name("FILE")
      ->excludes(count_flag);
  grep->add_option("PATTERN", g->match.pattern, "An extended regular expression (RE2 syntax)")
      ->required()
      ->type_name("");
  add_label_option(*grep, g->label);
  grep->add_option("FILE", g->paths, "Text files; none or - reads standard input")->type_name("");
  grep->footer(
      "Output and exit status as grep's: 0 if a line was selected, 1 if none, 2 on error.\n"
      "Patterns run on RE2 (linear time); those that both RE2 and POSIX ERE accept behave alike.");
  grep->final_callback([g, &job] {
    job.unit = "bytes";
    job.run = [g](Team const& team, Services sv, Schedule s) { return run_grep(*g, team, sv, s); };
  });
}

}  // namespace parfold
