// `parfold lines count`: lines, words, bytes and the widest line per file, exactly as
// LC_ALL=C wc with the same options.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "cli/exit_codes.hpp"
#include "cli/options.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/lines/commands.hpp"
#include "workloads/lines/count/wc.hpp"
#include "workloads/lines/input/parts.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

namespace {

struct CountArgs {
  WcColumns columns;
  std::optional<std::string> label;  ///< --label: the name of standard input
  bool decompress = false;           ///< -z
  std::vector<std::string> paths;
};

/// Counts as JSON: lines and bytes, words when they were counted, the widest line when asked.
nlohmann::ordered_json count_json(LineCounts const& c, WcColumns columns) {
  nlohmann::ordered_json out{{"lines", c.lines}};
  if (columns.words) out["words"] = c.words;
  out["bytes"] = c.bytes;
  if (columns.max_line) out["max_line_length"] = c.max_line;
  return out;
}

/// The JSON result: a row per file (made only when printed) and the total.
std::vector<Field> count_result(std::shared_ptr<PerFileResult<LineCounts> const> const& run,
                                WcColumns columns) {
  LineCounts total;
  for (LineCounts const& c : run->values) total += c;
  auto rows = [run, columns] {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < run->files.size(); ++i) {
      nlohmann::ordered_json row{{"path", run->files[i].path}};
      row.update(count_json(run->values[i], columns));
      out.push_back(row);
    }
    return out;
  };
  return {{"files", {}, "", rows}, {"total", count_json(total, columns), ""}};
}

Report run_count(CountArgs const& a, Team const& team, Services sv, Schedule s) {
  // wc names standard input only when it is given as "-".
  StdinNames const names{a.label.value_or(""), a.label.value_or("-")};
  auto const parts = plan_inputs(a.paths, a.decompress, names, team);
  auto const run = std::make_shared<PerFileResult<LineCounts> const>(
      fold_per_file<LineCounts>(parts, team, sv, s, [&](LineFiles const* files) {
        return CountWorkload{files, {a.columns.max_line, a.columns.words}};
      }));
  Report r = lines_report("count", run->info, team);
  r.result = count_result(run, a.columns);
  std::size_t const asked = std::max<std::size_t>(a.paths.size(), 1);
  r.text = wc_table(run->files, run->values, a.columns, asked,
                    wc_number_width(parts, run->files, a.columns, asked));
  r.exit_code = run->problems ? exit_code::kFailure : exit_code::kSuccess;  // wc's 1
  return r;
}

}  // namespace

void add_count_command(CLI::App& lines, Job& job) {
  auto a = std::make_shared<CountArgs>();
  auto* count = lines.add_subcommand("count", "Lines, words and bytes, exactly as LC_ALL=C wc");
  count->add_flag("-l,--lines", a->columns.lines, "Print the newline counts");
  count->add_flag("-w,--words", a->columns.words, "Print the word counts");
  count->add_flag("-m,--chars", a->columns.chars, "Print the character counts (C locale: bytes)");
  count->add_flag("-c,--bytes", a->columns.bytes, "Print the byte counts");
  count->add_flag("-L,--max-line-length", a->columns.max_line,
                  "Print the widest line's display width");
  add_label_option(*count, a->label);
  add_decompress_flag(*count, a->decompress);
  add_operands(*count, "FILE", a->paths, "Text files; none or - reads standard input");
  count->footer(
      "Without -l, -w, -m, -c or -L: lines, words and bytes, as wc. Columns come in wc's order.");
  count->final_callback([a, &job] {
    if (a->columns.count() == 0) a->columns.lines = a->columns.words = a->columns.bytes = true;
    job.unit = "bytes";
    job.default_schedule = lines_schedule();
    job.run = [a](Team const& team, Services sv, Schedule s) { return run_count(*a, team, sv, s); };
  });
}

}  // namespace parfold
