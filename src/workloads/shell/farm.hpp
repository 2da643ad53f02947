#pragma once

// The process engine of `parfold run` and `parfold lines exec` (one engine, two commands): items
// (tasks, chunks of files) each run as a shell command in a child process on whichever worker of
// whichever rank the schedule picks; every attempt's result travels to rank 0 as it ends (a
// Courier; on other ranks its output goes ahead in pieces while it runs: ahead.hpp), where
// it is logged at once and its output released in item order (a
// ReorderBuffer with bounded memory) or, unordered, as it arrives. Failed attempts run
// again on another rank (--retries); --halt stops early with GNU parallel's meaning.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/core/stats.hpp"
#include "parfold/process/child.hpp"
#include "parfold/run/services.hpp"
#include "workloads/shell/attempt.hpp"
#include "workloads/shell/halt.hpp"

namespace parfold {

/// How item i runs: its shell command, its stdin (none: /dev/null) and the values of
/// the farm's environment names.
struct ItemLaunch {
  std::string_view command;
  std::optional<FileBytes> input;   ///< bytes of a file for its stdin (none: /dev/null)
  std::vector<std::string> values;  ///< one per FarmItems::env_names
  bool nothing = false;             ///< nothing to run: the item succeeds at once with no output
  std::vector<int> cpus{};          ///< the cores it runs on (none: the rank's, unbound)
};

/// What a farm runs.
struct FarmItems {
  std::uint64_t count = 0;
  /// Variables set per item (PARFOLD_RANK and PARFOLD_THREAD are added by the farm).
  std::vector<std::string> env_names;
  /// Item i's launch; called on the worker that runs it, concurrently.
  std::function<ItemLaunch(std::uint64_t)> launch;
  /// Items already done (a resumed run): none of them runs, and no result comes for them
  /// but those in `ended`.
  std::function<bool(std::uint64_t)> done;
  /// Rank 0: done items whose last attempt (Attempt::encode) ended in an earlier run but
  /// was not released then (a stop came before its turn): released in order now.
  std::map<std::uint64_t, std::string> const* ended = nullptr;
};

struct FarmOptions {
  std::uint64_t retries = 0;  ///< a failed item runs up to 1 + retries times
  Halt halt;
  double task_timeout_s = 0;    ///< 0: none
  bool unordered = false;       ///< results as they arrive, not in item order
  std::vector<int> ok_exit{0};  ///< the exit statuses that mean success
  /// A child's stdout and stderr in memory (each) before they spill to a temporary file.
  std::size_t memory_per_output = CapturedOutput::kPiece;
  /// A stage of a larger job (stages.hpp): the outcome sees item i as first_item + i, and
  /// --halt counts the stages before too (their failed and succeeded items, of job_items).
  std::uint64_t first_item = 0;
  std::uint64_t failed_before = 0, succeeded_before = 0;
  std::uint64_t job_items = 0;  ///< 0: this farm's items
};

/// Rank 0, main thread: what is done with the results.
struct FarmOutcome {
  /// Every attempt, as it reaches rank 0 (a joblog row).
  std::function<void(Attempt const&)> attempted;
  /// Each item's last attempt, in item order (unordered: as it arrives).
  std::function<void(Attempt&&)> finished;
  /// After a stop: each item's last attempt that ended but was not released (its turn had
  /// not come), in item order, to keep for a resumed run. None: they are dropped.
  std::function<void(Attempt&&)> held;
};

/// What a farm did (every rank holds rank 0's counts).
struct FarmSummary {
  std::uint64_t succeeded = 0, failed = 0;
  std::uint64_t retried = 0;  ///< attempts that were run again
  std::uint64_t not_run = 0;  ///< items never finished: a halt or a stop came first
  std::uint64_t ended = 0;    ///< of those, started and ended by the halt or stop
  bool halted = false;
  bool halted_on_success = false;
  RunInfo info;
};

/// `out`'s bytes to `write`, with `*tag` and a TAB before each line (--tag, --tagstring;
/// an empty tag too); as they are when `tag` is null.
void replay_tagged(CapturedOutput const& out, std::string const* tag,
                   std::function<void(std::string_view)> const& write);

/// Rank 0: an item's stderr to this process's stderr, piece by piece (each line after
/// `*tag` and a TAB when `tag` is not null), flushed.
void write_stderr(CapturedOutput const& err, std::string const* tag = nullptr);

/// Runs every item (but the done ones) as its own `/bin/sh -c` child over the team with
/// schedule `s`. The run's services observe the first pass (traces, progress).
/// \note With MPI this is a collective operation over all ranks.
FarmSummary run_farm(Team const& team, Services services, Schedule s, FarmItems const& items,
                     FarmOptions const& opt, FarmOutcome const& outcome);

}  // namespace parfold
