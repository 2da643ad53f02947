// The farm's options on a command line: see farm_options.hpp.
#include "workloads/shell/farm_options.hpp"

#include "cli/numbers.hpp"
#include "cli/options.hpp"
#include "parfold/core/errors.hpp"

namespace parfold {

void add_farm_options(CLI::App& cmd, FarmOptions& opt, std::string const& item) {
  add_count(cmd, "--retries", opt.retries,
            "Run a failed " + item + " up to N more times, on another rank when there is one", 0)
      ->type_name("N");
  cmd.add_option_function<std::string>(
         "--halt",
         [&opt](std::string const& text) {
           try {
             opt.halt = Halt::parse(text);
           } catch (UsageError const& e) {
             throw CLI::ValidationError(e.what());
           }
         },
         "Stop early as GNU parallel does: now|soon,fail|success|done=N|P% (now: end the running " +
             item + "s)")
      ->type_name("WHEN,WHY");
  cmd.add_option_function<std::string>(
         "--task-timeout",
         [&opt](std::string const& text) {
           auto const s = parse_duration(text);
           if (!s || !(*s > 0))
             throw CLI::ValidationError("--task-timeout",
                                        "'" + text + "': not a positive duration (e.g. 30s, 5m)");
           opt.task_timeout_s = *s;
         },
         "End a " + item +
             "'s command after DURATION (SIGTERM to its process group, SIGKILL 5 s later): it "
             "counts as failed")
      ->type_name("DURATION");
  if (item != "task") return;
  cmd.add_flag("--unordered", opt.unordered,
               "Print each task's output when it ends (whole), not in task order");
}

}  // namespace parfold
