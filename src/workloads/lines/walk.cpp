#include "workloads/lines/walk.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace parfold {

namespace {

/// Adds the regular files under `dir` (opened as it is) to `out`, named `prefix` + name.
void walk(std::string const& dir, std::string const& prefix, bool follow_links, Walked& out) {
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
    if ((follow_links ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) continue;  // gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      walk(path, path + "/", follow_links, out);
    } else if (S_ISREG(st.st_mode)) {
      out.files.push_back(path);
    }
  }
}

}  // namespace

Walked walk_operands(std::vector<std::string> const& operands, bool follow_links) {
  Walked out;
  if (operands.empty()) {
    out.directory = true;
    walk(".", "", follow_links, out);
    return out;
  }
  for (std::string const& operand : operands) {
    struct stat st {};
    if (operand == "-" || ::stat(operand.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      out.files.push_back(operand);  // a file, standard input, or a path that fails later with its reason
      continue;
    }
    out.directory = true;
    std::string dir = operand;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    walk(dir, dir + "/", follow_links, out);
  }
  return out;
}

}  // namespace parfold
