// The pi kernel for every x86-64 CPU (SSE2).
#include "workloads/philox_batch.hpp"
#include "workloads/simd/sse2.hpp"

namespace parfold::detail {
std::uint64_t pair_hits_sse2(std::uint64_t c_begin, std::uint64_t blocks, std::uint64_t seed) {
  return PhiloxBatch<simd::Sse2>::pair_hits(c_begin, blocks, seed);
}
}  // namespace parfold::detail
