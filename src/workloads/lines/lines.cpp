// `parfold lines count|...`: line-oriented work on big text files.
#include "workloads/lines/lines.hpp"

#include <memory>
#include <optional>

#include "cli/options.hpp"
#include "core/errors.hpp"
#include "exec/agree.hpp"
#include "exec/executor.hpp"
#include "workloads/registry.hpp"

namespace parfold {

std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts) {
  LineCounts total;
  for (LineCounts const& c : counts) total += c;
  int const width = static_cast<int>(std::to_string(total.bytes).size());
  std::string out;
  auto row = [&](LineCounts const& c, std::string const& name) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%*llu %*llu %*llu ", width,
                  static_cast<unsigned long long>(c.lines), width,
                  static_cast<unsigned long long>(c.words), width,
                  static_cast<unsigned long long>(c.bytes));
    out += buf + name + "\n";
  };
  for (std::size_t i = 0; i < files.size(); ++i) row(counts[i], files[i].path);
  if (files.size() > 1) row(total, "total");
  return out;
}

namespace {

/// Opens the files on every rank and makes sure that every rank sees the same input.
/// \note With MPI this is a collective operation over all ranks.
std::unique_ptr<LineFiles> open_everywhere(std::vector<std::string> const& paths, Team const& team) {
  std::unique_ptr<LineFiles> files;
  std::string error;
  try {
    files = std::make_unique<LineFiles>(paths);
  } catch (UsageError const& e) {
    error = e.what();
  }
  agree_on_error(team, error);
  std::vector<std::int64_t> sizes;
  for (InputFile const& f : files->files()) sizes.push_back(static_cast<std::int64_t>(f.size));
  require_same(team, sizes, "the input files have different sizes on different ranks");
  return files;
}

/// Refuses a result computed from files that changed while they were read.
/// \note With MPI this is a collective operation over all ranks.
void require_unchanged(LineFiles const& files, Team const& team) {
  if (any_rank(team, files.current_fingerprint() != files.fingerprint())) {
    throw JobError("an input file changed while it was read; no result is reported");
  }
}

Report lines_report(std::string const& name, RunInfo const& info, Team const& team) {
  return Report{.workload = "lines " + name, .unit = "bytes", .info = info, .launcher = team.launcher};
}

Report run_count(std::vector<std::string> const& paths, Team const& team, Schedule s) {
  auto const files = open_everywhere(paths, team);
  auto const run = execute(CountWorkload{files.get()}, s, team);
  require_unchanged(*files, team);
  Report r = lines_report("count", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  LineCounts total;
  for (std::size_t i = 0; i < files->files().size(); ++i) {
    LineCounts const& c = run.value[i];
    total += c;
    rows.push_back({{"path", files->files()[i].path}, {"lines", c.lines}, {"words", c.words}, {"bytes", c.bytes}});
  }
  r.result = {{"files", rows, ""},
              {"total", {{"lines", total.lines}, {"words", total.words}, {"bytes", total.bytes}}, ""}};
  r.text = wc_table(files->files(), run.value);
  return r;
}

struct GrepArgs {
  GrepOptions match;
  bool count = false;
  bool line_numbers = false;
  bool with_filename = false;
  bool no_filename = false;
  std::vector<std::string> paths;
};

Report run_grep(GrepArgs const& a, Team const& team, Schedule s) {
  // An invalid pattern is bad input that every rank sees: exit 2 from rank 0.
  LineMatcher const matcher(a.match);
  auto const files = open_everywhere(a.paths, team);
  if (!a.count) throw UsageError("lines grep: printing the matching lines is not available yet; use -c");
  auto const run = execute(GrepCountWorkload{files.get(), &matcher}, s, team);
  require_unchanged(*files, team);
  bool const prefix = a.with_filename || (a.paths.size() > 1 && !a.no_filename);
  Report r = lines_report("grep", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string text;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files->files().size(); ++i) {
    std::string const& path = files->files()[i].path;
    rows.push_back({{"path", path}, {"count", run.value[i]}});
    text += (prefix ? path + ":" : "") + std::to_string(run.value[i]) + "\n";
    total += run.value[i];
  }
  r.result = {{"pattern", a.match.pattern, ""}, {"files", rows, ""}, {"total", total, ""}};
  r.text = text;
  r.exit_code = total > 0 ? 0 : 1;  // as grep: 1 when no line was selected
  return r;
}

}  // namespace

void setup_lines(CLI::App& app, Job& job) {
  auto* lines = app.add_subcommand("lines", "Count, grep and rank words in big text files");
  lines->require_subcommand(1);
  lines->footer(
      "The files, concatenated, are one range of bytes cut into chunks (--chunk takes sizes:\n"
      "4M, 64Ki, ...); a chunk owns the lines that start in it. Bytes are bytes (C locale).");

  auto paths = std::make_shared<std::vector<std::string>>();
  auto* count = lines->add_subcommand("count", "Lines, words and bytes, exactly as LC_ALL=C wc");
  count->add_option("FILE", *paths, "Text files")->required()->type_name("");
  count->final_callback([paths, &job] {
    job = [paths](Team const& team, Schedule s) { return run_count(*paths, team, s); };
  });

  auto g = std::make_shared<GrepArgs>();
  auto* grep = lines->add_subcommand("grep", "Select lines like LC_ALL=C grep -a -E (RE2 patterns)");
  grep->set_help_flag("--help", "Print this help message and exit");  // -h is grep's
  grep->add_flag("-c,--count", g->count, "Print the number of selected lines per file");
  grep->add_flag("-n,--line-number", g->line_numbers, "Prefix lines with their line number");
  grep->add_flag("-i,--ignore-case", g->match.ignore_case, "Ignore case (ASCII letters)");
  grep->add_flag("-v,--invert-match", g->match.invert, "Select the lines that do not match");
  grep->add_flag("-F,--fixed-strings", g->match.fixed, "PATTERN is a literal string");
  auto* with = grep->add_flag("-H,--with-filename", g->with_filename, "Prefix each line with its file name");
  grep->add_flag("-h,--no-filename", g->no_filename, "Never prefix file names")->excludes(with);
  grep->add_option("PATTERN", g->match.pattern, "An extended regular expression (RE2 syntax)")
      ->required()
      ->type_name("");
  grep->add_option("FILE", g->paths, "Text files")->required()->type_name("");
  grep->footer(
      "Output and exit status as grep's: 0 if a line was selected, 1 if none, 2 on error.\n"
      "Patterns run on RE2 (linear time); those that both RE2 and POSIX ERE accept behave alike.");
  grep->final_callback([g, &job] {
    job = [g](Team const& team, Schedule s) { return run_grep(*g, team, s); };
  });
}

}  // namespace parfold
