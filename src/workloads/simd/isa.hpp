#pragma once
// Which instruction set the SIMD kernels (pi, lines count, literal search) use: the widest
// this CPU has, chosen once at run time; PARFOLD_ISA=sse2|avx2|avx512 caps it (to compare
// the paths, or to rule one out), never raising it above what the CPU has.

namespace parfold::simd {

enum class Isa { sse2, avx2, avx512 };

/// The instruction set the kernels use in this process (decided on the first call).
[[nodiscard]] Isa kernel_isa();
[[nodiscard]] char const* to_string(Isa isa);

/// The one of three things (kernels, lane counts) that goes with kernel_isa().
template <class T>
[[nodiscard]] T for_kernel_isa(T sse2, T avx2, T avx512) {
  switch (kernel_isa()) {
    case Isa::sse2:
      return sse2;
    case Isa::avx2:
      return avx2;
    case Isa::avx512:
      break;
  }
  return avx512;
}

}  // namespace parfold::simd
