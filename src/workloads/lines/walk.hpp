#pragma once

// `lines grep -r/-R`: the files under directories, in a deterministic order.

#include <string>
#include <vector>

namespace parfold {

struct Walked {
  std::vector<std::string> files;     ///< the operands, each directory replaced by the files under it
  std::vector<std::string> problems;  ///< "PATH: reason" for each directory that could not be read
  bool directory = false;             ///< an operand (or the default ".") was a directory
};

/// What grep -r (or with `follow_links` grep -R) reads for `operands` (none: the working
/// directory, its files named without "./"): each directory is replaced by the regular
/// files under it, names sorted bytewise in each directory (grep itself takes the order
/// readdir() gives), named "DIR/NAME". Symbolic links met inside directories are skipped
/// under -r and followed under -R, as in grep; devices, FIFOs and sockets are skipped.
[[nodiscard]] Walked walk_operands(std::vector<std::string> const& operands, bool follow_links);

}  // namespace parfold
