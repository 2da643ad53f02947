// --halt: see halt.hpp.
#include "workloads/shell/halt.hpp"

#include <cmath>
#include <cstdlib>

#include "cli/numbers.hpp"
#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

[[noreturn]] void bad_halt(std::string const& text) {
  throw UsageError(
      "--halt '" + text +
      "': not never, or now|soon,fail|success|done=N|P% (e.g. now,fail=1, soon,fail=10%)");
}

Halt old_halt(std::string const& text) {
  using W = Halt::When;
  using Y = Halt::Why;
  if (text == "1") return {W::soon, Y::fail, 1, 0};
  if (text == "2") return {W::now, Y::fail, 1, 0};
  if (text == "-1") return {W::soon, Y::success, 1, 0};
  if (text == "-2") return {W::now, Y::success, 1, 0};
  return {};  // 0, never
}

}  // namespace

Halt Halt::parse(std::string const& text) {
  auto const comma = text.find(',');
  if (comma == std::string::npos) {
    for (char const* old : {"0", "1", "2", "-1", "-2", "never"}) {
      if (text == old) return old_halt(text);
    }
    if (text.empty() || text.back() != '%') bad_halt(text);
    return parse("soon,fail=" + text);  // GNU parallel's old "P%"
  }
  Halt h;
  std::string const when = text.substr(0, comma);
  if (when != "now" && when != "soon") bad_halt(text);
  h.when = when == "now" ? When::now : When::soon;
  std::string const cond = text.substr(comma + 1);
  auto const eq = cond.find('=');
  if (eq == std::string::npos) bad_halt(text);
  std::string const why = cond.substr(0, eq);
  if (why == "fail") {
    h.why = Why::fail;
  } else if (why == "success") {
    h.why = Why::success;
  } else if (why == "done") {
    h.why = Why::done;
  } else {
    bad_halt(text);
  }
  std::string value = cond.substr(eq + 1);
  bool const percent = !value.empty() && value.back() == '%';
  if (percent) value.pop_back();
  std::uint64_t n = 0;
  try {
    n = value.find_first_not_of("0123456789") == std::string::npos ? parse_u64(value) : 0;
  } catch (std::exception const&) {
    bad_halt(text);
  }
  if (n == 0 || (percent && n > 100)) bad_halt(text);
  if (percent) {
    h.percent = static_cast<double>(n);
  } else {
    h.count = n;
  }
  return h;
}

bool Halt::reached(std::uint64_t failed, std::uint64_t succeeded, std::uint64_t items) const {
  if (when == When::never) return false;
  std::uint64_t const n = why == Why::fail      ? failed
                          : why == Why::success ? succeeded
                                                : failed + succeeded;
  if (count > 0) return n >= count;
  return static_cast<double>(n) * 100.0 >= percent * static_cast<double>(items);
}

std::string Halt::text() const {
  if (when == When::never) return "never";
  std::string const what = why == Why::fail ? "fail" : why == Why::success ? "success" : "done";
  std::string const n =
      count > 0 ? std::to_string(count) : std::to_string(static_cast<int>(percent)) + "%";
  return std::string(when == When::now ? "now" : "soon") + "," + what + "=" + n;
}

}  // namespace parfold
