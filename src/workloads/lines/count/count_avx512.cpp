#include "workloads/lines/count/count_kernel.hpp"
#include "workloads/simd/avx512.hpp"

namespace parfold::detail {
LineCounts count_blocks_avx512(char const* p, std::uint64_t n, bool& after_sep) {
  return CountKernel<simd::Avx512>::blocks(p, n, after_sep);
}
std::uint64_t count_newlines_avx512(char const* p, std::uint64_t n) {
  return CountKernel<simd::Avx512>::newlines(p, n);
}
}  // namespace parfold::detail
