#pragma once

// A large list of literal patterns (grep -F -f words.txt, or plain words under -G and -E)
// as one Aho-Corasick automaton: built in time linear in the list (10^6 words in about a
// second, where Hyperscan takes minutes and RE2 runs out of DFA memory) and run over each
// line once, whatever the number of words. Selects and finds what `LC_ALL=C grep` does
// with the same list: -i folds ASCII letters only, -w takes a line when some occurrence
// of some word has no letter, digit or '_' on either side, -x when a word is the line,
// and an empty pattern matches every line (with -x an empty line, with -w an empty
// string between two non-word bytes or line ends).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parfold {

/// What a match of a word must fill: -w, -x.
enum class LiteralBound { none, word, line };

class LiteralSet {
 public:
  /// The automaton for `words` (any bytes but '\n', empty ones included, repeats allowed).
  LiteralSet(std::vector<std::string_view> const& words, bool ignore_case, LiteralBound bound);

  /// Does some word match in `line` (without its '\n'), as grep selects it?
  [[nodiscard]] bool selects(std::string_view line) const;

  /// Appends (begin, length) of each match that `grep -o` prints in `line`: leftmost,
  /// then longest, each after the last, never empty.
  void matches(std::string_view line, std::vector<std::size_t>& out) const;

 private:
  /// One state: its children are the states [first, next state's first), sorted by byte.
  struct Node {
    std::uint32_t first = 0;  ///< its first child
    std::uint32_t fail = 0;   ///< the longest proper suffix of its string that is a state
    std::uint32_t out = 0;    ///< itself if a word ends here, else the nearest along fail (0: none)
  };

  void build_trie(std::vector<std::string> const& words);
  void link_failures(std::vector<std::uint32_t> const& parent);
  [[nodiscard]] std::uint32_t child(std::uint32_t s, unsigned char c) const;
  /// The state after reading byte `c` in state `s`: by the table for the first states, by
  /// the children and failures beyond.
  [[nodiscard]] std::uint32_t step(std::uint32_t s, unsigned char c) const {
    for (;;) {
      if (s < dense_) return table_[std::size_t{s} << 8 | c];
      if (std::uint32_t const next = child(s, c); next != 0 || s == 0) return next;
      s = nodes_[s].fail;
    }
  }
  void fill_table();
  /// Is the match [begin, end) of `line` a word (-w), with a line start at `from`?
  [[nodiscard]] static bool word_at(std::string_view line, std::size_t begin, std::size_t end,
                                    std::size_t from);
  /// Is `line` itself one of the words (-x)?
  [[nodiscard]] bool whole(std::string_view line) const;
  /// Does the empty pattern (when the list has one) select `line`?
  [[nodiscard]] bool empty_selects(std::string_view line) const;
  /// The end of the longest word (-w: that is a word, with a line start at `from`) that
  /// begins at `begin`, or `begin` if none does.
  [[nodiscard]] std::size_t longest_at(std::string_view line, std::size_t begin,
                                       std::size_t from) const;
  /// Calls f(begin, end) on every occurrence of every word in `line` until it returns true.
  template <class F>
  bool any_match(std::string_view line, F&& f) const;

  std::vector<Node> nodes_;  ///< in breadth-first order; 0 is the root; one extra at the end
  std::vector<unsigned char> label_;  ///< per state: the byte that leads to it
  std::vector<std::uint32_t> depth_;  ///< per state: its string's length
  std::vector<std::uint32_t> table_;  ///< the first dense_ states' transitions, 256 each
  std::uint32_t dense_ = 0;
  std::array<unsigned char, 256> fold_{};  ///< each byte as the automaton reads it (-i: lower case)
  LiteralBound bound_;
  bool empty_ = false;  ///< the list has an empty pattern
};

}  // namespace parfold
