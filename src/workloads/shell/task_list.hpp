#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parfold {

/// One task of `parfold run`: a shell command and the line it came from (the `tasks`
/// workload's tasks are its synthetic items: TasksWorkload).
struct ShellTask {
  std::uint64_t line = 0;  ///< 1-based line number in the task file
  std::string command;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& line& command;
  }
};

/// The tasks of `text`: every line that is not empty and does not start with '#' is a
/// task; with a `command_template` (`--command 'CMD {}'`) a line is an argument, and the
/// task is the template with every `{}` replaced by the line, shell-quoted.
[[nodiscard]] std::vector<ShellTask> parse_tasks(std::string const& text,
                                                 std::string const& command_template);

/// `text` quoted for /bin/sh: 'it'\''s' for it's.
[[nodiscard]] std::string shell_quote(std::string const& text);

}  // namespace parfold
