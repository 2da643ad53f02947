// `parfold lines count|grep|top|exec`: line-oriented work on big text files.
#include "workloads/lines/lines.hpp"

#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"

namespace parfold {

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

void require_unchanged(LineFiles const& files, Team const& team) {
  if (any_rank(team, files.current_fingerprint() != files.fingerprint())) {
    throw JobError("an input file changed while it was read; no result is reported");
  }
}

Report lines_report(std::string const& name, RunInfo const& info, Team const& team) {
  return Report{.workload = "lines " + name, .unit = "bytes", .info = info, .launcher = team.launcher};
}

void setup_lines(CLI::App& app, Job& job) {
  auto* lines = app.add_subcommand("lines", "Count, grep and rank words in big text files");
  lines->require_subcommand(1);
  lines->footer(
      "The files, concatenated, are one range of bytes cut into chunks (--chunk takes sizes:\n"
      "4M, 64Ki, ...); a chunk owns the lines that start in it. Bytes are bytes (C locale).");
  add_count_command(*lines, job);
  add_top_command(*lines, job);
  add_grep_command(*lines, job);
  add_exec_command(*lines, job);
}

}  // namespace parfold
