#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "parfold/core/range.hpp"

namespace parfold {

enum class ScheduleKind { static_blocks, cyclic, dynamic, guided };

[[nodiscard]] std::string_view to_string(ScheduleKind kind);
[[nodiscard]] std::optional<ScheduleKind> parse_schedule(std::string_view name);

/// How a job's range is cut into chunks and the chunks dealt to workers.
/// `chunk` is items per chunk (the minimum for guided); 0 means the automatic choice.
struct Schedule {
  ScheduleKind kind = ScheduleKind::static_blocks;
  std::uint64_t chunk = 0;

  /// "static", "cyclic", "dynamic" or "guided" with `chunk` items per chunk (0: the
  /// automatic choice). Throws UsageError for another name.
  [[nodiscard]] static Schedule parse(std::string_view kind, std::uint64_t chunk = 0);
};

/// Divisor k of guided scheduling: chunk = remaining / (k * workers).
inline constexpr std::uint64_t kGuidedDivisor = 2;
/// Automatic chunk size of cyclic and dynamic: about this many chunks per worker.
inline constexpr std::uint64_t kChunksPerWorker = 16;

/// The chunk size a schedule uses for `items` items over `workers` workers, given the
/// workload's grain (the smallest chunk worth dispatching). An explicit chunk wins.
[[nodiscard]] std::uint64_t effective_chunk(Schedule s, std::uint64_t items, std::uint64_t workers,
                                            std::uint64_t grain);

/// The chunks of one job, numbered 0..count()-1 in range order, computed identically on
/// every rank. Static: one block per worker, each cut into pieces of `chunk` items.
/// Cyclic and dynamic: pieces of `chunk` items. Guided: decreasing pieces.
class ChunkPlan {
 public:
  ChunkPlan(Range range, Schedule schedule, std::uint64_t workers);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] Chunk at(std::uint64_t index) const;
  [[nodiscard]] Range range() const { return range_; }
  [[nodiscard]] std::uint64_t chunk_items() const { return chunk_; }
  [[nodiscard]] ScheduleKind kind() const { return kind_; }

  /// Static only: the chunk indices [first, last) that belong to worker `w`.
  [[nodiscard]] Range static_chunks(std::uint64_t w) const;

 private:
  Range range_;
  ScheduleKind kind_;
  std::uint64_t workers_;
  std::uint64_t chunk_;
  std::uint64_t count_ = 0;
  // static: chunks per block for the large (q + 1) and small (q) blocks
  std::uint64_t big_blocks_ = 0, chunks_big_ = 0, chunks_small_ = 0;
  std::vector<std::uint64_t> guided_bounds_;  // guided: chunk i is [b[i], b[i+1])
};

}  // namespace parfold
