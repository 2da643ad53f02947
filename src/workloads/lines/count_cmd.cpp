// `parfold lines count`: lines, words and bytes per file, exactly as LC_ALL=C wc.
#include <memory>

#include "parfold/checkpoint/segments.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts) {
  LineCounts total;
  for (LineCounts const& c : counts) total += c;
  int const width = static_cast<int>(std::to_string(total.bytes).size());
  std::string out;
  auto row = [&](LineCounts const& c, std::string const& name) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%*llu %*llu %*llu ", width, static_cast<unsigned long long>(c.lines), width,
                  static_cast<unsigned long long>(c.words), width, static_cast<unsigned long long>(c.bytes));
    out += buf + name + "\n";
  };
  for (std::size_t i = 0; i < files.size(); ++i) row(counts[i], files[i].path);
  if (files.size() > 1) row(total, "total");
  return out;
}

namespace {

Report run_count(std::vector<std::string> const& paths, Team const& team, Services sv, Schedule s) {
  auto const files = open_everywhere(paths, team);
  auto const run = execute(CountWorkload{files.get(), {}}, s, team, sv);
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

void add_count_command(CLI::App& lines, Job& job) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* count = lines.add_subcommand("count", "Lines, words and bytes, exactly as LC_ALL=C wc");
  count->add_option("FILE", *paths, "Text files")->required()->type_name("");
  count->final_callback([paths, &job] {
    job.run = [paths](Team const& team, Services sv, Schedule s) { return run_count(*paths, team, sv, s); };
  });
}

}  // namespace parfold
