#pragma once

#include <string>

#include "parfold/core/errors.hpp"

namespace parfold {

/// Why a job was asked to stop early.
/// rank_lost: another rank ended without a word (PeerWatch); the job ends at once.
enum class StopReason { none, signal, timeout, rank_lost };

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
/// The error that ends a job stopped for `reason` (agreed by every rank): the cause, this
/// process's stop signal, whether a checkpoint `kept` the job, and the `detail` of what
/// was kept or done (see Stopped::Facts).
[[nodiscard]] Stopped stop_error(StopReason reason, bool kept, std::string detail);

/// The stop/cleanup registry: temporary files and child process groups that must not
/// outlive a stopped process.
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

/// A child's process group (its pid: the child leads it) registered while it lives: a
/// stop signal sends it SIGTERM at once, cleanup_now() SIGKILL, so that no child or its
/// background children outlive parfold.
class CleanupGroup {
 public:
  explicit CleanupGroup(int pgid);
  ~CleanupGroup();
  CleanupGroup(CleanupGroup const&) = delete;
  CleanupGroup& operator=(CleanupGroup const&) = delete;

 private:
  int slot_ = -1;
};

/// From now on no child process starts: the process is about to end, for `why` (the
/// watchdog of --timeout: StopReason::timeout). Async-signal-safe.
void refuse_new_children(StopReason why);
/// False once refuse_new_children() was called.
[[nodiscard]] bool new_children_allowed();
/// The stop requested or, without one, the reason the process is ending (children
/// refused): what a job that runs children ends for. StopReason::none for neither.
[[nodiscard]] StopReason stop_or_ending();

/// Whether `pgid` is a registered process group: a running child, whose thread reaps it.
/// Async-signal-safe.
[[nodiscard]] bool group_registered(int pgid);

/// Removes every registered file, kills every registered process group (SIGKILL) and every
/// other child the process has (end_children(): what left a child's group too), now, before
/// the program ends the process. Async-signal-safe.
void cleanup_now();
/// Sends `sig` to every registered process group. Async-signal-safe.
void signal_groups(int sig);

}  // namespace parfold
