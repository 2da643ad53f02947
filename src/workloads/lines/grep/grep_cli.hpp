#pragma once

// What the program's command line needs of `lines grep`'s before CLI11 reads it.

#include <string>
#include <vector>

#include "cli/job.hpp"

namespace parfold {

/// grep's -NUM in the arguments of `lines grep` (`args` in order, argv[0] left out),
/// rewritten as --context=NUM: CLI11 would take "-3" for a positional. Not a value of an
/// option (`-e -3` is a pattern) nor after "--". And "--opt=" (an empty value) as "--opt"
/// and "", which CLI11 reads as meant (it would take the next argument as the value).
void expand_grep_context_numbers(CLI::App const& app, std::vector<std::string>& args);

}  // namespace parfold
