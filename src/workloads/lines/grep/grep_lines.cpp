#include "workloads/lines/grep/grep_lines.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <span>

#include "workloads/lines/count/count.hpp"
#include "workloads/lines/grep/grep_report.hpp"

namespace parfold {

GrepLinesWorkload lines_workload(GrepArgs const& a, LineFiles const& files,
                                 LineMatcher const& matcher, Range w) {
  return {&files,
          &matcher,
          w,
          a.line_numbers || a.max_count.has_value() || a.only_matching || a.context() || a.json,
          a.only_matching || a.colors.on || a.json || a.stats,
          a.after,
          a.before,
          a.json && !a.text};
}

void GrepLinesWorkload::record_nul(std::size_t f, std::string_view lines, std::uint64_t at,
                                   ChunkLines& out) const {
  std::size_t const n = out.nul.size();
  std::uint64_t const first = files->files()[f].start + at;  // lines[0]'s offset in its file
  if (!find_nul || first >= kRgBinaryHead || (n >= 2 && out.nul[n - 2] == f)) return;
  std::size_t const head =
      static_cast<std::size_t>(std::min<std::uint64_t>(lines.size(), kRgBinaryHead - first));
  void const* const zero = std::memchr(lines.data(), '\0', head);
  if (zero == nullptr) return;
  out.nul.push_back(f);
  out.nul.push_back(first +
                    static_cast<std::uint64_t>(static_cast<char const*>(zero) - lines.data()));
}

void GrepLinesWorkload::record(std::size_t f, std::string_view line, std::uint64_t at,
                               std::uint64_t index, bool context, ChunkLines& out) const {
  out.file.push_back(static_cast<std::uint32_t>(f));
  out.index.push_back(index);
  out.offset.push_back(files->files()[f].start + at);
  out.size.push_back(line.size());
  out.bytes.append(line);
  if (after > 0 || before > 0) out.context.push_back(context ? 1 : 0);
  if (!record_matches) return;
  std::uint32_t n = 0;
  matcher->for_each_match(line, [&](std::size_t begin, std::size_t length) {
    out.match_at.push_back(begin);
    out.match_at.push_back(length);
    ++n;
  });
  out.matches.push_back(n);
}

namespace {

/// The start of the line `k` lines before the one starting at `at` (clipped to `lines`).
std::size_t lines_back(std::string_view lines, std::size_t at, std::uint64_t k) {
  for (; k > 0 && at > 0; --k) {
    void const* nl = at >= 2 ? ::memrchr(lines.data(), '\n', at - 1) : nullptr;
    at = nl == nullptr ? 0
                       : static_cast<std::size_t>(static_cast<char const*>(nl) - lines.data()) + 1;
  }
  return at;
}

/// The start of the line after the one starting at `at` (lines.size() past the last).
std::size_t next_line(std::string_view lines, std::size_t at) {
  void const* nl = std::memchr(lines.data() + at, '\n', lines.size() - at);
  return nl == nullptr ? lines.size()
                       : static_cast<std::size_t>(static_cast<char const*>(nl) - lines.data()) + 1;
}

/// The '\n' bytes in [from, to): what -n adds to the line number.
std::uint64_t newlines(char const* from, char const* to) {
  return count_newlines({from, static_cast<std::size_t>(to - from)});
}

}  // namespace

void GrepLinesWorkload::record_with_context(std::size_t f, std::string_view lines,
                                            std::uint64_t origin, std::uint64_t& seen,
                                            ChunkLines& out) const {
  // Line starts to record: 1 = selected, 0 = may be context.
  std::map<std::size_t, bool> keep;
  auto keep_run = [&](std::size_t from, std::uint64_t count) {
    for (std::size_t at = from; count > 0 && at < lines.size(); --count, at = next_line(lines, at))
      keep.emplace(at, false);
  };
  keep_run(0, after);  // trailing context of the window before
  keep_run(lines_back(lines, lines.size(), before), before);  // leading context of the window after
  matcher->for_each_selected(lines, [&](std::string_view line) {
    auto const at = static_cast<std::size_t>(line.data() - lines.data());
    keep[at] = true;
    keep_run(lines_back(lines, at, before), before);
    keep_run(next_line(lines, at), after);
  });
  std::size_t counted = 0;
  for (auto const& [at, selected] : keep) {
    seen += newlines(lines.data() + counted, lines.data() + at);
    counted = at;
    std::size_t const end = next_line(lines, at);
    std::string_view line = lines.substr(at, end - at);
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    record(f, line, origin + at, seen, !selected, out);
  }
  seen += newlines(lines.data() + counted, lines.data() + lines.size());
  if (lines.back() != '\n') ++seen;  // the file's last line, without '\n'
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
  files->for_each_lines({window.begin + r.begin, window.begin + r.end},
                        [&](std::size_t f, std::string_view lines, std::uint64_t origin) {
                          if (number_lines && f != current) {
                            flush();
                            current = f;
                            seen = 0;
                          }
                          record_nul(f, lines, origin, out);
                          if (after > 0 || before > 0)
                            return record_with_context(f, lines, origin, seen, out);
                          char const* counted = lines.data();
                          matcher->for_each_selected(lines, [&](std::string_view line) {
                            if (number_lines) {
                              seen += newlines(counted, line.data());
                              counted = line.data();
                            }
                            record(f, line,
                                   origin + static_cast<std::uint64_t>(line.data() - lines.data()),
                                   seen, false, out);
                          });
                          if (number_lines) {
                            seen += newlines(counted, lines.data() + lines.size());
                            if (lines.back() != '\n') ++seen;  // the file's last line, without '\n'
                          }
                        });
  flush();
  // Chunks that selected nothing and numbered nothing need no record.
  if (!out.file.empty() || !out.lines_seen.empty() || !out.nul.empty())
    acc.emplace(window.begin + r.begin, std::move(out));
}

namespace {

/// One line of a window's output, as rank 0 sees it.
struct OutLine {
  std::uint32_t file = 0;
  std::uint64_t number = 0, offset = 0;
  std::string_view bytes;
  bool context = false;                      ///< not selected (or past -m): printed only as context
  std::size_t first_match = 0, matches = 0;  ///< -o: its matches in the chunk's match_at
  bool held = false;  ///< held as leading context (its matches not in the chunk)
};

/// Prints lines as grep does: [name:][number:][offset:] then the line, ':' for a selected
/// line and '-' for context, and "--" between groups of lines that do not follow on.
class LinePrinter {
 public:
  LinePrinter(LineFiles const& files, GrepArgs const& a, Printed& printed, OrderedSink& sink,
              GrepReport* report, std::size_t first)
      : files_(files), a_(a), p_(printed), sink_(sink), report_(report), first_(first) {}

  void take(OutLine const& line, ChunkLines const& chunk) {
    bool const selected = !line.context && !(a_.max_count && p_.shown[line.file] >= *a_.max_count);
    if (selected) {
      ++p_.shown[line.file];
      ++p_.selected;
    }
    if (!a_.context()) {
      if (selected) print(line, chunk, ':');
      return;
    }
    if (selected) {
      for (HeldLine const& h : p_.held) {  // its leading context
        bool const near =
            h.file == line.file && h.number + a_.before >= line.number && h.number < line.number;
        if (near && !(p_.last_file == h.file && h.number <= p_.last_line)) {
          print({.file = line.file,
                 .number = h.number,
                 .offset = h.offset,
                 .bytes = h.bytes,
                 .context = true,
                 .held = true},
                chunk, '-');
        }
      }
      p_.held.clear();
      print(line, chunk, ':');
      p_.after_left = a_.after;
    } else if (p_.after_left > 0 && p_.last_file == line.file && line.number == p_.last_line + 1) {
      print(line, chunk, '-');
      --p_.after_left;
    } else if (a_.before > 0) {
      if (!p_.held.empty() && p_.held.front().file != line.file) p_.held.clear();
      p_.held.push_back({line.file, line.number, line.offset, std::string(line.bytes)});
      if (p_.held.size() > a_.before) p_.held.erase(p_.held.begin());
    }
  }

 private:
  void print(OutLine const& line, ChunkLines const& chunk, char sep) {
    GrepColors const& c = a_.colors;
    bool const after_binary = a_.after_binary_match.count(files_.files()[line.file].path) != 0;
    bool const apart = (p_.printed_any || after_binary) &&
                       !(p_.last_file == line.file && line.number == p_.last_line + 1);
    if (a_.context() && apart && a_.group_separator && !a_.json) {
      write(*a_.group_separator, c.separator);
      put("\n");
    }
    p_.printed_any = true;
    p_.last_file = line.file;
    p_.last_line = line.number;
    if (report_ != nullptr) report_->line(reported(line, chunk), sink_);
    if (a_.json) return;  // the report printed it
    std::string const& match_color = sep == ':' ? c.selected_match : c.context_match;
    if (!a_.only_matching) {
      prefix(line, line.offset, sep);
      std::size_t at = 0;  // with --color, the matches painted
      for (std::size_t m = line.first_match; m < line.first_match + line.matches && c.on; ++m) {
        std::uint64_t const b = chunk.match_at[2 * m], n = chunk.match_at[2 * m + 1];
        put(line.bytes.substr(at, b - at));
        write(line.bytes.substr(b, n), match_color);
        at = b + n;
      }
      put(line.bytes.substr(at));
      put("\n");
      return;
    }
    for (std::size_t m = line.first_match; m < line.first_match + line.matches; ++m) {
      std::uint64_t const b = chunk.match_at[2 * m], n = chunk.match_at[2 * m + 1];
      prefix(line, line.offset + b, sep);
      write(line.bytes.substr(b, n), match_color);
      put("\n");
    }
  }
  void prefix(OutLine const& line, std::uint64_t offset, char sep) {
    GrepColors const& c = a_.colors;
    std::string_view const end(&sep, 1);
    if (a_.prefix()) {
      write(files_.files()[line.file].path, c.file_name);
      a_.null_after_name ? put(std::string_view("\0", 1)) : write(end, c.separator);
    }
    if (a_.line_numbers) write_number(line.number, c.line_number, end);
    if (a_.byte_offset) write_number(offset, c.byte_offset, end);
  }
  /// The report's view of `line`: as ripgrep, a line that matches in the context after
  /// the -m NUM-th is a match too (grep prints it as context).
  ReportedLine reported(OutLine const& line, ChunkLines const& chunk) const {
    bool const selected = !line.context;
    InputFile const& file = files_.files()[line.file];
    std::span<std::uint64_t const> const matches(chunk.match_at);
    return {.file = first_ + line.file,
            .bytes = line.bytes,
            .terminated = line.offset + line.bytes.size() != file.start + file.size,
            .selected = selected,
            .number = line.number,
            .offset = line.offset,
            .matches = line.held ? matches.first(0)
                                 : matches.subspan(2 * line.first_match, 2 * line.matches),
            .find_matches = line.held,
            .last = selected && a_.max_count && p_.shown[line.file] >= *a_.max_count};
  }
  /// Writes `text` as it is.
  void put(std::string_view text) {
    sink_.write(text);
    if (report_ != nullptr) report_->printed(text.size());
  }
  /// Writes `text`, in colour `sgr` when colours are on (no string is built otherwise).
  void write(std::string_view text, std::string const& sgr) {
    if (a_.colors.on && !sgr.empty()) {
      put(a_.colors.paint(text, sgr));
    } else {
      put(text);
    }
  }
  void write_number(std::uint64_t n, std::string const& sgr, std::string_view end) {
    char digits[24];
    char const* const stop = std::to_chars(digits, digits + sizeof(digits), n).ptr;
    write(std::string_view(digits, static_cast<std::size_t>(stop - digits)), sgr);
    write(end, a_.colors.separator);
  }

  LineFiles const& files_;
  GrepArgs const& a_;
  Printed& p_;
  OrderedSink& sink_;
  GrepReport* report_;
  std::size_t first_;
};

}  // namespace

std::string printed_problem(Printed const& p, LineFiles const& files, GrepArgs const& a,
                            std::uint64_t done) {
  std::size_t const n = files.files().size();
  if (p.line_no.size() != n || p.shown.size() != n) return "not a line count per file";
  std::uint64_t shown = 0;
  for (std::size_t f = 0; f < n; ++f) {
    bool const fits = p.line_no[f] <= files.owned_before(f, done) && p.shown[f] <= p.line_no[f] &&
                      p.shown[f] <= a.max_count.value_or(p.shown[f]);
    if (!fits) return files.files()[f].path + ": more lines than it has done";
    shown += p.shown[f];
  }
  if (p.selected != shown || p.printed_any != (shown > 0)) return "lines selected and shown differ";
  bool const last_fits =
      p.printed_any ? p.last_file < n && p.last_line >= 1 && p.last_line <= p.line_no[p.last_file]
                    : p.last_file == ~std::uint64_t{0} && p.after_left == 0;
  if (!last_fits || p.after_left > a.after || p.held.size() > a.before)
    return "the last line printed or its context is not one of the lines done";
  for (HeldLine const& h : p.held) {
    bool const fits = h.file == p.held.front().file && h.file < n && h.number >= 1 &&
                      h.number <= p.line_no[h.file] &&
                      h.bytes.size() <= files.files()[h.file].size &&
                      h.offset <= files.files()[h.file].size - h.bytes.size();
    if (!fits) return "a line of context held is not one of the lines done";
  }
  return {};
}

void emit_lines(GrepLinesWorkload::Partial const& window, LineFiles const& files, GrepArgs const& a,
                Printed& printed, OrderedSink& sink, GrepReport* report, std::size_t first) {
  LinePrinter printer(files, a, printed, sink, report, first);
  for (auto const& [begin, chunk] : window) {
    // Before the chunk's lines: a line of a later file ends the files before it.
    for (std::size_t i = 0; report != nullptr && i + 1 < chunk.nul.size(); i += 2)
      report->nul(first + chunk.nul[i], chunk.nul[i + 1]);
    std::string_view const bytes = chunk.bytes;
    std::size_t at = 0, match = 0;
    for (std::size_t i = 0; i < chunk.file.size(); ++i) {
      std::uint32_t const f = chunk.file[i];
      std::size_t const matches = chunk.matches.empty() ? 0 : chunk.matches[i];
      bool const context = !chunk.context.empty() && chunk.context[i] != 0;
      printer.take({f, printed.line_no[f] + chunk.index[i] + 1, chunk.offset[i],
                    bytes.substr(at, chunk.size[i]), context, match, matches},
                   chunk);
      at += chunk.size[i];
      match += matches;
    }
    for (std::size_t i = 0; i + 1 < chunk.lines_seen.size(); i += 2) {
      printed.line_no[chunk.lines_seen[i]] += chunk.lines_seen[i + 1];
    }
  }
}

}  // namespace parfold
