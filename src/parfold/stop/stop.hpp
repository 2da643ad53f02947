#pragma once

#include <string>

namespace parfold {

/// Why a job was asked to stop early.
enum class StopReason { none, signal, timeout };

/// Makes SIGTERM, SIGINT and SIGUSR1 request a graceful stop instead of killing the
/// process; the handler also removes every registered temporary file at once (a
/// launcher may kill the process soon after). The library never calls this itself:
/// the program does, when it has something to save or to clean up.
void catch_stop_signals();

/// Requests a graceful stop (the first reason wins), e.g. from a watchdog.
void request_stop(StopReason reason);
/// This process's stop request, if any.
[[nodiscard]] StopReason stop_requested();
/// The number of the signal that requested the stop (0 for none).
[[nodiscard]] int stop_signal();
/// Its name ("SIGUSR1"), for messages.
[[nodiscard]] std::string stop_signal_name();

/// The stop/cleanup registry: temporary files that must not outlive a stopped process.
/// A CleanupFile registers `path` while it lives; cleanup_now() (from a signal handler
/// or before the program ends the process) removes every registered file.
class CleanupFile {
 public:
  explicit CleanupFile(std::string const& path);
  ~CleanupFile();
  CleanupFile(CleanupFile const&) = delete;
  CleanupFile& operator=(CleanupFile const&) = delete;

 private:
  int slot_ = -1;  ///< -1: not registered (the registry was full or the path too long)
};

/// Removes every registered file now. Async-signal-safe.
void cleanup_now();

}  // namespace parfold
