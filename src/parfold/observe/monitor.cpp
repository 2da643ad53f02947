#include "parfold/observe/monitor.hpp"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>

#include "parfold/comm/agree.hpp"
#include "parfold/comm/context.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/io/staged_file.hpp"
#include "parfold/observe/units.hpp"

namespace parfold {

namespace {

// Tags on the team's observe communicator.
constexpr int kProgressTag = 1;
constexpr int kClockTag = 2;
constexpr int kClockRounds = 16;
/// Progress lines: on a terminal at most 10 per second; in a log one every 5 s.
constexpr auto kTtyInterval = std::chrono::milliseconds(100);
constexpr auto kLogInterval = std::chrono::seconds(5);
/// Ranks other than 0 send their counts this often.
constexpr auto kSendInterval = std::chrono::milliseconds(200);
/// Progress that nobody asked for appears only on runs longer than this.
constexpr auto kQuietStart = std::chrono::milliseconds(500);

std::int64_t abs_ns(Monitor::Clock::time_point t) { return t.time_since_epoch().count(); }

/// Test hook: PARFOLD_TEST_CLOCK_SKEW_S="0,5,-3" shifts rank r's clock by the r-th
/// value (seconds) as clock alignment sees it, as if the ranks ran on hosts whose
/// clocks disagree. Chunk times are unaffected; the trace must come out aligned anyway.
std::int64_t test_skew_ns(int rank) {
  char const* env = std::getenv("PARFOLD_TEST_CLOCK_SKEW_S");
  if (env == nullptr) return 0;
  std::string_view s(env);
  for (int r = 0; r < rank && !s.empty(); ++r) {
    auto const comma = s.find(',');
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return s.empty() ? 0
                   : static_cast<std::int64_t>(std::strtod(std::string(s).c_str(), nullptr) * 1e9);
}

}  // namespace

Monitor::Monitor(Team const& team, MonitorOptions const& options)
    : team_(team), options_(options), epoch_(Clock::now()), started_(epoch_) {
  int const threads = team.my_threads();
  events_.resize(static_cast<std::size_t>(threads));
  done_ = std::make_unique<Counter[]>(static_cast<std::size_t>(threads));

  // Rank 0 decides and checks; every rank follows.
  std::string error;
  int progress = 0;
  if (team.is_root()) {
    tty_ = isatty(STDERR_FILENO) == 1;
    progress = options.progress.value_or(tty_ && !options.json) ? 1 : 0;
    if (!options.trace_path.empty()) {
      if (std::string const why = cannot_write(options.trace_path); !why.empty()) {
        error = " " + options.trace_path + ": " + why;
      }
    }
  }
  if (from_root(team, error.empty() ? 0 : 1) != 0) {
    throw FileError(FileError::Role::trace, error);
  }
  progress_ = from_root(team, progress) == 1;
  trace_ = !options.trace_path.empty();
  if (team.is_root()) {
    remote_done_.assign(static_cast<std::size_t>(team.ranks()), 0);
    next_tick_ = started_ + (options.progress ? kTtyInterval : kQuietStart);
  } else {
    next_tick_ = started_ + kSendInterval;
  }
  if (trace_) align_clocks();
}

Monitor::~Monitor() {
  if (shown_ && tty_) std::fputc('\n', stderr);  // a run that failed after showing progress
}

void Monitor::align_clocks() {
  if (!team_.observe.uses_mpi()) return;
  // Each rank estimates rank 0's clock from the round trip with the smallest delay
  // (Cristian's method): offset = t_root - (t_send + t_recv) / 2.
  namespace mpi = boost::mpi;
  mpi::communicator const& comm = team_.observe.mpi();
  std::int64_t const skew = test_skew_ns(team_.rank());
  std::int64_t best_rtt = std::numeric_limits<std::int64_t>::max();
  if (team_.is_root()) {
    for (int r = 1; r < comm.size(); ++r) {
      for (int k = 0; k < kClockRounds; ++k) {
        int ping = 0;
        comm.recv(r, kClockTag, ping);
        comm.send(r, kClockTag, abs_ns(Clock::now()) + skew);
      }
    }
    best_rtt = 0;
  } else {
    for (int k = 0; k < kClockRounds; ++k) {
      std::int64_t const t1 = abs_ns(Clock::now()) + skew;
      comm.send(0, kClockTag, 0);
      std::int64_t t_root = 0;
      comm.recv(0, kClockTag, t_root);
      std::int64_t const t2 = abs_ns(Clock::now()) + skew;
      if (t2 - t1 < best_rtt) {
        best_rtt = t2 - t1;
        offset_ns_ = t_root - (t1 + (t2 - t1) / 2);
      }
    }
  }
  // Times are kept relative to this rank's epoch; the trace shifts them to rank 0's.
  std::int64_t root_epoch = abs_ns(epoch_) + skew;
  team_.comm.broadcast(root_epoch);
  shift_ns_ = abs_ns(epoch_) + skew + offset_ns_ - root_epoch;
  clock_rtt_ns_ = best_rtt;
}

void Monitor::begin_run(std::uint64_t items) {
  run_ = runs_++;
  runs_total_ += items;
  running_ = true;
}

std::uint64_t Monitor::local_done() const {
  std::uint64_t sum = 0;
  for (std::size_t t = 0; t < events_.size(); ++t)
    sum += done_[t].items.load(std::memory_order_relaxed);
  return sum;
}

void Monitor::report_progress(bool final) {
  auto const now = Clock::now();
  if (!team_.is_root()) {
    std::array<std::uint64_t, 2> const msg{local_done(), final ? 1U : 0U};
    team_.observe.mpi().send(0, kProgressTag, msg.data(), 2);
    next_tick_ = now + kSendInterval;
    return;
  }
  if (team_.observe.uses_mpi()) {
    auto const& comm = team_.observe.mpi();
    while (auto const st = comm.iprobe(boost::mpi::any_source, kProgressTag)) {
      std::array<std::uint64_t, 2> msg{};
      comm.recv(st->source(), kProgressTag, msg.data(), 2);
      remote_done_[static_cast<std::size_t>(st->source())] = msg[0];
      if (msg[1] != 0) ++finals_;
    }
  }
  next_tick_ = now + (tty_ ? std::chrono::nanoseconds(kTtyInterval)
                           : std::chrono::nanoseconds(kLogInterval));
  if ((!final && !running_) || !display_) return;
  std::uint64_t const done =
      local_done() + std::accumulate(remote_done_.begin(), remote_done_.end(), std::uint64_t{0});
  std::uint64_t const total = std::max(job_total_ != 0 ? job_total_ : runs_total_, done);
  double const elapsed = std::chrono::duration<double>(now - started_).count();
  double const rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
  double const pct =
      total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
  std::string line = options_.label + ": " + si(static_cast<double>(done)) + " / " +
                     si(static_cast<double>(total)) + " " + options_.unit;
  char buf[96];
  std::snprintf(buf, sizeof(buf), " (%5.1f%%), %s/s, ", pct, si(rate).c_str());
  line += buf;
  if (final) {
    line += "done in " + duration_text(elapsed);
  } else if (rate > 0) {
    line += "ETA " + duration_text(static_cast<double>(total - done) / rate);
  } else {
    line += "ETA ?";
  }
  if (tty_) {
    std::fprintf(stderr, "\r\x1b[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  shown_ = !final;
}

void Monitor::end_run() {
  running_ = false;
  if (!progress_ || team_.ranks() == 1) return;
  if (!team_.is_root()) {
    report_progress(true);  // this rank's final count for the run
    return;
  }
  // Every rank's final count for this run; earlier messages of a rank arrive before.
  timespec const pause{0, 1'000'000};
  while (finals_ < team_.ranks() - 1) {
    report_progress(false);
    if (finals_ < team_.ranks() - 1) nanosleep(&pause, nullptr);
  }
  finals_ = 0;
}

void Monitor::finish(RunInfo const& about, std::string const& workload) {
  if (progress_ && team_.is_root() && runs_ > 0 && (shown_ || options_.progress.value_or(false))) {
    report_progress(true);
  }
  if (!trace_) return;
  std::vector<ChunkEvent> mine;
  for (auto const& e : events_) mine.insert(mine.end(), e.begin(), e.end());
  for (ChunkEvent& e : mine) {
    e.start_ns += shift_ns_;
    e.end_ns += shift_ns_;
  }
  auto const per_rank = team_.comm.gather(mine);
  auto const hosts = team_.comm.gather(team_.host);
  auto const offsets = team_.comm.gather(offset_ns_);
  auto const rtts = team_.comm.gather(clock_rtt_ns_);
  on_root(team_, [&] {
    try {
      write_trace(per_rank, hosts, offsets, rtts, about, workload);
    } catch (std::exception const& e) {
      throw JobError(std::string("cannot write the trace: ") + e.what());
    }
  });
}

void Monitor::write_trace(std::vector<std::vector<ChunkEvent>> const& per_rank,
                          std::vector<std::string> const& hosts,
                          std::vector<std::int64_t> const& offsets,
                          std::vector<std::int64_t> const& rtts, RunInfo const& about,
                          std::string const& workload) const {
  using nlohmann::json;
  std::string const& path = options_.trace_path;
  StagedFile file(path);
  std::FILE* f = file.stream();
  std::string const cat = json(workload).dump();
  std::fputs("{\"traceEvents\":[\n", f);
  bool first = true;
  auto sep = [&] {
    if (!first) std::fputs(",\n", f);
    first = false;
  };
  for (std::size_t r = 0; r < per_rank.size(); ++r) {
    sep();
    std::fprintf(
        f,
        "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%zu,\"args\":{\"name\":%s}},\n"
        "{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%zu,\"args\":{\"sort_index\":%zu}}",
        r, json("rank " + std::to_string(r) + " (" + hosts[r] + ")").dump().c_str(), r, r);
    int const threads =
        r < about.threads.size() ? about.threads[r] : 0;  // none when no run ran (no input)
    for (int t = 0; t < threads; ++t) {
      std::string name = "thread " + std::to_string(t);
      auto const ut = static_cast<std::size_t>(t);
      if (r < thread_about_.size() && ut < thread_about_[r].size() && !thread_about_[r][ut].empty())
        name += " (" + thread_about_[r][ut] + ")";
      std::fprintf(f,
                   ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%zu,\"tid\":%d,\"args\":{"
                   "\"name\":%s}}",
                   r, t, json(name).dump().c_str());
    }
    std::string const host = json(hosts[r]).dump();
    for (ChunkEvent const& e : per_rank[r]) {
      sep();
      std::fprintf(
          f,
          "{\"name\":\"chunk %llu\",\"cat\":%s,\"ph\":\"X\",\"pid\":%zu,\"tid\":%u,"
          "\"ts\":%.3f,\"dur\":%.3f,\"args\":{\"run\":%u,\"chunk\":%llu,\"begin\":%llu,"
          "\"items\":%llu,\"status\":%d,\"host\":%s}}",
          static_cast<unsigned long long>(e.index), cat.c_str(), r, e.thread,
          static_cast<double>(e.start_ns) / 1e3, static_cast<double>(e.end_ns - e.start_ns) / 1e3,
          e.run, static_cast<unsigned long long>(e.index), static_cast<unsigned long long>(e.begin),
          static_cast<unsigned long long>(e.items), e.status, host.c_str());
    }
  }
  json const other = {
      {"workload", workload},
      {"schedule", to_string(about.schedule.kind)},
      {"chunk", about.schedule.adaptive ? json("auto") : json(about.schedule.chunk)},
      {"chunks", about.chunks},
      {"items", about.items},
      {"runs", runs_},
      {"ranks", about.ranks},
      {"threads", about.threads},
      {"hosts", hosts},
      {"wall_s", about.wall_s},
      {"job_s", std::chrono::duration<double>(Clock::now() - epoch_).count()},
      {"clock_offset_ns", offsets},
      {"clock_rtt_ns", rtts},
      {"version", PARFOLD_VERSION}};
  std::fprintf(f, "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":%s}\n",
               other.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  file.commit();
}

}  // namespace parfold
