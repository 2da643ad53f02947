#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/stream/parcel.hpp"

namespace parfold {

/// Carries records (parcels: a few bytes and bodies of any size) from every worker thread
/// of every rank to rank 0 as they are made, and one word (a small integer, such as
/// "halt") from rank 0 back to every rank. Only the main thread of a rank talks MPI
/// (MPI_THREAD_FUNNELED): worker threads post(), and the main thread pumps while it waits
/// for them (run_chunks calls pump() from its idle loop when the courier is among the
/// run's Services). Rank 0's records are delivered from memory, without MPI; with one rank
/// there is no MPI at all. Records from one rank are delivered in the order it posted them.
///
/// Memory stays bounded whatever the size of a record: records waiting on a rank are kept
/// as they are while they hold at most kOutboxMemory bytes in memory and kOutboxFiles
/// temporary files, later ones go to one temporary file (a spool) until their turn; a
/// record travels in messages of at most 1 MiB, at most kWindow bytes of them in flight
/// from each rank; rank 0 takes one record at a time, its bodies past 1 MiB each in a
/// temporary file.
class Courier {
 public:
  /// Rank 0, main thread: called once per record, in arrival order.
  using Deliver = std::function<void(Parcel&& record)>;
  static constexpr std::size_t kOutboxMemory = std::size_t{4} << 20;
  static constexpr int kOutboxFiles = 4;
  static constexpr std::size_t kWindow = std::size_t{2} << 20;

  /// \note With MPI this is a collective operation over all ranks (it duplicates the
  /// team's communicator, so that its messages never mix with anyone else's).
  Courier(Team const& team, Deliver deliver);
  ~Courier();
  Courier(Courier const&) = delete;
  Courier& operator=(Courier const&) = delete;

  /// Any thread of any rank: queues `record` for rank 0 (never waits for it to go).
  void post(Parcel record);
  void post(std::string record) { post(Parcel{std::move(record), {}}); }
  /// Any thread: queues `record` in memory, never in the spool (this rank's disk), once
  /// the records waiting here leave room for it within kOutboxMemory (or none wait), or at
  /// once when `give_up()` says so.
  void post_in_memory(Parcel record, std::function<bool()> const& give_up);
  /// Any thread: whether records of `bytes` more could wait on this rank in memory now.
  [[nodiscard]] bool has_room(std::size_t bytes);
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
  /// A record waiting on this rank, and what it holds.
  struct Posted {
    Parcel parcel;
    std::size_t memory = 0;
    bool file = false;  ///< a temporary file of its own
  };
  bool send_more();
  void receive_arrived();
  bool sends_done();
  /// A moment's pause; throws RankLost when a rank on this host ended meanwhile.
  void wait_alive();
  std::deque<Posted> take_posted();
  std::optional<Parcel> take_one();
  void count(Posted const& p, int sign);

  Team const& team_;
  Comm comm_;
  Deliver deliver_;
  std::mutex mutex_;  ///< guards posted_, kept_memory_, kept_files_
  std::deque<Posted> posted_;
  std::size_t kept_memory_ = 0;
  int kept_files_ = 0;
  std::mutex spool_mutex_;  ///< guards spool_
  Spool spool_{"courier"};
  std::optional<ParcelStream> current_;  ///< non-root: the record going out
  std::deque<Sending> sending_;          ///< non-root: its messages on their way to rank 0
  std::size_t sending_bytes_ = 0;
  std::optional<ParcelAssembler> arriving_;  ///< rank 0: the record coming in
  int arriving_from_ = -1;
  std::vector<Sending> words_;  ///< rank 0: the word on its way to each rank
  std::atomic<int> word_{0};
  int ended_ = 0;  ///< rank 0: ranks whose end-of-run mark arrived
};

}  // namespace parfold
