#include "parfold/output/ordered.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "parfold/io/standard_output.hpp"

namespace parfold {

void OrderedSink::put(std::string_view bytes) {
  if (to_ == To::file) {
    file_->write(bytes);
  } else if (to_ == To::stdout_stream) {
    write_stdout(bytes);
  }
}

void OrderedSink::flush() {
  put(buffer_);
  buffer_.clear();
}

void OrderedSink::check() {
  if (to_ == To::stdout_stream) check_stdout();
}

int OrderedSink::fd() {
  flush();
  if (to_ == To::file) {
    std::fflush(file_->stream());
    return ::fileno(file_->stream());
  }
  flush_stdout();
  return STDOUT_FILENO;
}

std::uint64_t OrderedSink::sync() {
  flush();
  if (to_ == To::file) return file_->sync();
  flush_stdout();  // a failure is said by check(), where every rank hears it
  return 0;
}

void OrderedSink::commit() {
  flush();
  if (to_ == To::file) {
    file_->commit();
  } else {
    flush_stdout();
  }
}

std::unique_ptr<OrderedSink> open_sink(OrderedRun const& run, Checkpoint const* cp, bool resumed,
                                       bool finished, std::uint64_t bytes) {
  using To = OrderedSink::To;
  std::string const& path = run.output;
  if (path.empty()) return std::make_unique<OrderedSink>(nullptr, To::stdout_stream);
  if (std::string const why = cannot_write(path); !why.empty())
    throw FileError(FileError::Role::output, " " + path + ": " + why);
  std::error_code ec;
  for (std::string const& input : run.inputs) {
    if (std::filesystem::equivalent(path, input, ec))
      throw FileError(FileError::Role::output, " " + path + " is also an input file");
  }
  if (cp == nullptr)
    return std::make_unique<OrderedSink>(std::make_unique<StagedFile>(path), To::file);
  std::string const partial = path + ".partial";
  // Kept when the job stops (or fails): the checkpoint's state includes it.
  auto const keep = StagedFile::Leftover::keep;
  if (!resumed)
    return std::make_unique<OrderedSink>(std::make_unique<StagedFile>(path, partial, keep),
                                         To::file);
  if (finished && !std::filesystem::exists(partial) && std::filesystem::exists(path)) {
    return std::make_unique<OrderedSink>(nullptr, To::nowhere);
  }
  try {
    return std::make_unique<OrderedSink>(std::make_unique<StagedFile>(path, partial, bytes, keep),
                                         To::file);
  } catch (std::exception const& e) {
    throw FileError(FileError::Role::checkpoint,
                    " " + cp->path() + ": its output so far cannot be used (" +
                        std::string(e.what()) + "); delete the checkpoint to start over");
  }
}

void stop_if_requested(Team const& team, OrderedRun const& run) {
  // A timeout on any rank names the stop (the process ending: children were refused).
  auto const why = static_cast<StopReason>(team.comm.max(static_cast<int>(stop_or_ending())));
  if (why == StopReason::none) return;
  // The signal handler removed the temporary file.
  std::string detail;
  if (!run.on_stop.empty()) detail += ": " + run.on_stop;
  if (!run.output.empty()) detail += "; " + run.output + " was not written";
  throw stop_error(why, false, detail);
}

}  // namespace parfold
