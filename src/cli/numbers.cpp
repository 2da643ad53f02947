#include "cli/numbers.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

namespace parfold {

namespace {

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;
constexpr u128 kU64Max = std::numeric_limits<std::uint64_t>::max();

/// Removes a size suffix from `s`: k, M, G, T (powers of 1000, added to `exponent`) or
/// Ki, Mi, Gi, Ti (powers of 1024, returned as a factor).
u128 take_suffix(std::string_view& s, int& exponent) {
  if (s.size() >= 2 && s.back() == 'i') {
    int shift = 0;
    switch (s[s.size() - 2]) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        throw NumberError("not a number");
    }
    s.remove_suffix(2);
    return u128{1} << shift;
  }
  switch (s.back()) {
    case 'k':
    case 'K':
      exponent = 3;
      break;
    case 'm':
    case 'M':
      exponent = 6;
      break;
    case 'g':
    case 'G':
      exponent = 9;
      break;
    case 't':
    case 'T':
      exponent = 12;
      break;
    default:
      break;
  }
  if (exponent != 0) s.remove_suffix(1);
  return 1;
}

/// Removes an exponent ("e-3", "E+6") from `s` and returns it.
int take_exponent(std::string_view& s) {
  auto const e = s.find_first_of("eE");
  if (e == std::string_view::npos) return 0;
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
  return neg_exp ? -value : value;
}

/// The digits of `s` (an optional decimal point, `_` or `'` between digits) as an
/// integer; `exponent` takes the point's shift. Past kU64Max only trailing zeros may
/// follow (`overflow` otherwise).
u128 mantissa_of(std::string_view s, int& exponent, bool& overflow) {
  u128 mantissa = 0;
  bool seen_point = false, seen_digit = false;
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
  return mantissa;
}

/// Magnitude of an unsigned number in our syntax; caps at kU64Max + 1 ("too large").
u128 parse_magnitude(std::string_view s) {
  if (s.empty()) throw NumberError("empty value");
  int exponent = 0;
  u128 const binary = take_suffix(s, exponent);
  exponent += take_exponent(s);
  bool overflow = false;
  u128 mantissa = mantissa_of(s, exponent, overflow) * binary;
  // Scale by 10^exponent exactly.
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
