#pragma once

#include <cstdint>
#include <string_view>

namespace parfold {

/// FNV-1a, 64 bits: the same on every rank and host. `h` continues an earlier hash.
[[nodiscard]] constexpr std::uint64_t fnv1a(std::string_view bytes,
                                            std::uint64_t h = 14695981039346656037ULL) {
  for (char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

}  // namespace parfold
