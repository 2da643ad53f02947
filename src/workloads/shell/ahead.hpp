#pragma once

// A running attempt's output sent ahead to rank 0 in pieces, while it runs: a task on
// another rank that prints gigabytes needs neither the memory nor the disk for them on its
// node. Its worker reads the child's pipes only while the courier has room for another
// piece, so a task that prints faster than rank 0 takes it waits in write(2), as it would
// writing to a slow pipe. Rank 0 keeps the pieces on its disk until the attempt's record
// arrives and takes them in front of its own bytes. (On rank 0 itself the output is kept
// where it is read: it is already there.)

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "parfold/process/captured.hpp"
#include "parfold/stream/courier.hpp"
#include "workloads/shell/attempt.hpp"

namespace parfold {

/// Bytes of a running attempt's output collected before they go ahead as one piece.
inline constexpr std::size_t kAheadBytes = CapturedOutput::kPiece / 2;

/// Worker: ChildSpec::on_output for attempt `attempt` of item `index`. Once its stdout and
/// stderr hold kAheadBytes, they go to rank 0 as an OutputPiece (and start again empty,
/// each kept in memory up to `memory`); reading waits while the courier has no room in
/// memory for two more pieces, unless `stopping()` (the run ends: rank 0 may be gone).
/// Nothing goes to this rank's disk: the attempt's record itself goes with
/// Courier::post_in_memory.
[[nodiscard]] std::function<bool(CapturedOutput&, CapturedOutput&)> send_ahead(
    Courier& courier, std::uint64_t index, int attempt, std::size_t memory,
    std::function<bool()> stopping);

/// Rank 0: the pieces of attempts still running, until their records take them.
class AheadOutputs {
 public:
  /// Throws when it cannot keep them (rank 0's disk): that attempt's output is lost.
  void add(OutputPiece&& piece);
  /// Puts the pieces sent ahead of `a` in front of its stdout and stderr, and forgets them.
  /// Throws JobError when some were lost: no output with a hole in it is printed.
  void complete(Attempt& a);

 private:
  struct Pieces {
    CapturedOutput out{0}, err{0};  ///< in a temporary file each, from the first byte
  };
  std::map<std::pair<std::uint64_t, int>, Pieces> running_;  ///< by item and attempt
  std::set<std::pair<std::uint64_t, int>> lost_;             ///< attempts whose pieces were lost
};

}  // namespace parfold
