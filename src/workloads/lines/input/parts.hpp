#pragma once

// Inputs of `parfold lines` that are read as they come: standard input, FIFOs, devices,
// files of /proc, and with -z compressed files. Rank 0 reads (and decodes) such a stream on a
// thread of its own; every rank gets it as a sequence of in-memory windows of whole lines, which
// the workloads fold as they fold files.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parfold/comm/context.hpp"
#include "parfold/core/schedule.hpp"
#include "parfold/io/line_blocks.hpp"
#include "parfold/run/services.hpp"
#include "workloads/lines/input/decompress.hpp"
#include "workloads/lines/input/files.hpp"

namespace parfold {

/// A stream: standard input ("-"), a compressed file, or a file whose size stat() cannot
/// tell (a FIFO, a device, a file of /proc or /sys).
struct StreamInput {
  std::string path;  ///< "-" for standard input
  std::string name;  ///< how output names it ("" for none, as wc reading standard input)
  Compression format = Compression::none;
  /// Rank 0: the bytes (a compressed file is opened at the first read).
  [[nodiscard]] std::unique_ptr<ByteSource> open() const;
  /// Rank 0: is it a regular file (standard input `< FILE`, a file of /proc)? A compressed
  /// file is (counted at its decoded size); a pipe or a device is not.
  [[nodiscard]] bool regular() const;
};

/// A path read as a stream, not cut into chunks by its size: a FIFO, a character or block
/// device, a socket, or a file of procfs, sysfs and the like (their size is 0 or a page,
/// whatever they hold). False for what cannot be stat()ed (said as any file's problem).
[[nodiscard]] bool read_as_stream(std::string const& path);

/// The inputs of a command in the order given: runs of files read together, and streams.
struct InputPart {
  std::vector<std::string> paths;     ///< files read together (empty for a stream)
  std::optional<StreamInput> stream;  ///< or one stream
  bool decompress = false;  ///< -z: a BGZF file among `paths` is read as its decoded bytes
};

/// How output names standard input: wc's nothing (no FILE) or "-", grep's "(standard input)".
struct StdinNames {
  std::string none;  ///< when no FILE is given
  std::string dash;  ///< for "-"
};

/// Do the FILE operands `paths` read standard input (none given, or "-")?
[[nodiscard]] bool reads_standard_input(std::vector<std::string> const& paths);

/// Cuts `paths` (none: standard input) into parts: a path read_as_stream() is a stream of
/// its own (as it is, even with `decompress`); with `decompress`, every file whose
/// first bytes are a gzip, zstd, xz or bzip2 magic number is a stream of its own, but a
/// BGZF file (bgzip), which ranks and threads split at its members like a plain file.
/// Every rank must cut alike (a path a file on one rank and a /proc file on another would
/// send them down different steps): else JobError on every rank.
/// \note With MPI this is a collective operation over all ranks.
[[nodiscard]] std::vector<InputPart> plan_inputs(std::vector<std::string> const& paths,
                                                 bool decompress, StdinNames const& names,
                                                 Team const& team);

/// A stream as windows of whole lines, the same on every rank, in input order. Rank 0
/// reads ahead by at most one window.
class StreamWindows {
 public:
  /// A window holds window_per_worker(chunk) bytes per worker of the team.
  /// \note With MPI this is a collective operation over all ranks.
  StreamWindows(Team const& team, StreamInput const& input, std::uint64_t chunk);
  /// The next window (an in-memory LineFiles holding one file), or null at the end of
  /// the input, once rank 0 was asked to stop, or when the file could not be opened
  /// (problem() then says "PATH: reason"). A corrupt file or a read error on rank
  /// 0 throws the same UsageError or JobError on every rank.
  /// \note With MPI this is a collective operation over all ranks.
  std::unique_ptr<LineFiles> next();
  /// The input read so far, as one file: its name, its size, and whether it is a regular
  /// file (`< FILE`: wc's widths differ for a pipe).
  [[nodiscard]] InputFile const& file() const { return file_; }
  /// "PATH: reason" when the stream could not be opened (grep and wc say it and go on).
  [[nodiscard]] std::string const& problem() const { return problem_; }

  /// Bytes of input per worker in a window: 1 MiB, or with --chunk 4 chunks (64 KiB to
  /// 8 MiB). Small windows stay in the caches between the reader and the workers.
  [[nodiscard]] static std::uint64_t window_per_worker(std::uint64_t chunk);

 private:
  Team const& team_;
  InputFile file_;
  std::shared_ptr<BufferPool> pool_ =
      std::make_shared<BufferPool>();        ///< the windows' buffers, used again
  std::unique_ptr<LineBlockReader> reader_;  ///< rank 0's
  std::string unopened_;                     ///< rank 0: why the stream could not be opened
  std::string problem_;                      ///< every rank: the same, once next() said it
};

/// Refuses (UsageError) a checkpoint of a job that reads a stream: it cannot be read again.
void require_rereadable(Services sv);

/// Runs f(window) (collective) on each window of `input` in order, and returns the input
/// as one file. Refuses --checkpoint.
/// \note With MPI this is a collective operation over all ranks.
template <class F>
InputFile for_each_window(Team const& team, Services sv, Schedule s, StreamInput const& input,
                          F&& f) {
  require_rereadable(sv);
  StreamWindows windows(team, input, s.chunk);
  while (auto const window = windows.next()) f(*window);
  return windows.file();
}

}  // namespace parfold
