#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace parfold {

/// A number on the command line that is not what the option takes.
class NumberError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Parses an integral count: `123`, `1e10`, `2.5e3`, `10G` (k, M, G, T = 10^3..10^12,
/// either case), `64Ki` (Ki, Mi, Gi, Ti = 2^10..2^40), optionally with `_` or `'` between digits.
/// Throws NumberError saying why for an empty, malformed, negative, fractional or out-of-range
/// value.
[[nodiscard]] std::uint64_t parse_u64(std::string_view text);
/// The same syntax with an optional sign, in the range of int64.
[[nodiscard]] std::int64_t parse_i64(std::string_view text);

/// "90", "90s", "1.5m", "2h", "1h30m" -> seconds (0 allowed); nothing when malformed.
[[nodiscard]] std::optional<double> parse_duration(std::string const& text);

}  // namespace parfold
