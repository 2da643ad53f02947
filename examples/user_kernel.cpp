// Your own kernel through parfold: the number of primes below N and the sum of their
// squares mod 2^64, counted by trial division (uneven cost per item: a job for the
// dynamic schedule). The result is the same for any ranks, threads, schedule and chunk.
//   user_kernel [N] [SCHEDULE] [CHUNK]        mpirun -n 4 user_kernel 1000000 dynamic 1000
#include <cstdint>
#include <cstdio>
#include <string>

#include <parfold/parfold.hpp>

namespace {

bool is_prime(std::uint64_t n) {
  if (n < 2) return false;
  for (std::uint64_t d = 2; d * d <= n; ++d) {
    if (n % d == 0) return false;
  }
  return true;
}

/// A partial result: trivially copyable, so it needs no serialization code.
struct Primes {
  std::uint64_t count = 0;
  std::uint64_t square_sum = 0;  // mod 2^64: exact under any grouping
};

}  // namespace

int main(int argc, char** argv) {
  try {
    parfold::Context ctx(argc, argv);
    std::uint64_t const n = argc > 1 ? std::stoull(argv[1]) : 1'000'000;
    parfold::Options opt;
    opt.schedule = parfold::Schedule::parse(argc > 2 ? argv[2] : "dynamic",
                                            argc > 3 ? std::stoull(argv[3]) : 0);
    Primes const p = parfold::fold(
        ctx, n, Primes{},
        [](parfold::Range r, Primes& acc) {
          for (auto i = r.begin; i < r.end; ++i) {
            if (is_prime(i)) {
              ++acc.count;
              acc.square_sum += i * i;
            }
          }
        },
        [](Primes& into, Primes const& from) {
          into.count += from.count;
          into.square_sum += from.square_sum;
        },
        opt);
    if (ctx.is_root()) {
      std::printf(
          "primes below %llu: %llu (sum of squares mod 2^64: %llu) on %d rank(s) x %d thread(s)\n",
          static_cast<unsigned long long>(n), static_cast<unsigned long long>(p.count),
          static_cast<unsigned long long>(p.square_sum), ctx.ranks(), ctx.threads());
    }
    return 0;
  } catch (parfold::UsageError const& e) {
    std::fprintf(stderr, "user_kernel: %s\n", e.what());
    return 2;
  } catch (parfold::JobError const& e) {
    std::fprintf(stderr, "user_kernel: %s\n", e.what());
    return 1;
  }
}
