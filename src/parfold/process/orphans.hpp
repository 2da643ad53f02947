#pragma once

// What a child leaves behind outside its process group (setsid, a double fork): the process
// is a child subreaper (adopt_orphans), so such descendants become its children when their
// parent ends; each child's environment carries a token, so that they can be told apart; once
// a child ended, the orphans that carry its token are ended too.

#include <cstdint>
#include <string>
#include <string_view>

namespace parfold {

/// The variable that marks a child's environment (an inherited one is replaced).
inline constexpr std::string_view kTaskTokenEntry = "PARFOLD_TASK_TOKEN=";

/// A child's mark, PARFOLD_TASK_TOKEN=<pid>-<nonce>-<n> in its environment: unique to this
/// process and child, and inherited by whatever the child starts. While the token lives, the
/// processes that carry it are left alone.
class TaskToken {
 public:
  TaskToken();
  ~TaskToken();
  TaskToken(TaskToken const&) = delete;
  TaskToken& operator=(TaskToken const&) = delete;

  /// "PARFOLD_TASK_TOKEN=...", for the child's environment.
  [[nodiscard]] std::string const& entry() const { return entry_; }
  /// The child's shell ended (not yet reaped, so that its process group id is not given to
  /// another process) and its group was killed: the token ends, then end_orphans(at_once).
  void end(bool at_once);

 private:
  std::uint64_t n_;
  std::string entry_;
  bool live_ = true;
};

/// Held while a child is started and registered (CleanupGroup): end_orphans() waits for it, so
/// that it never takes a child being started for an orphan. Makes the process a child
/// subreaper first (adopt_orphans).
class Starting {
 public:
  Starting();
  ~Starting();
  Starting(Starting const&) = delete;
  Starting& operator=(Starting const&) = delete;
};

/// Ends what ended children left: the children of this process that are not registered
/// (CleanupGroup) and carry a token of this process that has ended get SIGKILL (their process
/// group too, where they lead one) and are reaped; so are the orphans that exited; then the
/// same for the orphans these leave, until nothing is left to end. A process that carries no
/// token (it cleared its environment) is left to end_children(), at the process's end. Where
/// the kernel lists a thread's children (children_listed()), this costs one small read when
/// nothing is left; elsewhere it scans /proc (about 10 us a process), at most every 200 ms (or
/// 100 times what the last scan took: 1% of a thread) unless `at_once`.
void end_orphans(bool at_once);

}  // namespace parfold
