#include "cli/report.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "parfold/io/standard_output.hpp"
#include "parfold/run/pace.hpp"

namespace parfold {

namespace {

nlohmann::ordered_json threads_json(std::vector<int> const& threads) {
  bool const uniform =
      std::adjacent_find(threads.begin(), threads.end(), std::not_equal_to<>()) == threads.end();
  if (uniform && !threads.empty()) return threads.front();
  return threads;
}

double mib(std::uint64_t kib) { return static_cast<double>(kib) / 1024.0; }

/// The peak resident memory of the job's processes, from its workers' records.
struct Memory {
  std::vector<double> ranks_mib;  ///< each rank's, in rank order
  double total_mib = 0;
  double per_worker_mib = 0;
};

/// The sizes of the chunks that ran, in items.
struct ChunkSizes {
  std::uint64_t smallest = 0, largest = 0;
  double mean = 0;
};

ChunkSizes chunk_sizes(RunInfo const& info) {
  ChunkSizes c;
  std::uint64_t chunks = 0, items = 0;
  for (WorkerStats const& w : info.workers) {
    if (w.chunks == 0) continue;
    c.smallest = chunks == 0 ? w.smallest_chunk : std::min(c.smallest, w.smallest_chunk);
    c.largest = std::max(c.largest, w.largest_chunk);
    chunks += w.chunks;
    items += w.items;
  }
  c.mean = chunks == 0 ? 0.0 : static_cast<double>(items) / static_cast<double>(chunks);
  return c;
}

/// Whether rank 0 answered chunk requests in this run (dynamic or guided over ranks).
bool dispatched(RunInfo const& info) {
  return info.ranks > 1 && (info.schedule.kind == ScheduleKind::dynamic ||
                            info.schedule.kind == ScheduleKind::guided);
}

/// "auto" or the number of items per chunk.
nlohmann::ordered_json chunk_json(Schedule const& s) {
  return s.adaptive ? nlohmann::ordered_json("auto") : nlohmann::ordered_json(s.chunk);
}

Memory memory_of(RunInfo const& info, std::uint64_t workers) {
  std::vector<std::uint64_t> kib(static_cast<std::size_t>(info.ranks), 0);
  for (WorkerStats const& w : info.workers) {
    auto const r = static_cast<std::size_t>(w.rank);
    if (r < kib.size()) kib[r] = std::max(kib[r], w.peak_rss_kib);
  }
  Memory m;
  for (std::uint64_t k : kib) m.ranks_mib.push_back(mib(k));
  m.total_mib = mib(std::accumulate(kib.begin(), kib.end(), std::uint64_t{0}));
  m.per_worker_mib = workers > 0 ? m.total_mib / static_cast<double>(workers) : 0.0;
  return m;
}

}  // namespace

Balance balance(RunInfo const& info) {
  Balance b;
  auto const& ws = info.workers;
  if (ws.empty()) return b;
  double busy_sum = 0, finish_max = 0, idle_sum = 0;
  b.busy_min_s = ws.front().busy_s;
  for (WorkerStats const& w : ws) {
    busy_sum += w.busy_s;
    b.busy_min_s = std::min(b.busy_min_s, w.busy_s);
    b.busy_max_s = std::max(b.busy_max_s, w.busy_s);
    finish_max = std::max(finish_max, w.finish_s);
  }
  for (WorkerStats const& w : ws) {
    idle_sum += finish_max - w.finish_s;
    b.idle_end_max_s = std::max(b.idle_end_max_s, finish_max - w.finish_s);
  }
  double const n = static_cast<double>(ws.size());
  b.busy_mean_s = busy_sum / n;
  b.imbalance = b.busy_mean_s > 0 ? b.busy_max_s / b.busy_mean_s : 1.0;
  b.idle_end_mean_s = idle_sum / n;
  b.overhead_s = std::max(0.0, info.wall_s - b.busy_max_s);
  b.utilization = info.wall_s > 0 ? busy_sum / (n * info.wall_s) : 0.0;
  b.parallelism = info.wall_s > 0 ? busy_sum / info.wall_s : 0.0;
  return b;
}

nlohmann::ordered_json to_json(Report const& r) {
  if (r.json) return *r.json;
  nlohmann::ordered_json j;
  j["workload"] = r.workload;
  auto& result = j["result"] = nlohmann::ordered_json::object();
  for (Field const& f : r.result) result[f.key] = f.json();
  RunInfo const& info = r.info;
  std::uint64_t const workers = std::accumulate(info.threads.begin(), info.threads.end(), 0ULL);
  j["config"] = {{"launcher", r.launcher},
                 {"ranks", info.ranks},
                 {"threads_per_rank", threads_json(info.threads)},
                 {"workers", workers},
                 {"schedule", to_string(info.schedule.kind)},
                 {"chunk", chunk_json(info.schedule)},
                 {"chunks", info.chunks},
                 {"items", info.items}};
  if (info.schedule.adaptive) {
    j["config"]["target_chunk_s"] = kTargetChunk_s;
    j["config"]["piece_items"] = info.schedule.chunk;
  }
  ChunkSizes const sizes = chunk_sizes(info);
  j["config"]["chunk_items"] = {
      {"min", sizes.smallest}, {"mean", sizes.mean}, {"max", sizes.largest}};
  if (info.resumed > 0) j["config"]["resumed_items"] = info.resumed;
  j["timing"] = {{"wall_s", info.wall_s},
                 {"items_per_s", static_cast<double>(info.items - info.resumed) / info.wall_s}};
  Balance const b = balance(info);
  if (r.speedup) j["timing"]["speedup"] = *r.speedup;
  j["timing"]["parallelism"] = b.parallelism;
  if (dispatched(info)) {
    j["dispatch"] = {{"requests", info.requests},
                     {"requests_per_s", static_cast<double>(info.requests) / info.wall_s}};
  }
  Memory const m = memory_of(info, workers);
  j["memory"] = {{"peak_rss_mib", m.total_mib},
                 {"peak_rss_mib_per_worker", m.per_worker_mib},
                 {"ranks_peak_rss_mib", m.ranks_mib}};
  j["balance"] = {{"busy_min_s", b.busy_min_s},           {"busy_mean_s", b.busy_mean_s},
                  {"busy_max_s", b.busy_max_s},           {"imbalance", b.imbalance},
                  {"idle_end_mean_s", b.idle_end_mean_s}, {"idle_end_max_s", b.idle_end_max_s},
                  {"overhead_s", b.overhead_s},           {"utilization", b.utilization}};
  double finish_max = 0;
  for (WorkerStats const& w : info.workers) finish_max = std::max(finish_max, w.finish_s);
  auto& ws = j["workers"] = nlohmann::ordered_json::array();
  for (WorkerStats const& w : info.workers) {
    ws.push_back({{"rank", w.rank},
                  {"thread", w.thread},
                  {"host", w.host},
                  {"chunks", w.chunks},
                  {"items", w.items},
                  {"busy_s", w.busy_s},
                  {"finish_s", w.finish_s},
                  {"idle_end_s", finish_max - w.finish_s}});
  }
  return j;
}

namespace {

void print_schedule(std::FILE* out, RunInfo const& info) {
  std::string const kind(to_string(info.schedule.kind));
  if (info.schedule.adaptive) {
    ChunkSizes const c = chunk_sizes(info);
    std::fprintf(out, "%-12s  %s, chunk auto (%.0f ms each: %s to %s items, mean %s), %s\n",
                 "schedule", kind.c_str(), kTargetChunk_s * 1e3, group_digits(c.smallest).c_str(),
                 group_digits(c.largest).c_str(),
                 group_digits(static_cast<std::uint64_t>(std::llround(c.mean))).c_str(),
                 count_of(info.chunks, "chunk").c_str());
  } else {
    std::fprintf(out, "%-12s  %s, chunk %s%s, %s\n", "schedule", kind.c_str(),
                 group_digits(info.schedule.chunk).c_str(),
                 info.schedule.kind == ScheduleKind::guided ? " (minimum)" : "",
                 count_of(info.chunks, "chunk").c_str());
  }
  if (dispatched(info)) {
    std::fprintf(out, "%-12s  %s chunk requests answered by rank 0 (%s/s)\n", "dispatch",
                 group_digits(info.requests).c_str(),
                 si(static_cast<double>(info.requests) / info.wall_s).c_str());
  }
}

}  // namespace

void print_text(std::FILE* out, Report const& r) {
  if (r.text) {
    if (out == stdout) {  // checked: a failure is said at the end (check_stdout)
      write_stdout(*r.text);
    } else {
      std::fwrite(r.text->data(), 1, r.text->size(), out);  // words may hold NUL bytes
    }
    if (r.info.resumed > 0) {  // tool-compatible output has no report block: say it on stderr
      if (out == stdout)
        flush_stdout();
      else
        std::fflush(out);
      std::fprintf(stderr, "parfold: resumed from the checkpoint: %s of %s %s were done before\n",
                   group_digits(std::to_string(r.info.resumed)).c_str(),
                   group_digits(std::to_string(r.info.items)).c_str(), r.unit.c_str());
    }
    return;
  }
  std::size_t width = 12;
  for (Field const& f : r.result) width = std::max(width, f.key.size());
  for (Field const& f : r.result) {
    std::fprintf(out, "%-*s  %s\n", static_cast<int>(width), f.key.c_str(), f.text.c_str());
  }
  RunInfo const& info = r.info;
  std::uint64_t const workers = std::accumulate(info.threads.begin(), info.threads.end(), 0ULL);
  std::string threads = std::to_string(info.threads.front());
  if (threads_json(info.threads).is_array())
    threads = "(" + threads_json(info.threads).dump() + ")";
  std::fprintf(out, "\n%-12s  %d rank%s x %s thread%s = %llu worker%s (launcher: %s)\n", "workers",
               info.ranks, info.ranks == 1 ? "" : "s", threads.c_str(), threads == "1" ? "" : "s",
               static_cast<unsigned long long>(workers), workers == 1 ? "" : "s",
               r.launcher.c_str());
  print_schedule(out, info);
  std::fprintf(out, "%-12s  %.3f s\n", "wall time", info.wall_s);
  std::fprintf(out, "%-12s  %s %s/s\n", "throughput",
               si(static_cast<double>(info.items - info.resumed) / info.wall_s).c_str(),
               r.unit.c_str());
  if (info.resumed > 0) {
    std::fprintf(out, "%-12s  from a checkpoint: %s of %s items were done before\n", "resumed",
                 group_digits(std::to_string(info.resumed)).c_str(),
                 group_digits(std::to_string(info.items)).c_str());
  }
  Balance const b = balance(info);
  if (r.speedup) {
    std::fprintf(out, "%-12s  %.2f\n", "speedup", *r.speedup);
  } else {
    std::fprintf(out, "%-12s  %.2f (all workers' busy time / wall time)\n", "parallelism",
                 b.parallelism);
  }
  std::fprintf(out, "%-12s  busy %.3f s mean, %.3f s max (max/mean %.2f), utilization %.0f%%\n",
               "balance", b.busy_mean_s, b.busy_max_s, b.imbalance, 100 * b.utilization);
  std::fprintf(out, "%-12s  %.3f s mean, %.3f s max\n", "idle at end", b.idle_end_mean_s,
               b.idle_end_max_s);
  std::fprintf(out, "%-12s  %.3f s (wall time - busiest worker's busy time)\n", "overhead",
               b.overhead_s);
  Memory const m = memory_of(info, workers);
  std::fprintf(out, "%-12s  peak resident %.1f MiB over %d rank%s (%.1f MiB per worker)\n",
               "memory", m.total_mib, info.ranks, info.ranks == 1 ? "" : "s", m.per_worker_mib);
}

}  // namespace parfold
