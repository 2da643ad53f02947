#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "parfold/core/schedule.hpp"
#include "parfold/run/dispatch.hpp"
#include "parfold/run/pace.hpp"

namespace parfold {
namespace {

constexpr ScheduleKind kKinds[] = {ScheduleKind::static_blocks, ScheduleKind::cyclic,
                                   ScheduleKind::dynamic, ScheduleKind::guided};

/// Every item of [0, n) lies in exactly one chunk; chunks are numbered in range order.
void expect_exact_cover(std::uint64_t n, ScheduleKind kind, std::uint64_t chunk,
                        std::uint64_t workers) {
  SCOPED_TRACE(testing::Message() << "n=" << n << " kind=" << to_string(kind) << " chunk=" << chunk
                                  << " workers=" << workers);
  Schedule const s = resolve({kind, chunk}, n, workers, 1);
  ChunkPlan const plan({0, n}, s, workers);
  std::vector<int> seen(n, 0);
  std::uint64_t expect_begin = 0;
  for (std::uint64_t i = 0; i < plan.count(); ++i) {
    Chunk const c = plan.at(i);
    EXPECT_EQ(c.index, i);
    EXPECT_EQ(c.range.begin, expect_begin);
    EXPECT_LE(c.range.size(), kind == ScheduleKind::guided && !s.adaptive ? n : s.chunk);
    if (kind != ScheduleKind::static_blocks) {
      EXPECT_FALSE(c.range.empty());
    }
    for (std::uint64_t k = c.range.begin; k < c.range.end; ++k) ++seen[k];
    expect_begin = c.range.end;
  }
  EXPECT_EQ(expect_begin, n);
  for (std::uint64_t k = 0; k < n; ++k) ASSERT_EQ(seen[k], 1) << "item " << k;

  if (kind == ScheduleKind::static_blocks) {
    // Workers' chunk lists are consecutive and match the near-equal partition.
    std::uint64_t next = 0;
    for (std::uint64_t w = 0; w < workers; ++w) {
      Range const mine = plan.static_chunks(w);
      EXPECT_EQ(mine.begin, next);
      next = mine.end;
      std::uint64_t items = 0;
      for (std::uint64_t i = mine.begin; i < mine.end; ++i) items += plan.at(i).range.size();
      EXPECT_EQ(items, n / workers + (w < n % workers ? 1 : 0));
    }
    EXPECT_EQ(next, plan.count());
  }
}

TEST(ChunkPlan, EveryItemExactlyOnce) {
  for (ScheduleKind kind : kKinds) {
    for (std::uint64_t n : {1, 2, 3, 7, 100, 1000, 1023}) {
      for (std::uint64_t workers : {1, 2, 3, 8, 13}) {
        for (std::uint64_t chunk : {0, 1, 2, 7, 64, 5000}) {
          expect_exact_cover(n, kind, chunk, workers);
        }
      }
    }
  }
}

/// docs/options.md: guided's chunk is remaining / (2 W), never below --chunk (rounded up).
TEST(ChunkPlan, GuidedChunksShrinkAndRespectMinimum) {
  std::uint64_t const n = 10000, workers = 4, min_chunk = 10;
  ChunkPlan const plan({0, n}, {ScheduleKind::guided, min_chunk}, workers);
  // By hand: 10000/8 = 1250, 8750/8 = 1093.75, 7656/8 = 957, 6699/8 = 837.4, 5861/8 = 732.6.
  std::vector<std::uint64_t> const first = {1250, 1094, 957, 838, 733};
  ASSERT_EQ(plan.count(), 44U);  // the rule below run to the end
  for (std::uint64_t i = 0; i < first.size(); ++i) EXPECT_EQ(plan.at(i).range.size(), first[i]);
  std::uint64_t remaining = n;
  std::uint64_t prev = n;
  for (std::uint64_t i = 0; i < plan.count(); ++i) {
    std::uint64_t const size = plan.at(i).range.size();
    std::uint64_t const share = (remaining + 7) / 8;  // remaining / (2 x 4 workers), rounded up
    std::uint64_t const expect = std::min(remaining, std::max(min_chunk, share));
    EXPECT_EQ(size, expect) << "chunk " << i;
    EXPECT_LE(size, prev);
    prev = size;
    remaining -= size;
  }
  EXPECT_EQ(remaining, 0U);
  EXPECT_EQ(plan.at(0).range.size(), n / 8);
}

TEST(ChunkPlan, NearTwoToTheSixtyFour) {
  std::uint64_t const n = std::numeric_limits<std::uint64_t>::max();
  for (ScheduleKind kind : kKinds) {
    std::uint64_t const workers = 7;
    Schedule const s = resolve({kind, 0}, n, workers, 1 << 16);
    ChunkPlan const plan({0, n}, s, workers);
    ASSERT_GT(plan.count(), 0U);
    Chunk const last = plan.at(plan.count() - 1);
    EXPECT_EQ(last.range.end, n) << to_string(kind);
    EXPECT_EQ(plan.at(0).range.begin, 0U);
    for (std::uint64_t i = 1; i < std::min<std::uint64_t>(plan.count(), 50); ++i) {
      EXPECT_EQ(plan.at(i - 1).range.end, plan.at(i).range.begin);
      EXPECT_EQ(plan.at(plan.count() - i - 1).range.end, plan.at(plan.count() - i).range.begin);
    }
  }
  // A chunk larger than half the range, with an offset range near the top.
  ChunkPlan const plan({n - 10, n}, {ScheduleKind::dynamic, n - 3}, 2);
  EXPECT_EQ(plan.count(), 1U);
  EXPECT_EQ(plan.at(0).range, (Range{n - 10, n}));
}

TEST(Schedule, ParseAndDefaults) {
  EXPECT_EQ(parse_schedule("guided"), ScheduleKind::guided);
  EXPECT_FALSE(parse_schedule("Static").has_value());
  EXPECT_EQ(to_string(ScheduleKind::static_blocks), "static");
  auto const chunk = [](Schedule s, std::uint64_t items, std::uint64_t workers,
                        std::uint64_t grain) {
    Schedule const r = resolve(s, items, workers, grain);
    return std::pair{r.chunk, r.adaptive};
  };
  EXPECT_EQ(chunk({ScheduleKind::dynamic, 5}, 100, 2, 1000),
            std::pair(5UL, false));  // explicit wins
  EXPECT_EQ(chunk({ScheduleKind::static_blocks, 0}, 100, 3, 1), std::pair(34UL, false));
  EXPECT_EQ(chunk({ScheduleKind::cyclic, 0}, 3200, 2, 1),
            std::pair(100UL, false));  // 16 per worker
  EXPECT_EQ(chunk({ScheduleKind::cyclic, 0}, 3200, 2, 1000), std::pair(1000UL, false));  // grain
  EXPECT_EQ(chunk({ScheduleKind::cyclic, 0}, 3, 8, 1), std::pair(1UL, false));
  // auto: pieces of items / (4096 workers), at least the grain
  EXPECT_EQ(chunk({ScheduleKind::dynamic, 0}, 1UL << 30, 2, 1), std::pair(1UL << 17, true));
  EXPECT_EQ(chunk({ScheduleKind::guided, 0}, 1UL << 30, 2, 1UL << 20), std::pair(1UL << 20, true));
  EXPECT_EQ(chunk({ScheduleKind::dynamic, 0}, 400, 2, 1), std::pair(1UL, true));
  EXPECT_EQ(partition({10, 20}, 0, 3), (Range{10, 14}));
  EXPECT_EQ(partition({10, 20}, 2, 3), (Range{17, 20}));
}

TEST(ChunkPlan, SpanJoinsConsecutiveChunks) {
  for (ScheduleKind kind : kKinds) {
    ChunkPlan const plan({5, 1005}, resolve({kind, 7}, 1000, 3, 1), 3);
    Chunk const c = plan.span(2, 4);
    EXPECT_EQ(c.index, 2U);
    EXPECT_EQ(c.count, 4U);
    EXPECT_EQ(c.range, (Range{plan.at(2).range.begin, plan.at(5).range.end})) << to_string(kind);
  }
}

/// Pace's rule, from its documentation: about kTargetChunk_s of pieces; dynamic at most
/// remaining / (2 workers), guided at least that; within [1, remaining].
TEST(Pace, SizesChunksToTheTargetTime) {
  Pace pace;
  EXPECT_EQ(pace.piece_s(), 0.0);
  EXPECT_EQ(pace.chunk(1000, 2, false), 1U);  // no time known yet
  EXPECT_EQ(pace.chunk(1000, 2, true), 250U);
  pace.record(4, 2e-6);
  pace.record(6, 8e-6);  // 10 pieces in 10 us: 1 us each
  EXPECT_DOUBLE_EQ(pace.piece_s(), 1e-6);
  static_assert(kTargetChunk_s == 2e-3);
  std::uint64_t const target = 2000;  // 2 ms of 1 us pieces
  EXPECT_EQ(pace.chunk(1'000'000, 2, false), target);
  EXPECT_EQ(pace.chunk(3000, 2, false), 750U);  // the fair share
  EXPECT_EQ(pace.chunk(3, 2, false), 1U);
  EXPECT_EQ(pace.chunk(1'000'000, 2, true), 250'000U);
  EXPECT_EQ(pace.chunk(3000, 2, true), target);
  EXPECT_EQ(pace.chunk(target / 2, 2, true), target / 2);  // never more than is left
  pace.record(1, 1e3);                                     // very slow pieces: one at a time
  EXPECT_EQ(pace.chunk(1'000'000, 2, false), 1U);
}

/// docs/options.md: cover = max(4 ms, (R - 1) / 10^4 s): at most 10^4 requests per second
/// reach rank 0, however many ranks ask.
TEST(Dispatch, PrefetchCoverKeepsRankZerosLoadBounded) {
  EXPECT_DOUBLE_EQ(prefetch_cover_s(2), 0.004);
  EXPECT_DOUBLE_EQ(prefetch_cover_s(41), 0.004);  // 40 / 10^4 = 4 ms: both rules agree
  EXPECT_DOUBLE_EQ(prefetch_cover_s(65), 0.0064);
  EXPECT_DOUBLE_EQ(prefetch_cover_s(1001), 0.1);
  for (int ranks : {101, 1001, 10001}) {  // requests per second from all ranks: 10^4
    EXPECT_DOUBLE_EQ((ranks - 1) / prefetch_cover_s(ranks), 10'000.0);
  }
}

}  // namespace
}  // namespace parfold
