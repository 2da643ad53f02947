#include "workloads/sum.hpp"

#include <algorithm>
#include <bit>
#include <memory>

#include "cli/options.hpp"
#include "parfold/run/execute.hpp"

namespace parfold {

Int256 power_sum(std::uint64_t m0, std::uint64_t m1, int p) {
  std::uint64_t const n = m1 - m0 + 1;  // m1 - m0 < 2^64 - 1 for the callers' ranges
  switch (p) {
    case 0:
      return Int256::from_u128(n);
    case 1: {
      u128 s = 0;  // below 2^64 * 2^64 / 2 ... fits: n * mean < 2^128
      for (std::uint64_t m = m0;; ++m) {
        s += m;
        if (m == m1) break;
      }
      return Int256::from_u128(s);
    }
    case 2: {
      u128 lo = 0;
      std::uint64_t carries = 0;
      for (std::uint64_t m = m0;; ++m) {
        u128 const sq = u128{m} * m;
        lo += sq;
        carries += lo < sq ? 1U : 0U;
        if (m == m1) break;
      }
      return Int256::from_limbs(static_cast<std::uint64_t>(lo),
                                static_cast<std::uint64_t>(lo >> 64), carries);
    }
    default: {
      u128 lo = 0, hi = 0;  // the sum is hi * 2^128 + lo
      for (std::uint64_t m = m0;; ++m) {
        u128 const sq = u128{m} * m;
        u128 const c_lo = u128{static_cast<std::uint64_t>(sq)} * m;
        u128 const c_mid = u128{static_cast<std::uint64_t>(sq >> 64)} * m + (c_lo >> 64);
        // m^3 = c_mid * 2^64 + low64(c_lo): split into 128-bit low and high parts.
        u128 const cube_lo = (c_mid << 64) | static_cast<std::uint64_t>(c_lo);
        lo += cube_lo;
        hi += (c_mid >> 64) + (lo < cube_lo ? 1U : 0U);
        if (m == m1) break;
      }
      return Int256::from_limbs(
          static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(lo >> 64),
          static_cast<std::uint64_t>(hi), static_cast<std::uint64_t>(hi >> 64));
    }
  }
}

void SumWorkload::process(Range r, Partial& acc) const {
  if (r.empty()) return;
  auto const first = static_cast<std::int64_t>(static_cast<std::uint64_t>(from) + r.begin);
  auto const last = static_cast<std::int64_t>(static_cast<std::uint64_t>(from) + r.end - 1);
  if (first < 0) {  // negative terms: (-m)^p = (-1)^p m^p
    std::int64_t const neg_last = std::min<std::int64_t>(last, -1);
    auto const m0 = static_cast<std::uint64_t>(-(neg_last + 1)) + 1;  // -neg_last
    auto const m1 = static_cast<std::uint64_t>(-(first + 1)) + 1;     // -first, up to 2^63
    Int256 const s = power_sum(m0, m1, power);
    acc += (power % 2 == 1) ? -s : s;
  }
  if (last >= 0) {
    std::int64_t const pos_first = std::max<std::int64_t>(first, 0);
    acc +=
        power_sum(static_cast<std::uint64_t>(pos_first), static_cast<std::uint64_t>(last), power);
  }
}

namespace {

/// Bits of |v| (256 for the most negative value).
int magnitude_bits(Int256 v) {
  if (v.negative()) v = -v;
  auto const& limbs = v.limbs();
  for (int i = 3; i >= 0; --i) {
    std::uint64_t const limb = limbs[static_cast<std::size_t>(i)];
    if (limb != 0) return 64 * i + static_cast<int>(std::bit_width(limb));
  }
  return 0;
}

}  // namespace

std::string SumWorkload::partial_problem(Partial const& p, std::uint64_t done) const {
  if (done == 0) return p == Int256{} ? "" : "a sum of no terms that is not 0";
  auto const first = from;
  auto const last = static_cast<std::int64_t>(static_cast<std::uint64_t>(from) + done - 1);
  auto const magnitude = [](std::int64_t i) {
    return i < 0 ? ~static_cast<std::uint64_t>(i) + 1 : static_cast<std::uint64_t>(i);
  };
  bool const nonnegative = power % 2 == 0 || first >= 0, nonpositive = last <= 0;
  int const most =
      static_cast<int>(std::bit_width(done)) +
      power * static_cast<int>(std::bit_width(std::max(magnitude(first), magnitude(last))));
  std::string const what = "the sum of the first " + std::to_string(done) + " terms ";
  if (power == 0 && p != Int256::from_u128(done)) return what + "of i^0 is not their number";
  if ((nonnegative && p.negative()) ||
      (nonpositive && !nonnegative && !p.negative() && p != Int256{}))
    return what + "has the wrong sign";
  if (magnitude_bits(p) > most) return what + "is too large";
  return {};
}

namespace {

Report run_sum(SumWorkload const& w, Team const& team, Services sv, Schedule schedule) {
  auto const run = execute(w, schedule, team, sv);
  std::string const value = run.value.to_string();
  Report r{.workload = "sum", .unit = "terms", .info = run.info, .launcher = team.launcher};
  r.result = {
      {"value", value, value},
      {"from", w.from, std::to_string(w.from)},
      {"to", w.to, std::to_string(w.to)},
      {"power", w.power, std::to_string(w.power)},
  };
  return r;
}

}  // namespace

void setup_sum(CLI::App& app, Job& job) {
  auto w = std::make_shared<SumWorkload>();
  auto* sub = app.add_subcommand("sum", "Exact sum of i^P for i from A to B");
  add_int(*sub, "--to", w->to, "Last term B (inclusive, signed 64-bit)")->required();
  add_int(*sub, "--from", w->from, "First term A (default 0)");
  sub->add_option("-p,--power", w->power, "Power P: 0, 1, 2 or 3 (default 1)")
      ->check(CLI::Range(0, 3));
  sub->footer(
      "The sum is exact (up to 256 bits) and printed as a decimal integer.\n"
      "Example: parfold sum --from -1e12 --to 1e12 --power 2");
  sub->final_callback([w, &job] {
    if (w->from > w->to) {
      throw CLI::ValidationError(
          "--from", std::to_string(w->from) + " is greater than --to " + std::to_string(w->to));
    }
    if (w->items() == 0) {
      throw CLI::ValidationError("--from", "the range holds 2^64 terms; at most 2^64 - 1 fit");
    }
    job.run = [w](Team const& team, Services sv, Schedule s) { return run_sum(*w, team, sv, s); };
  });
}

}  // namespace parfold
