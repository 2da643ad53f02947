#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parfold {

/// True for a variable by which an MPI launcher or a Slurm job step tells a process
/// which rank of which job it is (OMPI_COMM_WORLD_*, Open MPI's runtime settings,
/// PMIX_*, PMI_*, Hydra's HYDI_*, MPI_LOCALRANKID, MPI_LOCALNRANKS and
/// MPIR_CVAR_CH3_INTERFACE_HOSTNAME, Cray's PALS_RANKID, PALS_NODEID, PALS_APID, PALS_DEPTH,
/// PALS_LOCAL_*, PALS_APINFO, PALS_SPOOL_DIR and ALPS_APP_*, the step's SLURM_* task variables): a
/// child must not inherit them, or a task that itself starts mpirun, srun, mpi4py or parfold is
/// taken for a rank of this job. The user's own OMPI_MCA_*, MPIR_CVAR_*, HYDRA_* and I_MPI_*
/// settings and OMPI_ALLOW_RUN_AS_ROOT* are kept, and so are the job's SLURM_JOB_* variables (a
/// task may srun inside the allocation).
[[nodiscard]] bool identifies_launched_rank(std::string_view name);

/// This process's environment without those variables, plus `extra` ("KEY=VALUE",
/// replacing any variable of the same name).
[[nodiscard]] std::vector<std::string> child_environment(std::vector<std::string> const& extra);

}  // namespace parfold
