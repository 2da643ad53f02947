#pragma once

#include <string>

namespace parfold {

/// How this process was started, read from the environment only (no MPI call).
struct Launch {
  std::string launcher = "none";  ///< none, mpirun, srun or mpiexec
  int rank = 0;
  int size = 1;

  /// MPI is used only with more than one rank; one rank runs the local pool.
  [[nodiscard]] bool uses_mpi() const { return size > 1; }
};

[[nodiscard]] Launch detect_launch();

/// The MPI library's name and version ("Open MPI v4.1.4"); callable before MPI_Init.
[[nodiscard]] std::string mpi_library_version();

}  // namespace parfold
