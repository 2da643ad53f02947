#pragma once

#include <string>
#include <vector>

#include <boost/mpi/request.hpp>

#include "parfold/comm/context.hpp"

namespace parfold {

/// How the ranks of a run learn that one of them failed, without a hang and without
/// ending the process: a rank whose worker threw announces it at once to every other
/// rank (a message on the team's failure channel), so that they stop taking chunks;
/// after the run every rank settles: all learn who failed and why, and every rank
/// throws the same JobError. A rank's main thread polls for notices while it waits.
class FailureNotices {
 public:
  explicit FailureNotices(Team const& team) : team_(team) {}
  FailureNotices(FailureNotices const&) = delete;
  FailureNotices& operator=(FailureNotices const&) = delete;

  /// This rank failed: tells every other rank (once; later calls do nothing).
  void announce();
  /// True once another rank has announced a failure (receives what has arrived).
  [[nodiscard]] bool heard();
  /// After the run, on every rank with this rank's error (empty: none): throws
  /// JobError (message, rank, host of the lowest failed rank) on every rank if any
  /// rank failed, or UsageError (the message alone) when that rank's error was bad
  /// input (`bad_input`: its body threw UsageError, e.g. a corrupt file met while
  /// reading it); takes in every notice that was sent.
  /// \note With MPI this is a collective operation over all ranks.
  void settle(std::string const& error, bool bad_input = false);

 private:
  void receive(int source);
  Team const& team_;
  bool announced_ = false;
  std::vector<boost::mpi::request> sent_;
  std::vector<char> from_;  ///< per rank: its notice was received
};

}  // namespace parfold
