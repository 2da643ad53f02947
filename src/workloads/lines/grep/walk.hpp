#pragma once

// `lines grep -r/-R`: the files under directories, in a deterministic order.

#include <string>
#include <vector>

namespace parfold {

/// grep's --include, --exclude and --exclude-dir: shell wildcards (fnmatch(3), no flags:
/// '*' matches '/' and a leading '.') on a name met in a directory (its base name), or on
/// a name given on the command line (the whole name or any part after a '/').
struct NameFilter {
  struct Rule {
    std::string glob;
    bool include = false;  ///< --include (else --exclude)
  };
  std::vector<Rule> files;        ///< in the order given: the last that matches decides
  std::vector<std::string> dirs;  ///< --exclude-dir

  /// Is the file `name` left out? When no rule matches, only if the first is --include.
  [[nodiscard]] bool skips_file(std::string const& name, bool command_line) const;
  /// Is the directory `name` left out? (The working directory read by default never is.)
  [[nodiscard]] bool skips_dir(std::string const& name, bool command_line) const;
};

struct Walked {
  std::vector<std::string> files;  ///< the operands, each directory replaced by the files under it
  /// In walk order, as grep words them: "PATH: reason" for each entry that could not be
  /// read (a directory, a dangling link, a loop of links under -R), and "PATH: warning:
  /// recursive directory loop" for a directory met again inside itself (not entered).
  std::vector<std::string> messages;
  bool failed = false;     ///< an entry could not be read (grep's status 2; a loop is not)
  bool directory = false;  ///< an operand (or the default ".") was a directory
  /// Every file is a regular file found in a directory and read as a file, not a stream
  /// (read_as_stream(), asked of one file per directory): no need to ask of each again.
  bool regular = true;
};

/// The operands that `filter` keeps, as grep without -r reads them ("-" always kept).
[[nodiscard]] std::vector<std::string> filter_operands(std::vector<std::string> const& operands,
                                                       NameFilter const& filter);

/// What grep -r (or with `follow_links` grep -R) reads for `operands` (none: the working
/// directory, its files named without "./"): each directory is replaced by the regular
/// files under it, names sorted bytewise in each directory (grep itself takes the order
/// readdir() gives), named "DIR/NAME". Symbolic links met inside directories are skipped
/// under -r and followed under -R, as in grep; devices, FIFOs and sockets are skipped;
/// so are the files and directories that `filter` leaves out. A directory with the device
/// and inode of one it lies in (a link back up under -R) is a loop: said, not entered.
[[nodiscard]] Walked walk_operands(std::vector<std::string> const& operands, bool follow_links,
                                   NameFilter const& filter = {});

}  // namespace parfold
