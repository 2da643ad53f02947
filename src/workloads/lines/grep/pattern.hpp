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
};

/// One pattern (one line of a pattern list: each is parsed alone) as an RE2 regex that
/// selects what `LC_ALL=C grep` selects with it. `ignore_case` folds ASCII letters only,
/// as grep does in the C locale. Throws UsageError with grep's message for what grep
/// refuses ("Unmatched ( or \\(", "Invalid content of \\{\\}", ...), and naming the
/// construct for what RE2 cannot run: back-references, repetition counts above 1000,
/// \< and \> away from a letter, digit or underscore.
[[nodiscard]] std::string to_re2(std::string_view pattern, PatternSyntax syntax, bool ignore_case);

}  // namespace parfold
