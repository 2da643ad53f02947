// One walk over the input of a `lines` command: see cursor.hpp.
#include "workloads/lines/input/cursor.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "parfold/comm/agree.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/io/read_at.hpp"

namespace parfold {

namespace {

/// Every rank must fail to read the same paths for the same reasons (Unreadable::skip).
/// \note With MPI this is a collective operation over all ranks.
void same_problems_everywhere(Team const& team, std::vector<std::string> const& problems) {
  std::string mine;
  for (std::string const& p : problems) mine += (mine.empty() ? "" : "; ") + p;
  std::vector<std::string> const all = team.comm.all_gather(mine);
  if (std::all_of(all.begin(), all.end(), [&](std::string const& p) { return p == all[0]; }))
    return;
  std::string message;
  for (std::size_t r = 0; r < all.size(); ++r) {
    if (all[r].empty()) continue;
    message += (message.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + " (of " +
               std::to_string(all.size()) + "): " + all[r];
  }
  throw JobError("not every rank sees the same input: " + message);
}

/// Every rank must have opened the files at the same sizes: one that grows or shrinks
/// while the ranks open it (or that differs from host to host) is named, with the sizes seen.
/// \note With MPI this is a collective operation over all ranks.
void same_sizes_everywhere(Team const& team, LineFiles const& files) {
  std::vector<std::int64_t> sizes;
  for (InputFile const& f : files.files()) sizes.push_back(static_cast<std::int64_t>(f.size));
  auto const all = team.comm.all_gather(sizes);
  for (std::size_t r = 1; r < all.size(); ++r) {
    if (all[r] == all[0]) continue;
    auto const at = std::mismatch(all[0].begin(), all[0].end(), all[r].begin(), all[r].end());
    auto const i = static_cast<std::size_t>(at.first - all[0].begin());
    if (i >= sizes.size() || at.second == all[r].end())
      throw JobError("not every rank sees the same input files");
    throw JobError(changed_while_read(files.files()[i].path,
                                      "rank 0 opened it at " + std::to_string(*at.first) +
                                          " bytes, rank " + std::to_string(r) + " at " +
                                          std::to_string(*at.second) +
                                          ": it changed, or their hosts hold different copies")
                       .what());
  }
}

}  // namespace

std::unique_ptr<LineFiles> open_everywhere(std::vector<std::string> const& paths, Team const& team,
                                           LineFiles::Unreadable unreadable, bool quiet,
                                           bool decompress) {
  std::unique_ptr<LineFiles> files;
  std::string error;
  try {
    files = std::make_unique<LineFiles>(paths, unreadable, decompress, team.my_threads());
  } catch (UsageError const& e) {
    error = e.what();
  }
  agree_on_error(team, error);
  same_problems_everywhere(team, files->problems());
  same_sizes_everywhere(team, *files);
  if (team.is_root() && !quiet) {
    for (std::string const& problem : files->problems())
      std::fprintf(stderr, "parfold: %s\n", problem.c_str());
    std::fflush(stderr);
  }
  return files;
}

void require_unchanged(LineFiles const& files, Team const& team) {
  std::vector<std::int64_t> const now = files.current_fingerprint(), then = files.fingerprint();
  std::string changed;  // the first file whose size or modification time is not the same
  for (std::size_t i = 0; i < files.files().size() && changed.empty(); ++i) {
    if (now[2 * i] != then[2 * i] || now[2 * i + 1] != then[2 * i + 1])
      changed = files.files()[i].path;
  }
  for (std::string const& path : team.comm.all_gather(changed)) {
    if (!path.empty()) throw JobError(path + " changed while it was read; no result is reported");
  }
}

InputCursor::InputCursor(std::vector<InputPart> parts, Team const& team, Services sv, Schedule s,
                         Options options)
    : parts_(std::move(parts)),
      team_(team),
      schedule_(s),
      window_(options.windows && sv.checkpoint == nullptr
                  ? window_bytes(team)
                  : std::numeric_limits<std::uint64_t>::max()),
      quiet_(options.quiet) {
  bool const stream =
      std::any_of(parts_.begin(), parts_.end(), [](InputPart const& p) { return p.stream; });
  if (stream || parts_.size() > 1) require_rereadable(sv);  // a checkpoint holds one run of files
}

InputCursor::~InputCursor() = default;

std::optional<InputCursor::Window> InputCursor::next() {
  for (; part_ < parts_.size(); ++part_) {
    InputPart const& part = parts_[part_];
    if (auto w = part.stream ? next_of_stream(part) : next_of_run(part)) return w;
  }
  return std::nullopt;
}

std::optional<InputCursor::Window> InputCursor::next_of_run(InputPart const& part) {
  bool const begins = run_ == nullptr;
  if (begins) {
    run_ = open_everywhere(part.paths, team_, LineFiles::Unreadable::skip, quiet_, part.decompress);
    problems_ = problems_ || !run_->problems().empty();
    first_ = files_.size();
    files_.insert(files_.end(), run_->files().begin(), run_->files().end());
    at_ = 0;
  }
  if (begins || at_ < run_->total()) {
    Range const w{at_, at_ + std::min(window_, run_->total() - at_)};
    at_ = w.end;
    return Window{*run_, w, first_, begins};
  }
  require_unchanged(*run_, team_);
  run_.reset();
  return std::nullopt;
}

std::optional<InputCursor::Window> InputCursor::next_of_stream(InputPart const& part) {
  bool const begins = stream_ == nullptr;
  if (begins) {
    stream_ = std::make_unique<StreamWindows>(team_, *part.stream, schedule_.chunk);
    first_ = files_.size();
    files_.push_back(stream_->file());
  }
  stream_window_ = stream_->next();
  files_[first_] = stream_->file();
  if (stream_window_) return Window{*stream_window_, {0, stream_window_->total()}, first_, begins};
  if (!stream_->problem().empty()) {  // left out, as a file that cannot be read
    if (team_.is_root() && !quiet_)
      std::fprintf(stderr, "parfold: %s\n", stream_->problem().c_str());
    problems_ = true;
    files_.pop_back();
  }
  stream_.reset();
  return std::nullopt;
}

}  // namespace parfold
