#include "workloads/shell/task_list.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include "parfold/core/errors.hpp"

namespace parfold {

std::string shell_quote(std::string const& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

namespace {

/// Where a shell is, as far as quoting goes: outside quotes, in '...', in "...", in
/// $(...) or (...), in `...`.
enum class Quote { none, single, dbl, subst, backtick };

}  // namespace

std::size_t quoted_placeholder(std::string const& t,
                               std::function<bool(std::size_t)> const& placeholder_at) {
  std::vector<Quote> stack{Quote::none};
  for (std::size_t i = 0; i < t.size(); ++i) {
    Quote const q = stack.back();
    if ((q == Quote::single || q == Quote::dbl) && placeholder_at(i)) return i;
    char const c = t[i];
    if (q == Quote::single) {
      if (c == '\'') stack.pop_back();
    } else if (c == '\\') {
      if (i + 1 < t.size() && placeholder_at(i + 1)) return i + 1;
      ++i;
    } else if (c == '"' || c == '`') {
      Quote const opens = c == '"' ? Quote::dbl : Quote::backtick;
      if (q == opens) {
        stack.pop_back();
      } else {
        stack.push_back(opens);
      }
    } else if (c == '$' && i + 1 < t.size() && t[i + 1] == '(') {
      stack.push_back(Quote::subst);
      ++i;
    } else if (q != Quote::dbl && c == '\'') {
      stack.push_back(Quote::single);
    } else if (q != Quote::dbl && c == '(') {
      stack.push_back(Quote::subst);
    } else if (q == Quote::subst && c == ')') {
      stack.pop_back();
    }
  }
  return std::string::npos;
}

namespace {

/// `#PARFOLD BARRIER` (spaces or tabs around the words allowed), as disBatch's
/// `#DISBATCH BARRIER`.
bool is_barrier(std::string const& line) {
  std::istringstream words(line);
  std::string a, b, rest;
  words >> a >> b >> rest;
  return a == "#PARFOLD" && b == "BARRIER" && rest.empty();
}

}  // namespace

void check_command_template(std::string const& command_template) {
  std::string const option = "--command '" + command_template + "'";
  if (command_template.find("{}") == std::string::npos)
    throw UsageError(option + " has no {} for the argument");
  auto const braces = [&](std::size_t i) { return command_template.compare(i, 2, "{}") == 0; };
  if (quoted_placeholder(command_template, braces) != std::string::npos) {
    throw UsageError(option +
                     ": {} inside quotes or after a backslash: parfold quotes each line for the "
                     "shell, and there its quotes would not hold (a $(...) in a line would run); "
                     "write {} bare, as in 'echo {}'");
  }
  if (std::size_t const doc = command_template.find("<<");
      doc != std::string::npos && command_template.find("{}", doc) != std::string::npos) {
    throw UsageError(option +
                     ": {} after << (a here-document): the shell takes no quotes in its body, "
                     "so a $(...) in a line would run; give the line as an argument instead");
  }
}

std::vector<ShellTask> parse_tasks(std::string const& text, std::string const& command_template,
                                   std::string const& name) {
  std::vector<ShellTask> tasks;
  std::uint64_t line_no = 0;
  bool barrier = false;  // a barrier line came since the last task
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF task files
    if (is_barrier(line)) {
      barrier = true;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (line.find('\0') != std::string::npos) {
      throw UsageError(name + ": line " + std::to_string(line_no) +
                       " holds a NUL byte, which no shell command or argument can hold");
    }
    if (command_template.empty()) {
      tasks.push_back({line_no, line, {}, std::exchange(barrier, false)});
      continue;
    }
    std::string command;
    std::string const quoted = shell_quote(line);
    for (std::size_t i = 0; i < command_template.size(); ++i) {
      if (command_template.compare(i, 2, "{}") == 0) {
        command += quoted;
        ++i;
      } else {
        command += command_template[i];
      }
    }
    tasks.push_back({line_no, command, {}, std::exchange(barrier, false)});
  }
  return tasks;
}

}  // namespace parfold
