#include "workloads/lines/grep_lines.hpp"

#include <algorithm>

namespace parfold {

GrepLinesWorkload lines_workload(GrepArgs const& a, LineFiles const& files, LineMatcher const& matcher, Range w) {
  return {&files, &matcher, w, a.line_numbers || a.max_count.has_value() || a.only_matching, a.only_matching};
}

void GrepLinesWorkload::process(Range r, Partial& acc) const {
  ChunkLines out;
  std::size_t const none = files->files().size();
  std::size_t current = none;  // the file whose lines are being counted
  std::uint64_t seen = 0;
  auto flush = [&] {
    if (current != none) {
      out.lines_seen.push_back(current);
      out.lines_seen.push_back(seen);
    }
  };
  files->for_each_lines({window.begin + r.begin, window.begin + r.end}, [&](std::size_t f, std::string_view lines) {
    if (number_lines && f != current) {
      flush();
      current = f;
      seen = 0;
    }
    char const* counted = lines.data();
    char const* const base = files->bytes(f).data();
    matcher->for_each_selected(lines, [&](std::string_view line) {
      if (number_lines) {
        seen += static_cast<std::uint64_t>(std::count(counted, line.data(), '\n'));
        counted = line.data();
      }
      out.file.push_back(static_cast<std::uint32_t>(f));
      out.index.push_back(seen);
      out.offset.push_back(files->files()[f].start + static_cast<std::uint64_t>(line.data() - base));
      out.size.push_back(line.size());
      out.bytes.append(line);
      if (!only_matching) return;
      std::uint32_t n = 0;
      matcher->for_each_match(line, [&](std::size_t begin, std::size_t length) {
        out.match_at.push_back(begin);
        out.match_at.push_back(length);
        ++n;
      });
      out.matches.push_back(n);
    });
    if (number_lines) {
      seen += static_cast<std::uint64_t>(std::count(counted, lines.data() + lines.size(), '\n'));
      if (lines.back() != '\n') ++seen;  // the file's last line, without '\n'
    }
  });
  flush();
  // Chunks that selected nothing and numbered nothing need no record.
  if (!out.file.empty() || !out.lines_seen.empty()) acc.emplace(window.begin + r.begin, std::move(out));
}

namespace {

/// grep's prefix of an output line: [name:][number:][offset:].
void write_prefix(GrepArgs const& a, std::string const& name, std::uint64_t number, std::uint64_t offset,
                  OrderedSink& sink) {
  if (a.prefix()) {
    sink.write(name);
    sink.write(a.after_name());
  }
  if (a.line_numbers) sink.write(std::to_string(number) + ":");
  if (a.byte_offset) sink.write(std::to_string(offset) + ":");
}

}  // namespace

void emit_lines(GrepLinesWorkload::Partial const& window, LineFiles const& files, GrepArgs const& a,
                Printed& printed, OrderedSink& sink) {
  for (auto const& [begin, chunk] : window) {
    std::string_view const bytes = chunk.bytes;
    std::size_t at = 0, match = 0;
    for (std::size_t i = 0; i < chunk.file.size(); ++i) {
      std::uint32_t const f = chunk.file[i];
      std::string_view const line = bytes.substr(at, chunk.size[i]);
      at += chunk.size[i];
      std::size_t const matches = a.only_matching ? chunk.matches[i] : 0;
      match += matches;
      if (a.max_count && printed.shown[f] >= *a.max_count) continue;  // -m: the file's first NUM lines only
      ++printed.shown[f];
      ++printed.selected;
      std::uint64_t const number = printed.line_no[f] + chunk.index[i] + 1;
      std::string const& name = files.files()[f].path;
      if (!a.only_matching) {
        write_prefix(a, name, number, chunk.offset[i], sink);
        sink.write(line);
        sink.write("\n");
        continue;
      }
      for (std::size_t m = match - matches; m < match; ++m) {
        std::uint64_t const b = chunk.match_at[2 * m], n = chunk.match_at[2 * m + 1];
        write_prefix(a, name, number, chunk.offset[i] + b, sink);
        sink.write(line.substr(b, n));
        sink.write("\n");
      }
    }
    for (std::size_t i = 0; i + 1 < chunk.lines_seen.size(); i += 2) {
      printed.line_no[chunk.lines_seen[i]] += chunk.lines_seen[i + 1];
    }
  }
}

}  // namespace parfold
