#include "workloads/pi.hpp"

#include <cmath>
#include <memory>
#include <numbers>

#include "cli/options.hpp"
#include "parfold/run/execute.hpp"

namespace parfold {

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

Report run_pi(PiWorkload const& w, Team const& team, Services sv, Schedule schedule) {
  auto const run = execute(w, schedule, team, sv);
  double const n = static_cast<double>(w.samples);
  double const p = static_cast<double>(run.value) / n;
  double const estimate = 4.0 * p;
  double const std_error = 4.0 * std::sqrt(p * (1.0 - p) / n);
  double const abs_error = std::abs(estimate - std::numbers::pi);
  Report r{.workload = "pi", .unit = "samples", .info = run.info, .launcher = team.launcher};
  r.result = {
      {"estimate", estimate, fixed(estimate, 12)},
      {"hits", run.value, group_digits(std::to_string(run.value))},
      {"samples", w.samples, group_digits(std::to_string(w.samples))},
      {"seed", w.seed, std::to_string(w.seed)},
      {"std_error", std_error, fixed(std_error, 12)},
      {"abs_error", abs_error, fixed(abs_error, 12)},
  };
  return r;
}

}  // namespace

void setup_pi(CLI::App& app, Job& job) {
  auto w = std::make_shared<PiWorkload>();
  auto* sub = app.add_subcommand("pi", "Monte Carlo estimate of pi with Philox4x32-10");
  add_count(*sub, "-n,--samples", w->samples, "Number of random points (e.g. 1e9, 10G)")
      ->required();
  add_count(*sub, "--seed", w->seed, "Philox key: unsigned 64-bit (default 0)", 0);
  sub->footer(
      "Sample i uses Philox counter i/2 and key = seed; the result is the same for\n"
      "every number of ranks, threads, schedule and chunk size.\n"
      "Example: mpirun -n 4 parfold pi --samples 1e10");
  sub->final_callback([w, &job] {
    job.run = [w](Team const& team, Services sv, Schedule s) { return run_pi(*w, team, sv, s); };
  });
}

}  // namespace parfold
