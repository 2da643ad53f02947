#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/pace.hpp"

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
  /// Whether the chunks' times are wanted (record them in pace()): they size adaptive
  /// chunks and a remote rank's prefetch.
  [[nodiscard]] bool paced() const { return paced_; }
  [[nodiscard]] Pace& pace() { return pace_; }

 protected:
  explicit ChunkSource(bool paced = false) : paced_(paced) {}

 private:
  std::atomic<bool> stopped_{false};
  bool paced_;
  Pace pace_;
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
/// hands out chunk indices in order to whichever worker asks first (adaptive plans:
/// as many consecutive ones as Pace says, over `workers` workers in all).
class CounterSource final : public ChunkSource {
 public:
  CounterSource(ChunkPlan const& plan, std::uint64_t workers)
      : ChunkSource(plan.adaptive()), plan_(plan), workers_(workers) {}
  std::optional<Chunk> next(int t) override;
  /// Takes up to `n` consecutive chunk indices for another rank: [first, first + count).
  [[nodiscard]] Range grant(std::uint64_t n);
  [[nodiscard]] std::uint64_t remaining() const;

 private:
  ChunkPlan const& plan_;
  std::uint64_t workers_;
  alignas(64) std::atomic<std::uint64_t> next_{0};
};

/// Dynamic and guided on ranks other than 0: chunks granted by rank 0, prefetched by
/// this rank's main thread into a local queue that the rank's `threads` threads drain.
class RemoteSource final : public ChunkSource {
 public:
  RemoteSource(ChunkPlan const& plan, std::uint64_t threads)
      : ChunkSource(true), plan_(plan), threads_(threads) {}
  std::optional<Chunk> next(int t) override;
  void stop() override;

  /// Main thread: waits until fewer than `low` chunks are queued (or a stop), then
  /// returns how many are queued; nothing if that takes longer than `timeout`.
  std::optional<std::uint64_t> wait_below(std::uint64_t low, std::chrono::milliseconds timeout);
  /// Main thread: queues granted chunk indices; an empty grant means no more work.
  void push(Range indices);

 private:
  ChunkPlan const& plan_;
  std::uint64_t threads_;
  std::mutex mutex_;
  std::condition_variable work_ready_, queue_low_;
  std::deque<Range> queue_;  // ranges of chunk indices
  std::uint64_t queued_ = 0, low_ = 0;
  bool finished_ = false;
};

}  // namespace parfold
