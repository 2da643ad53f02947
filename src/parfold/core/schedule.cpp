#include "parfold/core/schedule.hpp"

#include <string>

#include "parfold/core/errors.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace parfold {

namespace {
constexpr std::array<std::pair<ScheduleKind, std::string_view>, 4> kNames{{
    {ScheduleKind::static_blocks, "static"},
    {ScheduleKind::cyclic, "cyclic"},
    {ScheduleKind::dynamic, "dynamic"},
    {ScheduleKind::guided, "guided"},
}};
}  // namespace

std::string_view to_string(ScheduleKind kind) {
  for (auto const& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "?";
}

std::optional<ScheduleKind> parse_schedule(std::string_view name) {
  for (auto const& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::vector<std::string_view> schedule_names() {
  std::vector<std::string_view> names;
  for (auto const& [k, name] : kNames) names.push_back(name);
  return names;
}

Schedule Schedule::parse(std::string_view kind, std::uint64_t chunk) {
  auto const k = parse_schedule(kind);
  if (!k) {
    std::string known;
    for (std::string_view name : schedule_names())
      known += (known.empty() ? "" : ", ") + std::string(name);
    throw UsageError("'" + std::string(kind) + "': not one of " + known);
  }
  return {*k, chunk};
}

Schedule resolve(Schedule s, std::uint64_t items, std::uint64_t workers, std::uint64_t grain) {
  if (s.chunk != 0) return {s.kind, s.chunk, false};
  auto const pieces = [&](std::uint64_t per_worker) {
    std::uint64_t const size =
        workers > items / per_worker ? 1 : ceil_div(items, workers * per_worker);
    return std::max<std::uint64_t>({1, grain, size});
  };
  switch (s.kind) {
    case ScheduleKind::static_blocks:
      return {s.kind, std::max<std::uint64_t>(1, ceil_div(items, workers)), false};
    case ScheduleKind::cyclic:
      return {s.kind, pieces(kChunksPerWorker), false};
    case ScheduleKind::dynamic:
    case ScheduleKind::guided:
      break;
  }
  return {s.kind, pieces(kPiecesPerWorker), true};
}

ChunkPlan::ChunkPlan(Range range, Schedule schedule, std::uint64_t workers)
    : range_(range),
      kind_(schedule.kind),
      adaptive_(schedule.adaptive),
      workers_(workers),
      chunk_(schedule.chunk) {
  assert(workers > 0 && chunk_ > 0);
  std::uint64_t const n = range.size();
  switch (layout()) {
    case ScheduleKind::static_blocks: {
      std::uint64_t const q = n / workers;
      big_blocks_ = n % workers;
      chunks_big_ = ceil_div(q + 1, chunk_);
      chunks_small_ = ceil_div(q, chunk_);
      count_ = big_blocks_ * chunks_big_ + (workers - big_blocks_) * chunks_small_;
      break;
    }
    case ScheduleKind::cyclic:
    case ScheduleKind::dynamic:
      count_ = ceil_div(n, chunk_);
      break;
    case ScheduleKind::guided: {
      std::uint64_t const divisor = kGuidedDivisor * workers;
      std::uint64_t at = range.begin;
      guided_bounds_.push_back(at);
      while (at != range.end) {
        std::uint64_t const remaining = range.end - at;
        at += std::min(remaining, std::max(chunk_, ceil_div(remaining, divisor)));
        guided_bounds_.push_back(at);
      }
      count_ = guided_bounds_.size() - 1;
      break;
    }
  }
}

Range ChunkPlan::static_chunks(std::uint64_t w) const {
  assert(kind_ == ScheduleKind::static_blocks && w < workers_);
  std::uint64_t const first = w < big_blocks_
                                  ? w * chunks_big_
                                  : big_blocks_ * chunks_big_ + (w - big_blocks_) * chunks_small_;
  return {first, first + (w < big_blocks_ ? chunks_big_ : chunks_small_)};
}

Chunk ChunkPlan::span(std::uint64_t first, std::uint64_t n) const {
  assert(n > 0 && first + n <= count_);
  Chunk c = at(first);
  c.range.end = n == 1 ? c.range.end : at(first + n - 1).range.end;
  c.count = n;
  return c;
}

Chunk ChunkPlan::at(std::uint64_t index) const {
  assert(index < count_);
  switch (layout()) {
    case ScheduleKind::static_blocks: {
      std::uint64_t const big_total = big_blocks_ * chunks_big_;
      std::uint64_t block = 0, piece = 0;
      if (index < big_total) {
        block = index / chunks_big_;
        piece = index % chunks_big_;
      } else {
        block = big_blocks_ + (index - big_total) / chunks_small_;
        piece = (index - big_total) % chunks_small_;
      }
      Range const b = partition(range_, block, workers_);
      std::uint64_t const begin = b.begin + piece * chunk_;
      return {index, {begin, begin + std::min(chunk_, b.end - begin)}};
    }
    case ScheduleKind::cyclic:
    case ScheduleKind::dynamic: {
      std::uint64_t const begin = range_.begin + index * chunk_;
      return {index, {begin, begin + std::min(chunk_, range_.end - begin)}};
    }
    case ScheduleKind::guided:
      return {index, {guided_bounds_[index], guided_bounds_[index + 1]}};
  }
  return {};
}

}  // namespace parfold
