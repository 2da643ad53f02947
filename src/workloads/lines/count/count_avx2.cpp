#include "workloads/lines/count/count_kernel.hpp"
#include "workloads/simd/avx2.hpp"

namespace parfold::detail {
LineCounts count_blocks_avx2(char const* p, std::uint64_t n, bool& after_sep) {
  return CountKernel<simd::Avx2>::blocks(p, n, after_sep);
}
std::uint64_t count_newlines_avx2(char const* p, std::uint64_t n) {
  return CountKernel<simd::Avx2>::newlines(p, n);
}
}  // namespace parfold::detail
