#include "workloads/tasks.hpp"

#include <time.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "cli/options.hpp"
#include "parfold/checkpoint/segments.hpp"

namespace parfold {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t now_ns(clockid_t clock = CLOCK_MONOTONIC) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace

std::uint64_t TasksWorkload::cost_ns(std::uint64_t k) const {
  switch (cost) {
    case CostModel::uniform:
      return mean_ns;
    case CostModel::linear:
      return static_cast<std::uint64_t>(u128{mean_ns} * 2 * k / count);
    case CostModel::random:
      return static_cast<std::uint64_t>(splitmix64(k) % (u128{mean_ns} * 2 + 1));
  }
  return 0;
}

void TasksWorkload::process(Range r, Partial& acc) const {
  for (std::uint64_t k = r.begin; k < r.end; ++k) {
    std::uint64_t const ns = cost_ns(k);
    if (ns > 0) {
      if (spin) {
        // CPU-bound: the task needs `ns` of this thread's CPU time, so a thread that
        // shares its core (more threads than cores) takes longer in wall time.
        std::uint64_t const done = now_ns(CLOCK_THREAD_CPUTIME_ID) + ns;
        while (now_ns(CLOCK_THREAD_CPUTIME_ID) < done) {
        }
      } else {
        std::uint64_t const deadline = now_ns() + ns;
        timespec const ts{static_cast<time_t>(deadline / 1'000'000'000ULL),
                          static_cast<long>(deadline % 1'000'000'000ULL)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
        }
      }
    }
    ++acc.tasks;
    acc.index_sum += k;
    acc.cost_ns += ns;
  }
}

namespace {

struct TasksOptions {
  TasksWorkload w;
  double ms = 1.0;
  std::string cost = "uniform";
};

Report run_tasks(TasksWorkload const& w, Team const& team, Services sv, Schedule schedule) {
  auto const run = execute(w, schedule, team, sv);
  auto const& v = run.value;
  double const serial_s = static_cast<double>(v.cost_ns) * 1e-9;
  std::string const index_sum = Int256::from_u128(v.index_sum).to_string();
  std::string const cost = w.cost == CostModel::uniform  ? "uniform"
                           : w.cost == CostModel::linear ? "linear"
                                                         : "random";
  std::string const kind = w.spin ? "spin" : "sleep";
  char mean[64];
  std::snprintf(mean, sizeof(mean), "%s, mean %g ms", cost.c_str(),
                static_cast<double>(w.mean_ns) * 1e-6);
  char serial[64];
  std::snprintf(serial, sizeof(serial), "%.3f s (the tasks' total cost)", serial_s);
  Report r{.workload = "tasks", .unit = "tasks", .info = run.info, .launcher = team.launcher};
  r.result = {
      {"tasks", v.tasks, group_digits(std::to_string(v.tasks))},
      {"index_sum", index_sum, group_digits(index_sum)},
      {"serial_s", serial_s, serial},
      {"cost", cost, mean},
      {"kind", kind, kind},
  };
  if (serial_s > 0 && run.info.resumed == 0) r.speedup = serial_s / run.info.wall_s;
  return r;
}

}  // namespace

void setup_tasks(CLI::App& app, Job& job) {
  auto o = std::make_shared<TasksOptions>();
  auto* sub = app.add_subcommand("tasks", "Synthetic sleep- or CPU-bound tasks (pool experiments)");
  add_count(*sub, "-n,--count", o->w.count, "Number of tasks")->required();
  sub->add_option("--ms", o->ms, "Mean cost T of a task in milliseconds (default 1)")
      ->check(CLI::Range(0.0, 3.6e6));
  sub->add_flag("--spin", o->w.spin, "CPU-bound: busy-spin until the task has used its cost in CPU time, instead of sleeping");
  sub->add_option("--cost", o->cost,
                  "Cost of task k: uniform (T), linear (T*2k/N) or random (in [0, 2T])")
      ->check(CLI::IsMember({"uniform", "linear", "random"}));
  sub->footer(
      "Example: parfold --schedule dynamic --chunk 1 tasks --count 1000 --ms 2 --cost random");
  sub->final_callback([o, &job] {
    o->w.mean_ns = static_cast<std::uint64_t>(std::llround(o->ms * 1e6));
    o->w.cost = o->cost == "linear"   ? CostModel::linear
                : o->cost == "random" ? CostModel::random
                                      : CostModel::uniform;
    job.run = [o](Team const& team, Services sv, Schedule s) { return run_tasks(o->w, team, sv, s); };
  });
}

}  // namespace parfold
