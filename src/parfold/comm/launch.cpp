#include "parfold/comm/launch.hpp"

#include <mpi.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace parfold {

namespace {
bool read_int(char const* name, int& out) {
  char const* v = std::getenv(name);
  if (v == nullptr) return false;
  std::string_view const s(v);
  auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}
}  // namespace

Launch detect_launch() {
  Launch l;
  // Open MPI's mpirun/mpiexec.
  if (read_int("OMPI_COMM_WORLD_SIZE", l.size) && read_int("OMPI_COMM_WORLD_RANK", l.rank)) {
    l.launcher = "mpirun";
    return l;
  }
  // srun (a job step: SLURM_STEP_ID is not set in a batch script itself).
  if (std::getenv("SLURM_STEP_ID") != nullptr && read_int("SLURM_STEP_NUM_TASKS", l.size) &&
      read_int("SLURM_PROCID", l.rank)) {
    l.launcher = "srun";
    return l;
  }
  // MPICH's Hydra and other PMI launchers.
  if (read_int("PMI_SIZE", l.size) && read_int("PMI_RANK", l.rank)) {
    l.launcher = "mpiexec";
    return l;
  }
  return Launch{};
}

std::string mpi_library_version() {
  char lib[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(lib, &len);
  std::string s(lib, static_cast<std::size_t>(len));
  if (auto const cut = s.find_first_of(",\n"); cut != std::string::npos) s.resize(cut);
  return s;
}

}  // namespace parfold
