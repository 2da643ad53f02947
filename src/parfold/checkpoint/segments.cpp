#include "parfold/checkpoint/segments.hpp"

#include <algorithm>
#include <cstdio>

#include "parfold/observe/units.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

namespace {
/// Checkpointed segments take about this long, so that a stop request waits at most
/// about this long for the segment in flight.
constexpr double kSegmentTarget_s = 1.0;
constexpr std::uint64_t kFirstSegmentDivisor = 4096;
}  // namespace

SegmentPlan plan_segment(Team const& team, Checkpoint const& cp, std::uint64_t items,
                         std::uint64_t last_items, double last_s, std::uint64_t grain,
                         bool finished) {
  SegmentPlan p;
  p.stop = team.comm.max(static_cast<int>(stop_requested()));
  if (team.is_root()) {
    std::uint64_t const least = grain * team.workers();
    double next = 0;
    if (last_items == 0) {
      next = static_cast<double>(items) / kFirstSegmentDivisor;
    } else {
      double const scale = std::clamp(kSegmentTarget_s / std::max(last_s, 1e-6), 0.25, 4.0);
      next = static_cast<double>(last_items) * scale;
    }
    p.next = std::max(least,
                      ceil_div(static_cast<std::uint64_t>(std::min(next, 1.8e19)), grain) * grain);
    p.save = finished || p.stop != 0 || cp.due();
  }
  team.comm.broadcast(p.next);
  team.comm.broadcast(p.save);
  return p;
}

void save_checkpoint(Team const& team, Checkpoint& cp, std::uint64_t done,
                     std::function<std::string()> const& state) {
  on_root(team, [&] { cp.save(done, state()); });
}

std::string what_is_kept(Checkpoint const& cp, std::uint64_t done, std::uint64_t items) {
  char share[64];
  std::snprintf(share, sizeof(share), "%.1f%%",
                100.0 * static_cast<double>(done) / static_cast<double>(items));
  return "the checkpoint " + cp.path() + " holds " + group_digits(done) + " of " +
         count_of(items, "item") + " (" + share + "); run the same command again to resume";
}

void stopped(int reason, Checkpoint const& cp, std::uint64_t done, std::uint64_t items) {
  throw stop_error(static_cast<StopReason>(reason), true, ": " + what_is_kept(cp, done, items));
}

}  // namespace parfold
