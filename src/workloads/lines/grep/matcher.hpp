#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/lines/grep/line_scanner.hpp"
#include "workloads/lines/grep/literal_set.hpp"
#include "workloads/lines/grep/pattern.hpp"
#include "workloads/lines/grep/pcre_lines.hpp"

namespace parfold {

/// What selects a line: the patterns, their syntax, -i, -v, -w, -x. The command line
/// (grep_cli.cpp: GrepCommandLine, checked into GrepArgs) hands the matcher these alone.
struct MatchRules {
  std::vector<std::string> patterns;  ///< PATTERN, or each -e and each line of each -f FILE
  PatternSyntax syntax = PatternSyntax::extended;  ///< -E, -G, -F
  bool ignore_case = false;                        ///< -i: ASCII letters fold
  bool invert = false;                             ///< -v: select the lines that do not match
  bool word = false;                               ///< -w: the match must be a whole word
  bool line = false;                               ///< -x: the match must be the whole line
  /// The patterns as one text, for reports.
  [[nodiscard]] std::string text() const;
};

/// The literal search kernels, one per instruction set: the first `needle` (m bytes) in
/// text[from, n), or n.
namespace detail {
std::size_t find_literal_sse2(char const* text, std::size_t n, std::size_t from, char const* needle,
                              std::size_t m);
std::size_t find_literal_avx2(char const* text, std::size_t n, std::size_t from, char const* needle,
                              std::size_t m);
std::size_t find_literal_avx512(char const* text, std::size_t n, std::size_t from,
                                char const* needle, std::size_t m);
}  // namespace detail

/// Selects lines as `LC_ALL=C grep -a` does, with RE2 (linear time): bytes are bytes,
/// `^` and `$` match at line boundaries, a match never spans a newline, and each line of
/// each pattern is a pattern of its own (translated by to_re2), any of which may match.
/// Hyperscan finds the lines where it can; a long list of plain words (grep -F -f
/// words.txt) goes to an Aho-Corasick automaton instead (LiteralSet), which also finds
/// its matches for -o and --color.
class LineMatcher {
 public:
  /// Throws UsageError with RE2's message for an invalid pattern.
  explicit LineMatcher(MatchRules const& options);

  /// Calls f(line) for every selected line of `text` (whole lines; `line` excludes its
  /// '\n'), in order.
  template <class F>
  void for_each_selected(std::string_view text, F&& f) const {
    if (pcre_ != nullptr) return pcre_->for_each(text, invert_, f);
    if (literals_ != nullptr) return for_each_listed(text, f);
    if (scanner_ != nullptr && for_each_scanned(text, f)) return;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t const hit = find(text, pos);
      bool const found =
          hit != text.size() || (text.back() != '\n' && empty_match_at_end(text, pos));
      std::size_t const line_begin = found ? line_start(text, pos, hit) : text.size();
      if (invert_) {
        for_each_line(text.substr(pos, line_begin - pos), f);
      } else if (found) {
        f(text.substr(line_begin, line_end(text, hit) - line_begin));
      }
      if (!found) break;
      pos = line_end(text, hit) + 1;
    }
  }

  /// Calls f(begin, length) for each match that `grep -o` prints in `line` (a selected
  /// line, without its '\n'): leftmost-longest, non-empty, each after the last.
  template <class F>
  void for_each_match(std::string_view line, F&& f) const {
    if (pcre_ != nullptr) {  // as grep -P -o: PCRE2's matches, each from the last's end
      std::size_t pos = 0, begin = 0, end = 0;
      while (pos <= line.size() && pcre_->find(line, pos, begin, end)) {
        if (end > begin) f(begin, end - begin);
        pos = end > begin ? end : std::max(pos, begin) + 1;
      }
      return;
    }
    if (literals_ != nullptr) {
      thread_local std::vector<std::size_t> found;
      found.clear();
      literals_->matches(line, found);
      for (std::size_t i = 0; i < found.size(); i += 2) f(found[i], found[i + 1]);
      return;
    }
    std::size_t pos = 0, begin = 0, length = 0;
    while (next_match(line, pos, begin, length)) f(begin, length);
  }

  /// Does PCRE2 run a -E or -G pattern (for its back-references)? Its matches are then
  /// not grep's leftmost-longest ones: -o, --color and --json refuse it.
  [[nodiscard]] bool posix_by_pcre() const { return posix_by_pcre_; }

  /// Does Hyperscan find the lines (rather than RE2)?
  [[nodiscard]] bool scanned() const { return scanner_ != nullptr; }

  [[nodiscard]] std::uint64_t count_selected(std::string_view text) const {
    std::uint64_t n = 0;
    for_each_selected(text, [&](std::string_view) { ++n; });
    return n;
  }

  /// A line longer than a window, matched as its parts come: by a Hyperscan stream where
  /// Hyperscan runs the patterns (memory bounded whatever its length), else held whole
  /// and matched by RE2 at its end.
  class LongLine {
   public:
    explicit LongLine(LineMatcher const& m);
    void add(std::string_view part);  ///< more bytes of the line, no '\n'
    [[nodiscard]] bool selected();    ///< at the line's end: is it selected (-v counted)?

   private:
    LineMatcher const& m_;
    std::optional<LineStream::Line> stream_;
    std::string held_;  ///< without a stream: the line
  };

 private:
  /// Start of the first match in text[pos, end), or text.size() for none. An empty
  /// match after the final '\n' is not on a line and does not count.
  [[nodiscard]] std::size_t find(std::string_view text, std::size_t pos) const;
  /// Does the regex match (emptily) at the very end of a text without a final '\n'?
  [[nodiscard]] bool empty_match_at_end(std::string_view text, std::size_t pos) const;

  static std::size_t line_start(std::string_view text, std::size_t from, std::size_t at) {
    void const* nl = ::memrchr(text.data() + from, '\n', at - from);
    return nl == nullptr ? from
                         : static_cast<std::size_t>(static_cast<char const*>(nl) - text.data()) + 1;
  }
  static std::size_t line_end(std::string_view text, std::size_t at) {
    void const* nl = std::memchr(text.data() + at, '\n', text.size() - at);
    return nl == nullptr ? text.size()
                         : static_cast<std::size_t>(static_cast<char const*>(nl) - text.data());
  }
  template <class F>
  static void for_each_line(std::string_view lines, F& f) {
    while (!lines.empty()) {
      std::size_t const end = line_end(lines, 0);
      f(lines.substr(0, end));
      lines.remove_prefix(std::min(lines.size(), end + 1));
    }
  }

  /// for_each_selected by the word list's automaton, line by line.
  template <class F>
  void for_each_listed(std::string_view text, F& f) const {
    while (!text.empty()) {
      std::size_t const end = line_end(text, 0);
      std::string_view const line = text.substr(0, end);
      if (literals_->selects(line) != invert_) f(line);
      text.remove_prefix(std::min(text.size(), end + 1));
    }
  }

  /// for_each_selected by the Hyperscan scanner; false (nothing called) when it cannot.
  template <class F>
  bool for_each_scanned(std::string_view text, F& f) const {
    thread_local std::vector<std::size_t> spans;
    spans.clear();
    if (!scanner_->matching_lines(text, spans)) return false;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < spans.size(); i += 2) {
      if (invert_) {
        for_each_line(text.substr(pos, spans[i] - pos), f);
      } else {
        f(text.substr(spans[i], spans[i + 1] - spans[i]));
      }
      pos = spans[i + 1] + 1;
    }
    if (invert_ && pos < text.size()) for_each_line(text.substr(pos), f);
    return true;
  }

  /// The next match of for_each_match from `pos` (advanced past it); false when none.
  bool next_match(std::string_view line, std::size_t& pos, std::size_t& begin,
                  std::size_t& length) const;

  /// The patterns in Hyperscan's stream mode (compiled at the first long line), or null.
  [[nodiscard]] LineStream const* streamer() const;

  std::string regex_;  ///< what re_ runs
  std::unique_ptr<RE2> re_;
  std::unique_ptr<LineScanner> scanner_;  ///< null: RE2 finds the lines too
  std::unique_ptr<LiteralSet> literals_;  ///< set for a list of many plain words: neither runs
  std::unique_ptr<PcreLines> pcre_;       ///< set for -P, and for back-references: runs alone
  bool posix_by_pcre_ = false;
  bool hyperscan_ = false;  ///< may Hyperscan run (decided once, as for scanner_)
  mutable std::once_flag stream_once_;
  mutable std::unique_ptr<LineStream> stream_;  ///< streamer()'s
  std::string literal_;  ///< set when the pattern is a plain literal of 2+ bytes
  decltype(&detail::find_literal_sse2) find_literal_ = nullptr;
  bool invert_ = false;
  bool word_ = false;
};

/// Counting selected lines piece by piece (LinePiece): what a piece of a long line
/// leaves open for the next, the line open at its end.
class OpenLine {
 public:
  /// The selected lines of `text` that end in it, or that end with it when `ends`; text
  /// goes on from the piece before (inside the line open then, if any) and holds NUL
  /// bytes of a binary file as '\n' already.
  std::uint64_t count(LineMatcher const& m, std::string_view text, bool ends);
  void clear() { line_.reset(); }

 private:
  std::uint64_t close() {
    bool const selected = line_->selected();
    line_.reset();
    return selected ? 1 : 0;
  }
  std::optional<LineMatcher::LongLine> line_;
};

}  // namespace parfold
