// A gtest main for tests that may run under mpirun: every rank runs every test, every
// rank's failed assertions are printed tagged with its rank, and the exit code is the
// maximum over ranks, so a failure on any rank fails the job.
#include <gtest/gtest.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <cstdio>
#include <functional>
#include <memory>

#include "mpi_gtest_main.hpp"
#include "parfold/comm/context.hpp"

namespace parfold::testing_support {

namespace {
std::unique_ptr<Context> g_context;

class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(::testing::TestPartResult const& r) override {
    if (!r.failed()) return;
    auto const* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::fprintf(stderr, "[rank %d] %s.%s %s:%d: Failure\n%s\n", rank_,
                 test != nullptr ? test->test_suite_name() : "?",
                 test != nullptr ? test->name() : "?",
                 r.file_name() != nullptr ? r.file_name() : "?", r.line_number(), r.summary());
    std::fflush(stderr);
  }

 private:
  int rank_;
};
}  // namespace

Team const& world_team() { return g_context->team(); }
Context const& world_context() { return *g_context; }

}  // namespace parfold::testing_support

int main(int argc, char** argv) {
  using namespace parfold;
  ::testing::InitGoogleTest(&argc, argv);
  testing_support::g_context = std::make_unique<Context>(argc, argv, 1);
  Team const& team = testing_support::world_team();

  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (!team.is_root()) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new testing_support::RankFailurePrinter(team.rank()));
  }
  int rc = RUN_ALL_TESTS();
  if (team.ranks() > 1) {
    int const mine = rc;
    rc = team.comm.max(mine);
    if (team.is_root() && rc != mine) {
      std::fprintf(stderr, "FAILED on another rank (see the [rank N] lines above)\n");
    }
  }
  testing_support::g_context.reset();
  return rc;
}
