// `parfold info`: where every rank landed (host, pid, CPUs, threads) and what MPI is.
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdlib>
#include <map>
#include <set>

#include "app/registry.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/comm/launch.hpp"
#include "parfold/comm/mpi_runtime.hpp"
#include "parfold/observe/units.hpp"

namespace parfold {

namespace {

/// What one rank reports about itself.
struct RankInfo {
  int rank = 0;
  std::string host;
  long pid = 0;
  std::vector<int> cpus;  ///< the CPUs it may run on (affinity mask)
  int online = 0;         ///< CPUs online on its host
  int threads = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& rank& host& pid& cpus& online& threads;
  }
};

/// "0-3,8,10-11"
std::string cpu_list(std::vector<int> const& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::string mpi_library() {
  std::string const s = mpi_library_version();
  int major = 0, minor = 0;
  MPI_Get_version(&major, &minor);
  return s + " (MPI " + std::to_string(major) + "." + std::to_string(minor) + ")";
}

/// The MPI library's name, version and thread levels (asked, provided: null before
/// MPI_Init_thread) as --json gives them; `text` gets the same in words.
nlohmann::ordered_json mpi_json(Team const& team, std::string& text) {
  MpiLibrary const lib = split_library_version(mpi_library_version());
  bool const initialized = team.thread_level_provided >= 0;
  auto level = [&](int l) {
    return initialized ? nlohmann::ordered_json(thread_level_name(l)) : nlohmann::ordered_json();
  };
  text += "MPI library: " + lib.name + (lib.version.empty() ? "" : " " + lib.version) +
          "\nMPI thread level: " +
          (initialized ? "asked " + thread_level_name(team.thread_level_asked) + ", provided " +
                             thread_level_name(team.thread_level_provided)
                       : std::string("none asked (MPI not initialized)")) +
          "\n";
  return {{"name", lib.name},
          {"version", lib.version},
          {"thread_level",
           {{"asked", level(team.thread_level_asked)},
            {"provided", level(team.thread_level_provided)}}}};
}

/// The Slurm job this runs in, if any: the variables a cluster user checks first.
nlohmann::ordered_json slurm_env() {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (char const* name : {"SLURM_JOB_ID", "SLURM_JOB_NODELIST", "SLURM_NNODES", "SLURM_NTASKS",
                           "SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE", "SLURM_STEP_ID"}) {
    if (char const* v = std::getenv(name)) j[name] = v;
  }
  return j;
}

/// Per host: the CPUs its ranks may use (union of masks) and the threads they run.
struct Host {
  std::set<int> cpus;
  int threads = 0, ranks = 0, online = 0;
};

std::map<std::string, Host> hosts_of(std::vector<RankInfo> const& all) {
  std::map<std::string, Host> hosts;
  for (RankInfo const& i : all) {
    Host& h = hosts[i.host];
    h.cpus.insert(i.cpus.begin(), i.cpus.end());
    h.threads += i.threads;
    ++h.ranks;
    h.online = i.online;
  }
  return hosts;
}

std::vector<std::string> warnings_for(Team const& team, std::map<std::string, Host> const& hosts) {
  std::vector<std::string> warnings;
  for (auto const& [name, h] : hosts) {
    if (static_cast<std::size_t>(h.threads) > h.cpus.size()) {
      warnings.push_back(name + " runs " + std::to_string(h.threads) + " threads on " +
                         std::to_string(h.cpus.size()) + " usable CPUs (oversubscribed)");
    }
  }
  if (team.launched_ranks != team.ranks()) {
    warnings.push_back(team.launcher + " started " + std::to_string(team.launched_ranks) +
                       " tasks but MPI sees " +
                       count_of(static_cast<std::uint64_t>(team.ranks()), "rank") +
                       ": each task runs the whole job on its own (for srun, try --mpi=pmix)");
  }
  return warnings;
}

/// The rank table and the host lines of the text report, and their JSON.
std::string rank_rows(std::vector<RankInfo> const& all, nlohmann::ordered_json& ranks) {
  std::string text = "rank  host                  pid      threads  cpus\n";
  for (RankInfo const& i : all) {
    ranks.push_back({{"rank", i.rank},
                     {"host", i.host},
                     {"pid", i.pid},
                     {"cpus", i.cpus},
                     {"cpu_list", cpu_list(i.cpus)},
                     {"threads", i.threads}});
    char line[512];
    std::snprintf(line, sizeof(line), "%4d  %-20s  %-7ld  %7d  %s (%zu)\n", i.rank, i.host.c_str(),
                  i.pid, i.threads, cpu_list(i.cpus).c_str(), i.cpus.size());
    text += line;
  }
  return text;
}

std::string host_rows(std::map<std::string, Host> const& hosts, nlohmann::ordered_json& rows) {
  std::string text;
  for (auto const& [name, h] : hosts) {
    rows.push_back({{"host", name},
                    {"ranks", h.ranks},
                    {"threads", h.threads},
                    {"usable_cpus", h.cpus.size()},
                    {"online_cpus", h.online}});
    text += "host " + name + ": " + count_of(static_cast<std::uint64_t>(h.ranks), "rank") + ", " +
            count_of(static_cast<std::uint64_t>(h.threads), "thread") + ", " +
            std::to_string(h.cpus.size()) + " usable CPUs of " + std::to_string(h.online) +
            " online\n";
  }
  return text;
}

Report run_info(Team const& team) {
  RankInfo const mine{team.rank(),
                      team.host,
                      static_cast<long>(getpid()),
                      affinity_cpus(),
                      static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)),
                      team.my_threads()};
  std::vector<RankInfo> const all = team.comm.gather(mine);
  Report r{.workload = "info", .launcher = team.launcher};
  if (!team.is_root()) return r;

  auto const hosts = hosts_of(all);
  std::size_t cores = 0;
  int threads = 0;
  for (auto const& [name, h] : hosts) {
    cores += h.cpus.size();
    threads += h.threads;
  }
  std::vector<std::string> const warnings = warnings_for(team, hosts);
  std::string const mpi = mpi_library();
  bool const initialized = team.comm.uses_mpi();
  std::string const mpi_state =
      initialized ? "initialized, " + count_of(static_cast<std::uint64_t>(team.ranks()), "rank")
                  : "not initialized (one rank: the local thread pool runs alone)";
  nlohmann::ordered_json ranks = nlohmann::ordered_json::array(),
                         hosts_json = nlohmann::ordered_json::array();
  std::string text = rank_rows(all, ranks) + "\n" + host_rows(hosts, hosts_json);
  text += "total: " + count_of(hosts.size(), "host") + ", " +
          count_of(static_cast<std::uint64_t>(team.ranks()), "rank") + ", " +
          count_of(static_cast<std::uint64_t>(threads), "thread") + ", " + count_of(cores, "core") +
          "\n";
  text += "launcher: " + team.launcher + "\nMPI: " + mpi + ", " + mpi_state + "\n";
  nlohmann::ordered_json mpi_info = {{"library", mpi}, {"initialized", initialized}};
  mpi_info.update(mpi_json(team, text));
  nlohmann::ordered_json const slurm = slurm_env();
  if (!slurm.empty()) {
    text += "slurm:";
    for (auto const& [k, v] : slurm.items()) text += " " + k + "=" + v.get<std::string>();
    text += "\n";
  }
  for (std::string const& w : warnings) text += "warning: " + w + "\n";
  r.text = text;
  r.json = nlohmann::ordered_json{
      {"ranks", ranks},
      {"hosts", hosts_json},
      {"totals",
       {{"hosts", hosts.size()}, {"ranks", team.ranks()}, {"threads", threads}, {"cores", cores}}},
      {"launcher", team.launcher},
      {"launched_ranks", team.launched_ranks},
      {"mpi", mpi_info},
      {"slurm", slurm},
      {"warnings", warnings}};
  return r;
}

}  // namespace

void setup_info(CLI::App& app, Job& job) {
  auto* sub = app.add_subcommand(
      "info", "Where every rank landed: host, pid, CPUs, threads; launcher and MPI library");
  sub->footer(
      "Run it the way you run your job to check that mpirun, srun and the binding do what\n"
      "you think:\n"
      "  parfold info\n"
      "  mpirun -n 4 parfold info\n"
      "  srun -N 2 --ntasks-per-node 2 --cpus-per-task 4 parfold info --json");
  sub->final_callback(
      [&job] { job.run = [](Team const& team, Services, Schedule) { return run_info(team); }; });
}

}  // namespace parfold
