// `parfold lines count`: lines, words, bytes and the widest line per file, exactly as
// LC_ALL=C wc with the same options.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include "parfold/checkpoint/segments.hpp"
#include "parfold/core/exit_codes.hpp"
#include "workloads/lines/lines.hpp"
#include "workloads/lines/stream.hpp"

namespace parfold {

namespace {

/// A file name as wc 9.1 prints it: as it is, unless it holds a newline; then quoted for
/// the shell, the non-printable bytes as $'\n', $'\001' (coreutils' shell-escape style).
std::string wc_name(std::string const& path) {
  if (path.find('\n') == std::string::npos) return path;
  std::string out = "'";
  bool dollar = false;  // inside $'...'
  for (char const ch : path) {
    auto const b = static_cast<unsigned char>(ch);
    bool const printable = b >= 0x20 && b < 0x7f;
    if (printable && dollar) out += "''";  // close $'...', open '...'
    if (printable) {
      out += ch == '\'' ? "'\\''" : std::string(1, ch);
      dollar = false;
      continue;
    }
    if (!dollar) out += "'$'";  // close '...', open $'...'
    dollar = true;
    static constexpr std::string_view kLetters = "abtnvfr";  // \a (7) .. \r (13)
    if (b >= 7 && b <= 13) {
      out += '\\';
      out += kLetters[b - 7];
    } else {
      char octal[8];
      std::snprintf(octal, sizeof(octal), "\\%03o", b);
      out += octal;
    }
  }
  return out + "'";
}

}  // namespace

std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts,
                     WcColumns columns, std::size_t asked) {
  LineCounts total;
  for (LineCounts const& c : counts) total += c;
  // coreutils: one column of one file is not padded; otherwise the width of the files'
  // total size.
  bool const bare = asked == 1 && columns.count() == 1;
  bool const odd = std::any_of(files.begin(), files.end(), [](InputFile const& f) { return !f.regular; });
  std::uint64_t sizes = 0;  // wc knows the sizes of regular files only
  for (InputFile const& f : files) sizes += f.regular ? f.size : 0;
  int const digits = static_cast<int>(std::to_string(sizes).size());
  int const width = bare ? 1 : std::max(digits, odd ? 7 : 1);  // 7 when a file has no size (a pipe, a directory)
  std::string out;
  auto row = [&](LineCounts const& c, std::string const& name) {
    std::string line;
    // The C locale: a character is a byte.
    for (auto const& [on, n] : {std::pair{columns.lines, c.lines}, {columns.words, c.words}, {columns.chars, c.bytes},
                               {columns.bytes, c.bytes}, {columns.max_line, c.max_line}}) {
      if (!on) continue;
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%s%*llu", line.empty() ? "" : " ", width, static_cast<unsigned long long>(n));
      line += buf;
    }
    out += line + (name.empty() ? "" : " " + name) + "\n";  // standard input without "-" has no name
  };
  for (std::size_t i = 0; i < files.size(); ++i) row(counts[i], wc_name(files[i].path));
  if (asked > 1) row(total, "total");
  return out;
}

namespace {

struct CountArgs {
  WcColumns columns;
  std::optional<std::string> label;  ///< --label: the name of standard input
  bool decompress = false;           ///< -z
  std::vector<std::string> paths;
};

/// The JSON result: a row per file and the total.
std::vector<Field> count_result(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts,
                                      bool max_line) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  LineCounts total;
  for (std::size_t i = 0; i < files.size(); ++i) {
    LineCounts const& c = counts[i];
    total += c;
    nlohmann::ordered_json row{{"path", files[i].path}, {"lines", c.lines}, {"words", c.words}, {"bytes", c.bytes}};
    if (max_line) row["max_line_length"] = c.max_line;
    rows.push_back(row);
  }
  nlohmann::ordered_json sum{{"lines", total.lines}, {"words", total.words}, {"bytes", total.bytes}};
  if (max_line) sum["max_line_length"] = total.max_line;
  return {{"files", rows, ""}, {"total", sum, ""}};
}

Report run_count(CountArgs const& a, Team const& team, Services sv, Schedule s) {
  // wc names standard input only when it is given as "-".
  StdinNames const names{a.label.value_or(""), a.label.value_or("-")};
  auto const run = fold_per_file<LineCounts>(plan_inputs(a.paths, a.decompress, names), team, sv, s,
                                             [&](LineFiles const* files) {
                                               return CountWorkload{files, {a.columns.max_line}};
                                             });
  Report r = lines_report("count", run.info, team);
  r.result = count_result(run.files, run.values, a.columns.max_line);
  r.text = wc_table(run.files, run.values, a.columns, std::max<std::size_t>(a.paths.size(), 1));
  r.exit_code = run.problems ? exit_code::kFailure : exit_code::kSuccess;  // wc's 1
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
  count->add_flag("-L,--max-line-length", a->columns.max_line, "Print the widest line's display width");
  add_label_option(*count, a->label);
  add_decompress_flag(*count, a->decompress);
  count->add_option("FILE", a->paths, "Text files; none or - reads standard input")
      ->type_name("");
  count->footer("Without -l, -w, -m, -c or -L: lines, words and bytes, as wc. Columns come in wc's order.");
  count->final_callback([a, &job] {
    if (a->columns.count() == 0) a->columns.lines = a->columns.words = a->columns.bytes = true;
    job.unit = "bytes";
    job.default_schedule = lines_schedule();
    job.run = [a](Team const& team, Services sv, Schedule s) { return run_count(*a, team, sv, s); };
  });
}

}  // namespace parfold
