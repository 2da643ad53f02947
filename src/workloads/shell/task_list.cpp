#include "workloads/shell/task_list.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

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

std::vector<ShellTask> parse_tasks(std::string const& text, std::string const& command_template) {
  std::vector<ShellTask> tasks;
  std::uint64_t line_no = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF task files
    if (line.empty() || line[0] == '#') continue;
    if (command_template.empty()) {
      tasks.push_back({line_no, line});
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
    tasks.push_back({line_no, command});
  }
  return tasks;
}

}  // namespace parfold
