// Stages of a farm: see stages.hpp.
#include "workloads/shell/stages.hpp"

#include "parfold/comm/agree.hpp"
#include "parfold/stop/stop.hpp"
#include "workloads/shell/attempt.hpp"

namespace parfold {

namespace {

/// The items of `stage`, numbered from 0; `held` keeps the stage's share of items.ended.
FarmItems slice(FarmItems const& all, Stage stage, std::map<std::uint64_t, std::string>& held) {
  std::uint64_t const b = stage.begin;
  FarmItems part{
      stage.end - b, all.env_names, [&all, b](std::uint64_t i) { return all.launch(b + i); }, {}};
  if (all.done) part.done = [&all, b](std::uint64_t i) { return all.done(b + i); };
  if (all.ended != nullptr) {
    for (auto const& [k, bytes] : *all.ended) {
      if (k < b || k >= stage.end) continue;
      Attempt a = Attempt::decode(std::string(bytes));
      a.index -= b;
      held.emplace(k - b, Attempt::encode(std::move(a)));
    }
    part.ended = &held;
  }
  return part;
}

/// `stage`'s items not done before this run.
std::uint64_t not_done(FarmItems const& items, Stage stage) {
  std::uint64_t n = 0;
  for (std::uint64_t i = stage.begin; i < stage.end; ++i) {
    if (!items.done || !items.done(i)) ++n;
  }
  return n;
}

/// `into` plus the counts of `more`, a later stage.
void add(FarmSummary& into, FarmSummary const& more) {
  into.succeeded += more.succeeded;
  into.failed += more.failed;
  into.retried += more.retried;
  into.not_run += more.not_run;
  into.ended += more.ended;
  into.halted = into.halted || more.halted;
  into.halted_on_success = into.halted_on_success || more.halted_on_success;
  double const wall = into.info.wall_s + more.info.wall_s;
  if (more.info.items > into.info.items) into.info = more.info;  // the largest stage's
  into.info.wall_s = wall;
}

}  // namespace

std::vector<Stage> cut_stages(std::uint64_t items, std::vector<std::uint64_t> const& barriers) {
  std::vector<Stage> out;
  std::uint64_t begin = 0;
  for (std::uint64_t b : barriers) {
    if (b > begin && b <= items) out.push_back({begin, b});
    begin = std::max(begin, b);
  }
  if (items > begin || out.empty()) out.push_back({begin, items});
  return out;
}

FarmSummary run_stages(Team const& team, Services services, Schedule s, FarmItems const& items,
                       std::vector<Stage> const& stages, FarmOptions const& opt,
                       FarmOutcome const& outcome) {
  FarmSummary total;
  for (std::size_t k = 0; k < stages.size(); ++k) {
    Stage const stage = stages[k];
    bool const halted = total.halted;
    bool const stopped = any_rank(team, stop_or_ending() != StopReason::none);
    if (halted || (stopped && k > 0)) {  // the later stages do not start
      for (std::size_t r = k; r < stages.size(); ++r) total.not_run += not_done(items, stages[r]);
      break;
    }
    std::map<std::uint64_t, std::string> held;
    FarmItems const part = slice(items, stage, held);
    FarmOptions o = opt;
    o.failed_before = total.failed;
    o.succeeded_before = total.succeeded;
    o.job_items = items.count;
    o.first_item = stage.begin;
    add(total, run_farm(team, services, s, part, o, outcome));
  }
  return total;
}

}  // namespace parfold
