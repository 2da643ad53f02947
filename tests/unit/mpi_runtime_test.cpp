// The MPI library's name and version, and the thread-level check (issue 25, section 1):
// no launcher lowers the level asked of MPI_Init_thread (MPICH's
// MPIR_CVAR_DEFAULT_THREAD_LEVEL applies to MPI_Init only), so the refusal is held here.
#include <gtest/gtest.h>
#include <mpi.h>

#include "parfold/comm/mpi_runtime.hpp"
#include "parfold/process/environment.hpp"

namespace parfold {
namespace {

TEST(MpiRuntime, SplitsLibraryVersions) {
  MpiLibrary const ompi = split_library_version("Open MPI v4.1.4");
  EXPECT_EQ(ompi.name, "Open MPI");
  EXPECT_EQ(ompi.version, "4.1.4");
  MpiLibrary const mpich = split_library_version("MPICH Version:\t4.0.2");
  EXPECT_EQ(mpich.name, "MPICH");
  EXPECT_EQ(mpich.version, "4.0.2");
  MpiLibrary const intel = split_library_version("Intel(R) MPI Library 2021.10 for Linux* OS");
  EXPECT_EQ(intel.name, "Intel(R) MPI Library 2021.10 for Linux* OS");
  EXPECT_EQ(intel.version, "");
}

TEST(MpiRuntime, NamesThreadLevels) {
  EXPECT_EQ(thread_level_name(MPI_THREAD_SINGLE), "MPI_THREAD_SINGLE");
  EXPECT_EQ(thread_level_name(MPI_THREAD_FUNNELED), "MPI_THREAD_FUNNELED");
  EXPECT_EQ(thread_level_name(MPI_THREAD_SERIALIZED), "MPI_THREAD_SERIALIZED");
  EXPECT_EQ(thread_level_name(MPI_THREAD_MULTIPLE), "MPI_THREAD_MULTIPLE");
  EXPECT_EQ(thread_level_needed(), MPI_THREAD_FUNNELED);
}

TEST(MpiRuntime, RefusesBelowFunneled) {
  EXPECT_EQ(thread_level_refusal(MPI_THREAD_SINGLE)
                .rfind("the MPI library provides thread level MPI_THREAD_SINGLE; parfold needs "
                       "MPI_THREAD_FUNNELED",
                       0),
            0U);
  EXPECT_EQ(thread_level_refusal(MPI_THREAD_FUNNELED), "");
  EXPECT_EQ(thread_level_refusal(MPI_THREAD_SERIALIZED), "");
  EXPECT_EQ(thread_level_refusal(MPI_THREAD_MULTIPLE), "");
}

// What `mpiexec.hydra -n 2 env` sets here (MPICH 4.0.2), Cray PALS's and PMIx's per-job
// names go; the user's MPICH, Hydra and Intel MPI settings stay.
TEST(Environment, HydraPalsAndPmixJobVariablesGoTheUsersTuningStays) {
  for (char const* name :
       {"PMI_RANK", "PMI_SIZE", "PMI_FD", "HYDI_CONTROL_FD", "MPI_LOCALRANKID", "MPI_LOCALNRANKS",
        "MPIR_CVAR_CH3_INTERFACE_HOSTNAME", "PALS_RANKID", "PALS_NODEID", "PALS_APID", "PALS_DEPTH",
        "PALS_LOCAL_RANKID", "PALS_LOCAL_SIZE", "ALPS_APP_PE", "PMIX_RANK", "PMIX_NAMESPACE",
        "PMIX_SERVER_URI41"}) {
    EXPECT_TRUE(identifies_launched_rank(name)) << name;
  }
  for (char const* name :
       {"MPIR_CVAR_ASYNC_PROGRESS", "MPIR_CVAR_DEFAULT_THREAD_LEVEL", "HYDRA_HOST_FILE",
        "I_MPI_HYDRA_HOST_FILE", "I_MPI_PIN_DOMAIN", "GFORTRAN_UNBUFFERED_PRECONNECTED"}) {
    EXPECT_FALSE(identifies_launched_rank(name)) << name;
  }
}

}  // namespace
}  // namespace parfold
