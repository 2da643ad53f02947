#include "workloads/tasks/counter.hpp"

namespace parfold {

namespace {

/// DELIBERATELY UNSAFE: the data race that `tasks --counter racy` exists to show. Two
/// threads may both read the same value, both add one and both store it back; one of
/// the two updates is lost. `volatile` keeps the compiler from merging the loads and
/// stores of a loop into one (it does not make them atomic). Nothing else in parfold
/// writes shared memory this way; the thread sanitizer is told to skip exactly this
/// function, so its runs stay clean everywhere else.
__attribute__((noinline, no_sanitize("thread"))) void racy_increment(std::uint64_t* counter) {
  auto* const shared = static_cast<std::uint64_t volatile*>(counter);
  *shared = *shared + 1;
}

}  // namespace

std::string_view to_string(CounterMode m) {
  switch (m) {
    case CounterMode::none:
      return "none";
    case CounterMode::racy:
      return "racy";
    case CounterMode::locked:
      return "locked";
    case CounterMode::atomic:
      return "atomic";
    case CounterMode::reduce:
      return "reduce";
  }
  return "?";
}

void SharedCounter::add(CounterMode mode) {
  switch (mode) {
    case CounterMode::racy:
      racy_increment(&racy_);
      break;
    case CounterMode::locked: {
      std::lock_guard<std::mutex> const hold(lock_);
      ++locked_;
      break;
    }
    case CounterMode::atomic:
      atomic_.fetch_add(1, std::memory_order_relaxed);
      break;
    case CounterMode::none:
    case CounterMode::reduce:
      break;
  }
}

std::uint64_t SharedCounter::value(CounterMode mode) const {
  switch (mode) {
    case CounterMode::racy:
      return racy_;
    case CounterMode::locked:
      return locked_;
    case CounterMode::atomic:
      return atomic_.load();
    case CounterMode::none:
    case CounterMode::reduce:
      break;
  }
  return 0;
}

}  // namespace parfold
