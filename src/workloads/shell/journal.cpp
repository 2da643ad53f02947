#include "workloads/shell/journal.hpp"

#include <algorithm>

#include "parfold/core/errors.hpp"
#include "workloads/shell/attempt.hpp"

namespace parfold {

void RunJournal::require_same_tasks(std::vector<ShellTask> const& list, std::string const& path,
                                    std::string const& checkpoint) const {
  for (auto const& [index, done] : tasks) {
    bool const same = index < list.size() && fnv1a(list[index].command) == done.command_hash;
    if (same) continue;
    std::string const now =
        index < list.size() ? "now '" + list[index].command + "'" : "now missing";
    throw UsageError("--checkpoint " + checkpoint + ": the task list changed: task " +
                     std::to_string(index + 1) + " (line " + std::to_string(done.line) + " of " +
                     path + ") is not the task that ran (" + now + "); delete " + checkpoint +
                     " to start over");
  }
}

std::string RunJournal::problem(std::size_t count, bool to_file) const {
  std::uint64_t failures = 0;
  for (auto const& [index, done] : tasks) {
    if (done.line == 0 || done.attempts < 1)
      return "task " + std::to_string(index + 1) + " is not as it ran";
    failures += done.ok ? 0 : 1;
  }
  if (progress.failed != failures || progress.succeeded != tasks.size() - failures ||
      progress.first_failures.size() != std::min<std::uint64_t>(failures, 5))
    return "its counts of tasks that succeeded and failed are not those of the tasks it records";
  if (output_bytes != (to_file ? progress.out_bytes : 0))
    return "its output's length is not that of the tasks' output";
  for (auto const& [index, record] : held) {
    if (index >= count || tasks.contains(index) || !Attempt::well_formed(record, index))
      return "a task that waits for its turn is not one of the tasks, or not well formed";
  }
  return {};
}

std::vector<char> RunJournal::done_flags(std::size_t count) const {
  std::vector<char> flags(count, 0);
  for (auto const& [index, done] : tasks) flags[index] = 1;
  for (auto const& [index, record] : held) flags[index] = 1;
  return flags;
}

void RunJournal::forget_failed() {
  for (auto it = tasks.begin(); it != tasks.end();) {
    if (it->second.ok) {
      ++it;
    } else {
      it = tasks.erase(it);
      --progress.failed;
    }
  }
  progress.first_failures.clear();
}

}  // namespace parfold
