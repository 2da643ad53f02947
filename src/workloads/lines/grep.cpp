#include "workloads/lines/grep.hpp"

#include <vector>

#include "parfold/core/errors.hpp"

namespace parfold {

LineMatcher::LineMatcher(GrepOptions const& options) : invert_(options.invert) {
  // grep takes a pattern with newlines as several patterns, any of which may match.
  std::vector<std::string> parts;
  std::string_view rest = options.pattern;
  for (std::size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1)) {
    parts.emplace_back(rest.substr(0, nl));
  }
  parts.emplace_back(rest);
  std::string regex;
  for (std::string const& part : parts) {
    std::string const one = options.fixed ? RE2::QuoteMeta(part) : part;
    regex += (regex.empty() ? "" : "|") + (parts.size() > 1 ? "(" + one + ")" : one);
  }
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);  // bytes, as in the C locale
  o.set_posix_syntax(true);
  o.set_longest_match(true);
  o.set_one_line(false);  // ^ and $ at line boundaries
  o.set_never_nl(true);   // no match spans a newline
  o.set_perl_classes(true);
  o.set_word_boundary(true);
  o.set_case_sensitive(!options.ignore_case);
  o.set_log_errors(false);
  o.set_max_mem(std::int64_t{256} << 20);
  re_ = std::make_unique<RE2>(regex, o);
  if (!re_->ok()) {
    throw UsageError("invalid pattern '" + options.pattern + "': " + re_->error());
  }
  // A plain literal needs no regex engine: a line matches iff it contains it.
  bool const plain = parts.size() == 1 && options.pattern.size() >= 2 && !options.ignore_case &&
                     (options.fixed || options.pattern.find_first_of(".[]()*+?{}|^$\\") == std::string::npos);
  if (plain) {
    literal_ = options.pattern;
    find_literal_ = __builtin_cpu_supports("avx2") != 0 ? &detail::find_literal_avx2 : &detail::find_literal_sse2;
  }
}

std::size_t LineMatcher::find(std::string_view text, std::size_t pos) const {
  if (find_literal_ != nullptr) return find_literal_(text.data(), text.size(), pos, literal_.data(), literal_.size());
  re2::StringPiece match;
  if (!re_->Match(re2::StringPiece(text.data(), text.size()), pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    return text.size();
  }
  return static_cast<std::size_t>(match.data() - text.data());
}

bool LineMatcher::empty_match_at_end(std::string_view text, std::size_t pos) const {
  if (find_literal_ != nullptr) return false;
  re2::StringPiece match;
  return re_->Match(re2::StringPiece(text.data(), text.size()), pos, text.size(), RE2::UNANCHORED, &match, 1) &&
         match.data() == text.data() + text.size();
}

}  // namespace parfold
