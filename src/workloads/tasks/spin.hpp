#pragma once

#include <cstdint>

namespace parfold {

/// Busy CPU work of a given length, at the same cost per nanosecond whatever the length:
/// a chain of dependent multiply-adds, calibrated once per process against this thread's
/// CPU clock. Short spins (a few microseconds) read no clock at all, so a 0.5 us task
/// costs 0.5 us and a study of tiny tasks measures dispatch, not clock reads; long ones
/// check the thread's CPU clock between slices of ~20 us so that they end on time even
/// when the CPU's speed has changed since calibration.
class Spinner {
 public:
  /// The calibrated spinner of this process (calibrates on the first call, ~10 ms).
  [[nodiscard]] static Spinner const& instance();

  /// Uses `ns` nanoseconds of this thread's CPU time.
  void spin(std::uint64_t ns) const;

 private:
  Spinner();
  double turns_per_ns_ = 1;
};

/// `turns` steps of the dependent chain (the unit the spinner counts in); returns its
/// last value so that the work cannot be optimised away.
std::uint64_t spin_turns(std::uint64_t turns);

}  // namespace parfold
