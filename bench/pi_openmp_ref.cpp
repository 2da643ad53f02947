// The reference for the pi kernel: a plain OpenMP loop calling Random123's scalar
// Philox4x32-10, sample i as parfold defines it. Prints samples, hits and seconds.
//   OMP_NUM_THREADS=1 pi_openmp_ref 2000000000
#include <Random123/philox.h>
#include <omp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  std::uint64_t const samples = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000000ULL;
  std::uint64_t hits = 0;
  double const t0 = omp_get_wtime();
#pragma omp parallel for reduction(+ : hits) schedule(static)
  for (std::uint64_t c = 0; c < samples / 2; ++c) {
    r123::Philox4x32 rng;
    auto const w =
        rng({{static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), 0, 0}}, {{0, 0}});
    std::uint64_t const x0 = std::uint64_t{w[0]} * w[0], y0 = std::uint64_t{w[1]} * w[1];
    std::uint64_t const x1 = std::uint64_t{w[2]} * w[2], y1 = std::uint64_t{w[3]} * w[3];
    hits += (x0 + y0 >= x0) + (x1 + y1 >= x1);
  }
  std::printf("{\"samples\": %llu, \"hits\": %llu, \"wall_s\": %.6f, \"threads\": %d}\n",
              static_cast<unsigned long long>(samples / 2 * 2),
              static_cast<unsigned long long>(hits), omp_get_wtime() - t0, omp_get_max_threads());
  return 0;
}
