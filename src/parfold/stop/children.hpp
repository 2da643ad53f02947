#pragma once

namespace parfold {

/// What /proc/PID/stat says of a process.
struct ProcessState {
  char state = 0;  ///< R, S, D, T, Z (ended, not yet reaped), ...
  int ppid = 0;
  int pgid = 0;
  bool exiting = false;  ///< ending (PF_EXITING): its children are handed on, a zombie in a moment
};

/// Makes this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER): from then on a
/// descendant whose parent ends becomes a child of this process instead of init's, even after
/// setsid() and a double fork, so that it can still be found and ended. The process engine
/// calls it before it starts a child.
void adopt_orphans();
/// Whether adopt_orphans() was called.
[[nodiscard]] bool adopting_orphans();

/// /proc/PID/stat's facts; false when the process is gone. Async-signal-safe.
bool read_process_state(int pid, ProcessState& out);

/// Whether the kernel lists each thread's children (/proc/PID/task/TID/children, Linux's
/// CONFIG_PROC_CHILDREN): list_children() reads one small file. Without, it scans the whole of
/// /proc, which costs about 10 us per process on the machine (PARFOLD_TEST_SCAN_PROC=1 when
/// adopt_orphans() is called: as if without).
[[nodiscard]] bool children_listed();

/// Up to `max` children of this process into `pids`; returns how many. Those of its main
/// thread, where the kernel hands adopted orphans, or of every thread (a child belongs to the
/// thread that started it); without children_listed(), every child. Async-signal-safe.
int list_children(int* pids, int max, bool every_thread);

/// Waits up to 2 s for child `pid`, ended or killed, to end, and reaps it. Async-signal-safe.
void reap_child(int pid);

/// The last sweep, before the process ends: SIGKILL to every child of this process (and to its
/// process group, where it leads one), the children registered as CleanupGroup included; reaps
/// the others, and does the same to the orphans they leave, until only registered children
/// that ended are left (2 s at most). Nothing a child started outlives the process, even what
/// left its process group. Does nothing unless adopting_orphans(). Async-signal-safe.
void end_children();

}  // namespace parfold
