#include "workloads/lines/grep/grep_binary.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "parfold/io/read_at.hpp"
#include "workloads/lines/input/decompress.hpp"
#include "workloads/lines/input/parts.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

std::uint64_t CountSelected::operator()(LinePiece const& piece, OpenLine& open) const {
  bool const whole = piece.starts && piece.ends;  // whole lines (nothing open before)
  if (piece.starts) open.clear();
  std::string_view text = piece.text;
  if (heads != nullptr ? heads->head_has_nul(piece.file)
                       : !binary.empty() && binary[piece.file] != 0) {
    if (without_match) return 0;
    thread_local std::string split;
    split.assign(text);
    for (char& ch : split) ch = ch == '\0' ? '\n' : ch;
    text = split;
  }
  return whole ? matcher->count_selected(text) : open.count(*matcher, text, piece.ends);
}

CountSelected CountSelected::over(LineFiles const& files, LineMatcher const& matcher,
                                  BinaryPaths const& binary, bool without_match) {
  CountSelected out{&matcher, {}, without_match};
  if (binary.empty()) return out;
  for (InputFile const& f : files.files()) out.binary.push_back(binary.count(f.path) != 0 ? 1 : 0);
  return out;
}

CountSelected CountSelected::reading(LineFiles const& files, LineMatcher const& matcher,
                                     bool without_match) {
  files.watch_heads(kGrepBuffer);
  return CountSelected{&matcher, {}, without_match, &files};
}

bool binary_from_start(std::string const& path, std::string& head) {
  if (path == "-") return false;
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  head.resize(kGrepBuffer);
  std::size_t n = 0;
  try {
    n = read_at(fd, head.data(), head.size(), 0, path);
  } catch (std::runtime_error const&) {  // a directory, an I/O error: reported when it is read
  }
  ::close(fd);
  return std::memchr(head.data(), '\0', n) != nullptr;
}

BinaryPaths binary_paths(std::vector<std::string> const& paths, bool decompress, Team const& team) {
  std::string binary(paths.size(), '0');  // rank 0's verdicts, '1' for binary
  std::string head;
  for (std::size_t i = 0; team.is_root() && i < paths.size(); ++i) {
    if (paths[i] == "-" || read_as_stream(paths[i])) continue;  // its bytes are read once
    bool const compressed =
        decompress && paths[i] != "-" && sniff_compression(paths[i]) != Compression::none;
    if (!compressed && binary_from_start(paths[i], head)) binary[i] = '1';
  }
  team.comm.broadcast(binary);
  BinaryPaths out;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (binary[i] == '1') out.insert(paths[i]);
  }
  return out;
}

std::vector<bool> binary_matches(std::vector<std::string> const& paths, LineMatcher const& matcher,
                                 Team const& team, Services sv, Schedule s) {
  sv.checkpoint = nullptr;  // read until the first selected line: nothing worth resuming
  auto const run = fold_per_file<std::uint64_t>(
      {InputPart{paths, std::nullopt, false}}, team, sv, s,
      [&](LineFiles const* files) {  // every file here is binary
        return PerFileWorkload<std::uint64_t, CountSelected>{
            files, {&matcher, std::vector<char>(files->files().size(), 1), false}};
      },
      true, [](std::vector<std::uint64_t> const& v, std::size_t i) { return v[i] > 0; });
  std::vector<bool> out(paths.size(), false);
  // A file gone since is left out.
  for (std::size_t i = 0, f = 0; i < paths.size() && f < run.files.size(); ++i) {
    if (run.files[f].path != paths[i]) continue;
    out[i] = run.values[f++] > 0;
  }
  return out;
}

}  // namespace parfold
