#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parfold/core/schedule.hpp"

namespace parfold {

/// What one worker (a thread of a rank) did during a run.
struct WorkerStats {
  int rank = 0;
  int thread = 0;
  std::string host;
  std::uint64_t chunks = 0;
  std::uint64_t items = 0;
  double busy_s = 0;
  double finish_s = 0;  ///< end of its last chunk, from the start of the run on its rank
  /// The peak resident memory of its process (its rank) so far, in KiB: every thread
  /// of a rank shows the same value.
  std::uint64_t peak_rss_kib = 0;
  /// Items in its smallest and largest chunk (0 when it ran none).
  std::uint64_t smallest_chunk = 0, largest_chunk = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& rank& thread& host& chunks& items& busy_s& finish_s& peak_rss_kib& smallest_chunk&
        largest_chunk;
  }
};

/// The peak resident memory of this process so far, in KiB (VmHWM).
[[nodiscard]] std::uint64_t peak_rss_kib();

/// What a run did, as rank 0 reports it (other ranks hold only their own workers).
struct RunInfo {
  int ranks = 1;
  std::vector<int> threads;  ///< per rank
  Schedule schedule;         ///< with the chunk size actually used
  std::uint64_t items = 0;
  std::uint64_t chunks = 0;
  double wall_s = 0;
  std::vector<WorkerStats> workers;
  std::uint64_t resumed = 0;  ///< items done before this run (from a checkpoint)
  /// Chunk requests rank 0 answered for the other ranks (dynamic and guided).
  std::uint64_t requests = 0;
};

}  // namespace parfold
