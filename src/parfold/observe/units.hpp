#pragma once

#include <cstdint>
#include <string>

namespace parfold {

/// "1.23 M": three significant digits and an SI prefix ("523" below 1000).
[[nodiscard]] std::string si(double v);
/// "1,234,567": digits in groups of three ("-1,234" for negative numbers).
[[nodiscard]] std::string group_digits(std::string const& digits);
[[nodiscard]] std::string group_digits(std::uint64_t n);
/// "12.3 s", "4m05s", "2h10m".
[[nodiscard]] std::string duration_text(double seconds);
/// "1 chunk", "2 chunks", "1,000 items": a count with its noun, singular or plural.
[[nodiscard]] std::string count_of(std::uint64_t n, std::string const& noun);

}  // namespace parfold
