#include "workloads/lines/stream.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "parfold/core/errors.hpp"
#include "parfold/stop/stop.hpp"

namespace parfold {

bool reads_stdin(std::vector<std::string> const& paths) {
  auto const dashes = std::count(paths.begin(), paths.end(), "-");
  if (dashes > 0 && paths.size() > 1) {
    throw UsageError("standard input ('-') among other files, or twice, is not supported: give it alone, "
                     "or save it to a file first");
  }
  return paths.empty() || dashes == 1;
}

void require_rereadable(Services sv) {
  if (sv.checkpoint != nullptr) {
    throw UsageError("--checkpoint: standard input cannot be read again on resume; save it to a file first");
  }
}

namespace {

/// What rank 0 tells the others before each window.
struct WindowHeader {
  std::uint64_t size = 0;
  bool more = false;     ///< false: the input ended (or a stop was requested)
  bool regular = false;  ///< standard input is a regular file
};

}  // namespace

std::uint64_t StreamWindows::window_per_worker(std::uint64_t chunk) {
  constexpr std::uint64_t kMost = std::uint64_t{8} << 20, kLeast = std::uint64_t{64} << 10;
  return chunk == 0 ? kMost : std::clamp(4 * chunk, kLeast, kMost);
}

StreamWindows::StreamWindows(Team const& team, std::string name, std::uint64_t chunk) : team_(team) {
  file_.path = std::move(name);
  file_.regular = false;
  if (team.is_root()) {
    struct stat st {};
    file_.regular = ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);
    reader_ = std::make_unique<LineBlockReader>(STDIN_FILENO, window_per_worker(chunk) * static_cast<std::uint64_t>(team.workers()));
  }
}

std::unique_ptr<LineFiles> StreamWindows::next() {
  WindowHeader header;
  std::string bytes;
  if (reader_) {
    // A terminal or a slow pipe: after 200 ms the whole lines in hand go as they are.
    auto block = reader_->next(std::chrono::milliseconds(200), [] { return stop_requested() != StopReason::none; });
    header = {block ? block->size() : 0, block.has_value(), file_.regular};
    if (block) bytes = std::move(*block);
  }
  team_.comm.broadcast_asleep(header);
  file_.regular = header.regular;
  if (!header.more) return nullptr;
  bytes.resize(header.size);
  team_.comm.broadcast_bytes(bytes.data(), bytes.size());
  file_.size += header.size;
  return std::make_unique<LineFiles>(InputFile{file_.path, 0, 0, 0, file_.regular}, std::move(bytes));
}

}  // namespace parfold
