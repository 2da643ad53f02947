// The pi kernel for CPUs with AVX-512 (compiled with -mavx512f -mavx512bw, called after a
// run-time check).
#include "workloads/philox_batch.hpp"
#include "workloads/simd/avx512.hpp"

namespace parfold::detail {
std::uint64_t pair_hits_avx512(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed) {
  return PhiloxBatch<simd::Avx512>::pair_hits(c_begin, blocks, seed);
}
}  // namespace parfold::detail
