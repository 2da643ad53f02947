// Rank 0's service rate for chunk requests, for bench.py: every other rank asks rank 0
// for one chunk at a time, REQUESTS times, through the same code as a dynamic run
// (GrantClient, serve_grants). Prints one JSON object from rank 0: the requests it
// answered per second, and rank 1's mean round trip (one grant, request to answer).
//   mpirun -n RANKS grant_bench REQUESTS
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <parfold/parfold.hpp>

#include "parfold/run/chunk_source.hpp"
#include "parfold/run/dispatch.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::uint64_t const requests = std::stoull(argv[1]);
  parfold::Context ctx(argc, argv, 1);
  parfold::Team const& team = ctx.team();
  parfold::ChunkPlan const plan({0, std::uint64_t{1} << 50}, {parfold::ScheduleKind::dynamic, 1},
                                team.workers());
  parfold::Idle const idle = [] {};
  static_cast<void>(team.comm.max(0));  // everyone starts together
  auto const t0 = std::chrono::steady_clock::now();
  double round_trip_s = 0;
  std::uint64_t answered = 0;
  if (team.is_root()) {
    parfold::CounterSource counter(plan, team.workers());
    answered = team.ranks() > 1 ? parfold::serve_grants(team, counter, idle) : 0;
  } else {
    parfold::GrantClient rank0(team);
    for (std::uint64_t i = 0; i < requests; ++i) (void)rank0.ask(1, idle);
    round_trip_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                   static_cast<double>(requests);
    rank0.leave();
  }
  double const wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto const trips = team.comm.gather(round_trip_s);
  if (team.is_root()) {
    std::printf(
        "{\"ranks\": %d, \"requests\": %llu, \"wall_s\": %.6f, \"requests_per_s\": %.0f, "
        "\"round_trip_us\": %.3f}\n",
        team.ranks(), static_cast<unsigned long long>(answered), wall,
        static_cast<double>(answered) / wall, trips.size() > 1 ? trips[1] * 1e6 : 0.0);
  }
  return 0;
}
