#include "workloads/simd/isa.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace parfold::simd {

namespace {

Isa detect() {
  // AVX-512: the kernels use F (ternary logic, blends, 64-bit lanes) and BW (byte compares into
  // masks).
  if (__builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0)
    return Isa::avx512;
  if (__builtin_cpu_supports("avx2") != 0) return Isa::avx2;
  return Isa::sse2;
}

Isa choose() {
  Isa const cpu = detect();
  char const* cap = std::getenv("PARFOLD_ISA");
  if (cap == nullptr) return cpu;
  for (Isa isa : {Isa::sse2, Isa::avx2, Isa::avx512}) {
    if (std::string_view(cap) == to_string(isa)) return std::min(isa, cpu);
  }
  return cpu;
}

}  // namespace

Isa kernel_isa() {
  static Isa const isa = choose();
  return isa;
}

char const* to_string(Isa isa) {
  switch (isa) {
    case Isa::sse2:
      return "sse2";
    case Isa::avx2:
      return "avx2";
    case Isa::avx512:
      break;
  }
  return "avx512";
}

}  // namespace parfold::simd
