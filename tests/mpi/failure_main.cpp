// A job in which one rank's worker throws mid-run, through the public API. The
// contract: every rank gets the same parfold::JobError (message, rank, host) within
// seconds, no rank hangs in a collective, and nothing exits or aborts behind the
// caller's back. Run by tests/cli/cli_test.py (suite rank_failure) under mpirun.
//   failure_main SCHEDULE FAILING_RANK
// Prints "rank R caught: rank F (...): injected failure" on every rank, and on rank 0
// the CLI's message; exits 1.
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include <parfold/parfold.hpp>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  parfold::Context ctx(argc, argv, 2);
  parfold::Options opt;
  opt.schedule = parfold::Schedule::parse(argv[1], 1);
  int const failing_rank = std::stoi(argv[2]);
  int const rank = ctx.rank();
  try {
    // Item by item, so that a worker of the failing rank fails once it has done 20
    // items whatever its chunks' sizes (with one large guided chunk it still fails mid-chunk).
    auto const total = parfold::fold(
        ctx, 20000, std::uint64_t{0},
        [rank, failing_rank](parfold::Range r, std::uint64_t& acc) {
          for (std::uint64_t i = r.begin; i < r.end; ++i) {
            if (rank == failing_rank && acc >= 20) throw std::runtime_error("injected failure");
            std::this_thread::sleep_for(std::chrono::microseconds(20));  // every rank gets work
            ++acc;
          }
        },
        [](std::uint64_t& into, std::uint64_t const& from) { into += from; }, opt);
    if (ctx.is_root())
      std::printf("finished: %llu items\n", static_cast<unsigned long long>(total));
    return 0;
  } catch (parfold::JobError const& e) {
    std::printf("rank %d caught: %s\n", rank, e.what());
    std::fflush(stdout);
    if (ctx.is_root()) {
      std::fprintf(stderr, "parfold: error on rank %d (%s): %s\n", e.rank(), e.host().c_str(),
                   e.message().c_str());
    }
    return 1;
  }
}
