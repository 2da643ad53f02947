#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/launch.hpp"

namespace boost::mpi {
class communicator;
class environment;
}  // namespace boost::mpi

namespace parfold {

class Monitor;
class Checkpoint;

/// The workers of a job: ranks, each with a number of threads. Global worker ids run
/// rank by rank: rank r's threads are first_worker(r) .. first_worker(r) + threads[r] - 1.
struct Team {
  int rank = 0;
  std::vector<int> threads{1};  ///< threads of each rank
  std::string host;
  std::string launcher = "none";
  boost::mpi::communicator const* comm = nullptr;  ///< null when MPI is not used
  Monitor* monitor = nullptr;  ///< traces and progress of the job; null: none
  Checkpoint* checkpoint = nullptr;  ///< --checkpoint; null: none

  [[nodiscard]] int ranks() const { return static_cast<int>(threads.size()); }
  [[nodiscard]] int my_threads() const { return threads[static_cast<std::size_t>(rank)]; }
  [[nodiscard]] std::uint64_t workers() const;
  [[nodiscard]] std::uint64_t first_worker(int r) const;
  [[nodiscard]] bool is_root() const { return rank == 0; }
};

/// The CPUs this process may run on (its affinity mask), sorted.
[[nodiscard]] std::vector<int> affinity_cpus();
[[nodiscard]] std::string host_name();

/// Owns MPI (when used) and the team. Chosen once, at start.
class Runtime {
 public:
  /// Without MPI (`launch.uses_mpi()` false) MPI is never initialized. With MPI, the
  /// default threads per rank share each node's CPUs fairly among its ranks.
  /// \note With MPI this is a collective operation over all ranks.
  static std::unique_ptr<Runtime> start(int& argc, char**& argv, Launch const& launch,
                                        std::optional<int> threads);
  ~Runtime();
  Runtime(Runtime const&) = delete;
  Runtime& operator=(Runtime const&) = delete;

  [[nodiscard]] Team const& team() const { return team_; }

  /// Ends the whole job after a failure known to this rank only: prints the message
  /// tagged with rank and host, then aborts every rank (MPI) or returns exit code 1.
  [[noreturn]] void fail(std::string const& message) const;

 private:
  Runtime() = default;
  std::unique_ptr<boost::mpi::environment> env_;
  std::unique_ptr<boost::mpi::communicator> world_;
  Team team_;
};

/// Fair share of the CPUs of one node: `masks[i]` are the CPUs rank i may use; each
/// CPU is split equally among the ranks that may use it, and the shares are rounded so
/// that they add up to the number of distinct CPUs; every rank gets at least 1 thread.
[[nodiscard]] std::vector<int> fair_threads(std::vector<std::vector<int>> const& masks);

}  // namespace parfold
