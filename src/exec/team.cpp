#include "exec/team.hpp"

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

std::unique_ptr<Runtime> Runtime::start(int& argc, char**& argv, Launch const& launch,
                                        std::optional<int> threads) {
  std::unique_ptr<Runtime> rt(new Runtime);
  Team& team = rt->team_;
  team.host = host_name();
  team.launcher = launch.launcher;
  if (!launch.uses_mpi()) {
    team.threads = {threads.value_or(static_cast<int>(affinity_cpus().size()))};
    return rt;
  }

  namespace mpi = boost::mpi;
  // Only each rank's main thread calls MPI; workers never do.
  rt->env_ = std::make_unique<mpi::environment>(argc, argv, mpi::threading::funneled, true);
  rt->world_ = std::make_unique<mpi::communicator>();
  mpi::communicator const& world = *rt->world_;
  team.rank = world.rank();
  team.comm = rt->world_.get();

  int mine = threads.value_or(0);
  if (!threads) {
    // Boost.MPI has no MPI_Comm_split_type: the node's ranks come from raw MPI.
    MPI_Comm node_raw = MPI_COMM_NULL;
    MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, world.rank(), MPI_INFO_NULL, &node_raw);
    mpi::communicator const node(node_raw, mpi::comm_take_ownership);
    std::vector<std::vector<int>> masks;
    mpi::all_gather(node, affinity_cpus(), masks);
    mine = fair_threads(masks)[static_cast<std::size_t>(node.rank())];
  }
  mpi::all_gather(world, mine, team.threads);
  return rt;
}

Runtime::~Runtime() = default;

void Runtime::fail(std::string const& message) const {
  if (team_.comm == nullptr) {
    std::fprintf(stderr, "parfold: error: %s\n", message.c_str());
    std::fflush(stderr);
    std::_Exit(1);
  }
  std::fprintf(stderr, "parfold: error on rank %d (%s): %s\n", team_.rank, team_.host.c_str(),
               message.c_str());
  std::fflush(stderr);
  team_.comm->abort(1);
  std::_Exit(1);
}

}  // namespace parfold
