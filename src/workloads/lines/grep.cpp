#include "workloads/lines/grep.hpp"

#include <vector>

#include "core/errors.hpp"

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
}

}  // namespace parfold
