#pragma once

/// The exit statuses of the parfold program, in one place (README and --help list them).
/// The library never exits: it throws, and the program maps what it caught to these.
namespace parfold::exit_code {

inline constexpr int kSuccess = 0;
inline constexpr int kFailure = 1;      ///< a runtime failure (JobError, or one rank's)
inline constexpr int kUsage = 2;        ///< bad usage or input (UsageError)
inline constexpr int kStopped = 75;     ///< stopped by a signal after writing the checkpoint
inline constexpr int kTimeout = 124;    ///< --timeout exceeded (as timeout(1))
inline constexpr int kSignalBase = 128; ///< 128 + N: stopped by signal N with nothing to keep

}  // namespace parfold::exit_code
