#include "app/registry.hpp"

#include "workloads/lines/commands.hpp"
#include "workloads/pi.hpp"
#include "workloads/shell/run.hpp"
#include "workloads/sum.hpp"
#include "workloads/tasks.hpp"

namespace parfold {

void setup_workloads(CLI::App& app, Job& job) {
  for (auto* setup : {setup_pi, setup_sum, setup_tasks, setup_lines, setup_run, setup_info})
    setup(app, job);
  // A config file section [NAME] (pi, sum, tasks, lines, run, info) selects that workload.
  for (CLI::App* sub : app.get_subcommands({})) {
    sub->configurable();
    sub->footer(
        sub->get_footer() +
        "\nCommon options (--schedule, --chunk, --threads, --json, --trace, --progress, --config)\n"
        "go before or after the workload: see 'parfold --help'.");
  }
}

}  // namespace parfold
