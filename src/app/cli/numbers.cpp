#include "app/cli/numbers.hpp"

#include <cmath>
#include <cstdlib>
#include "workloads/int256.hpp"

#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

namespace parfold {

namespace {

constexpr u128 kU64Max = std::numeric_limits<std::uint64_t>::max();

/// Magnitude of an unsigned number in our syntax; caps at kU64Max + 1 ("too large").
u128 parse_magnitude(std::string_view s) {
  if (s.empty()) throw NumberError("empty value");
  // Suffix: k, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024).
  int exponent = 0;
  u128 binary = 1;
  if (s.size() >= 2 && s.back() == 'i') {
    switch (s[s.size() - 2]) {
      case 'K': binary = u128{1} << 10; break;
      case 'M': binary = u128{1} << 20; break;
      case 'G': binary = u128{1} << 30; break;
      case 'T': binary = u128{1} << 40; break;
      default: throw NumberError("not a number");
    }
    s.remove_suffix(2);
  } else if (!s.empty()) {
    switch (s.back()) {
      case 'k': case 'K': exponent = 3; break;
      case 'm': case 'M': exponent = 6; break;
      case 'g': case 'G': exponent = 9; break;
      case 't': case 'T': exponent = 12; break;
      default: break;
    }
    if (exponent != 0) s.remove_suffix(1);
  }
  // Exponent.
  if (auto const e = s.find_first_of("eE"); e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    s = s.substr(0, e);
    bool neg_exp = false;
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) {
      neg_exp = exp[0] == '-';
      exp.remove_prefix(1);
    }
    if (exp.empty() || exp.size() > 3) throw NumberError("malformed exponent");
    int value = 0;
    for (char c : exp) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0) throw NumberError("malformed exponent");
      value = value * 10 + (c - '0');
    }
    exponent += neg_exp ? -value : value;
  }
  // Mantissa digits, with an optional decimal point.
  u128 mantissa = 0;
  bool seen_point = false, seen_digit = false, overflow = false;
  char prev = ' ';
  for (char c : s) {
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if ((c == '_' || c == '\'') && std::isdigit(static_cast<unsigned char>(prev)) != 0) {
      // digit separator
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      seen_digit = true;
      if (seen_point) --exponent;
      if (mantissa > kU64Max) {
        // Only trailing zeros can still keep a huge mantissa integral and in range.
        if (c != '0') overflow = true;
        if (!seen_point) ++exponent;
      } else {
        mantissa = mantissa * 10 + static_cast<unsigned>(c - '0');
      }
    } else {
      throw NumberError("not a number");
    }
    prev = c;
  }
  if (!seen_digit || prev == '_' || prev == '\'') throw NumberError("not a number");
  // Scale by 1024^k and 10^exponent exactly.
  mantissa *= binary;
  for (; exponent > 0 && mantissa != 0; --exponent) {
    mantissa *= 10;
    if (mantissa > kU64Max) return kU64Max + 1;
  }
  for (; exponent < 0; ++exponent) {
    if (mantissa % 10 != 0) throw NumberError("not a whole number");
    mantissa /= 10;
  }
  if (overflow || mantissa > kU64Max) return kU64Max + 1;
  return mantissa;
}

}  // namespace

std::uint64_t parse_u64(std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    if (parse_magnitude(text.substr(1)) != 0) throw NumberError("negative value");
    return 0;
  }
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  u128 const v = parse_magnitude(text);
  if (v > kU64Max) throw NumberError("too large (at most 18446744073709551615)");
  return static_cast<std::uint64_t>(v);
}

std::int64_t parse_i64(std::string_view text) {
  bool const negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  u128 const v = parse_magnitude(text);
  u128 const limit = u128{static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())} +
                     (negative ? 1U : 0U);
  if (v > limit) {
    throw NumberError(negative ? "too small (at least -9223372036854775808)"
                               : "too large (at most 9223372036854775807)");
  }
  return negative ? static_cast<std::int64_t>(-static_cast<i128>(v)) : static_cast<std::int64_t>(v);
}

std::optional<double> parse_duration(std::string const& text) {
  double total = 0;
  char const* p = text.c_str();
  if (*p == '\0') return std::nullopt;
  while (*p != '\0') {
    char* end = nullptr;
    double const v = std::strtod(p, &end);
    if (end == p || v < 0) return std::nullopt;
    p = end;
    double unit = 1;
    if (*p == 's') {
      ++p;
    } else if (*p == 'm') {
      unit = 60, ++p;
    } else if (*p == 'h') {
      unit = 3600, ++p;
    } else if (*p == 'd') {
      unit = 86400, ++p;
    } else if (*p != '\0') {
      return std::nullopt;
    }
    total += v * unit;
  }
  if (!std::isfinite(total)) return std::nullopt;
  return total;
}

}  // namespace parfold
