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
/// The names parse_schedule accepts, in the order --help lists them.
[[nodiscard]] std::vector<std::string_view> schedule_names();

/// How a job's range is cut into chunks and the chunks dealt to workers.
/// `chunk` is items per chunk (the minimum for guided); 0 means the automatic choice.
struct Schedule {
  ScheduleKind kind = ScheduleKind::static_blocks;
  std::uint64_t chunk = 0;
  /// Dynamic or guided with no chunk size given (--chunk auto), once resolved: the range
  /// is cut into small pieces of `chunk` items and each chunk a worker takes joins as
  /// many consecutive pieces as it runs in about kTargetChunk_s (see Pace).
  bool adaptive = false;

  /// "static", "cyclic", "dynamic" or "guided" with `chunk` items per chunk (0: the
  /// automatic choice). Throws UsageError for another name.
  [[nodiscard]] static Schedule parse(std::string_view kind, std::uint64_t chunk = 0);
};

/// Divisor k of guided scheduling: chunk = remaining / (k * workers).
inline constexpr std::uint64_t kGuidedDivisor = 2;
/// Automatic chunk size of cyclic: about this many chunks per worker.
inline constexpr std::uint64_t kChunksPerWorker = 16;
/// --chunk auto: about this many pieces per worker (never below the workload's grain),
/// so that chunks of kTargetChunk_s can be joined from them finely.
inline constexpr std::uint64_t kPiecesPerWorker = 4096;

/// The schedule as it runs `items` items over `workers` workers, given the workload's
/// grain (the smallest chunk worth dispatching): an explicit chunk wins; otherwise
/// static takes one block per worker, cyclic about kChunksPerWorker chunks per worker,
/// and dynamic and guided become adaptive (pieces of at least the grain).
[[nodiscard]] Schedule resolve(Schedule s, std::uint64_t items, std::uint64_t workers,
                               std::uint64_t grain);

/// The chunks of one job, numbered 0..count()-1 in range order, computed identically on
/// every rank. Static: one block per worker, each cut into pieces of `chunk` items.
/// Cyclic, dynamic and adaptive: pieces of `chunk` items. Guided: decreasing pieces.
class ChunkPlan {
 public:
  ChunkPlan(Range range, Schedule schedule, std::uint64_t workers);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] Chunk at(std::uint64_t index) const;
  [[nodiscard]] Range range() const { return range_; }
  [[nodiscard]] std::uint64_t chunk_items() const { return chunk_; }
  [[nodiscard]] ScheduleKind kind() const { return kind_; }
  [[nodiscard]] bool adaptive() const { return adaptive_; }
  /// The chunks [first, first + n) as one chunk (chunks follow each other in range
  /// order in every plan).
  [[nodiscard]] Chunk span(std::uint64_t first, std::uint64_t n) const;

  /// Static only: the chunk indices [first, last) that belong to worker `w`.
  [[nodiscard]] Range static_chunks(std::uint64_t w) const;

 private:
  /// How the range is cut: an adaptive plan (dynamic or guided) is cut as dynamic.
  [[nodiscard]] ScheduleKind layout() const { return adaptive_ ? ScheduleKind::dynamic : kind_; }

  Range range_;
  ScheduleKind kind_;
  bool adaptive_;
  std::uint64_t workers_;
  std::uint64_t chunk_;
  std::uint64_t count_ = 0;
  // static: chunks per block for the large (q + 1) and small (q) blocks
  std::uint64_t big_blocks_ = 0, chunks_big_ = 0, chunks_small_ = 0;
  std::vector<std::uint64_t> guided_bounds_;  // guided: chunk i is [b[i], b[i+1])
};

}  // namespace parfold
