#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace parfold {

/// Reads a descriptor that cannot be mapped (a pipe, a terminal, standard input) on a
/// thread of its own and hands out what it read as blocks of whole lines, in order.
/// Memory stays bounded: the thread stops reading once it holds a block's worth of whole
/// lines (or one line longer than that) that nobody has taken yet, so a reader faster
/// than its consumer never runs ahead by more than a block; a consumer faster than the
/// reader sleeps on a condition variable, never spins.
class LineBlockReader {
 public:
  /// Starts reading `fd` (not closed here) in blocks of about `block_bytes`.
  LineBlockReader(int fd, std::size_t block_bytes);
  ~LineBlockReader();  ///< stops the thread (it is waiting at most 100 ms in poll())
  LineBlockReader(LineBlockReader const&) = delete;
  LineBlockReader& operator=(LineBlockReader const&) = delete;

  /// The next block: whole lines (only the input's last line may lack its '\n'); at
  /// least block_bytes of them unless the input ended, or `linger` passed with some
  /// whole lines in hand (so that a slow stream, `tail -f`, still moves). Nothing at the
  /// end of the input, or once `give_up()` returns true (checked every 50 ms). Throws
  /// JobError when reading fails.
  std::optional<std::string> next(std::chrono::milliseconds linger, std::function<bool()> const& give_up);

 private:
  void run();
  /// The reader holds a block of whole lines (lock held).
  [[nodiscard]] bool full() const { return lines_end_ >= block_ || eof_; }

  int const fd_;
  std::size_t const block_;
  std::mutex mutex_;
  std::condition_variable more_, room_;
  std::string pending_;        ///< read, not yet taken
  std::size_t lines_end_ = 0;  ///< pending_[0, lines_end_) are whole lines
  bool eof_ = false;
  std::string error_;
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace parfold
