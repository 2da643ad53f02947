#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace parfold {

/// Where a LineBlockReader's bytes come from: a descriptor, a decompressor.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Reads up to `size` bytes into `into`: how many were read, 0 at the end of the input,
  /// nothing when none came in time (the reader then checks whether to quit and asks
  /// again). Throws InputError or JobError (the reader passes it on to the consumer).
  virtual std::optional<std::size_t> read(char* into, std::size_t size) = 0;
};

/// A descriptor (a pipe, a terminal, a file): poll() for 100 ms, then read(). A pipe is
/// widened to 1 MiB (F_SETPIPE_SZ, where allowed): a 64 KiB pipe costs a read and a
/// wake-up of the writer every 64 KiB.
class DescriptorSource final : public ByteSource {
 public:
  /// Reads `fd`; with `owned`, closes it when done. A descriptor opened with O_NONBLOCK
  /// (a FIFO that had no writer yet) is read as well: "nothing yet" until data comes.
  DescriptorSource(int fd, std::string name, bool owned = false);
  ~DescriptorSource() override;
  DescriptorSource(DescriptorSource const&) = delete;
  DescriptorSource& operator=(DescriptorSource const&) = delete;
  std::optional<std::size_t> read(char* into, std::size_t size) override;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
  std::string name_;
  bool owned_;
};

/// `path` opened for reading as a stream (O_NONBLOCK: a FIFO with no writer yet is opened
/// at once, and polled until one comes, so that a stop is heard). Throws UsageError
/// ("PATH: reason") when it cannot be opened.
[[nodiscard]] std::unique_ptr<DescriptorSource> open_stream(std::string const& path);

/// Buffers of blocks that were used, to be used again: a buffer's pages, once touched,
/// cost nothing more, where fresh ones cost a fault each (more than copying into them).
/// Keeps a few; shared by a reader and the consumers that hand its blocks back.
class BufferPool {
 public:
  /// A spare buffer (empty, with its capacity), or a new one.
  [[nodiscard]] std::string take();
  /// Keeps `buffer` for a later take(), unless enough are kept already.
  void give(std::string buffer);

 private:
  std::mutex mutex_;
  std::vector<std::string> spare_;
};

/// Reads a source that cannot be read by offset (a pipe, a terminal, a decompressor) on a
/// thread of its own and hands out what it read as blocks of whole lines, in order.
/// Memory stays bounded: the thread stops reading once it holds a block's worth of whole
/// lines (or one line longer than that) that nobody has taken yet, so a reader faster
/// than its consumer never runs ahead by more than a block; a consumer faster than the
/// reader sleeps on a condition variable, never spins.
class LineBlockReader {
 public:
  /// Starts reading `source` in blocks of about `block_bytes`, into buffers from `pool`
  /// when one is given (hand the blocks back to it when done with them).
  LineBlockReader(std::unique_ptr<ByteSource> source, std::size_t block_bytes,
                  std::shared_ptr<BufferPool> pool = nullptr);
  ~LineBlockReader();  ///< stops the thread (it waits at most one read of its source)
  LineBlockReader(LineBlockReader const&) = delete;
  LineBlockReader& operator=(LineBlockReader const&) = delete;

  /// The next block: whole lines (only the input's last line may lack its '\n'); at
  /// least block_bytes of them unless the input ended, or `linger` passed with some
  /// whole lines in hand (so that a slow stream, `tail -f`, still moves). Nothing at the
  /// end of the input, or once `give_up()` returns true (checked every 50 ms). Throws
  /// what the source threw.
  std::optional<std::string> next(std::chrono::milliseconds linger,
                                  std::function<bool()> const& give_up);

 private:
  void run();
  /// The reader holds a block of whole lines (lock held).
  [[nodiscard]] bool full() const { return lines_end_ >= block_ || eof_; }

  std::unique_ptr<ByteSource> source_;
  std::size_t const block_;
  std::shared_ptr<BufferPool> pool_;
  std::mutex mutex_;
  std::condition_variable more_, room_;
  std::string pending_;        ///< read, not yet taken
  std::size_t lines_end_ = 0;  ///< pending_[0, lines_end_) are whole lines
  bool eof_ = false;
  std::exception_ptr error_;
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace parfold
