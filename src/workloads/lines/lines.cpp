// `parfold lines count|grep|top|exec`: line-oriented work on big text files.
#include "workloads/lines/lines.hpp"

#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"

#include <algorithm>
#include <cstdio>

namespace parfold {

namespace {

/// Every rank must fail to read the same paths for the same reasons (Unreadable::skip).
/// \note With MPI this is a collective operation over all ranks.
void same_problems_everywhere(Team const& team, std::vector<std::string> const& problems) {
  std::string mine;
  for (std::string const& p : problems) mine += (mine.empty() ? "" : "; ") + p;
  std::vector<std::string> const all = team.comm.all_gather(mine);
  if (std::all_of(all.begin(), all.end(), [&](std::string const& p) { return p == all[0]; })) return;
  std::string message;
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    message += (message.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + " (of " +
               std::to_string(all.size()) + "): " + all[r];
  }
  throw JobError("not every rank sees the same input: " + message);
}

}  // namespace

std::unique_ptr<LineFiles> open_everywhere(std::vector<std::string> const& paths, Team const& team,
                                           LineFiles::Unreadable unreadable, bool quiet, bool decompress) {
  std::unique_ptr<LineFiles> files;
  std::string error;
  try {
    files = std::make_unique<LineFiles>(paths, unreadable, decompress);
  } catch (UsageError const& e) {
    error = e.what();
  }
  agree_on_error(team, error);
  same_problems_everywhere(team, files->problems());
  std::vector<std::int64_t> sizes;
  for (InputFile const& f : files->files()) sizes.push_back(static_cast<std::int64_t>(f.size));
  require_same(team, sizes, "the input files have different sizes on different ranks");
  if (team.is_root() && !quiet) {
    for (std::string const& problem : files->problems()) std::fprintf(stderr, "parfold: %s\n", problem.c_str());
    std::fflush(stderr);
  }
  return files;
}

void require_unchanged(LineFiles const& files, Team const& team) {
  if (any_rank(team, files.current_fingerprint() != files.fingerprint())) {
    throw JobError("an input file changed while it was read; no result is reported");
  }
}

void add_decompress_flag(CLI::App& command, bool& decompress) {
  command.add_flag("-z,--decompress", decompress,
                   "Read gzip, zstd, xz and bzip2 files (known by their first bytes) as their contents");
}

void add_label_option(CLI::App& command, std::optional<std::string>& label) {
  command.add_option("--label", label, "Name standard input NAME in the output")->type_name("NAME");
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
