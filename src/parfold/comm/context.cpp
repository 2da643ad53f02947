#include "parfold/comm/context.hpp"
#include "parfold/comm/peers.hpp"

#include <mpi.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "parfold/comm/launch.hpp"
#include "parfold/comm/mpi_runtime.hpp"
#include "parfold/core/errors.hpp"

namespace parfold {

std::uint64_t Team::workers() const { return first_worker(ranks()); }

std::uint64_t Team::first_worker(int r) const {
  return std::accumulate(threads.begin(), threads.begin() + r, std::uint64_t{0});
}

std::vector<int> affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (std::size_t c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(static_cast<int>(c));
    }
  }
  if (cpus.empty()) cpus.push_back(0);
  return cpus;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::vector<int> fair_threads(std::vector<std::vector<int>> const& masks) {
  std::map<int, int> sharers;
  for (auto const& m : masks) {
    for (int c : m) ++sharers[c];
  }
  std::vector<int> threads;
  double cumulative = 0;
  for (auto const& m : masks) {
    double share = 0;
    for (int c : m) share += 1.0 / sharers[c];
    long const before = std::lround(cumulative);
    cumulative += share;
    threads.push_back(std::max(1, static_cast<int>(std::lround(cumulative) - before)));
  }
  return threads;
}

Comm node_comm(Comm const& comm) {
  if (!comm.uses_mpi()) return comm;
  // Boost.MPI has no MPI_Comm_split_type: the node's ranks come from raw MPI.
  MPI_Comm node_raw = MPI_COMM_NULL;
  MPI_Comm_split_type(comm.mpi(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node_raw);
  return Comm{boost::mpi::communicator(node_raw, boost::mpi::comm_take_ownership)};
}

namespace {

/// This rank's default threads: its fair share of its node's CPUs.
/// \note A collective operation over the ranks of `comm`.
int fair_share(Comm const& comm) {
  if (!comm.uses_mpi()) return static_cast<int>(affinity_cpus().size());
  Comm const node = node_comm(comm);
  return fair_threads(node.all_gather(affinity_cpus()))[static_cast<std::size_t>(node.rank())];
}

}  // namespace

Team Team::local(int threads) {
  Team t;
  t.threads = {threads};
  t.host = host_name();
  return t;
}

Team Team::over(Comm comm, int threads) {
  Team t;
  t.dispatch = comm.dup();
  t.observe = comm.dup();
  t.failure = comm.dup();
  t.threads = comm.all_gather(threads);
  t.peers = std::make_shared<PeerWatch>(comm);
  t.comm = std::move(comm);
  t.host = host_name();
  return t;
}

Team Team::with_threads(int mine) const {
  Team t = *this;
  t.threads = comm.all_gather(mine);
  return t;
}

int Context::refuse_low_thread_level() {
  int provided = 0;
  MPI_Query_thread(&provided);
  std::string const why = thread_level_refusal(provided);
  if (why.empty()) return provided;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  env_.reset();  // MPI_Finalize on every rank, before the throw (Boost aborts during one)
  throw ThreadLevelRefused(why, rank == 0);
}

Context::Context(int& argc, char**& argv, std::optional<int> threads) {
  Launch const launch = detect_launch();
  if (!launch.uses_mpi()) {
    team_ = Team::local(threads.value_or(static_cast<int>(affinity_cpus().size())));
  } else {
    // Only each rank's main thread calls MPI; workers never do.
    env_ = std::make_unique<boost::mpi::environment>(argc, argv, boost::mpi::threading::funneled,
                                                     true);
    int const provided = refuse_low_thread_level();
    Comm const world{boost::mpi::communicator()};
    team_ = Team::over(world.dup(), threads.value_or(0) > 0 ? *threads : fair_share(world));
    team_.thread_level_asked = thread_level_needed();
    team_.thread_level_provided = provided;
  }
  team_.launcher = launch.launcher;
  team_.launched_ranks = launch.size;
}

Context::Context(MPI_Comm comm, std::optional<int> threads) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized == 0) throw UsageError("parfold::Context(MPI_Comm): MPI is not initialised");
  Comm const caller{boost::mpi::communicator(comm, boost::mpi::comm_attach)};
  team_ = Team::over(caller.dup(), threads.value_or(0) > 0 ? *threads : fair_share(caller));
  team_.launcher = "caller";
  team_.launched_ranks = team_.ranks();
}

Context::~Context() = default;

}  // namespace parfold
