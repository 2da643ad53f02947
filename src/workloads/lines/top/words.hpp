#pragma once

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parfold {

/// Hashing for word counts, with lookups by string_view that build no string.
struct WordHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
using WordCounts = std::unordered_map<std::string, std::uint64_t, WordHash, std::equal_to<>>;

/// Counts per word in an open-addressing table whose keys live in one arena: no node
/// or string per word, one probe sequence of cache-friendly slots.
class WordTable {
 public:
  WordTable() : slots_(1024) {}
  void add(std::string_view word, std::uint64_t n = 1) { add(word, hash(word), n); }
  /// add() with the word's hash() already known.
  void add(std::string_view word, std::uint64_t hash, std::uint64_t n);
  /// Asks the processor to fetch the slot where a word of this hash is looked for first.
  void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  [[nodiscard]] static std::uint64_t hash(std::string_view word);
  [[nodiscard]] std::size_t size() const { return used_; }
  /// Calls f(word, count) for every word, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (Slot const& s : slots_) {
      if (s.count != 0) f(std::string_view(arena_).substr(s.offset, s.length), s.count);
    }
  }
  [[nodiscard]] WordCounts to_map() const;
  friend bool operator==(WordTable const& a, WordTable const& b) {
    return a.to_map() == b.to_map();
  }

  /// As words (concatenated), their lengths and counts; a loaded table is rebuilt.
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    std::string words;
    std::vector<std::uint64_t> lengths, counts;
    if constexpr (Archive::is_saving::value) {
      for_each([&](std::string_view w, std::uint64_t n) {
        words += w;
        lengths.push_back(w.size());
        counts.push_back(n);
      });
    }
    ar& words& lengths& counts;
    if constexpr (Archive::is_loading::value) load(words, lengths, counts);
  }

 private:
  /// Becomes the table that serialize() saved as `words`, `lengths` and `counts`; throws
  /// std::runtime_error when they do not make one (lengths past the words, a word twice, an
  /// empty word, a count of 0).
  void load(std::string const& words, std::vector<std::uint64_t> const& lengths,
            std::vector<std::uint64_t> const& counts);
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t count = 0;  ///< 0: empty
    std::uint64_t offset = 0, length = 0;
  };
  void grow();
  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t used_ = 0;
};

struct WordRules {
  bool fold_case = false;  ///< -i: ASCII letters to lower case before counting
  bool alnum = false;      ///< --alnum: words are maximal runs of [A-Za-z0-9]
};

/// The longest word counted as it is (as long as a read buffer, LineFiles::kReadBytes: a
/// word that fits in a window is counted whole): a longer one counts as its first
/// kLongestWord bytes (so long words that begin alike count together), whatever the
/// lines' lengths and however they are cut.
constexpr std::size_t kLongestWord = std::size_t{256} << 10;

/// Adds every word of `text` to `counts`. A word is, as in `wc`, a maximal run of
/// non-separator bytes holding at least one printable byte, or with `alnum` a maximal
/// run of ASCII letters and digits; one longer than kLongestWord as its first bytes.
void count_words(std::string_view text, WordRules rules, WordTable& counts);

/// Could count_words() count `word` under `rules`: no separator, a printable byte (or
/// kLongestWord bytes, the start of a longer word), no upper-case letter under -i?
[[nodiscard]] bool is_word(std::string_view word, WordRules rules);

/// What counting words carries from one piece of a long line to the next: the word open
/// at the end of the piece before.
struct WordCarry {
  std::string word;        ///< its first kLongestWord bytes (lower-cased under -i)
  bool open = false;       ///< a word (or a run of non-separators) goes on
  bool printable = false;  ///< it holds a printable byte
};

/// count_words() of `text`, which goes on from the piece before (inside `carry`'s word if
/// open); with `more`, the word open at its end is left in `carry` for the next piece.
void count_words(std::string_view text, WordRules rules, WordTable& counts, WordCarry& carry,
                 bool more);

}  // namespace parfold
