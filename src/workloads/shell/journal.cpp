#include "workloads/shell/journal.hpp"

#include "parfold/core/errors.hpp"

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
