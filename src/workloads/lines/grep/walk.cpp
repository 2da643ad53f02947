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

/// A directory as the kernel knows it: grep's fts tells a loop by device and inode.
struct DirectoryId {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(DirectoryId const&) const = default;
};

/// One walk under an operand: the directories from it down to the one being read are
/// `ancestors`; a directory met again among them is a loop, said and not entered.
class Walker {
 public:
  Walker(bool follow_links, NameFilter const& filter, Walked& out)
      : follow_links_(follow_links), filter_(filter), out_(out) {}

  /// Adds the files under the operand `dir` (followed if a link), named `prefix` + name.
  void walk_operand(std::string const& dir, std::string const& prefix) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return fail(dir, errno);
    walk(dir, prefix, st);
  }

 private:
  /// Adds the files under `dir` (opened as it is; `st` is its status), named `prefix` + name.
  void walk(std::string const& dir, std::string const& prefix, struct stat const& st) {
    ancestors_.push_back({st.st_dev, st.st_ino});
    for (std::string const& name : sorted_names(dir)) visit(name, prefix + name);
    ancestors_.pop_back();
  }

  /// The names in `dir` but "." and "..", sorted bytewise; none when it cannot be read.
  std::vector<std::string> sorted_names(std::string const& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      fail(dir, errno);
      return names;
    }
    while (dirent const* e = ::readdir(d)) {  // NOLINT: one reader per directory
      std::string_view const name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
  }

  /// The entry `name` of a directory, at `path` ("" prefix for the default ".").
  void visit(std::string const& name, std::string const& path) {
    struct stat st {};
    // -R follows links: a dangling one or a chain too long fails here, as in grep.
    if ((follow_links_ ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
      if (!filter_.skips_file(name, false)) fail(path, errno);  // --exclude comes first
    } else if (S_ISDIR(st.st_mode)) {
      if (filter_.skips_dir(name, false)) return;
      if (std::find(ancestors_.begin(), ancestors_.end(), DirectoryId{st.st_dev, st.st_ino}) !=
          ancestors_.end()) {
        out_.messages.push_back(path + ": warning: recursive directory loop");  // grep's words
        return;
      }
      walk(path, path + "/", st);
    } else if (S_ISREG(st.st_mode) && !filter_.skips_file(name, false)) {
      out_.files.push_back(path);
    }
  }

  void fail(std::string const& path, int err) {
    out_.messages.push_back(path + ": " + std::strerror(err));
    out_.failed = true;
  }

  bool follow_links_;
  NameFilter const& filter_;
  Walked& out_;
  std::vector<DirectoryId> ancestors_;
};

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
  Walker walker(follow_links, filter, out);
  if (operands.empty()) {
    out.directory = true;
    walker.walk_operand(".", "");
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
    walker.walk_operand(dir, dir + "/");
  }
  return out;
}

}  // namespace parfold
