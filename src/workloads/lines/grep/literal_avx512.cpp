#include "workloads/lines/grep/literal_kernel.hpp"
#include "workloads/simd/avx512.hpp"

namespace parfold::detail {
std::size_t find_literal_avx512(char const* text, std::size_t n, std::size_t from,
                                char const* needle, std::size_t m) {
  return find_literal<simd::Avx512>(text, n, from, needle, m);
}
}  // namespace parfold::detail
