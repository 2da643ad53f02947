#include "workloads/lines/words.hpp"

#include <array>
#include <cstring>

namespace parfold {

namespace {

enum : unsigned char { kSep = 1, kPrint = 2, kAlnum = 4 };

constexpr std::array<unsigned char, 256> make_classes() {
  std::array<unsigned char, 256> c{};
  for (int b = 0; b < 256; ++b) {
    unsigned char v = 0;
    if (b == ' ' || (b >= '\t' && b <= '\r')) v |= kSep;
    if (b >= 0x21 && b <= 0x7e) v |= kPrint;
    if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) v |= kAlnum;
    c[static_cast<std::size_t>(b)] = v;
  }
  return c;
}
constexpr auto kClasses = make_classes();

unsigned char cls(char ch) { return kClasses[static_cast<unsigned char>(ch)]; }

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
  void insert(std::size_t i) { table_.add(pending_[i % kDepth].word, pending_[i % kDepth].hash, 1); }
  WordTable& table_;
  std::array<Pending, kDepth> pending_{};
  std::size_t taken_ = 0, done_ = 0;
};

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
  std::uint64_t v = 0;
  std::memcpy(&v, w.data() + i, w.size() - i);
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
    if (s.hash == h && s.length == word.size() && std::memcmp(arena_.data() + s.offset, word.data(), word.size()) == 0) {
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
  std::size_t const n = text.size();
  std::size_t i = 0;
  if (rules.alnum) {
    while (i < n) {
      while (i < n && (cls(text[i]) & kAlnum) == 0) ++i;
      std::size_t const start = i;
      while (i < n && (cls(text[i]) & kAlnum) != 0) ++i;
      if (i > start) batch.add(text.substr(start, i - start));
    }
    return;
  }
  while (i < n) {
    while (i < n && (cls(text[i]) & kSep) != 0) ++i;
    std::size_t const start = i;
    bool printable = false;
    while (i < n && (cls(text[i]) & kSep) == 0) {
      printable |= (cls(text[i]) & kPrint) != 0;
      ++i;
    }
    if (printable) batch.add(text.substr(start, i - start));
  }
}

}  // namespace parfold
