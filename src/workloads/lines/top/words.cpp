#include "workloads/lines/top/words.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include "workloads/simd/sse2.hpp"

namespace parfold {

namespace {

/// Bit i tells about byte base + i of the text: a separator (wc's: space and \t-\r; with
/// alnum anything but [A-Za-z0-9]; bytes past the end too), printable (0x21-0x7e; with
/// alnum every byte, as every run of letters and digits is a word).
struct BlockMasks {
  std::uint64_t sep = 0, print = 0;
};

BlockMasks classify(std::string_view text, std::size_t base, bool alnum) {
  using V = simd::Sse2;
  alignas(16) char padded[64];
  char const* p = text.data() + base;
  if (text.size() - base < 64) {  // the last block: padded with separators
    std::memset(padded, ' ', sizeof(padded));
    std::memcpy(padded, p, text.size() - base);
    p = padded;
  }
  auto in_range = [](V::reg x, unsigned char low, unsigned char span) {  // low <= x <= low + span
    V::reg const t = V::sub8(x, V::set1_8(low));
    return V::eq8(V::min_u8(t, V::set1_8(span)), t);
  };
  BlockMasks m;
  for (unsigned i = 0; i < 4; ++i) {
    V::reg const x = V::load(p + 16 * i);
    std::uint64_t sep = 0, print = 0xffff;
    if (alnum) {
      V::reg const lower = V::or_(x, V::set1_8(0x20));  // letters of either case as lower case
      sep = ~V::movemask8(V::or_(in_range(x, '0', 9), in_range(lower, 'a', 25))) & 0xffff;
    } else {
      sep = V::movemask8(V::or_(V::eq8(x, V::set1_8(' ')), in_range(x, '\t', '\r' - '\t')));
      print = V::movemask8(in_range(x, 0x21, 0x7e - 0x21));
    }
    m.sep |= sep << (16 * i);
    m.print |= print << (16 * i);
  }
  return m;
}

/// Adds words to a table a few at a time: each word's slot is prefetched when the word
/// comes and looked up only some words later, so the cache misses of a table larger than
/// the cache overlap instead of stalling one after another.
class WordBatch {
 public:
  explicit WordBatch(WordTable& table) : table_(table) {}
  ~WordBatch() {
    for (; done_ < taken_; ++done_) insert(done_);
  }
  WordBatch(WordBatch const&) = delete;
  WordBatch& operator=(WordBatch const&) = delete;
  void add(std::string_view word) {
    if (taken_ - done_ == kDepth) insert(done_++);
    Pending& p = pending_[taken_++ % kDepth];
    p = {word, WordTable::hash(word)};
    table_.prefetch(p.hash);
  }

 private:
  static constexpr std::size_t kDepth = 16;
  struct Pending {
    std::string_view word;
    std::uint64_t hash;
  };
  void insert(std::size_t i) {
    table_.add(pending_[i % kDepth].word, pending_[i % kDepth].hash, 1);
  }
  WordTable& table_;
  std::array<Pending, kDepth> pending_{};
  std::size_t taken_ = 0, done_ = 0;
};

}  // namespace

namespace {

std::uint64_t load64(char const* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
std::uint32_t load32(char const* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

/// The `n` (< 8) bytes at `p` as a little-endian number, by a few fixed-size loads (a
/// memcpy of a variable size is a call).
std::uint64_t short_bytes(char const* p, std::size_t n) {
  if (n >= 4)
    return load32(p) | std::uint64_t{load32(p + n - 4)}
                           << (8 * (n - 4));  // overlapping: same bytes
  if (n == 0) return 0;
  auto byte = [&](std::size_t i) {
    return std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  };
  return byte(0) | byte(n / 2) | byte(n - 1);
}

/// Are the `n` bytes at `a` and `b` the same? (Fixed-size loads, as short_bytes.)
bool same_bytes(char const* a, char const* b, std::size_t n) {
  if (n < 8) return short_bytes(a, n) == short_bytes(b, n);
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    if (load64(a + i) != load64(b + i)) return false;
  }
  return load64(a + n - 8) == load64(b + n - 8);
}

}  // namespace

std::uint64_t WordTable::hash(std::string_view w) {
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ w.size();
  std::size_t i = 0;
  for (; i + 8 <= w.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, w.data() + i, 8);
    h = (h ^ v) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  std::uint64_t const v = short_bytes(w.data() + i, w.size() - i);
  h = (h ^ v) * 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

void WordTable::add(std::string_view word, std::uint64_t h, std::uint64_t n) {
  std::size_t const mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.count == 0) {
      s = {h, n, arena_.size(), word.size()};
      arena_.append(word);
      if (++used_ * 2 > slots_.size()) grow();
      return;
    }
    if (s.hash == h && s.length == word.size() &&
        same_bytes(arena_.data() + s.offset, word.data(), word.size())) {
      s.count += n;
      return;
    }
  }
}

void WordTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  std::size_t const mask = slots_.size() - 1;
  for (Slot const& s : old) {
    if (s.count == 0) continue;
    std::size_t i = s.hash & mask;
    while (slots_[i].count != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void WordTable::load(std::string const& words, std::vector<std::uint64_t> const& lengths,
                     std::vector<std::uint64_t> const& counts) {
  if (lengths.size() != counts.size())
    throw std::runtime_error("word lengths and counts do not pair up");
  *this = WordTable();
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    if (lengths[i] == 0 || counts[i] == 0 || lengths[i] > words.size() - at)
      throw std::runtime_error("word " + std::to_string(i + 1) +
                               " is empty, never seen or past the words");
    add(std::string_view(words).substr(at, lengths[i]), counts[i]);
    at += lengths[i];
  }
  if (at != words.size() || size() != lengths.size())
    throw std::runtime_error("words left over, or a word twice");
}

WordCounts WordTable::to_map() const {
  WordCounts out;
  out.reserve(used_);
  for_each([&](std::string_view w, std::uint64_t n) { out.emplace(std::string(w), n); });
  return out;
}

void count_words(std::string_view text, WordRules rules, WordTable& counts) {
  thread_local std::string lowered;
  if (rules.fold_case) {  // -i: the words of a lower-cased copy
    lowered.assign(text);
    for (char& ch : lowered) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    text = lowered;
  }
  WordBatch batch(counts);
  // The text in blocks of 64 bytes, each classified at once into bit masks; a word is a
  // run of clear bits of `sep`, counted when a bit of `print` is set in it.
  std::size_t start = std::string_view::npos;  // of the word open at a block's start
  bool printable = false;
  for (std::size_t base = 0; base < text.size(); base += 64) {
    BlockMasks const m = classify(text, base, rules.alnum);
    for (unsigned at = 0;;) {  // bits [0, at) are done
      if (start == std::string_view::npos) {
        std::uint64_t const begins = ~m.sep & (~std::uint64_t{0} << at);
        if (begins == 0) break;
        at = static_cast<unsigned>(std::countr_zero(begins));
        start = base + at;
        printable = false;
      }
      std::uint64_t const from_at = ~std::uint64_t{0} << at;
      std::uint64_t const ends = m.sep & from_at;
      if (ends == 0) {  // the word goes on into the next block
        printable = printable || (m.print & from_at) != 0;
        break;
      }
      auto const end = static_cast<unsigned>(std::countr_zero(ends));
      printable = printable || (m.print & from_at & ((std::uint64_t{1} << end) - 1)) != 0;
      if (printable)
        batch.add(text.substr(start, std::min<std::size_t>(base + end - start, kLongestWord)));
      start = std::string_view::npos;
      at = end;
    }
  }
  if (start != std::string_view::npos && printable) batch.add(text.substr(start, kLongestWord));
}

namespace {

/// The length of text's leading run of non-separators, 64 bytes at a time; `printable`
/// becomes true if the run holds a printable byte.
std::size_t leading_run(std::string_view text, WordRules rules, bool& printable) {
  for (std::size_t base = 0; base < text.size(); base += 64) {
    BlockMasks const m = classify(text, base, rules.alnum);  // bytes past the end: separators
    if (m.sep == 0) {
      printable = printable || m.print != 0;
      continue;
    }
    auto const end = static_cast<unsigned>(std::countr_zero(m.sep));
    printable = printable || (m.print & ((std::uint64_t{1} << end) - 1)) != 0;
    return base + end;
  }
  return text.size();
}

/// Where text's trailing run of non-separators starts, 64 bytes at a time.
std::size_t trailing_run(std::string_view text, WordRules rules) {
  std::size_t end = text.size();  // text[end, size) are non-separators
  while (end > 0) {
    std::size_t const base = (end - 1) & ~std::size_t{63}, n = end - base;
    std::uint64_t const before_end = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
    std::uint64_t const sep = classify(text, base, rules.alnum).sep & before_end;
    if (sep != 0) return base + 64 - static_cast<std::size_t>(std::countl_zero(sep));
    end = base;
  }
  return 0;
}

/// Appends `bytes` (non-separators) to the carried word, up to kLongestWord (lower-cased
/// under -i).
void extend(WordCarry& carry, std::string_view bytes, bool printable, WordRules rules) {
  carry.open = true;
  carry.printable = carry.printable || printable;
  std::size_t const from = carry.word.size();
  carry.word.append(bytes.substr(0, kLongestWord - std::min(from, kLongestWord)));
  if (!rules.fold_case) return;
  for (std::size_t i = from; i < carry.word.size(); ++i) {
    char& ch = carry.word[i];
    ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
}

}  // namespace

bool is_word(std::string_view word, WordRules rules) {
  auto const upper = [](char ch) { return ch >= 'A' && ch <= 'Z'; };
  bool printable = false;
  return !word.empty() && word.size() <= kLongestWord &&
         leading_run(word, rules, printable) == word.size() &&
         (word.size() == kLongestWord || printable) &&
         !(rules.fold_case && std::any_of(word.begin(), word.end(), upper));
}

void count_words(std::string_view text, WordRules rules, WordTable& counts, WordCarry& carry,
                 bool more) {
  if (carry.open) {  // the word goes on through text's first separator
    bool printable = false;
    std::size_t const at = leading_run(text, rules, printable);
    extend(carry, text.substr(0, at), printable, rules);
    if (at == text.size() && more) return;
    if (carry.printable) counts.add(carry.word);
    carry.word.clear();
    carry.open = carry.printable = false;
    text.remove_prefix(at);
  }
  // With `more`, the word open at the end goes on in the next piece: carried.
  std::size_t const end = more ? trailing_run(text, rules) : text.size();
  count_words(text.substr(0, end), rules, counts);
  if (end == text.size()) return;
  bool printable = false;
  (void)leading_run(text.substr(end), rules, printable);
  extend(carry, text.substr(end), printable, rules);
}

}  // namespace parfold
