#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parfold/comm/comm.hpp"

namespace boost::mpi {
class environment;
}  // namespace boost::mpi

namespace parfold {

class PeerWatch;

/// The workers of a job, and the communicators its subsystems talk on: ranks, each
/// with a number of threads. Global worker ids run rank by rank: rank r's threads are
/// first_worker(r) .. first_worker(r) + threads[r] - 1. Cheap to copy (copies share
/// the communicators).
struct Team {
  Comm comm;                    ///< the job's collectives (gathers, reductions, agreement)
  Comm dispatch;                ///< chunk requests and grants (run/dispatch)
  Comm observe;                 ///< progress counts and clock alignment (observe/monitor)
  Comm failure;                 ///< failure notices (comm/failure)
  std::vector<int> threads{1};  ///< threads of each rank
  std::string host;
  std::string launcher = "none";
  int launched_ranks = 1;          ///< the ranks the launcher said it started
  int thread_level_asked = -1;     ///< of MPI_Init_thread; -1: MPI not initialized
  int thread_level_provided = -1;  ///< what the MPI library gave; -1: not initialized
  /// Sees the ranks on this host end (a rank killed outright); null without MPI.
  std::shared_ptr<PeerWatch> peers;

  /// One rank with `threads` threads, no MPI.
  [[nodiscard]] static Team local(int threads);
  /// The ranks of `comm` (used as it is), each with its own `threads`; duplicates one
  /// communicator per subsystem from it.
  /// \note With MPI this is a collective operation over all ranks.
  [[nodiscard]] static Team over(Comm comm, int threads);
  /// This team with `threads` threads on this rank (each rank gives its own).
  /// \note With MPI this is a collective operation over all ranks.
  [[nodiscard]] Team with_threads(int mine) const;

  [[nodiscard]] int rank() const { return comm.rank(); }
  [[nodiscard]] int ranks() const { return static_cast<int>(threads.size()); }
  [[nodiscard]] int my_threads() const { return threads[static_cast<std::size_t>(rank())]; }
  [[nodiscard]] std::uint64_t workers() const;
  [[nodiscard]] std::uint64_t first_worker(int r) const;
  [[nodiscard]] bool is_root() const { return rank() == 0; }
  /// The number of the next dispatched run (every rank counts alike), so that the
  /// messages of two runs never mix.
  [[nodiscard]] int next_dispatch_epoch() const { return (*dispatch_runs_)++; }

 private:
  std::shared_ptr<int> dispatch_runs_ = std::make_shared<int>(0);
};

/// Where a program's folds run: its ranks (MPI only when there is more than one, or
/// when the caller hands over a communicator) and each rank's threads.
class Context {
 public:
  /// As the parfold program: reads how the process was started (mpirun, mpiexec, srun)
  /// and initialises MPI only with more than one rank; finalises it when destroyed.
  /// `threads` per rank; default: each node's CPUs shared fairly among its ranks.
  /// \note With MPI this is a collective operation over all ranks.
  Context(int& argc, char**& argv, std::optional<int> threads = std::nullopt);
  /// On a communicator of an MPI that the caller initialised (MPI_THREAD_FUNNELED or
  /// more) and finalises: parfold works on duplicates of its own, never on `comm`.
  /// \note A collective operation over the ranks of `comm`.
  explicit Context(MPI_Comm comm, std::optional<int> threads = std::nullopt);
  ~Context();
  Context(Context const&) = delete;
  Context& operator=(Context const&) = delete;

  [[nodiscard]] int rank() const { return team_.rank(); }
  [[nodiscard]] int ranks() const { return team_.ranks(); }
  /// This rank's threads.
  [[nodiscard]] int threads() const { return team_.my_threads(); }
  [[nodiscard]] bool is_root() const { return team_.is_root(); }
  [[nodiscard]] std::string const& host() const { return team_.host; }
  /// How the ranks were started: none, mpirun, srun, mpiexec (or "caller").
  [[nodiscard]] std::string const& launcher() const { return team_.launcher; }
  [[nodiscard]] Team const& team() const { return team_; }

 private:
  /// The thread level MPI provides; below MPI_THREAD_FUNNELED, finalizes MPI and throws
  /// ThreadLevelRefused.
  int refuse_low_thread_level();
  std::unique_ptr<boost::mpi::environment> env_;  // destroyed last: MPI ends after the team
  Team team_;
};

/// The CPUs this process may run on (its affinity mask), sorted.
[[nodiscard]] std::vector<int> affinity_cpus();
[[nodiscard]] std::string host_name();
/// The ranks of `comm` that share this node's memory (MPI_COMM_TYPE_SHARED), in `comm`'s
/// order; `comm` itself without MPI.
/// \note With MPI this is a collective operation over the ranks of `comm`.
[[nodiscard]] Comm node_comm(Comm const& comm);

/// Fair share of the CPUs of one node: `masks[i]` are the CPUs rank i may use; each
/// CPU is split equally among the ranks that may use it, and the shares are rounded so
/// that they add up to the number of distinct CPUs; every rank gets at least 1 thread.
[[nodiscard]] std::vector<int> fair_threads(std::vector<std::vector<int>> const& masks);

}  // namespace parfold
