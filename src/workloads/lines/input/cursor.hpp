#pragma once

// One walk over the input of a `lines` command (count, grep, top): its parts in order,
// a run of files opened on every rank and cut into windows, a stream window by window
// as rank 0 reads it. Every command folds what the cursor yields; none opens, walks or
// checks its input itself.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/range.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/run/services.hpp"
#include "workloads/lines/input/files.hpp"
#include "workloads/lines/input/parts.hpp"

namespace parfold {

/// Opens the files on every rank and makes sure that every rank sees the same input.
/// With Unreadable::skip (count, grep, top), rank 0 says "parfold: PATH: reason" on stderr for
/// each path that cannot be read (unless `quiet`) and the job goes on without it.
/// \note With MPI this is a collective operation over all ranks.
std::unique_ptr<LineFiles> open_everywhere(
    std::vector<std::string> const& paths, Team const& team,
    LineFiles::Unreadable unreadable = LineFiles::Unreadable::refuse, bool quiet = false,
    bool decompress = false);
/// Refuses a result computed from files that changed while they were read.
/// \note With MPI this is a collective operation over all ranks.
void require_unchanged(LineFiles const& files, Team const& team);

/// A fold that may stop early (-m, -l, -q) or prints what it finds runs in windows of
/// this many bytes of input per worker: rank 0 holds at most one window's findings.
constexpr std::uint64_t kWindowPerWorker = std::uint64_t{16} << 20;
[[nodiscard]] inline std::uint64_t window_bytes(Team const& team) {
  return kWindowPerWorker * team.workers();
}

/// The input's parts as windows, the same on every rank, in input order. A file that
/// cannot be read is grep's and wc's problem: said on stderr by rank 0 (unless quiet),
/// left out (a directory: an empty file), the job goes on; problems() tells the command,
/// which ends with its own status for it. A run of files is checked unchanged when its
/// last window has been folded (JobError otherwise).
class InputCursor {
 public:
  struct Options {
    /// Cut a run of files into windows of window_bytes(); otherwise one window holds the
    /// whole run. With a checkpoint, always one window: the run resumes where it stopped.
    bool windows = false;
    bool quiet = false;  ///< grep -s: no message for a file that cannot be read
  };
  /// Bytes `bytes` of `files` (of their concatenation); files.files()[i] is the input's
  /// file first + i.
  struct Window {
    LineFiles const& files;
    Range bytes;
    std::size_t first = 0;
    bool begins_part = false;  ///< the first window of its part (line numbers start again)
  };

  /// Refuses (UsageError) a checkpoint of an input with a stream, which cannot be read
  /// again: a checkpointed input is one run of files.
  InputCursor(std::vector<InputPart> parts, Team const& team, Services sv, Schedule s,
              Options options);
  ~InputCursor();
  InputCursor(InputCursor const&) = delete;
  InputCursor& operator=(InputCursor const&) = delete;

  /// The next window, valid until the next call; nothing after the last. A run of files
  /// yields at least one window, empty as it may be.
  /// \note With MPI this is a collective operation over all ranks.
  std::optional<Window> next();
  /// The input's files so far, in order: each file of a run that could be opened (a
  /// directory as an empty file), a stream as one file (its size what was read of it).
  [[nodiscard]] std::vector<InputFile> const& files() const { return files_; }
  /// A file could not be read (rank 0 said so on stderr unless quiet).
  [[nodiscard]] bool problems() const { return problems_; }

 private:
  std::optional<Window> next_of_run(InputPart const& part);
  std::optional<Window> next_of_stream(InputPart const& part);

  std::vector<InputPart> parts_;
  Team const& team_;
  Schedule schedule_;
  std::uint64_t window_;  ///< bytes of a run's window
  bool quiet_;
  std::size_t part_ = 0;
  std::uint64_t at_ = 0;                   ///< the next byte of the open run of files
  std::size_t first_ = 0;                  ///< the input-wide index of the open part's first file
  std::unique_ptr<LineFiles> run_;         ///< the open run of files
  std::unique_ptr<StreamWindows> stream_;  ///< the open stream
  std::unique_ptr<LineFiles> stream_window_;
  std::vector<InputFile> files_;
  bool problems_ = false;
};

}  // namespace parfold
