#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"

namespace parfold {

/// Carries records (opaque bytes) from every worker thread of every rank to rank 0 as
/// they are made, and one word (a small integer, such as "halt") from rank 0 back to
/// every rank. Only the main thread of a rank talks MPI (MPI_THREAD_FUNNELED): worker
/// threads post(), and the main thread pumps while it waits for them (run_chunks calls
/// pump() from its idle loop when the courier is among the run's Services). Rank 0's
/// records are delivered from memory, without MPI; with one rank there is no MPI at all.
/// Records from one rank are delivered in the order it posted them.
class Courier {
 public:
  /// Rank 0, main thread: called once per record, in arrival order.
  using Deliver = std::function<void(std::string&& record)>;

  /// \note With MPI this is a collective operation over all ranks (it duplicates the
  /// team's communicator, so that its messages never mix with anyone else's).
  Courier(Team const& team, Deliver deliver);
  ~Courier();
  Courier(Courier const&) = delete;
  Courier& operator=(Courier const&) = delete;

  /// Any thread of any rank: queues `record` for rank 0.
  void post(std::string record);
  /// Main thread: sends what this rank's threads posted (rank 0: delivers it, and what
  /// arrived from the other ranks) and takes in rank 0's word.
  void pump();
  /// Rank 0, main thread: tells every rank `word` (non-zero); only the first word counts.
  void tell(int word);
  /// Any thread: rank 0's word as far as this rank has heard it; 0 before any.
  [[nodiscard]] int told() const { return word_.load(std::memory_order_relaxed); }
  /// Main thread, after the workers posted their last record: returns once every
  /// record posted on any rank has been delivered on rank 0, and every rank knows rank
  /// 0's word. The courier can then carry another run's records.
  /// \note With MPI this is a collective operation over all ranks.
  void finish();

 private:
  struct Sending;
  void send_posted();
  void receive_arrived();
  bool sends_done();
  std::vector<std::string> take_posted();

  Team const& team_;
  Comm comm_;
  Deliver deliver_;
  std::mutex mutex_;  ///< guards posted_
  std::vector<std::string> posted_;
  std::deque<Sending> sending_;  ///< non-root: records on their way to rank 0
  std::vector<Sending> words_;   ///< rank 0: the word on its way to each rank
  std::atomic<int> word_{0};
  int ended_ = 0;  ///< rank 0: ranks whose end-of-run mark arrived
};

}  // namespace parfold
