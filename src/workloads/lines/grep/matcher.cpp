#include "workloads/lines/grep/matcher.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <vector>

#include "parfold/core/errors.hpp"
#include "workloads/simd/isa.hpp"

namespace parfold {

std::string MatchRules::text() const {
  std::string out;
  for (std::string const& p : patterns) out += (out.empty() ? "" : "\n") + p;
  return out;
}

namespace {

/// Every line of every pattern: each is a pattern of its own.
std::vector<std::string_view> pattern_lines(MatchRules const& options) {
  std::vector<std::string_view> lines;
  for (std::string const& pattern : options.patterns) {
    std::string_view rest = pattern;
    for (;;) {
      std::size_t const nl = rest.find('\n');
      lines.push_back(rest.substr(0, nl));
      if (nl == std::string_view::npos) break;
      rest.remove_prefix(nl + 1);
    }
  }
  return lines;
}

/// Every line of every pattern, each parsed alone, as one RE2 alternation; -x and -w
/// put the whole of it between line ends or non-word bytes.
std::string combined_regex(MatchRules const& options, std::vector<std::string_view> const& lines) {
  std::string regex;
  for (std::string_view const line : lines)
    regex += (regex.empty() ? "(" : "|(") + to_re2(line, options.syntax, options.ignore_case) + ")";
  if (regex.empty()) regex = "[^\\x00-\\xff]";  // no pattern at all (-f /dev/null): nothing matches
  // RE2's POSIX syntax has no (?:...): every group captures. What grep calls the match
  // (-o) is group 1, or with -w group 2 (the bounding bytes are outside it).
  if (options.line) return "^(" + regex + ")$";
  // No class crosses a line end ('\n' is left out, as in to_re2's classes).
  if (options.word) return "(^|[^_[:alnum:]\\x0a])(" + regex + ")([^_[:alnum:]\\x0a]|$)";
  return "(" + regex + ")";
}

/// Does the pattern line `p` match itself alone in this syntax (no special byte)?
bool is_plain(std::string_view p, PatternSyntax syntax) {
  char const* special = syntax == PatternSyntax::basic ? ".[]*^$\\\n" : ".[]()*+?{}|^$\\\n";
  return syntax == PatternSyntax::fixed ? p.find('\n') == std::string_view::npos
                                        : p.find_first_of(special) == std::string_view::npos;
}

/// A pattern that is a plain literal of 2+ bytes, whatever the syntax (none otherwise).
std::optional<std::string> plain_literal(MatchRules const& o) {
  if (o.patterns.size() != 1 || o.ignore_case || o.word || o.line) return std::nullopt;
  std::string const& p = o.patterns[0];
  return p.size() >= 2 && is_plain(p, o.syntax) ? std::optional<std::string>(p) : std::nullopt;
}

/// From how many pattern lines a list of plain words goes to the Aho-Corasick automaton
/// (LiteralSet) rather than to Hyperscan and RE2: Hyperscan scans faster, but its compile
/// time grows faster than the list (0.4 s for 10^3 words, 11 s for 10^5), and RE2's DFA
/// runs out of memory on a long alternation. Measured on bench/bench.py's text: the
/// automaton is ahead from a few hundred words. 128 sits below that, so that no list of a
/// few hundred waits on Hyperscan's compile, and keeps lists written by hand (tens of
/// words) on Hyperscan, which scans faster.
constexpr std::size_t word_list_from = 128;

/// Are these pattern lines many plain words (the empty one included)?
bool word_list(std::vector<std::string_view> const& lines, PatternSyntax syntax) {
  return lines.size() >= word_list_from &&
         std::all_of(lines.begin(), lines.end(),
                     [&](std::string_view p) { return is_plain(p, syntax); });
}

/// The bytes of a word, for PCRE2 (its classes in the C locale, written out).
constexpr char kPcreWord[] = "[_0-9A-Za-z]";

/// `regex` (PCRE2's syntax) as -x and -w bound it: the regex each line is matched with.
std::string bounded(std::string const& regex, MatchRules const& options, bool perl) {
  if (options.line) return "^(?:" + regex + ")$";
  if (!options.word) return regex;
  // grep -P's own bounds: no word byte on either side (grep 3.8 writes \w).
  std::string const word = perl ? "\\w" : kPcreWord;
  return "(?<!" + word + ")(?:" + regex + ")(?!" + word + ")";
}

/// -E/-G patterns as one PCRE2 regex: each line a branch, its groups numbered from 1 (a
/// branch reset). `needed`: some line needs PCRE2 (a back-reference, \< or \> by a byte
/// that is not a word's).
std::string posix_for_pcre(MatchRules const& options, std::vector<std::string_view> const& lines,
                           bool& needed) {
  needed = false;
  std::string regex;
  for (std::string_view const line : lines) {
    bool needs = false;
    regex += (regex.empty() ? "(?|(?:" : "|(?:") +
             to_pcre(line, options.syntax, options.ignore_case, needs) + ")";
    needed = needed || needs;
  }
  return regex + ")";
}

/// PARFOLD_REGEX_ENGINE=pcre2: PCRE2 runs every -E and -G pattern (the tests compare it
/// with grep).
bool pcre_forced() {
  char const* engine = std::getenv("PARFOLD_REGEX_ENGINE");
  return engine != nullptr && std::string_view(engine) == "pcre2";
}

}  // namespace

LineMatcher::LineMatcher(MatchRules const& rules) : invert_(rules.invert), word_(rules.word) {
  MatchRules options = rules;
  if (options.syntax == PatternSyntax::perl && plain_literal(options))
    options.syntax = PatternSyntax::fixed;  // the same lines, found without a regex
  std::vector<std::string_view> const lines = pattern_lines(options);
  if (options.syntax == PatternSyntax::perl) {
    std::string const& p = options.patterns.at(0);  // grep -P takes one (grep_cli.cpp)
    // -x as grep -P: PCRE2_EXTRA_MATCH_LINE, which a comment in (?x) cannot swallow.
    pcre_ = std::make_unique<PcreLines>(options.line ? p : bounded(p, options, true),
                                        options.word ? p : "", options.ignore_case, options.line);
    return;
  }
  if (word_list(lines, options.syntax)) {
    literals_ = std::make_unique<LiteralSet>(lines, options.ignore_case,
                                             options.line   ? LiteralBound::line
                                             : options.word ? LiteralBound::word
                                                            : LiteralBound::none);
    return;
  }
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);  // bytes, as in the C locale
  o.set_posix_syntax(true);
  o.set_longest_match(true);
  o.set_one_line(false);  // ^ and $ at line boundaries
  o.set_never_nl(true);   // no match spans a newline
  o.set_word_boundary(true);
  o.set_case_sensitive(true);  // -i is in the translation: ASCII letters only
  o.set_log_errors(false);
  o.set_max_mem(std::int64_t{256} << 20);
  if (options.syntax != PatternSyntax::fixed && !lines.empty()) {
    std::string const regex = posix_for_pcre(options, lines, posix_by_pcre_);
    if (posix_by_pcre_ || pcre_forced()) {
      pcre_ = std::make_unique<PcreLines>(bounded(regex, options, false), options.word ? regex : "",
                                          options.ignore_case);
      return;
    }
  }
  hyperscan_ = hyperscan_allowed();
  regex_ = combined_regex(options, lines);
  std::string const& regex = regex_;
  re_ = std::make_unique<RE2>(regex, o);
  if (!re_->ok()) throw UsageError("pattern '" + options.text() + "': " + re_->error());
  // A plain literal needs no regex engine: a line matches iff it contains it.
  if (auto const literal = plain_literal(options)) {
    literal_ = *literal;
    find_literal_ = simd::for_kernel_isa(&detail::find_literal_sse2, &detail::find_literal_avx2,
                                         &detail::find_literal_avx512);
  } else {
    scanner_ = LineScanner::compile({regex});
  }
}

std::size_t LineMatcher::find(std::string_view text, std::size_t pos) const {
  if (find_literal_ != nullptr)
    return find_literal_(text.data(), text.size(), pos, literal_.data(), literal_.size());
  re2::StringPiece match;
  if (!re_->Match(re2::StringPiece(text.data(), text.size()), pos, text.size(), RE2::UNANCHORED,
                  &match, 1)) {
    return text.size();
  }
  return static_cast<std::size_t>(match.data() - text.data());
}

bool LineMatcher::empty_match_at_end(std::string_view text, std::size_t pos) const {
  if (find_literal_ != nullptr) return false;
  re2::StringPiece match;
  return re_->Match(re2::StringPiece(text.data(), text.size()), pos, text.size(), RE2::UNANCHORED,
                    &match, 1) &&
         match.data() == text.data() + text.size();
}

bool LineMatcher::next_match(std::string_view line, std::size_t& pos, std::size_t& begin,
                             std::size_t& length) const {
  re2::StringPiece m[3];
  int const group = word_ ? 2 : 1;
  while (pos <= line.size()) {
    if (!re_->Match(re2::StringPiece(line.data(), line.size()), pos, line.size(), RE2::UNANCHORED,
                    m, group + 1)) {
      return false;
    }
    begin = static_cast<std::size_t>(m[group].data() - line.data());
    length = m[group].size();
    if (length == 0) {  // grep -o prints no empty match: look again one byte further
      pos = static_cast<std::size_t>(m[0].data() - line.data()) + 1;
      continue;
    }
    // Next time from the match's end; with -w from its last byte, which the next match's
    // bounding byte may be (it is outside group 1 and must be consumed).
    pos = word_ ? begin + length - 1 : begin + length;
    if (pos <= static_cast<std::size_t>(m[0].data() - line.data())) pos = begin + length;
    return true;
  }
  return false;
}

LineStream const* LineMatcher::streamer() const {
  if (!hyperscan_) return nullptr;
  std::call_once(stream_once_, [&] { stream_ = LineStream::compile({regex_}); });
  return stream_.get();
}

LineMatcher::LongLine::LongLine(LineMatcher const& m) : m_(m) {
  if (LineStream const* s = m.streamer()) stream_.emplace(*s);
}

void LineMatcher::LongLine::add(std::string_view part) {
  if (stream_)
    stream_->add(part);
  else
    held_.append(part);
}

bool LineMatcher::LongLine::selected() {
  if (!stream_) return m_.count_selected(held_.append("\n")) > 0;  // an empty line too
  return stream_->matched() != m_.invert_;
}

std::uint64_t OpenLine::count(LineMatcher const& m, std::string_view text, bool ends) {
  std::uint64_t n = 0;
  if (line_) {  // text goes on with the open line, through its first '\n'
    std::size_t const nl = text.find('\n');
    line_->add(text.substr(0, nl));
    if (nl == std::string_view::npos) return ends ? close() : 0;
    n += close();
    text.remove_prefix(nl + 1);
  }
  // Whole lines, then maybe the start of one that goes on in the next piece.
  if (std::size_t const last = text.rfind('\n'); last != std::string_view::npos) {
    n += m.count_selected(text.substr(0, last + 1));
    text.remove_prefix(last + 1);
  }
  if (!text.empty()) {
    line_.emplace(m);
    line_->add(text);
  }
  return n + (ends && line_ ? close() : 0);
}

}  // namespace parfold
