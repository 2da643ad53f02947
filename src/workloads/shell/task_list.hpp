#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace parfold {

/// One task of `parfold run`: a shell command and the line it came from (the `tasks`
/// workload's tasks are its synthetic items: TasksWorkload).
struct ShellTask {
  std::uint64_t line = 0;  ///< 1-based line number in the task file
  std::string command;
  std::string tag;             ///< --tag, --tagstring: put before each line of its output
  bool after_barrier = false;  ///< a `#PARFOLD BARRIER` line comes before it

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& line& command& tag& after_barrier;
  }
};

/// The tasks of `text`: every line that is not empty and does not start with '#' is a
/// task (a line `#PARFOLD BARRIER` marks the next task: it and those after it wait until
/// every task before has ended); with a `command_template` (`--command 'CMD {}'`) a line is an
/// argument, and the task is the template with every `{}` replaced by the line, shell-quoted.
/// Throws UsageError, naming `name` and the line, for a task line that holds a NUL byte (no command
/// or argument can: it would end there).
[[nodiscard]] std::vector<ShellTask> parse_tasks(std::string const& text,
                                                 std::string const& command_template,
                                                 std::string const& name = "the task list");

/// Throws UsageError when `command_template` (--command) has no `{}`, or has one inside
/// quotes ('{}', "{}"), where the quotes parfold puts around the value would not quote
/// it: a `$(...)` in a line would run.
void check_command_template(std::string const& command_template);

/// The first position of `t` where `placeholder_at` says a placeholder starts that is
/// inside quotes or after a backslash (npos: none), as /bin/sh reads quotes, backslashes
/// and command substitutions (whose inside is unquoted again).
[[nodiscard]] std::size_t quoted_placeholder(
    std::string const& t, std::function<bool(std::size_t)> const& placeholder_at);

/// `text` quoted for /bin/sh: 'it'\''s' for it's.
[[nodiscard]] std::string shell_quote(std::string const& text);

}  // namespace parfold
