#pragma once

// grep's pattern languages (POSIX basic and extended regular expressions with GNU grep
// 3.8's extensions and corner cases, in the C locale) translated into RE2's syntax, so
// that RE2 (linear time) runs exactly what grep would.

#include <string>
#include <string_view>

namespace parfold {

enum class PatternSyntax {
  extended,  ///< -E (the default here)
  basic,     ///< -G, grep's own default: \( \) \{ \} \| \+ \?
  fixed,     ///< -F: a literal string
  perl,      ///< -P: PCRE2's syntax, as grep -P reads it (pcre_lines.hpp)
};

/// One pattern (one line of a pattern list: each is parsed alone) as an RE2 regex that
/// selects what `LC_ALL=C grep` selects with it. `ignore_case` folds ASCII letters only,
/// as grep does in the C locale. Throws UsageError with grep's message for what grep
/// refuses ("Unmatched ( or \\(", "Invalid content of \\{\\}", ...), and naming the
/// construct for what RE2 cannot run: back-references, repetition counts above 1000,
/// \< and \> away from a letter, digit or underscore.
[[nodiscard]] std::string to_re2(std::string_view pattern, PatternSyntax syntax, bool ignore_case);

/// As to_re2, in PCRE2's syntax, where back-references (\1 to \9) run: each names a group
/// closed before it in its branch, else grep's "Invalid back reference". Every group of
/// the result but the pattern's own is non-capturing, so \N is the pattern's group N.
/// \< and \> by a byte that is not a word's are look-arounds there. `needs_pcre` says
/// whether the pattern has either (only then is PCRE2 needed).
[[nodiscard]] std::string to_pcre(std::string_view pattern, PatternSyntax syntax, bool ignore_case,
                                  bool& needs_pcre);

}  // namespace parfold
