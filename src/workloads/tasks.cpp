#include "workloads/tasks.hpp"

#include <time.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "cli/options.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/tasks/spin.hpp"

namespace parfold {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
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

void TasksWorkload::wait(std::uint64_t ns) const {
  if (ns == 0) return;
  if (spin) {
    // CPU-bound: the task needs `ns` of this thread's CPU time, so a thread that
    // shares its core (more threads than cores) takes longer in wall time.
    Spinner::instance().spin(ns);
    return;
  }
  std::uint64_t const deadline = now_ns() + ns;
  timespec const ts{static_cast<time_t>(deadline / 1'000'000'000ULL),
                    static_cast<long>(deadline % 1'000'000'000ULL)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

void TasksWorkload::process(Range r, Partial& acc) const {
  for (std::uint64_t k = r.begin; k < r.end; ++k) {
    std::uint64_t const ns = cost_ns(k);
    wait(ns);
    if (counter == CounterMode::reduce) {
      ++acc.counted;
    } else if (counter != CounterMode::none) {
      shared->add(counter);
    }
    ++acc.tasks;
    acc.index_sum += k;
    acc.cost_ns += ns;
  }
}

std::string TasksWorkload::partial_problem(Partial const& p, std::uint64_t done) const {
  std::string const of = " of the first " + std::to_string(done) + " tasks";
  if (p.tasks != done || p.index_sum != u128{done} * (done - (done > 0 ? 1 : 0)) / 2)
    return "not each" + of + " once";
  if (p.counted != (counter == CounterMode::reduce ? done : 0)) return "another count" + of;
  u128 const mean = u128{done} * mean_ns;  // the uniform cost, half the most any model gives
  bool const uniform = cost == CostModel::uniform;
  if ((uniform && p.cost_ns != mean) || (p.cost_ns > mean && p.cost_ns - mean > mean))
    return "another cost" + of;
  return {};
}

namespace {

struct TasksOptions {
  TasksWorkload w;
  double ms = 1.0;
  double serial_ms = 0;
  std::string cost = "uniform";
  std::string counter = "none";
};

/// --serial-ms: rank 0 alone works for `ns` (its threads idle) while the other ranks
/// wait for it asleep; returns how long that took on rank 0.
double serial_part(TasksWorkload const& w, std::uint64_t ns, Team const& team) {
  if (ns == 0) return 0;
  auto const t0 = std::chrono::steady_clock::now();
  if (team.is_root()) w.wait(ns);
  int go = 1;
  team.comm.broadcast_asleep(go);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The count of --counter over all ranks, on rank 0: the partials' (reduce) or the sum
/// of each rank's shared counter.
std::uint64_t counted(TasksWorkload const& w, Team const& team, TasksWorkload::Partial const& v) {
  if (w.counter == CounterMode::reduce) return v.counted;
  std::uint64_t sum = 0;
  for (std::uint64_t c : team.comm.gather(w.shared->value(w.counter))) sum += c;
  return sum;
}

void add_counter_fields(Report& r, TasksWorkload const& w, std::uint64_t tasks,
                        std::uint64_t count) {
  std::string const mode(to_string(w.counter));
  std::uint64_t const lost = tasks - count;
  r.result.push_back(
      {"counter_mode", mode,
       mode + (w.counter == CounterMode::racy ? " (deliberately unsafe: a plain read-modify-write)"
                                              : "")});
  r.result.push_back({"counter", count, group_digits(std::to_string(count))});
  r.result.push_back(
      {"lost_updates", lost,
       group_digits(std::to_string(lost)) + " of " + group_digits(std::to_string(tasks))});
}

Report run_tasks(TasksOptions const& o, Team const& team, Services sv, Schedule schedule) {
  TasksWorkload const& w = o.w;
  if (w.counter != CounterMode::none && sv.checkpoint != nullptr)
    throw UsageError(
        "tasks --counter cannot resume from a checkpoint (a shared counter is not saved); "
        "leave out --checkpoint");
  auto const t0 = std::chrono::steady_clock::now();
  double const serial_part_s =
      serial_part(w, static_cast<std::uint64_t>(std::llround(o.serial_ms * 1e6)), team);
  auto run = execute(w, schedule, team, sv);
  std::uint64_t const count = w.counter == CounterMode::none ? 0 : counted(w, team, run.value);
  run.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto const& v = run.value;
  double const serial_s = static_cast<double>(v.cost_ns) * 1e-9 + o.serial_ms * 1e-3;
  std::string const index_sum = Int256::from_u128(v.index_sum).to_string();
  std::string const kind = w.spin ? "spin" : "sleep";
  char mean[64];
  std::snprintf(mean, sizeof(mean), "%s, mean %g ms", o.cost.c_str(),
                static_cast<double>(w.mean_ns) * 1e-6);
  char serial[96];
  std::snprintf(serial, sizeof(serial), "%.3f s (the tasks' total cost%s)", serial_s,
                o.serial_ms > 0 ? " and the serial part" : "");
  Report r{.workload = "tasks", .unit = "tasks", .info = run.info, .launcher = team.launcher};
  r.result = {
      {"tasks", v.tasks, group_digits(std::to_string(v.tasks))},
      {"index_sum", index_sum, group_digits(index_sum)},
      {"serial_s", serial_s, serial},
      {"cost", o.cost, mean},
      {"kind", kind, kind},
  };
  if (o.serial_ms > 0) {
    char part[96];
    std::snprintf(part, sizeof(part), "%.3f s (on rank 0 before the tasks; took %.3f s)",
                  o.serial_ms * 1e-3, serial_part_s);
    r.result.push_back({"serial_part_s", o.serial_ms * 1e-3, part});
  }
  if (w.counter != CounterMode::none) add_counter_fields(r, w, v.tasks, count);
  if (serial_s > 0 && run.info.resumed == 0) r.speedup = serial_s / run.info.wall_s;
  return r;
}

CounterMode counter_mode(std::string const& name) {
  for (CounterMode m :
       {CounterMode::racy, CounterMode::locked, CounterMode::atomic, CounterMode::reduce})
    if (to_string(m) == name) return m;
  return CounterMode::none;
}

}  // namespace

void setup_tasks(CLI::App& app, Job& job) {
  auto o = std::make_shared<TasksOptions>();
  auto* sub = app.add_subcommand("tasks", "Synthetic sleep- or CPU-bound tasks (pool experiments)");
  add_count(*sub, "-n,--count", o->w.count, "Number of tasks")->required();
  sub->add_option("--ms", o->ms, "Mean cost T of a task in milliseconds (default 1)")
      ->check(CLI::Range(0.0, 3.6e6));
  sub->add_flag("--spin", o->w.spin,
                "CPU-bound: busy-spin for the task's cost in CPU time (calibrated once, so that a "
                "0.5 us task "
                "costs 0.5 us), instead of sleeping");
  sub->add_option("--cost", o->cost,
                  "Cost of task k: uniform (T), linear (T*2k/N) or random (in [0, 2T])")
      ->check(CLI::IsMember({"uniform", "linear", "random"}));
  sub->add_option(
         "--serial-ms", o->serial_ms,
         "A serial part (Amdahl's law): rank 0 alone works this many milliseconds (asleep, or "
         "spinning with --spin) before the tasks start; counted in wall time and speedup")
      ->check(CLI::Range(0.0, 3.6e6));
  sub->add_option(
         "--counter", o->counter,
         "Each task adds 1 to a counter: racy (one counter shared by a rank's threads, a plain "
         "read-modify-write: DELIBERATELY UNSAFE, it loses updates), locked (a mutex), atomic "
         "(fetch-add), or reduce (per-worker partials combined at the end); reports the lost "
         "updates")
      ->check(CLI::IsMember({"none", "racy", "locked", "atomic", "reduce"}));
  sub->footer(
      "Examples:\n"
      "  parfold --schedule dynamic --chunk 1 tasks --count 1000 --ms 2 --cost random\n"
      "  parfold --threads 2 tasks --count 1e7 --ms 0 --counter racy     (then locked, atomic, "
      "reduce)\n"
      "  parfold --threads 4 tasks --count 40 --ms 10 --serial-ms 100    (Amdahl: at most 5x)");
  sub->final_callback([o, &job] {
    o->w.mean_ns = static_cast<std::uint64_t>(std::llround(o->ms * 1e6));
    o->w.cost = o->cost == "linear"   ? CostModel::linear
                : o->cost == "random" ? CostModel::random
                                      : CostModel::uniform;
    o->w.counter = counter_mode(o->counter);
    if (o->w.spin) (void)Spinner::instance();  // calibrated before the run's clock starts
    job.run = [o](Team const& team, Services sv, Schedule s) { return run_tasks(*o, team, sv, s); };
  });
}

}  // namespace parfold
