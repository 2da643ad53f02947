#include "parfold/comm/peers.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/errors.hpp"

namespace parfold {
namespace {

/// A pidfd for `pid` (Linux 5.3 and later), or -1.
int open_pidfd(int pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

/// Has the process of this pidfd ended?
bool ended(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

}  // namespace

PeerWatch::PeerWatch(Comm const& comm) {
  me_ = comm.rank();
  if (comm.size() <= 1) return;
  // Pids mean the same only within one pid namespace on one machine (not so in per-rank
  // containers): a peer is watched when both match.
  struct stat ns {};
  std::string const host =
      host_name() + ":" + std::to_string(stat("/proc/self/ns/pid", &ns) == 0 ? ns.st_ino : 0);
  std::vector<int> const pids = comm.all_gather(static_cast<int>(getpid()));
  std::vector<std::string> const hosts = comm.all_gather(host);
  for (int r = 0; r < comm.size(); ++r) {
    auto const i = static_cast<std::size_t>(r);
    bool const watched = r != comm.rank() && hosts[i] == host;
    peers_.push_back({r, pids[i], hosts[i], watched ? open_pidfd(pids[i]) : -1});
    if (peers_.back().fd >= 0) watched_.push_back({peers_.back().fd, POLLIN, 0});
  }
}

PeerWatch::~PeerWatch() {
  for (Peer const& p : peers_) {
    if (p.fd >= 0) close(p.fd);
  }
}

int PeerWatch::lost() {
  if (lost_ >= 0 || watched_.empty()) return lost_;
  if (poll(watched_.data(), watched_.size(), 0) <= 0) return -1;
  for (pollfd const& w : watched_) {
    if (w.revents == 0) continue;
    for (Peer const& p : peers_) {  // the lowest: watched_ is in rank order
      if (p.fd == w.fd) return lost_ = p.rank;
    }
  }
  return -1;
}

void PeerWatch::check() {
  int const gone = lost();
  if (gone < 0) return;
  Peer const& p = peers_[static_cast<std::size_t>(gone)];
  // The lowest rank still alive says it: rank 0, or the next when rank 0 is the lost one.
  bool speaker = true;
  for (Peer const& q : peers_) {  // ranks on other hosts see nothing: this host's lowest says it
    if (q.rank >= me_) break;
    if (q.fd >= 0 && !ended(q.fd)) speaker = false;
  }
  throw RankLost("rank " + std::to_string(gone) + " (pid " + std::to_string(p.pid) + " on " +
                     p.host.substr(0, p.host.rfind(':')) +
                     ") ended without a word (killed?); the job cannot go on",
                 speaker);
}

}  // namespace parfold
