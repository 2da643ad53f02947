#include "workloads/int256.hpp"

#include <algorithm>

namespace parfold {

std::string Int256::to_string() const {
  bool const neg = negative();
  std::array<std::uint64_t, 4> mag = neg ? (-*this).limbs_ : limbs_;
  std::string digits;
  auto is_zero = [&] { return std::all_of(mag.begin(), mag.end(), [](auto l) { return l == 0; }); };
  do {
    // Divide the magnitude by 10^19 (long division, high limb first).
    constexpr std::uint64_t kBase = 10'000'000'000'000'000'000ULL;
    u128 rem = 0;
    for (std::size_t i = 4; i-- > 0;) {
      u128 const cur = (rem << 64) | mag[i];
      mag[i] = static_cast<std::uint64_t>(cur / kBase);
      rem = cur % kBase;
    }
    auto part = static_cast<std::uint64_t>(rem);
    for (int d = 0; d < 19; ++d) {
      digits.push_back(static_cast<char>('0' + part % 10));
      part /= 10;
      if (part == 0 && is_zero()) break;
    }
  } while (!is_zero());
  if (neg) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace parfold
