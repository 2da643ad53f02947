#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace parfold {

/// Why a job was asked to stop early.
enum class StopReason { none, signal, timeout };

/// Exit statuses of a job that stopped early (documented in README).
constexpr int kExitInterrupted = 75;  ///< a signal: checkpoint written, rerun to resume
constexpr int kExitTimeout = 124;     ///< --timeout exceeded (as timeout(1))

/// Makes SIGTERM, SIGINT and SIGUSR1 request a graceful stop instead of killing the
/// process (only with --checkpoint: without one there is nothing to save).
void catch_stop_signals();

/// Starts a watchdog: after `limit` a graceful stop is requested when `graceful`
/// (there is a checkpoint to write), and `grace` later, or at once without one, the
/// process prints `message` (rank 0) and exits with kExitTimeout. Under MPI the
/// launcher then ends the other ranks.
void start_watchdog(std::chrono::duration<double> limit, bool graceful, bool root,
                    std::chrono::duration<double> grace = std::chrono::seconds(30));

/// This process's stop request, if any (set from a signal handler or the watchdog).
[[nodiscard]] StopReason stop_requested();
/// The signal that requested the stop ("SIGUSR1"), for messages.
[[nodiscard]] std::string stop_signal_name();

/// The number of that signal (0 for none).
[[nodiscard]] int stop_signal();

/// A temporary file (one) to remove as soon as a stop signal arrives or the watchdog
/// ends the process, so that nothing half-written is left behind.
void remove_when_stopped(std::string const& path);

/// "90", "90s", "1.5m", "2h", "1h30m" -> seconds; nothing when malformed or <= 0.
[[nodiscard]] std::optional<double> parse_duration(std::string const& text);

}  // namespace parfold
