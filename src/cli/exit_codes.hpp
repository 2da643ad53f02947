#pragma once

// The exit statuses of the parfold program, and its words for what the library throws,
// in one place (README and --help list the statuses). The library never exits and never
// names an option: it throws typed errors with the facts, and the program maps them here.

#include <csignal>
#include <string>

#include "parfold/core/errors.hpp"

namespace parfold::exit_code {

inline constexpr int kSuccess = 0;
inline constexpr int kFailure = 1;       ///< a runtime failure (JobError, or one rank's)
inline constexpr int kUsage = 2;         ///< bad usage or input (UsageError)
inline constexpr int kStopped = 75;      ///< stopped by a signal after writing the checkpoint
inline constexpr int kTimeout = 124;     ///< --timeout exceeded (as timeout(1))
inline constexpr int kSignalBase = 128;  ///< 128 + N: stopped by signal N with nothing to keep

/// The status of a stopped job: 124 for --timeout, 75 when a checkpoint holds it, else
/// 128 + the signal (SIGTERM's when another rank got it).
[[nodiscard]] inline int of_stop(Stopped::Facts const& f) {
  if (f.cause == Stopped::Cause::time_limit) return kTimeout;
  if (f.kept) return kStopped;
  return kSignalBase + (f.signal != 0 ? f.signal : SIGTERM);
}

}  // namespace parfold::exit_code

namespace parfold {

/// A stop as the program says it: the time limit is --timeout's.
[[nodiscard]] inline std::string stop_message(Stopped const& e) {
  if (e.facts().cause == Stopped::Cause::time_limit) return "--timeout exceeded" + e.facts().detail;
  return e.what();
}

/// A file the library could not use, named by the program's option (--checkpoint PATH: ...).
[[nodiscard]] inline std::string file_message(FileError const& e) {
  return std::string("--") + FileError::role_name(e.role()) + e.rest();
}

}  // namespace parfold
