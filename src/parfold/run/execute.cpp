#include "parfold/run/execute.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

namespace parfold {

std::uint64_t peak_rss_kib() {
  // VmHWM is this program's own high-water mark; getrusage's ru_maxrss would carry
  // over the peak of a larger parent that forked it (a Python script, a shell).
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    unsigned long long kib = 0;
    bool found = false;
    while (!found && std::fgets(line, sizeof(line), f) != nullptr)
      found = std::sscanf(line, "VmHWM: %llu kB", &kib) == 1;
    std::fclose(f);
    if (found) return kib;
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss);  // KiB on Linux
}

void add_run(RunInfo& into, RunInfo const& run) {
  if (into.workers.empty()) into.workers.resize(run.workers.size());
  for (std::size_t i = 0; i < run.workers.size() && i < into.workers.size(); ++i) {
    WorkerStats& w = into.workers[i];
    WorkerStats const& r = run.workers[i];
    w.rank = r.rank;
    w.thread = r.thread;
    w.host = r.host;
    w.chunks += r.chunks;
    w.items += r.items;
    w.busy_s += r.busy_s;
    w.finish_s = r.finish_s;  // within the last run
    w.peak_rss_kib = std::max(w.peak_rss_kib, r.peak_rss_kib);
    if (r.chunks > 0) {
      w.smallest_chunk =
          w.chunks == r.chunks ? r.smallest_chunk : std::min(w.smallest_chunk, r.smallest_chunk);
      w.largest_chunk = std::max(w.largest_chunk, r.largest_chunk);
    }
  }
  into.ranks = run.ranks;
  into.threads = run.threads;
  into.chunks += run.chunks;
  into.items += run.items;
  into.requests += run.requests;
  into.schedule = run.schedule;
}

}  // namespace parfold
