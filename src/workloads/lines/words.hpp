#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parfold {

/// Hashing for word counts, with lookups by string_view that build no string.
struct WordHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using WordCounts = std::unordered_map<std::string, std::uint64_t, WordHash, std::equal_to<>>;

struct WordRules {
  bool fold_case = false;  ///< -i: ASCII letters to lower case before counting
  bool alnum = false;      ///< --alnum: words are maximal runs of [A-Za-z0-9]
};

/// Adds every word of `text` to `counts`. A word is, as in `wc`, a maximal run of
/// non-separator bytes holding at least one printable byte, or with `alnum` a maximal
/// run of ASCII letters and digits.
void count_words(std::string_view text, WordRules rules, WordCounts& counts);

}  // namespace parfold
