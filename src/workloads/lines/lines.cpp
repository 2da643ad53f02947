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
}

}  // namespace parfold
