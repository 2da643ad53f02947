#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>

namespace parfold {

/// How the tasks of `tasks --counter` count themselves: the lesson "shared state is
/// wrong or slow; reduce instead", measured.
enum class CounterMode {
  none,
  racy,    ///< one counter shared by the threads, a plain read-modify-write: loses updates
  locked,  ///< the shared counter behind a mutex: exact, and the threads queue for it
  atomic,  ///< the shared counter as an atomic fetch-add: exact, the cache line bounces
  reduce,  ///< each worker counts in its own partial, combined at the end: exact and free
};

[[nodiscard]] std::string_view to_string(CounterMode m);

/// The counter that the threads of one rank share (racy, locked and atomic modes).
class SharedCounter {
 public:
  /// Adds one, the way `mode` says.
  void add(CounterMode mode);
  /// The count, once the threads that add have been joined.
  [[nodiscard]] std::uint64_t value(CounterMode mode) const;

 private:
  alignas(64) std::uint64_t racy_ = 0;
  alignas(64) std::uint64_t locked_ = 0;
  std::mutex lock_;
  alignas(64) std::atomic<std::uint64_t> atomic_{0};
};

}  // namespace parfold
