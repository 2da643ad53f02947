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
  bool decompress = false;           ///< -z
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

/// The windows of every input part in order, for printing: a run of files in windows of
/// its concatenation, a stream window by window as it arrives.
class PartWindows {
 public:
  PartWindows(std::vector<InputPart> const& parts, GrepArgs const& a, LineMatcher const& matcher, Team const& team,
              Services sv, Schedule s)
      : parts_(parts), a_(a), matcher_(matcher), team_(team), sv_(sv), s_(s) {}

  /// Runs the next window over the team (collective); nothing at the end of the input.
  std::optional<JobResult<GrepLinesWorkload::Partial>> next() {
    for (; part_ < parts_.size(); ++part_) {
      InputPart const& part = parts_[part_];
      if (part.stream) {
        if (!stream_) stream_ = std::make_unique<StreamWindows>(team_, *part.stream, s_.chunk);
        if (at_ == 0) printed.line_no.assign(1, 0);  // line numbers run on across the windows
        window_ = stream_->next();
        ++at_;
        if (window_) return run({window_.get(), &matcher_, {0, window_->total()}, a_.line_numbers});
        stream_.reset();
      } else {
        if (!mapped_) open(part.paths);
        if (at_ < mapped_->total()) {
          Range const w{at_, std::min(at_ + kWindowPerWorker * team_.workers(), mapped_->total())};
          at_ = w.end;
          return run({mapped_.get(), &matcher_, w, a_.line_numbers});
        }
        require_unchanged(*mapped_, team_);
        mapped_.reset();
      }
      at_ = 0;
    }
    return std::nullopt;
  }
  /// The files of the window last run.
  [[nodiscard]] LineFiles const& files() const { return mapped_ ? *mapped_ : *window_; }

  Printed printed;        ///< rank 0's: the part's line numbers, the lines selected so far
  bool problems = false;  ///< a file could not be read

 private:
  void open(std::vector<std::string> const& paths) {
    mapped_ = open_everywhere(paths, team_, LineFiles::Unreadable::skip);
    problems = problems || !mapped_->problems().empty();
    printed.line_no.assign(mapped_->files().size(), 0);
  }
  JobResult<GrepLinesWorkload::Partial> run(GrepLinesWorkload const& w) { return execute_part(w, s_, team_, sv_); }

  std::vector<InputPart> const& parts_;
  GrepArgs const& a_;
  LineMatcher const& matcher_;
  Team const& team_;
  Services sv_;
  Schedule s_;
  std::size_t part_ = 0;
  std::uint64_t at_ = 0;  ///< the next byte of a run of files; windows so far of a stream
  std::unique_ptr<LineFiles> mapped_, window_;
  std::unique_ptr<StreamWindows> stream_;
};

/// As print_lines(), for inputs with streams (standard input, -z), part by part.
/// \note With MPI this is a collective operation over all ranks.
Report print_parts(std::vector<InputPart> const& parts, GrepArgs const& a, LineMatcher const& matcher, bool prefix,
                   Team const& team, Services sv, Schedule s) {
  require_rereadable(sv);
  PartWindows windows(parts, a, matcher, team, sv, s);
  RunInfo const info = run_ordered_stream(
      team, sv, lines_run(a, 0, 0, ""), [&] { return windows.next(); },
      [&](GrepLinesWorkload::Partial const& selected, OrderedSink& sink) {
        emit_lines(selected, windows.files(), a, prefix, windows.printed, sink);
      });
  return lines_printed(a, info, windows.printed, windows.problems, team);
}

Report run_grep(GrepArgs const& a, Team const& team, Services sv, Schedule s) {
  // An invalid pattern is bad input that every rank sees: exit 2 from rank 0.
  LineMatcher const matcher(a.match);
  bool const prefix = a.with_filename || (a.paths.size() > 1 && !a.no_filename);
  auto const parts = plan_inputs(a.paths, a.decompress, {a.stdin_name(), a.stdin_name()});
  if (!a.count && parts.size() == 1 && !parts[0].stream) {
    auto const files = open_everywhere(a.paths, team, LineFiles::Unreadable::skip);  // as grep: the others are read
    return print_lines(a, *files, matcher, prefix, team, sv, s);
  }
  if (!a.count) return print_parts(parts, a, matcher, prefix, team, sv, s);
  auto const run = fold_per_file<std::uint64_t>(parts, team, sv, s, [&](LineFiles const* files) {
    return GrepCountWorkload{files, {&matcher}};
  });
  Report r = lines_report("grep", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string text;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < run.files.size(); ++i) {
    std::string const& path = run.files[i].path;
    rows.push_back({{"path", path}, {"count", run.values[i]}});
    text += (prefix ? path + ":" : "") + std::to_string(run.values[i]) + "\n";
    total += run.values[i];
  }
  r.result = {{"pattern", a.match.pattern, ""}, {"files", rows, ""}, {"total", total, ""}};
  r.text = text;
  r.exit_code = run.problems ? 2 : total > 0 ? 0 : 1;  // as grep: 1 when no line was selected
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
  add_decompress_flag(*grep, g->decompress);
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
