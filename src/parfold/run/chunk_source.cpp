#include "parfold/run/chunk_source.hpp"

#include <algorithm>

namespace parfold {

FixedSource::FixedSource(ChunkPlan const& plan, Team const& team) : plan_(plan) {
  std::uint64_t const first = team.first_worker(team.rank());
  for (int t = 0; t < team.my_threads(); ++t) {
    std::uint64_t const w = first + static_cast<std::uint64_t>(t);
    if (plan.kind() == ScheduleKind::static_blocks) {
      Range const r = plan.static_chunks(w);
      cursors_.push_back({r.begin, r.end, 1});
    } else {  // cyclic: chunks w, w + W, w + 2W, ...
      cursors_.push_back({w, plan.count(), team.workers()});
    }
  }
}

std::optional<Chunk> FixedSource::next(int t) {
  Cursor& c = cursors_[static_cast<std::size_t>(t)];
  if (c.at >= c.end || stopped()) return std::nullopt;
  Chunk const chunk = plan_.at(c.at);
  c.at = c.end - c.at > c.step ? c.at + c.step : c.end;
  return chunk;
}

std::optional<Chunk> CounterSource::next(int /*t*/) {
  if (stopped() || next_.load(std::memory_order_relaxed) >= plan_.count()) return std::nullopt;
  if (plan_.adaptive()) {
    Range const r =
        grant(pace().chunk(remaining(), workers_, plan_.kind() == ScheduleKind::guided));
    if (r.empty()) return std::nullopt;
    return plan_.span(r.begin, r.size());
  }
  std::uint64_t const i = next_.fetch_add(1, std::memory_order_relaxed);
  if (i >= plan_.count()) return std::nullopt;
  return plan_.at(i);
}

Range CounterSource::grant(std::uint64_t n) {
  std::uint64_t cur = next_.load(std::memory_order_relaxed);
  while (true) {
    if (cur >= plan_.count() || stopped()) return {plan_.count(), plan_.count()};
    std::uint64_t const end = cur + std::min(n, plan_.count() - cur);
    if (next_.compare_exchange_weak(cur, end, std::memory_order_relaxed)) return {cur, end};
  }
}

std::uint64_t CounterSource::remaining() const {
  std::uint64_t const cur = next_.load(std::memory_order_relaxed);
  return cur >= plan_.count() ? 0 : plan_.count() - cur;
}

std::optional<Chunk> RemoteSource::next(int /*t*/) {
  std::unique_lock lock(mutex_);
  work_ready_.wait(lock, [&] { return queued_ > 0 || finished_ || stopped(); });
  if (queued_ == 0 || stopped()) return std::nullopt;
  Range& front = queue_.front();
  std::uint64_t const n =
      plan_.adaptive() ? std::min(front.size(), pace().chunk(queued_, threads_,
                                                             plan_.kind() == ScheduleKind::guided))
                       : 1;
  Chunk const chunk = plan_.span(front.begin, n);
  front.begin += n;
  if (front.empty()) queue_.pop_front();
  queued_ -= n;
  if (queued_ < low_) queue_low_.notify_one();
  return chunk;
}

void RemoteSource::stop() {
  {
    std::lock_guard lock(mutex_);
    ChunkSource::stop();
  }
  work_ready_.notify_all();
  queue_low_.notify_all();
}

std::optional<std::uint64_t> RemoteSource::wait_below(std::uint64_t low,
                                                      std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  low_ = low;
  if (!queue_low_.wait_for(lock, timeout, [&] { return queued_ < low_ || stopped(); })) {
    return std::nullopt;
  }
  return queued_;
}

void RemoteSource::push(Range indices) {
  {
    std::lock_guard lock(mutex_);
    if (indices.empty()) {
      finished_ = true;
    } else {
      queue_.push_back(indices);
      queued_ += indices.size();
    }
  }
  work_ready_.notify_all();
}

}  // namespace parfold
