#pragma once

#include <poll.h>

#include <string>
#include <vector>

#include "parfold/comm/comm.hpp"

namespace parfold {

/// Which ranks of a team are still alive, as far as this rank can see without MPI: a
/// rank killed outright (SIGKILL, the OOM killer) sends nothing, and MPI has no standard
/// way to tell, so a collective would wait for it for ever. Each rank watches the ranks
/// on its own host (and pid namespace) through a pidfd (readable once the process has
/// ended): it learns of their death within one poll. Ranks on other hosts are not watched:
/// the lowest live rank of the host that saw the loss says it and aborts the job.
class PeerWatch {
 public:
  /// \note With MPI this is a collective operation over all ranks of `comm`.
  explicit PeerWatch(Comm const& comm);
  ~PeerWatch();
  PeerWatch(PeerWatch const&) = delete;
  PeerWatch& operator=(PeerWatch const&) = delete;

  /// The lowest rank seen to have ended, or -1 while every watched rank lives. Cheap
  /// (one poll(2) without waiting); main thread.
  [[nodiscard]] int lost();
  /// Throws RankLost when lost() finds a rank that ended.
  void check();

 private:
  struct Peer {
    int rank = 0;
    int pid = 0;
    std::string host;  ///< "HOST:PID-NAMESPACE"
    int fd = -1;       ///< pidfd; -1: not watched (another host, or pidfds unavailable)
  };
  std::vector<Peer> peers_;
  std::vector<pollfd> watched_;  ///< the pidfds, polled by lost() without allocating
  int lost_ = -1;
  int me_ = 0;
};

}  // namespace parfold
