#include "workloads/lines/grep/grep_report.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "workloads/lines/grep/json_text.hpp"

namespace parfold {

namespace {

std::uint64_t ns_since(std::chrono::steady_clock::time_point t) {
  auto const d = std::chrono::steady_clock::now() - t;
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

/// Appends ",\"key\":n".
void append_field(std::string& out, char const* key, std::uint64_t n) {
  out += ",\"";
  out += key;
  out += "\":";
  append_number(out, n);
}

}  // namespace

SearchStats& SearchStats::operator+=(SearchStats const& o) {
  elapsed_ns += o.elapsed_ns;
  searches += o.searches;
  searches_with_match += o.searches_with_match;
  bytes_searched += o.bytes_searched;
  bytes_printed += o.bytes_printed;
  matched_lines += o.matched_lines;
  matches += o.matches;
  return *this;
}

GrepReport::GrepReport(GrepArgs const& a, std::vector<InputFile> const& files,
                       LineMatcher const& matcher)
    : a_(a), files_(files), matcher_(matcher) {}

void GrepReport::nul(std::size_t file, std::uint64_t offset) {
  auto const [it, added] = nuls_.emplace(file, offset);
  if (!added) it->second = std::min(it->second, offset);
}

void GrepReport::append_path(std::string& out, std::size_t file) const {
  std::string const& path = files_[file].path;
  // ripgrep names standard input <stdin>; grep's name for it is (standard input).
  bool const stdin = !a_.label && path == a_.stdin_name();
  append_json_data(out, stdin ? "<stdin>" : std::string_view(path));
}

void GrepReport::write(std::string const& message, OrderedSink& sink) {
  sink.write(message);
  file_.bytes_printed += message.size();
}

void GrepReport::begin(std::size_t file, OrderedSink& sink) {
  current_ = file;
  began_ = std::chrono::steady_clock::now();
  file_ = {};
  stop_at_ = 0;
  message_ = R"({"type":"begin","data":{"path":)";
  append_path(message_, file);
  message_ += "}}\n";
  write(message_, sink);
}

void GrepReport::line(ReportedLine const& l, OrderedSink& sink) {
  thread_local std::vector<std::uint64_t> found;  // a held context line's matches
  std::span<std::uint64_t const> matches = l.matches;
  if (l.find_matches) {
    found.clear();
    matcher_.for_each_match(l.bytes, [&](std::size_t b, std::size_t n) {
      found.push_back(b);
      found.push_back(n);
    });
    matches = found;
  }
  std::uint64_t const counted = l.selected ? matches.size() / 2 : 0;
  if (!a_.json) {  // --stats: the totals only
    if (!l.selected) return;
    ++total_.matched_lines;
    total_.matches += counted;
    if (l.file != last_matched_) ++files_matched_;
    last_matched_ = l.file;
    return;
  }
  if (l.file != current_) {
    end(sink);
    begin(l.file, sink);
  }
  file_.matched_lines += l.selected ? 1 : 0;
  file_.matches += counted;
  if (l.last) stop_at_ = l.offset + l.bytes.size() + (l.terminated ? 1 : 0);
  message_ =
      l.selected ? R"({"type":"match","data":{"path":)" : R"({"type":"context","data":{"path":)";
  append_path(message_, l.file);
  message_ += ",\"lines\":";
  thread_local std::string whole;  // the line with its '\n'
  whole.assign(l.bytes);
  if (l.terminated) whole += '\n';
  append_json_data(message_, whole);
  append_field(message_, "line_number", l.number);
  append_field(message_, "absolute_offset", l.offset);
  message_ += ",\"submatches\":[";
  for (std::size_t m = 0; m < matches.size(); m += 2) {
    message_ += m == 0 ? "{\"match\":" : ",{\"match\":";
    append_json_data(message_, l.bytes.substr(matches[m], matches[m + 1]));
    append_field(message_, "start", matches[m]);
    append_field(message_, "end", matches[m] + matches[m + 1]);
    message_ += '}';
  }
  message_ += "]}}\n";
  write(message_, sink);
}

void GrepReport::end(OrderedSink& sink) {
  if (current_ == kNone) return;
  std::optional<std::uint64_t> binary;  // a NUL byte before rg stopped reading (-m)
  if (auto const nul = nuls_.find(current_);
      nul != nuls_.end() && (stop_at_ == 0 || nul->second < stop_at_))
    binary = nul->second;
  nuls_.erase(nuls_.begin(), nuls_.upper_bound(current_));  // files before are done
  file_.searches = file_.searches_with_match = 1;
  // As rg reports a file it memory-maps: searched up to its first NUL byte when it has
  // one (though all of it is searched), else up to the -m NUM-th selected line.
  file_.bytes_searched = binary ? *binary : stop_at_ > 0 ? stop_at_ : files_[current_].size;
  file_.elapsed_ns = ns_since(began_);
  message_ = R"({"type":"end","data":{"path":)";
  append_path(message_, current_);
  message_ += ",\"binary_offset\":";
  binary ? append_number(message_, *binary) : void(message_ += "null");
  message_ += ",\"stats\":{\"elapsed\":";
  append_duration(message_, file_.elapsed_ns, false);
  append_field(message_, "searches", file_.searches);
  append_field(message_, "searches_with_match", file_.searches_with_match);
  append_field(message_, "bytes_searched", file_.bytes_searched);
  append_field(message_, "bytes_printed", file_.bytes_printed);
  append_field(message_, "matched_lines", file_.matched_lines);
  append_field(message_, "matches", file_.matches);
  message_ += "}}}\n";
  sink.write(message_);
  total_ += file_;
  current_ = kNone;
}

void GrepReport::finish(OrderedSink& sink) {
  if (!a_.json) return stats_block(sink);
  end(sink);
  // serde_json's map: the summary's keys sorted.
  message_ = R"({"data":{"elapsed_total":)";
  append_duration(message_, ns_since(t0_), true);
  message_ += ",\"stats\":{\"bytes_printed\":";
  append_number(message_, total_.bytes_printed);
  append_field(message_, "bytes_searched", total_.bytes_searched);
  message_ += ",\"elapsed\":";
  append_duration(message_, total_.elapsed_ns, true);
  append_field(message_, "matched_lines", total_.matched_lines);
  append_field(message_, "matches", total_.matches);
  append_field(message_, "searches", total_.searches);
  append_field(message_, "searches_with_match", total_.searches_with_match);
  message_ += "}},\"type\":\"summary\"}\n";
  sink.write(message_);
}

void GrepReport::stats_block(OrderedSink& sink) const {
  std::uint64_t searched = 0, bytes = 0;
  for (InputFile const& f : files_) {
    searched += f.regular ? 1 : 0;
    bytes += f.size;
  }
  for (std::string const& path : a_.read_apart) {  // binary files, read on their own
    struct stat st {};
    ++searched;
    if (::stat(path.c_str(), &st) == 0) bytes += static_cast<std::uint64_t>(st.st_size);
  }
  double const seconds = static_cast<double>(ns_since(t0_)) / 1e9;
  char block[512];
  std::snprintf(block, sizeof(block),
                "\n%llu matches\n%llu matched lines\n%llu files contained matches\n"
                "%llu files searched\n%llu bytes printed\n%llu bytes searched\n"
                "%.6f seconds spent searching\n%.6f seconds\n",
                static_cast<unsigned long long>(total_.matches),
                static_cast<unsigned long long>(total_.matched_lines),
                static_cast<unsigned long long>(files_matched_ + a_.binary_matched),
                static_cast<unsigned long long>(searched),
                static_cast<unsigned long long>(printed_), static_cast<unsigned long long>(bytes),
                seconds, seconds);
  sink.write(block);
}

}  // namespace parfold
