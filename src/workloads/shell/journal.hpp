#pragma once

// `parfold run --checkpoint FILE`: the record of the tasks whose results are out (their
// output printed or in --output's FILE.partial, their --results files written), so that
// rerunning the same command runs only the others.

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "parfold/core/hash.hpp"
#include "workloads/shell/task_list.hpp"

namespace parfold {

/// What rank 0 has printed so far.
struct RunProgress {
  std::uint64_t out_bytes = 0;
  std::uint64_t checksum = fnv1a({});  ///< FNV-1a of the stdout bytes, in task order
  std::uint64_t succeeded = 0, failed = 0;
  std::vector<std::string> first_failures;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& out_bytes& checksum& succeeded& failed& first_failures;
  }
};

/// One finished task as the checkpoint records it.
struct TaskDone {
  std::uint64_t line = 0;
  std::uint64_t command_hash = 0;  ///< FNV-1a of its command text
  int exit_code = 0;
  int attempts = 1;
  bool ok = true;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& line& command_hash& exit_code& attempts& ok;
  }
};

/// The state `parfold run` keeps in its checkpoint.
struct RunJournal {
  std::map<std::uint64_t, TaskDone> tasks;  ///< by task index
  std::uint64_t output_bytes = 0;           ///< of --output's FILE.partial
  RunProgress progress;
  /// Tasks that ended before the stop but whose turn to print had not come (a task before
  /// them was still running): their last attempt (Attempt::encode), printed in their turn
  /// by the resumed run instead of running again.
  std::map<std::uint64_t, std::string> held;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& tasks& output_bytes& progress& held;
  }

  /// Why this journal, read from a checkpoint, cannot be that of a run of `tasks` tasks
  /// (empty: it can): its counts are those of the tasks recorded, each held attempt is
  /// well formed and of a task not recorded, and the output's length is that of the tasks'
  /// output (`to_file`: --output; stdout records none). The recorded tasks themselves are
  /// checked against the task list by require_same_tasks().
  [[nodiscard]] std::string problem(std::size_t tasks, bool to_file) const;
  /// Throws UsageError when a recorded task is not in `tasks` as it was (the task list
  /// changed), naming the first such line of `path`.
  void require_same_tasks(std::vector<ShellTask> const& tasks, std::string const& path,
                          std::string const& checkpoint) const;
  /// Per task: 1 when it is recorded or held (it does not run again).
  [[nodiscard]] std::vector<char> done_flags(std::size_t count) const;
  /// Forgets the failed tasks (they run again) and takes them out of the counts.
  void forget_failed();
};

}  // namespace parfold
