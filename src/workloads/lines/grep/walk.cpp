#include "workloads/lines/grep/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "workloads/lines/input/parts.hpp"

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

/// An entry of a directory: its name and the type readdir() gave (DT_UNKNOWN: ask).
struct Entry {
  std::string name;
  unsigned char type = DT_UNKNOWN;
  bool operator<(Entry const& o) const { return name < o.name; }
};

/// One walk under an operand: the directories from it down to the one being read are
/// `ancestors`; a directory met again among them is a loop, said and not entered. Each
/// directory is read through its descriptor, its entries known by the type getdents64
/// gives: under -r a regular file, a link or a device costs no stat; a directory (or
/// any entry under -R) one fstatat() relative to its parent's descriptor.
class Walker {
 public:
  Walker(bool follow_links, NameFilter const& filter, Walked& out)
      : follow_links_(follow_links), filter_(filter), out_(out) {}

  /// Adds the files under the operand `dir` (followed if a link), named `prefix` + name.
  void walk_operand(std::string const& dir, std::string const& prefix) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return fail(dir, errno);
    walk(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), dir, prefix, st);
  }

 private:
  /// Adds the files under the directory open as `fd` (-1: it could not be opened, for
  /// that errno), at `dir`, named `prefix` + name; `st` is its status. Closes `fd`.
  void walk(int fd, std::string const& dir, std::string const& prefix, struct stat const& st) {
    DIR* d = fd < 0 ? nullptr : ::fdopendir(fd);
    if (d == nullptr) {
      int const err = errno;
      if (fd >= 0) ::close(fd);
      return fail(dir, err);
    }
    std::vector<Entry> entries;
    while (dirent const* e = ::readdir(d)) {  // NOLINT: one reader per directory
      std::string_view const name = e->d_name;
      if (name != "." && name != "..") entries.push_back({std::string(name), e->d_type});
    }
    std::sort(entries.begin(), entries.end());  // bytewise
    ancestors_.push_back({st.st_dev, st.st_ino});
    bool checked = false;  // has a file here been asked whether its file system is /proc's?
    for (Entry const& e : entries) visit(::dirfd(d), e, prefix + e.name, checked);
    ancestors_.pop_back();
    ::closedir(d);
  }

  /// The entry `e` of the directory open as `dir`, at `path` ("" prefix for the default ".").
  /// `checked`: whether a file of this directory went through add_file already.
  void visit(int dir, Entry const& e, std::string const& path, bool& checked) {
    if (!follow_links_ && e.type != DT_DIR && e.type != DT_UNKNOWN) {  // known without a stat
      if (e.type == DT_REG && !filter_.skips_file(e.name, false)) add_file(path, checked, false);
      return;  // -r skips links, devices, FIFOs and sockets
    }
    struct stat st {};
    // -R follows links: a dangling one or a chain too long fails here, as in grep.
    if (::fstatat(dir, e.name.c_str(), &st, follow_links_ ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
      if (!filter_.skips_file(e.name, false)) fail(path, errno);  // --exclude comes first
    } else if (S_ISDIR(st.st_mode)) {
      if (filter_.skips_dir(e.name, false)) return;
      if (std::find(ancestors_.begin(), ancestors_.end(), DirectoryId{st.st_dev, st.st_ino}) !=
          ancestors_.end()) {
        out_.messages.push_back(path + ": warning: recursive directory loop");  // grep's words
        return;
      }
      int const flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_links_ ? 0 : O_NOFOLLOW);
      walk(::openat(dir, e.name.c_str(), flags), path, path + "/", st);
    } else if (S_ISREG(st.st_mode) && !filter_.skips_file(e.name, false)) {
      add_file(path, checked, follow_links_ && e.type != DT_REG);  // a link may lead elsewhere
    }
  }

  /// Adds the regular file at `path`; its directory's first one (unless `checked`) and one
  /// that a link may have led to (`elsewhere`) tell whether all are read as files.
  void add_file(std::string const& path, bool& checked, bool elsewhere) {
    if (out_.regular && (elsewhere || !checked)) out_.regular = !read_as_stream(path);
    checked = checked || !elsewhere;
    out_.files.push_back(path);
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
      out.regular = false;  // not known without asking
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
