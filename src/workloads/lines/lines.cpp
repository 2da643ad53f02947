// `parfold lines count|grep|top|exec`: line-oriented work on big text files.
#include "workloads/lines/lines.hpp"

#include "workloads/lines/commands.hpp"

namespace parfold {

void add_decompress_flag(CLI::App& command, bool& decompress) {
  command.add_flag(
      "-z,--decompress", decompress,
      "Read gzip, zstd, xz and bzip2 files (known by their first bytes) as their contents");
}

void add_label_option(CLI::App& command, std::optional<std::string>& label) {
  command.add_option("--label", label, "Name standard input NAME in the output")->type_name("NAME");
}

Report lines_report(std::string const& name, RunInfo const& info, Team const& team) {
  return Report{
      .workload = "lines " + name, .unit = "bytes", .info = info, .launcher = team.launcher};
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
