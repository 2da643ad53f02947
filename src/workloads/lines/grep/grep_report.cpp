#include "workloads/lines/grep/grep_report.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
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

void GrepReport::write(std::string const& message, OrderedSink& sink) {
  sink.write(message);
  current_->stats.bytes_printed += message.size();
}

void GrepReport::begin(std::size_t file, OrderedSink& sink) {
  current_.emplace();
  current_->file = file;
  current_->began = std::chrono::steady_clock::now();
  std::string const& path = files_[file].path;
  // ripgrep names standard input <stdin>; grep's name for it is (standard input).
  bool const stdin = !a_.label && path == a_.stdin_name();
  append_json_data(current_->path, stdin ? "<stdin>" : std::string_view(path));
  if (!a_.json) return;
  message_ = R"({"type":"begin","data":{"path":)" + current_->path + "}}\n";
  write(message_, sink);
}

void GrepReport::line(ReportedLine const& l, OrderedSink& sink) {
  if (!current_ || l.file != current_->file) {
    end(sink);
    begin(l.file, sink);
  }
  Current& c = *current_;
  c.printed_end = l.offset + l.bytes.size() + (l.terminated ? 1 : 0);
  c.context_after_stop = l.last ? 0 : c.context_after_stop + (c.stop_at > 0 ? 1 : 0);
  if (l.last) c.stop_at = c.printed_end;
  if (a_.json && !a_.text && !c.nul) {  // rg sees the NUL bytes of the lines it prints
    if (void const* zero = std::memchr(l.bytes.data(), '\0', l.bytes.size()))
      c.nul =
          l.offset + static_cast<std::uint64_t>(static_cast<char const*>(zero) - l.bytes.data());
  }
  if (!l.selected && !a_.json) return;            // --stats counts the selected lines alone
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
  c.stats.matched_lines += l.selected ? 1 : 0;
  c.stats.matches += l.selected ? matches.size() / 2 : 0;
  if (a_.json) write(match_message(l, matches, c.path), sink);
}

std::string const& GrepReport::match_message(ReportedLine const& l,
                                             std::span<std::uint64_t const> matches,
                                             std::string const& path) {
  message_ =
      l.selected ? R"({"type":"match","data":{"path":)" : R"({"type":"context","data":{"path":)";
  message_ += path;
  message_ += ",\"lines\":";
  if (!l.terminated) {
    append_json_data(message_, l.bytes);
  } else if (valid_utf8(l.bytes)) {  // the line with its '\n', without copying it
    message_ += "{\"text\":";
    append_json_string(message_, l.bytes);
    message_.insert(message_.size() - 1, "\\n");
    message_ += '}';
  } else {
    line_.assign(l.bytes);
    line_ += '\n';
    append_json_data(message_, line_);
  }
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
  return message_;
}

std::uint64_t GrepReport::searched(std::optional<std::uint64_t>& binary) const {
  Current const& c = *current_;
  std::uint64_t const size = files_[c.file].size;
  auto const head = nuls_.find(c.file);
  binary = head != nuls_.end() ? std::optional<std::uint64_t>(head->second) : c.nul;
  // As rg reports a file it memory-maps: searched up to the -m NUM-th selected line (to
  // the end where the context after it ran there), and not past its first NUL byte.
  bool const context_to_end = a_.after > c.context_after_stop && c.printed_end >= size;
  std::uint64_t const read = c.stop_at > 0 && !context_to_end ? c.stop_at : size;
  return binary ? std::min(*binary, read) : read;
}

void GrepReport::end(OrderedSink& sink) {
  if (!current_) return;
  Current& c = *current_;
  std::optional<std::uint64_t> binary;
  c.stats.bytes_searched = searched(binary);
  c.stats.searches = c.stats.searches_with_match = 1;
  c.stats.elapsed_ns = ns_since(c.began);
  files_matched_ += c.stats.matched_lines > 0 ? 1 : 0;
  unsearched_ += files_[c.file].size - std::min(files_[c.file].size, c.stats.bytes_searched);
  nuls_.erase(nuls_.begin(), nuls_.upper_bound(c.file));  // files before are done
  if (a_.json) {
    message_ = R"({"type":"end","data":{"path":)" + c.path + ",\"binary_offset\":";
    binary ? append_number(message_, *binary) : void(message_ += "null");
    message_ += ",\"stats\":{\"elapsed\":";
    append_duration(message_, c.stats.elapsed_ns, false);
    append_field(message_, "searches", c.stats.searches);
    append_field(message_, "searches_with_match", c.stats.searches_with_match);
    append_field(message_, "bytes_searched", c.stats.bytes_searched);
    append_field(message_, "bytes_printed", c.stats.bytes_printed);
    append_field(message_, "matched_lines", c.stats.matched_lines);
    append_field(message_, "matches", c.stats.matches);
    message_ += "}}}\n";
    sink.write(message_);
  }
  total_ += c.stats;
  current_.reset();
}

void GrepReport::finish(OrderedSink& sink) {
  end(sink);
  if (!a_.json) return stats_block(sink);
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
    bool const stream = f.path == a_.stdin_name();  // a pipe is no regular file, yet read
    searched += f.regular || stream ? 1 : 0;
    bytes += f.size;
  }
  for (std::string const& path : a_.read_apart) {  // binary files, read on their own
    struct stat st {};
    ++searched;
    if (::stat(path.c_str(), &st) == 0) bytes += static_cast<std::uint64_t>(st.st_size);
  }
  double const seconds = static_cast<double>(ns_since(t0_)) / 1e9;
  char block[512];
  std::snprintf(
      block, sizeof(block),
      "\n%llu matches\n%llu matched lines\n%llu files contained matches\n"
      "%llu files searched\n%llu bytes printed\n%llu bytes searched\n"
      "%.6f seconds spent searching\n%.6f seconds\n",
      static_cast<unsigned long long>(total_.matches),
      static_cast<unsigned long long>(total_.matched_lines),
      static_cast<unsigned long long>(files_matched_ + a_.binary_matched),
      static_cast<unsigned long long>(searched), static_cast<unsigned long long>(printed_),
      static_cast<unsigned long long>(bytes - std::min(bytes, unsearched_)), seconds, seconds);
  sink.write(block);
}

}  // namespace parfold
