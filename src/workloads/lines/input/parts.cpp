#include "workloads/lines/input/parts.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/stop/stop.hpp"
#include "workloads/lines/input/bgzf.hpp"

namespace parfold {

bool reads_standard_input(std::vector<std::string> const& paths) {
  return paths.empty() || std::find(paths.begin(), paths.end(), "-") != paths.end();
}

std::unique_ptr<ByteSource> StreamInput::open() const {
  if (format != Compression::none) return decompressing_source(path, format);
  if (path == "-") return std::make_unique<DescriptorSource>(STDIN_FILENO, "standard input");
  return open_stream(path);
}

bool StreamInput::regular() const {
  struct stat st {};
  if (format != Compression::none) return true;  // counted at its decoded size, as a file
  return path == "-" ? ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)
                     : ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool read_as_stream(std::string const& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) return false;  // said as a file's
  if (!S_ISREG(st.st_mode)) return true;  // a FIFO, a device, a socket
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  // File systems whose files' sizes are not their contents (0, or a page).
  for (auto const magic : {PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
                           SECURITYFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC}) {
    if (fs.f_type == static_cast<decltype(fs.f_type)>(magic)) return true;
  }
  return false;
}

namespace {

/// The parts' shape, the same on every rank unless a path is a stream on some only.
/// \note With MPI this is a collective operation over all ranks.
void same_parts_everywhere(std::vector<InputPart> const& parts, Team const& team) {
  std::vector<std::int64_t> shape;  // a run's number of files, or -1 - a stream's format
  for (InputPart const& p : parts) {
    shape.push_back(p.stream ? -1 - static_cast<std::int64_t>(p.stream->format)
                             : static_cast<std::int64_t>(p.paths.size()));
  }
  require_same(team, shape,
               "not every rank sees the same input: a path is read as a stream (a FIFO, a "
               "device, a /proc file, a compressed file) on some ranks and as a file on others");
}

/// plan_inputs() on this rank alone.
std::vector<InputPart> plan_here(std::vector<std::string> const& paths, bool decompress,
                                 StdinNames const& names) {
  if (paths.empty()) return {InputPart{{}, StreamInput{"-", names.none}}};
  std::vector<InputPart> parts;
  for (std::string const& path : paths) {
    std::optional<StreamInput> stream;
    if (path == "-") {
      stream = StreamInput{"-", names.dash};
    } else if (read_as_stream(path)) {  // read as it comes, as standard input (not sniffed)
      stream = StreamInput{path, path};
    } else if (Compression const format = decompress ? sniff_compression(path) : Compression::none;
               format != Compression::none && !(format == Compression::gzip && is_bgzf(path))) {
      stream = StreamInput{path, path, format};
    }
    if (stream) {
      parts.push_back({{}, std::move(stream)});
    } else if (!parts.empty() && !parts.back().stream) {
      parts.back().paths.push_back(path);
    } else {
      parts.push_back({{path}, std::nullopt, decompress});
    }
  }
  return parts;
}

}  // namespace

std::vector<InputPart> plan_inputs(std::vector<std::string> const& paths, bool decompress,
                                   StdinNames const& names, Team const& team) {
  std::vector<InputPart> parts = plan_here(paths, decompress, names);
  same_parts_everywhere(parts, team);
  return parts;
}

void require_rereadable(Services sv) {
  if (sv.checkpoint != nullptr) {
    throw UsageError(
        "--checkpoint: standard input, a compressed file (-z), a FIFO, a device or a file of "
        "/proc cannot be read again on resume; save it to a file first");
  }
}

namespace {

/// What rank 0 tells the others before each window.
struct WindowHeader {
  std::uint64_t size = 0;
  bool more = false;     ///< false: the input ended (or a stop was requested)
  bool regular = false;  ///< standard input is a regular file
  int failed = 0;  ///< 1: bad input (UsageError), 2: a failure (JobError); the message follows
};

}  // namespace

std::uint64_t StreamWindows::window_per_worker(std::uint64_t chunk) {
  constexpr std::uint64_t kMost = std::uint64_t{8} << 20, kLeast = std::uint64_t{64} << 10;
  return chunk == 0 ? std::uint64_t{1} << 20 : std::clamp(4 * chunk, kLeast, kMost);
}

StreamWindows::StreamWindows(Team const& team, StreamInput const& input, std::uint64_t chunk)
    : team_(team) {
  file_.path = input.name;
  file_.regular = false;
  if (team.is_root()) {
    // A decompressed file counts as a file of its decoded size (wc's widths, as if it had
    // been decompressed first); standard input as what it is.
    file_.regular = input.regular();
    try {
      reader_ = std::make_unique<LineBlockReader>(
          input.open(), window_per_worker(chunk) * static_cast<std::uint64_t>(team.workers()),
          pool_);
    } catch (UsageError const& e) {  // said by next(), where every rank hears it
      unopened_ = e.what();
    }
  }
}

std::unique_ptr<LineFiles> StreamWindows::next() {
  WindowHeader header;
  std::string bytes, error;
  if (!unopened_.empty()) {
    header.failed = 3;
    error = unopened_;
  } else if (reader_) {
    try {
      // A terminal or a slow pipe: after 200 ms the whole lines in hand go as they are.
      auto block = reader_->next(std::chrono::milliseconds(200),
                                 [] { return stop_requested() != StopReason::none; });
      header = {block ? block->size() : 0, block.has_value(), file_.regular, 0};
      if (block) bytes = std::move(*block);
    } catch (UsageError const& e) {
      header.failed = 1;
      error = e.what();
    } catch (std::exception const& e) {
      header.failed = 2;
      error = e.what();
    }
  }
  team_.comm.broadcast_asleep(header);
  if (header.failed != 0) {
    team_.comm.broadcast(error);
    if (header.failed == 3) {  // it could not be opened: the command's problem to say
      problem_ = error;
      return nullptr;
    }
    if (header.failed == 1) throw UsageError(error);
    throw JobError(error);
  }
  file_.regular = header.regular;
  if (!header.more) return nullptr;
  if (!reader_) bytes = pool_->take();
  bytes.resize(header.size);
  team_.comm.broadcast_bytes(bytes.data(), bytes.size());
  auto window = std::make_unique<LineFiles>(
      InputFile{file_.path, 0, 0, 0, file_.regular, file_.size, 0}, std::move(bytes), pool_);
  file_.size += header.size;
  return window;
}

}  // namespace parfold
