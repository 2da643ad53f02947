#pragma once

// Standard output, written through stdio and checked: a write that fails (a full disk,
// /dev/full, a revoked terminal) is remembered and said where every rank can hear it,
// never lost. A closed pipe still ends the process by SIGPIPE, as for any filter.

#include <string_view>

namespace parfold {

/// Appends `bytes` to standard output (stdio's buffer). A failure is remembered for
/// check_stdout(), not thrown: the caller may be a thread that cannot end the job alone.
void write_stdout(std::string_view bytes);

/// Flushes standard output; a failure is remembered for check_stdout(), as for a write.
void flush_stdout();

/// Flushes standard output and throws WriteError ("standard output: REASON") when a write
/// to it has failed so far (any write through stdio: the error flag is sticky).
void check_stdout();

}  // namespace parfold
