#include "workloads/simd/avx2.hpp"
#include "workloads/lines/count_kernel.hpp"

namespace parfold::detail {
LineCounts count_blocks_avx2(char const* p, std::uint64_t n, bool& after_sep) {
  return CountKernel<simd::Avx2>::blocks(p, n, after_sep);
}
}  // namespace parfold::detail
