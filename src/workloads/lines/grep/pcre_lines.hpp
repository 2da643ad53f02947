#pragma once

// Lines selected by PCRE2 (with its JIT), as grep -P selects them: each line, without
// its '\n', is a subject of its own, so a look-behind at a line's start sees nothing
// before it and no match spans two lines. -P's patterns run here, and grep's -E/-G
// patterns that need back-references (pattern.hpp: to_pcre).
//
// Fast: a window of many lines is searched as one subject (PCRE2_MULTILINE: ^ and $ at
// line ends) for the line of the next match, and only that line is matched alone where
// the window may have misled (a match that crosses a line end, a look-around that saw a
// neighbour line). A pattern for which the window could miss a line, or that window_use()
// cannot read for sure, is matched line by line, as grep does: a negative look-around,
// \A \z \Z \G \K \Q \R \X, atomic groups, possessive repeats, verbs, recursion, conditionals,
// an inline (?m), (?x) or (?^), a look-around beside a back-reference. Where PCRE2 gives
// up on a window (its match limit), the line is matched alone.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

struct pcre2_real_code_8;

namespace parfold {

/// One compiled PCRE2 regex over bytes (no UTF), with its JIT: for a line as the subject
/// (grep -P's flags: $ only at its very end), or for a window of lines (^ and $ at line
/// ends: PCRE2_MULTILINE).
class PcreRegex {
 public:
  /// Throws UsageError with PCRE2's message for an invalid regex. `whole_line`: a match
  /// must span the subject's line (PCRE2_EXTRA_MATCH_LINE, grep -P -x).
  PcreRegex(std::string const& regex, bool caseless, bool whole_line, bool window);
  ~PcreRegex();
  PcreRegex(PcreRegex const&) = delete;
  PcreRegex& operator=(PcreRegex const&) = delete;

  /// The first match in `subject` from byte `pos`: [begin, end) (after \K). Throws
  /// JobError where PCRE2 gives up (its backtracking or JIT stack limit).
  bool find(std::string_view subject, std::size_t pos, std::size_t& begin, std::size_t& end) const;

 private:
  pcre2_real_code_8* code_ = nullptr;
};

/// How a window of lines may be searched at once for a regex (window_use()).
enum class WindowUse {
  exact,   ///< a hit within one line is a hit of that line alone
  verify,  ///< a hit's line must be matched alone (positive look-arounds)
  never,   ///< the window could miss a line: line by line
};
/// For the regex `regex` (PCRE2's syntax), read conservatively: anything unsure is never.
[[nodiscard]] WindowUse window_use(std::string_view regex);

class PcreLines {
 public:
  /// Lines where `exact` matches (`whole_line`: spans them). `filter`, when not empty,
  /// finds a superset of them in a window (exact with its -w bounds taken off); otherwise
  /// exact is tried as a filter.
  PcreLines(std::string const& exact, std::string const& filter, bool caseless,
            bool whole_line = false);

  /// Does `line` (without '\n') hold a match?
  [[nodiscard]] bool selects(std::string_view line) const {
    std::size_t b = 0, e = 0;
    return exact_.find(line, 0, b, e);
  }
  /// The first match in `line` from `pos`.
  bool find(std::string_view line, std::size_t pos, std::size_t& begin, std::size_t& end) const {
    return exact_.find(line, pos, begin, end);
  }
  /// Calls f(line) for each line of `text` (whole lines) that holds a match, or with
  /// `invert` each that does not, in order.
  template <class F>
  void for_each(std::string_view text, bool invert, F& f) const {
    std::size_t pos = 0;
    while (pos < text.size()) {
      Candidate const next = next_candidate(text, pos);
      for (std::size_t at = pos; at < next.line;) {  // lines without a match
        std::size_t const end = line_end(text, at);
        if (invert) f(text.substr(at, end - at));
        at = end + 1;
      }
      if (next.line >= text.size()) return;
      std::size_t const end = line_end(text, next.line);
      std::string_view const line = text.substr(next.line, end - next.line);
      if ((next.sure || selects(line)) != invert) f(line);
      pos = end + 1;
    }
  }

 private:
  struct Candidate {
    std::size_t line = 0;  ///< the start of the line (text.size(): none)
    bool sure = false;     ///< it holds a match, no need to match it alone
  };
  /// The first line from `pos` that may hold a match.
  [[nodiscard]] Candidate next_candidate(std::string_view text, std::size_t pos) const;
  static std::size_t line_end(std::string_view text, std::size_t at) {
    std::size_t const nl = text.find('\n', at);
    return nl == std::string_view::npos ? text.size() : nl;
  }

  PcreRegex exact_;                    ///< a line alone
  std::unique_ptr<PcreRegex> window_;  ///< a window's search: exact's, or the filter's
  WindowUse use_ = WindowUse::never;   ///< of the window's search
};

}  // namespace parfold
