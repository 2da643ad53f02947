#include "parfold/process/environment.hpp"

#include <algorithm>
#include <array>
#include <set>

extern char** environ;  // NOLINT: POSIX

namespace parfold {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// Open MPI's per-job runtime settings among OMPI_MCA_* (the user's own MCA settings,
/// e.g. OMPI_MCA_btl, are not job identities and stay).
constexpr std::array<std::string_view, 6> kOmpiRuntime{
    "OMPI_MCA_orte_",        "OMPI_MCA_ess",           "OMPI_MCA_pmix",
    "OMPI_MCA_initial_wdir", "OMPI_MCA_shmem_RUNTIME", "OMPI_MCA_mpi_yield_when_idle"};
/// What srun sets for the tasks of one step.
constexpr std::array<std::string_view, 21> kSlurmStep{"SLURM_PROCID",
                                                      "SLURM_LOCALID",
                                                      "SLURM_NODEID",
                                                      "SLURM_STEP_ID",
                                                      "SLURM_STEPID",
                                                      "SLURM_STEP_NUM_TASKS",
                                                      "SLURM_STEP_NUM_NODES",
                                                      "SLURM_STEP_NODELIST",
                                                      "SLURM_STEP_TASKS_PER_NODE",
                                                      "SLURM_STEP_LAUNCHER_PORT",
                                                      "SLURM_STEP_RESV_PORTS",
                                                      "SLURM_TASK_PID",
                                                      "SLURM_GTIDS",
                                                      "SLURM_LAUNCH_NODE_IPADDR",
                                                      "SLURM_SRUN_COMM_HOST",
                                                      "SLURM_SRUN_COMM_PORT",
                                                      "SLURM_MPI_TYPE",
                                                      "SLURM_PMIX_MAPPING_SERV",
                                                      "SLURM_PMIXP_ABORT_AGENT_PORT",
                                                      "SLURM_DISTRIBUTION",
                                                      "SLURM_CPU_BIND"};

/// What MPICH's and Intel MPI's Hydra (HYDI_* its own), Cray's PALS (its per-rank PALS_*) and ALPS
/// set for one process of one job (PMI_* and PMIX_* are taken whole). Hydra's MPIR_CVAR_* is the
/// host it launched on; the user's own MPIR_CVAR_*, HYDRA_* and I_MPI_* settings stay.
constexpr std::array<std::string_view, 15> kLauncherPrefixes{
    "HYDI_",       "MPI_LOCALRANKID", "MPI_LOCALNRANKS", "MPIR_CVAR_CH3_INTERFACE_HOSTNAME",
    "PALS_RANKID", "PALS_NODEID",     "PALS_APID",       "PALS_DEPTH",
    "PALS_LOCAL_", "PALS_APINFO",     "PALS_SPOOL_DIR",  "ALPS_APP_",
    "PMI_",        "PMIX_",           "OMPI_COMM_WORLD_"};

}  // namespace

bool identifies_launched_rank(std::string_view name) {
  if (std::any_of(kLauncherPrefixes.begin(), kLauncherPrefixes.end(),
                  [&](auto p) { return starts_with(name, p); }))
    return true;
  if (starts_with(name, "OMPI_")) {
    if (starts_with(name, "OMPI_ALLOW_RUN_AS_ROOT")) return false;
    if (!starts_with(name, "OMPI_MCA_")) return true;  // OMPI_COMM_WORLD_*, OMPI_UNIVERSE_SIZE, ...
    return std::any_of(kOmpiRuntime.begin(), kOmpiRuntime.end(),
                       [&](auto p) { return starts_with(name, p); });
  }
  if (starts_with(name, "SLURM_CPU_BIND")) return true;
  return std::find(kSlurmStep.begin(), kSlurmStep.end(), name) != kSlurmStep.end();
}

std::vector<std::string> child_environment(std::vector<std::string> const& extra) {
  std::set<std::string, std::less<>> replaced;
  for (std::string const& e : extra) replaced.insert(e.substr(0, e.find('=')));
  std::vector<std::string> out;
  for (char** p = environ; p != nullptr && *p != nullptr; ++p) {
    std::string_view const entry(*p);
    std::string_view const name = entry.substr(0, entry.find('='));
    if (identifies_launched_rank(name) || replaced.contains(name)) continue;
    out.emplace_back(entry);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

}  // namespace parfold
