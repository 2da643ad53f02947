#include <gtest/gtest.h>

#include <cstdlib>

#include "parfold/comm/context.hpp"
#include "parfold/comm/launch.hpp"

namespace parfold {
namespace {

TEST(FairThreads, SharesEachCpuAmongItsRanks) {
  // Unbound ranks on 4 CPUs: 4 threads in all, spread 2,1,1 (never oversubscribed).
  EXPECT_EQ(fair_threads({{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}}), (std::vector<int>{1, 2, 1}));
  EXPECT_EQ(fair_threads({{0, 1, 2, 3}, {0, 1, 2, 3}}), (std::vector<int>{2, 2}));
  // Bound ranks keep their own CPUs.
  EXPECT_EQ(fair_threads({{0, 1}, {2, 3}, {4, 5, 6, 7}}), (std::vector<int>{2, 2, 4}));
  // More ranks than CPUs: at least one thread each.
  EXPECT_EQ(fair_threads({{0, 1}, {0, 1}, {0, 1}, {0, 1}}), (std::vector<int>{1, 1, 1, 1}));
  EXPECT_EQ(fair_threads({{0}}), (std::vector<int>{1}));
}

TEST(Team, WorkerNumbering) {
  Team t;
  t.threads = {2, 3, 1};
  EXPECT_EQ(t.workers(), 6U);
  EXPECT_EQ(t.first_worker(0), 0U);
  EXPECT_EQ(t.first_worker(2), 5U);
}

TEST(Launch, DetectsLaunchersFromTheEnvironment) {
  for (char const* v : {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "SLURM_STEP_ID",
                        "SLURM_STEP_NUM_TASKS", "SLURM_PROCID", "PMI_SIZE", "PMI_RANK"}) {
    unsetenv(v);
  }
  EXPECT_EQ(detect_launch().launcher, "none");
  EXPECT_FALSE(detect_launch().uses_mpi());
  setenv("SLURM_PROCID", "0", 1);  // a batch script, not a job step
  setenv("SLURM_STEP_NUM_TASKS", "4", 1);
  EXPECT_EQ(detect_launch().launcher, "none");
  setenv("SLURM_STEP_ID", "0", 1);
  EXPECT_EQ(detect_launch().launcher, "srun");
  EXPECT_EQ(detect_launch().size, 4);
  setenv("OMPI_COMM_WORLD_SIZE", "3", 1);
  setenv("OMPI_COMM_WORLD_RANK", "2", 1);
  Launch const l = detect_launch();
  EXPECT_EQ(l.launcher, "mpirun");
  EXPECT_EQ(l.rank, 2);
  EXPECT_TRUE(l.uses_mpi());
  for (char const* v : {"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "SLURM_STEP_ID",
                        "SLURM_STEP_NUM_TASKS", "SLURM_PROCID"}) {
    unsetenv(v);
  }
}

}  // namespace
}  // namespace parfold
