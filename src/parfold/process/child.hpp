#pragma once

#include <sys/types.h>
#include <chrono>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parfold/process/captured.hpp"
#include "parfold/process/orphans.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

/// A run of bytes of a file.
struct FileBytes {
  std::string path;
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

/// How to run one child.
struct ChildSpec {
  std::vector<std::string> env;  ///< its whole environment, "KEY=VALUE"
  double timeout_s = 0;          ///< 0: none; past it SIGTERM, then SIGKILL after `grace_s`
  double grace_s = 5;            ///< between SIGTERM and SIGKILL
  /// Polled about every 50 ms: true ends the child as a timeout does (a stop request).
  std::function<bool()> should_stop;
  /// Bytes for its stdin (a pipe, written as it reads); none: stdin is /dev/null. A
  /// child that stops reading early (`head -1`) is not an error.
  std::optional<std::string_view> input;
  /// Or bytes of a file for its stdin, moved into the pipe by splice(2), without a copy
  /// (read and written where splice cannot be used). The file is opened when the child
  /// starts; if its size or modification time change while the child runs, its stdin may not
  /// be the file's bytes (input_changed).
  std::optional<FileBytes> input_file;
  /// Called whenever output was read, with all of each stream captured so far: it may
  /// send their bytes on (and empty them), and returns whether to read more now. While it
  /// says no, the child's output waits in its pipes (a writer blocks once they are full:
  /// no memory grows) and it is asked again every few milliseconds. None: all is kept.
  std::function<bool(CapturedOutput& out, CapturedOutput& err)> on_output;
};

/// What a child did.
struct ChildResult {
  int exit_code = 0;  ///< its exit status; 128 + N when signal N ended it
  int signal = 0;     ///< the signal that ended it, 0 if it exited
  bool timed_out = false;
  bool stopped = false;  ///< ended because should_stop() said so
  /// Its input_file changed while it was given (cut short, rewritten): its stdin was not
  /// the file's bytes.
  bool input_changed = false;
  std::chrono::system_clock::time_point start;
  double runtime_s = 0;
};

/// Runs `/bin/sh -c command` with stdin from /dev/null (or `spec.input`), in its own process group,
/// in this process's working directory, and captures its stdout and stderr whole. The child is
/// started with posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK), no copy of this process's page
/// tables), never with fork(): Open MPI warns that fork() in an MPI process can corrupt memory
/// registered with the network (OpenFabrics, UCX). Its process group is in the stop/cleanup
/// registry while it runs; when the shell exits, whatever it left running in its group is killed,
/// so no background child outlives it, and so is what it left outside its group (setsid, a double
/// fork) that still carries its TaskToken (orphans.hpp). A command that cannot be found is the
/// shell's exit 127, not an error here; nor is one too long for exec(2) (E2BIG: over 128 KiB on
/// Linux): not started, exit 126 (a shell's status for a command it cannot run), the reason in
/// `err`. Throws std::runtime_error only when no process can be started at all.
ChildResult run_shell(std::string const& command, ChildSpec const& spec, CapturedOutput& out,
                      CapturedOutput& err);

/// A child that reads what this process writes to it (`/bin/sh -c command`, in its own
/// process group, started as run_shell's are): its stdout goes to `out_fd`, its stderr
/// to this process's. For one consumer of a whole job's output (`lines exec --reduce`).
/// Destroyed before finish(), its group is killed. What it leaves running ends with it, as
/// run_shell's.
class FeedChild {
 public:
  FeedChild(std::string const& command, std::vector<std::string> const& env, int out_fd);
  ~FeedChild();
  FeedChild(FeedChild const&) = delete;
  FeedChild& operator=(FeedChild const&) = delete;

  /// Writes to its stdin, waiting while the pipe is full; once it stops reading, the
  /// rest is dropped (as `cmd | head -1`).
  void write(std::string_view bytes);
  /// Closes its stdin and waits for it; returns its exit status (128 + N for signal N).
  int finish();

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  TaskToken token_;
  std::unique_ptr<CleanupGroup> group_;
};

}  // namespace parfold
