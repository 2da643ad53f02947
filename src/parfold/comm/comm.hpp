#pragma once

#include <mpi.h>

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/utility.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

namespace parfold {

/// How the ranks of a job talk: either one rank on its own (no MPI at all) or an MPI
/// communicator. Every operation works on both, so code above this layer never asks
/// which one it runs on. Values of trivially copyable types travel as their bytes;
/// others with Boost.Serialization.
/// \note Each operation is collective over the communicator's ranks.
class Comm {
 public:
  /// One rank, no MPI.
  Comm() = default;
  /// Works on `comm` itself (see dup() for a communicator of one's own).
  explicit Comm(boost::mpi::communicator comm) : mpi_(std::move(comm)) {}

  [[nodiscard]] int rank() const { return mpi_ ? mpi_->rank() : 0; }
  [[nodiscard]] int size() const { return mpi_ ? mpi_->size() : 1; }
  [[nodiscard]] bool is_root() const { return rank() == 0; }
  /// True when the ranks talk over MPI (even a single MPI rank).
  [[nodiscard]] bool uses_mpi() const { return mpi_.has_value(); }
  /// The MPI communicator (uses_mpi() only), for point-to-point subsystems.
  [[nodiscard]] boost::mpi::communicator const& mpi() const { return *mpi_; }

  /// A communicator over the same ranks with a message space of its own (MPI_Comm_dup),
  /// freed when its last copy goes.
  [[nodiscard]] Comm dup() const {
    if (!mpi_) return {};
    return Comm(boost::mpi::communicator(*mpi_, boost::mpi::comm_duplicate));
  }

  /// `value` from rank `root`, on every rank.
  template <class T>
  void broadcast(T& value, int root = 0) const {
    if (!mpi_) return;
    if constexpr (kBytes<T>) {
      MPI_Bcast(&value, sizeof(T), MPI_BYTE, root, *mpi_);
    } else {
      boost::mpi::broadcast(*mpi_, value, root);
    }
  }

  /// As broadcast(), for a trivially copyable value that may be long in coming (rank 0
  /// reading a slow stream): the other ranks wait for it asleep, testing every
  /// millisecond, instead of spinning inside MPI.
  template <class T>
  void broadcast_asleep(T& value, int root = 0) const {
    static_assert(kBytes<T>);
    if (!mpi_) return;
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibcast(&value, sizeof(T), MPI_BYTE, root, *mpi_, &request);
    for (int done = 0;;) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done != 0) return;
      if (rank() != root) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  /// `bytes` (`size` of them, already sized on every rank) from rank `root`, in pieces
  /// of at most 1 GiB.
  void broadcast_bytes(char* bytes, std::size_t size, int root = 0) const {
    if (!mpi_) return;
    constexpr std::size_t kPiece = std::size_t{1} << 30;
    for (std::size_t at = 0; at < size; at += kPiece) {
      MPI_Bcast(bytes + at, static_cast<int>(std::min(kPiece, size - at)), MPI_BYTE, root, *mpi_);
    }
  }

  /// Every rank's `value`, in rank order, on every rank.
  template <class T>
  [[nodiscard]] std::vector<T> all_gather(T const& value) const {
    if (!mpi_) return {value};
    std::vector<T> all(static_cast<std::size_t>(size()));
    if constexpr (kBytes<T>) {
      MPI_Allgather(&value, sizeof(T), MPI_BYTE, all.data(), sizeof(T), MPI_BYTE, *mpi_);
    } else {
      boost::mpi::all_gather(*mpi_, value, all);
    }
    return all;
  }

  /// Every rank's `value`, in rank order, on rank `root`; empty on the other ranks.
  template <class T>
  [[nodiscard]] std::vector<T> gather(T const& value, int root = 0) const {
    if (!mpi_) return {value};
    std::vector<T> all;
    if (rank() == root) all.resize(static_cast<std::size_t>(size()));
    if constexpr (kBytes<T>) {
      MPI_Gather(&value, sizeof(T), MPI_BYTE, all.data(), sizeof(T), MPI_BYTE, root, *mpi_);
    } else {
      boost::mpi::gather(*mpi_, value, all, root);
    }
    return all;
  }

  /// Every rank's `value` combined with `combine(into, from)` (associative and
  /// commutative) on rank `root`; `identity` on the other ranks. A trivially copyable
  /// value (a few counters: small) is gathered and combined on the root, one message
  /// per rank; any other (vectors, maps: possibly large) travels up a tree, so that no
  /// rank receives or combines more than about log2(ranks) of them.
  template <class T, class Combine>
  [[nodiscard]] T reduce(T value, T identity, Combine combine, int root = 0) const {
    if (!mpi_) return value;
    if constexpr (kBytes<T>) {
      for (T const& v : gather(value, root)) combine(identity, v);
      return identity;
    } else {
      // Binomial tree: at step k, ranks (from the root) with bit k set send their
      // value to the rank 2^k below and leave; the others take in what comes from 2^k above.
      int const n = size(), me = (rank() - root + n) % n;
      for (int step = 1; step < n; step <<= 1) {
        if ((me & step) != 0) {
          mpi_->send((me - step + root) % n, kReduceTag, value);
          return identity;
        }
        if (me + step < n) {
          T from;
          mpi_->recv((me + step + root) % n, kReduceTag, from);
          combine(value, from);
        }
      }
      return value;
    }
  }

  /// `out[r]` goes to rank r; returns what every rank sent this one, in rank order.
  template <class T>
  [[nodiscard]] std::vector<T> all_to_all(std::vector<T> const& out) const {
    if (!mpi_) return out;
    std::vector<T> in;
    boost::mpi::all_to_all(*mpi_, out, in);
    return in;
  }

  /// True on every rank when `flag` is true on any rank.
  [[nodiscard]] bool any(bool flag) const { return max(flag ? 1 : 0) != 0; }
  [[nodiscard]] int max(int value) const {
    if (!mpi_) return value;
    int out = 0;
    MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, *mpi_);
    return out;
  }

 private:
  template <class T>
  static constexpr bool kBytes = std::is_trivially_copyable_v<T>;
  static constexpr int kReduceTag = 32001;  // reduce()'s tree messages
  std::optional<boost::mpi::communicator> mpi_;
};

}  // namespace parfold
