// The public API's cost, for bench.py: a fold with an empty body (dispatch cost per
// chunk), and pi written as a user kernel (the built-in Philox kernel called from a
// lambda) to compare with the built-in `parfold pi`. Prints one JSON object.
//   api_bench empty COUNT THREADS       (dynamic, chunk 1)
//   api_bench pi SAMPLES THREADS        (static, automatic chunk)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include <parfold/parfold.hpp>

#include "workloads/philox.hpp"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  std::string const mode = argv[1];
  std::uint64_t const n = std::stoull(argv[2]);
  parfold::Context ctx(argc, argv, std::stoi(argv[3]));
  parfold::Options opt;
  auto const add = [](std::uint64_t& into, std::uint64_t const& from) { into += from; };
  auto const t0 = std::chrono::steady_clock::now();
  std::uint64_t result = 0;
  if (mode == "empty") {
    opt.schedule = parfold::Schedule::parse("dynamic", 1);
    result = parfold::fold(
        ctx, n, std::uint64_t{0}, [](parfold::Range r, std::uint64_t& acc) { acc += r.size(); },
        add, opt);
  } else {
    // Chunks of 2^16 samples at least, as the built-in pi's grain.
    opt.schedule = parfold::Schedule::parse("static");
    result = parfold::fold(
        ctx, n, std::uint64_t{0},
        [](parfold::Range r, std::uint64_t& hits) { hits += parfold::pi_hits(r, 0); }, add, opt);
  }
  double const wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (ctx.is_root()) {
    std::printf("{\"result\": %llu, \"wall_s\": %.6f, \"workers\": %d}\n",
                static_cast<unsigned long long>(result), wall, ctx.ranks() * ctx.threads());
  }
  return 0;
}
