// The pi kernel for CPUs with AVX2 (compiled with -mavx2, called after a run-time check).
#include "workloads/philox_batch.hpp"
#include "workloads/simd/avx2.hpp"

namespace parfold::detail {
std::uint64_t pair_hits_avx2(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed) {
  return PhiloxBatch<simd::Avx2>::pair_hits(c_begin, blocks, seed);
}
}  // namespace parfold::detail
