#include "workloads/lines/grep/walk.hpp"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace parfold {

namespace {

/// Does `glob` match `name` (a command-line name: or any part of it after a '/' that is
/// not followed by another, as gnulib's exclude module has it for grep)?
bool matches(std::string const& glob, std::string const& name, bool command_line) {
  if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
  for (std::size_t i = 0; command_line && i < name.size(); ++i) {
    if (name[i] == '/' && i + 1 < name.size() && name[i + 1] != '/' &&
        ::fnmatch(glob.c_str(), name.c_str() + i + 1, 0) == 0) {
      return true;
    }
  }
  return false;
}

/// Adds the regular files under `dir` (opened as it is) to `out`, named `prefix` + name.
void walk(std::string const& dir, std::string const& prefix, bool follow_links,
          NameFilter const& filter, Walked& out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    out.problems.push_back(dir + ": " + std::strerror(errno));
    return;
  }
  std::vector<std::string> names;
  while (dirent const* e = ::readdir(d)) {  // NOLINT: one reader per directory
    std::string_view const name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (std::string const& name : names) {
    std::string const path = prefix + name;  // "" for the default ".": names without "./"
    struct stat st {};
    if ((follow_links ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0)
      continue;  // gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      if (!filter.skips_dir(name, false)) walk(path, path + "/", follow_links, filter, out);
    } else if (S_ISREG(st.st_mode) && !filter.skips_file(name, false)) {
      out.files.push_back(path);
    }
  }
}

}  // namespace

bool NameFilter::skips_file(std::string const& name, bool command_line) const {
  for (auto rule = files.rbegin(); rule != files.rend(); ++rule) {
    if (matches(rule->glob, name, command_line)) return !rule->include;
  }
  return !files.empty() && files.front().include;
}

bool NameFilter::skips_dir(std::string const& name, bool command_line) const {
  return std::any_of(dirs.begin(), dirs.end(),
                     [&](std::string const& glob) { return matches(glob, name, command_line); });
}

namespace {

bool is_directory(std::string const& path) {
  struct stat st {};
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// Does `filter` leave out the operand `operand` (not a directory)? Never "-".
bool skips_operand_file(NameFilter const& filter, std::string const& operand) {
  return operand != "-" && filter.skips_file(operand, true);
}

}  // namespace

std::vector<std::string> filter_operands(std::vector<std::string> const& operands,
                                         NameFilter const& filter) {
  std::vector<std::string> kept;
  for (std::string const& operand : operands) {
    bool const skipped = is_directory(operand) ? filter.skips_dir(operand, true)
                                               : skips_operand_file(filter, operand);
    if (!skipped) kept.push_back(operand);
  }
  return kept;
}

Walked walk_operands(std::vector<std::string> const& operands, bool follow_links,
                     NameFilter const& filter) {
  Walked out;
  if (operands.empty()) {
    out.directory = true;
    walk(".", "", follow_links, filter, out);
    return out;
  }
  for (std::string const& operand : operands) {
    if (!is_directory(
            operand)) {  // a file, standard input, or a path that fails later with its reason
      if (!skips_operand_file(filter, operand)) out.files.push_back(operand);
      continue;
    }
    out.directory = true;
    if (filter.skips_dir(operand, true)) continue;
    std::string dir = operand;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    walk(dir, dir + "/", follow_links, filter, out);
  }
  return out;
}

}  // namespace parfold
