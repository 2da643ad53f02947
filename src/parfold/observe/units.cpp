#include "parfold/observe/units.hpp"

#include <cmath>
#include <cstdio>

namespace parfold {

std::string si(double v) {
  char const* const prefixes[] = {"", "k", "M", "G", "T", "P", "E"};
  int p = 0;
  // Values that round to 1000 at three digits move up a prefix (999.7 -> "1.00 k").
  while (std::abs(v) >= 999.5 && p < 6) {
    v /= 1000;
    ++p;
  }
  char buf[32];
  if (p == 0) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    double const a = std::abs(v);
    std::snprintf(buf, sizeof(buf), "%.*f %s", a < 9.995 ? 2 : a < 99.95 ? 1 : 0, v, prefixes[p]);
  }
  return buf;
}

std::string group_digits(std::string const& digits) {
  std::string out;
  std::size_t const start = (!digits.empty() && digits[0] == '-') ? 1U : 0U;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string group_digits(std::uint64_t n) { return group_digits(std::to_string(n)); }

std::string duration_text(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%.1f s", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%dh%02dm", static_cast<int>(s) / 3600,
                  static_cast<int>(s) % 3600 / 60);
  }
  return buf;
}

std::string count_of(std::uint64_t n, std::string const& noun) {
  return group_digits(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace parfold
