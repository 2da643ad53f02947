#include "workloads/tasks/spin.hpp"

#include <time.h>

#include <algorithm>

namespace parfold {

namespace {

std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

constexpr std::uint64_t kClockFreeNs = 50'000;  ///< spins up to this long read no clock
constexpr std::uint64_t kSliceNs = 20'000;      ///< longer ones check the clock this often

}  // namespace

std::uint64_t spin_turns(std::uint64_t turns) {
  std::uint64_t x = turns;
  for (std::uint64_t i = 0; i < turns; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    asm volatile("" : "+r"(x));  // one step at a time: the compiler may not fold the chain
  }
  return x;
}

Spinner::Spinner() {
  // The fastest of several trials of ~2 ms each: a trial that shared its core's
  // execution units with another thread would calibrate too slow a rate.
  std::uint64_t turns = 1 << 16;
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    for (;;) {
      std::uint64_t const t0 = thread_cpu_ns();
      spin_turns(turns);
      std::uint64_t const ns = thread_cpu_ns() - t0;
      if (ns >= 2'000'000) {
        best = std::max(best, static_cast<double>(turns) / static_cast<double>(ns));
        break;
      }
      turns *= 2;
    }
  }
  turns_per_ns_ = best;
}

Spinner const& Spinner::instance() {
  static Spinner const calibrated;  // thread-safe, once per process
  return calibrated;
}

void Spinner::spin(std::uint64_t ns) const {
  auto turns_for = [this](std::uint64_t t) {
    return static_cast<std::uint64_t>(static_cast<double>(t) * turns_per_ns_);
  };
  if (ns <= kClockFreeNs) {
    spin_turns(turns_for(ns));
    return;
  }
  std::uint64_t const done = thread_cpu_ns() + ns;
  for (std::uint64_t now = thread_cpu_ns(); now < done; now = thread_cpu_ns()) {
    spin_turns(turns_for(std::min(kSliceNs, done - now)));
  }
}

}  // namespace parfold
