// A job in which one rank's worker throws mid-run. parfold's contract: the whole job
// ends quickly with a non-zero exit and a message naming the rank; no rank hangs in a
// collective. Run by tests/cli/cli_test.py (suite rank_failure) under mpirun.
//   failure_main SCHEDULE FAILING_RANK
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <chrono>

#include "exec/executor.hpp"
#include "exec/launch.hpp"
#include "exec/team.hpp"

namespace {
struct FailsOnOneRank {
  using Partial = std::uint64_t;
  int rank = 0;
  int failing_rank = 1;
  [[nodiscard]] std::uint64_t items() const { return 20000; }
  [[nodiscard]] static std::uint64_t grain() { return 1; }
  [[nodiscard]] static Partial identity() { return 0; }
  // Item by item, so that a worker of the failing rank fails once it has done 20 items
  // whatever its chunks' sizes (with one large guided chunk it still fails mid-chunk).
  void process(parfold::Range r, Partial& acc) const {
    for (std::uint64_t i = r.begin; i < r.end; ++i) {
      if (rank == failing_rank && acc >= 20) throw std::runtime_error("injected failure");
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // every rank gets work
      ++acc;
    }
  }
  static void combine(Partial& into, Partial const& from) { into += from; }
};
}  // namespace

int main(int argc, char** argv) {
  using namespace parfold;
  if (argc != 3) return 2;
  auto const kind = parse_schedule(argv[1]);
  int const failing_rank = std::stoi(argv[2]);
  auto runtime = Runtime::start(argc, argv, detect_launch(), 2);
  Team const& team = runtime->team();
  try {
    auto const r = execute(FailsOnOneRank{team.rank, failing_rank}, Schedule{*kind, 1}, team);
    if (team.is_root()) std::printf("finished: %llu items\n", static_cast<unsigned long long>(r.value));
  } catch (std::exception const& e) {
    runtime->fail(e.what());
  }
  return 0;
}
