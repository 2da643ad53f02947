#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "parfold/core/schedule.hpp"
#include "parfold/comm/context.hpp"

namespace parfold {

/// Where a rank's threads take their chunks from.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  /// The next chunk for thread `t` of this rank, or nothing when its work is done.
  /// Called concurrently by the rank's threads.
  virtual std::optional<Chunk> next(int t) = 0;
  /// Makes every later next() return nothing (after a failure).
  virtual void stop() { stopped_.store(true, std::memory_order_relaxed); }
  [[nodiscard]] bool stopped() const { return stopped_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> stopped_{false};
};

/// Static and cyclic: each worker's chunks follow from its global id; no communication.
class FixedSource final : public ChunkSource {
 public:
  FixedSource(ChunkPlan const& plan, Team const& team);
  std::optional<Chunk> next(int t) override;

 private:
  struct alignas(64) Cursor {
    std::uint64_t at = 0, end = 0, step = 1;
  };
  ChunkPlan const& plan_;
  std::vector<Cursor> cursors_;
};

/// Dynamic and guided within one rank, and on rank 0 across ranks: a shared counter
/// hands out chunk indices in order to whichever worker asks first.
class CounterSource final : public ChunkSource {
 public:
  explicit CounterSource(ChunkPlan const& plan) : plan_(plan) {}
  std::optional<Chunk> next(int t) override;
  /// Takes up to `n` consecutive chunk indices for another rank: [first, first + count).
  [[nodiscard]] Range grant(std::uint64_t n);
  [[nodiscard]] std::uint64_t remaining() const;

 private:
  ChunkPlan const& plan_;
  alignas(64) std::atomic<std::uint64_t> next_{0};
};

/// Dynamic and guided on ranks other than 0: chunks granted by rank 0, prefetched by
/// this rank's main thread into a local queue that the threads drain.
class RemoteSource final : public ChunkSource {
 public:
  explicit RemoteSource(ChunkPlan const& plan) : plan_(plan) {}
  std::optional<Chunk> next(int t) override;
  void stop() override;

  /// Main thread: waits until fewer than `low` chunks are queued (or a stop), then
  /// returns how many are queued; nothing if that takes longer than `timeout`.
  std::optional<std::uint64_t> wait_below(std::uint64_t low, std::chrono::milliseconds timeout);
  /// Main thread: queues granted chunk indices; an empty grant means no more work.
  void push(Range indices);
  /// Mean time per chunk seen so far on this rank, 0 if none finished yet.
  [[nodiscard]] double mean_chunk_s() const;
  void record(double chunk_s);

 private:
  ChunkPlan const& plan_;
  std::mutex mutex_;
  std::condition_variable work_ready_, queue_low_;
  std::deque<Range> queue_;  // ranges of chunk indices
  std::uint64_t queued_ = 0, low_ = 0;
  bool finished_ = false;
  std::atomic<std::uint64_t> done_chunks_{0}, done_ns_{0};
};

}  // namespace parfold
