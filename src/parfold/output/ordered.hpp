#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/serialization/utility.hpp>

#include "parfold/checkpoint/archive.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/io/staged_file.hpp"
#include "parfold/run/execute.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

/// Where a job's ordered output goes, and how its input is cut for it.
struct OrderedRun {
  std::string output;               ///< FILE (whole or not at all); empty: rank 0's stdout
  std::uint64_t items = 0;          ///< the input's items [0, items)
  std::uint64_t window = 0;         ///< items per window: rank 0 holds one window's output
  std::string input;                ///< the input's identity, for the checkpoint
  std::string no_resume;            ///< the message for --checkpoint without FILE
  std::vector<std::string> inputs;  ///< input paths FILE must not be
  std::string on_stop;  ///< what a stop did, for its message ("the running tasks were ended")
  /// Rank 0, after the last window's output: writes what ends the output (a summary).
  std::function<void(class OrderedSink&)> finish;
};

/// Rank 0's end of ordered output: buffered writes to stdout or to a staged file (or
/// nowhere: a finished job's FILE is already in place).
class OrderedSink {
 public:
  enum class To { stdout_stream, file, nowhere };
  explicit OrderedSink(std::unique_ptr<StagedFile> file, To to) : file_(std::move(file)), to_(to) {}
  /// Appends `text` (rank 0 only).
  void write(std::string_view text) {
    constexpr std::size_t kBuffer = std::size_t{1} << 20;
    if (text.size() >= kBuffer) {  // a big piece goes out as it is, not through the buffer
      flush();
      put(text);
      return;
    }
    buffer_.append(text);
    if (buffer_.size() > kBuffer) flush();
  }
  void flush();
  /// Throws WriteError when writing to standard output has failed (a stdout sink only; a
  /// file's writes throw as they fail).
  void check();
  /// Everything so far is on disk (a file) or written (stdout); returns the file's size.
  std::uint64_t sync();
  void commit();
  [[nodiscard]] bool to_file() const { return to_ == To::file; }
  /// Flushes, and returns the descriptor the bytes go to (for a child that writes there).
  [[nodiscard]] int fd();
  /// The file being written (to_file() only).
  [[nodiscard]] std::string const& staging() const { return file_->staging(); }

 private:
  void put(std::string_view bytes);
  std::unique_ptr<StagedFile> file_;
  To to_;
  std::string buffer_;
};

/// Rank 0: the sink for `run` (FILE staged beside it, or with checkpoint `cp` FILE.partial
/// kept between runs and cut back to `bytes` on resume; stdout without FILE); refuses a
/// FILE that cannot be written or is an input, and a checkpoint whose FILE.partial is gone
/// or shorter than it says. Throws UsageError.
std::unique_ptr<OrderedSink> open_sink(OrderedRun const& run, Checkpoint const* cp, bool resumed,
                                       bool finished, std::uint64_t bytes);
/// After a window, before its output: any rank's stop request (without a checkpoint)
/// ends the job with status 128 + the signal (124: --timeout ended the process, its
/// children refused); a temporary FILE is already gone.
/// \note With MPI this is a collective operation over all ranks.
void stop_if_requested(Team const& team, OrderedRun const& run);

/// Rank 0, after the last window: what ends the output (run.finish), written and checked.
inline void finish_output(OrderedRun const& run, OrderedSink& sink) {
  if (!run.finish) return;
  run.finish(sink);
  sink.flush();
  sink.check();
}

/// Runs the input window by window, in order, and emits each window's output on rank 0
/// in input order, with memory bounded by a window: `window(Range)` runs one window over
/// the team (collective) and returns its JobResult (the window's output, reduced on rank
/// 0); `emit(value, sink)` writes it on rank 0 (a failure there fails every rank).
/// `state` is the emitter's own progress (line numbers, counts: serializable), kept in
/// the checkpoint with the output's length, so that a stopped job resumes with exactly
/// the same bytes; `problem(state, done)` says why a state read from the checkpoint cannot
/// be the emitter's after the items [0, done) (empty: it can).
/// \note With MPI this is a collective operation over all ranks.
template <class State, class Window, class Emit>
RunInfo run_ordered(
    Team const& team, Services services, OrderedRun const& run, State& state, Window&& window,
    Emit&& emit,
    std::type_identity_t<std::function<std::string(State const&, std::uint64_t)>> const& problem =
        {}) {
  auto const t0 = std::chrono::steady_clock::now();
  Checkpoint* const cp = services.checkpoint;
  if (cp != nullptr && run.output.empty()) throw UsageError(run.no_resume);
  std::pair<std::uint64_t, State> kept{0, state};  // output bytes, emitter state (rank 0's)
  RunInfo info;
  std::uint64_t at = 0;
  if (cp != nullptr) {
    CheckpointState const saved = cp->open(team, run.items, run.input);
    at = info.resumed = saved.done;
    restore_partial(team, *cp, saved, kept, [&](std::pair<std::uint64_t, State> const& k) {
      return problem ? problem(k.second, saved.done) : std::string();
    });
  }
  if (!run.output.empty() && cp == nullptr)
    catch_stop_signals();  // so that no temporary file is left
  std::unique_ptr<OrderedSink> sink;
  on_root(team, [&] { sink = open_sink(run, cp, at > 0, at == run.items, kept.first); });
  std::optional<CleanupFile> temporary;  // removed at once if a signal stops the job
  if (sink && sink->to_file() && cp == nullptr) temporary.emplace(sink->staging());
  if (services.monitor != nullptr) {
    services.monitor->expect_total(run.items - at);
    if (run.output.empty()) services.monitor->stdout_busy();
  }
  state = std::move(kept.second);
  // With a checkpoint, windows are also segments of about a second.
  run_segments(
      team, cp, run.items, at, 1, run.window,
      [&](Range w) {
        auto const part = window(w);
        add_run(info, part.info);
        if (cp == nullptr) stop_if_requested(team, run);  // with a checkpoint, run_segments stops
        on_root(team, [&] {
          emit(part.value, *sink);
          sink->flush();
          sink->check();
        });
      },
      [&] {
        return to_bytes(std::pair<std::uint64_t, State>{sink ? sink->sync() : 0, state});
      });
  on_root(team, [&] {
    if (sink && (cp == nullptr || at < run.items)) finish_output(run, *sink);
    if (sink) sink->commit();
  });
  info.items = run.items;
  info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return info;
}

/// As run_ordered(), for an input whose length is not known in advance (a stream, read
/// once: no checkpoint): `next()` runs the next window over the team (collective) and
/// returns its JobResult, or nothing at the end of the input; `emit(value, sink)` writes
/// that window's output on rank 0 before the next window is read.
/// \note With MPI this is a collective operation over all ranks.
template <class Next, class Emit>
RunInfo run_ordered_stream(Team const& team, Services services, OrderedRun const& run, Next&& next,
                           Emit&& emit) {
  auto const t0 = std::chrono::steady_clock::now();
  if (!run.output.empty()) catch_stop_signals();  // so that no temporary file is left
  std::unique_ptr<OrderedSink> sink;
  on_root(team, [&] { sink = open_sink(run, nullptr, false, false, 0); });
  std::optional<CleanupFile> temporary;  // removed at once if a signal stops the job
  if (sink && sink->to_file()) temporary.emplace(sink->staging());
  if (services.monitor != nullptr && run.output.empty()) services.monitor->stdout_busy();
  RunInfo info;
  while (auto part = next()) {
    add_run(info, part->info);
    stop_if_requested(team, run);
    on_root(team, [&] {
      emit(part->value, *sink);
      sink->flush();
      sink->check();
    });
  }
  stop_if_requested(team, run);  // a stop also ends the input early
  on_root(team, [&] {
    finish_output(run, *sink);
    sink->commit();
  });
  info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return info;
}

}  // namespace parfold
