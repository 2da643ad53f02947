#include "workloads/lines/grep/literal_set.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

/// A letter, digit or '_' in the C locale (grep -w's word constituents).
bool is_word(char c) {
  auto const b = static_cast<unsigned char>(c);
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
}

}  // namespace

LiteralSet::LiteralSet(std::vector<std::string_view> const& words, bool ignore_case,
                       LiteralBound bound)
    : bound_(bound) {
  for (unsigned b = 0; b < 256; ++b)
    fold_[b] = static_cast<unsigned char>(ignore_case && b >= 'A' && b <= 'Z' ? b + 32 : b);
  std::vector<std::string> list;
  list.reserve(words.size());
  std::size_t bytes = 0;
  for (std::string_view const w : words) {
    empty_ = empty_ || w.empty();
    if (w.empty()) continue;
    bytes += w.size();
    std::string& s = list.emplace_back(w);
    for (char& c : s) c = static_cast<char>(fold_[static_cast<unsigned char>(c)]);
  }
  // A state per distinct prefix: at most one per byte of the list, numbered in 32 bits.
  if (bytes >= std::numeric_limits<std::uint32_t>::max() - 1)
    throw UsageError("the patterns hold 4 GiB or more: too many to match");
  std::sort(list.begin(), list.end());  // as unsigned bytes: char_traits<char>::lt
  list.erase(std::unique(list.begin(), list.end()), list.end());
  build_trie(list);
}

void LiteralSet::build_trie(std::vector<std::string> const& words) {
  // Level by level from the sorted words: the states of one depth are made in the order
  // of their strings, so each state's children are consecutive and sorted by byte.
  std::vector<std::uint32_t> parent{0}, children{0};
  std::vector<bool> ends{false};
  label_.assign(1, 0);
  depth_.assign(1, 0);
  std::vector<std::uint32_t> active(words.size()), at(words.size(), 0);
  std::iota(active.begin(), active.end(), std::uint32_t{0});
  for (std::size_t d = 0; !active.empty(); ++d) {
    std::size_t kept = 0;
    std::uint32_t last = 0;  // the state made last at this depth (0: none yet)
    for (std::size_t k = 0; k < active.size(); ++k) {
      std::string const& w = words[active[k]];
      auto const c = static_cast<unsigned char>(w[d]);
      if (last == 0 || parent[last] != at[k] || label_[last] != c) {
        last = static_cast<std::uint32_t>(parent.size());
        parent.push_back(at[k]);
        label_.push_back(c);
        depth_.push_back(static_cast<std::uint32_t>(d + 1));
        ends.push_back(false);
        children.push_back(0);
        ++children[at[k]];
      }
      if (w.size() == d + 1) {
        ends[last] = true;
      } else {
        active[kept] = active[k];
        at[kept++] = last;
      }
    }
    active.resize(kept);
    at.resize(kept);
  }
  nodes_.assign(parent.size() + 1, Node{});
  nodes_[0].first = 1;
  for (std::size_t s = 0; s < parent.size(); ++s) {
    nodes_[s + 1].first = nodes_[s].first + children[s];
    nodes_[s].out = ends[s] ? static_cast<std::uint32_t>(s) : 0;
  }
  link_failures(parent);
  fill_table();
}

void LiteralSet::fill_table() {
  // The shallowest states (those the text visits most) as a table: 4 MiB at most, a row
  // per state from its children and its failure's row (a lower state, filled before).
  dense_ = static_cast<std::uint32_t>(std::min<std::size_t>(nodes_.size() - 1, 4096));
  table_.assign(std::size_t{dense_} << 8, 0);
  for (std::uint32_t s = 0; s < dense_; ++s) {
    std::uint32_t* const row = &table_[std::size_t{s} << 8];
    if (s != 0) std::copy_n(&table_[std::size_t{nodes_[s].fail} << 8], 256, row);
    for (std::uint32_t t = nodes_[s].first; t < nodes_[s + 1].first; ++t) row[label_[t]] = t;
  }
}

void LiteralSet::link_failures(std::vector<std::uint32_t> const& parent) {
  // Breadth-first order: a state's failure (a shorter string) is linked before it.
  for (std::size_t s = 1; s < parent.size(); ++s) {
    Node& n = nodes_[s];
    n.fail = parent[s] == 0 ? 0 : step(nodes_[parent[s]].fail, label_[s]);
    if (n.out == 0) n.out = nodes_[n.fail].out;
  }
}

std::uint32_t LiteralSet::child(std::uint32_t s, unsigned char c) const {
  auto const begin = label_.begin() + nodes_[s].first;
  auto const end = label_.begin() + nodes_[s + 1].first;
  auto const it = std::lower_bound(begin, end, c);
  return it != end && *it == c ? static_cast<std::uint32_t>(it - label_.begin()) : 0;
}

bool LiteralSet::word_at(std::string_view line, std::size_t begin, std::size_t end,
                         std::size_t from) {
  return (begin == from || !is_word(line[begin - 1])) &&
         (end == line.size() || !is_word(line[end]));
}

bool LiteralSet::whole(std::string_view line) const {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto const c = fold_[static_cast<unsigned char>(line[i])];
    s = child(s, c);
    if (s == 0) return false;
  }
  return s != 0 && nodes_[s].out == s;
}

bool LiteralSet::empty_selects(std::string_view line) const {
  switch (bound_) {
    case LiteralBound::none:
      return true;
    case LiteralBound::line:
      return line.empty();
    case LiteralBound::word:
      break;
  }
  // An empty string with no word constituent on either side: at an end of the line
  // beside a non-word byte, or between two non-word bytes.
  if (line.empty() || !is_word(line.front()) || !is_word(line.back())) return true;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (!is_word(line[i - 1]) && !is_word(line[i])) return true;
  }
  return false;
}

template <class F>
bool LiteralSet::any_match(std::string_view line, F&& f) const {
  std::uint32_t s = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    s = step(s, fold_[static_cast<unsigned char>(line[i])]);
    for (std::uint32_t w = nodes_[s].out; w != 0; w = nodes_[nodes_[w].fail].out) {
      if (f(i + 1 - depth_[w], i + 1)) return true;
    }
  }
  return false;
}

bool LiteralSet::selects(std::string_view line) const {
  if (empty_ && empty_selects(line)) return true;
  if (bound_ == LiteralBound::line) return whole(line);
  if (bound_ == LiteralBound::word) {
    return any_match(
        line, [&](std::size_t begin, std::size_t end) { return word_at(line, begin, end, 0); });
  }
  std::uint32_t s = 0;
  for (char const c : line) {
    s = step(s, fold_[static_cast<unsigned char>(c)]);
    if (nodes_[s].out != 0) return true;
  }
  return false;
}

std::size_t LiteralSet::longest_at(std::string_view line, std::size_t begin,
                                   std::size_t from) const {
  std::size_t longest = begin;
  std::uint32_t s = 0;
  for (std::size_t i = begin; i < line.size(); ++i) {  // down the trie, no failure links
    s = child(s, fold_[static_cast<unsigned char>(line[i])]);
    if (s == 0) break;
    if (nodes_[s].out == s && (bound_ != LiteralBound::word || word_at(line, begin, i + 1, from)))
      longest = i + 1;
  }
  return longest;
}

void LiteralSet::matches(std::string_view line, std::vector<std::size_t>& out) const {
  if (bound_ == LiteralBound::line) {
    if (!line.empty() && whole(line)) out.insert(out.end(), {0, line.size()});
    return;
  }
  // Leftmost first, then longest; each match starts where the last one ended or later.
  // With -w, grep looks for the next match as if its line began where the last match
  // ended: a word there needs no non-word byte before it. Time: the line's length times
  // the longest word at worst; no memory beyond `out`.
  std::size_t from = 0;
  for (std::size_t begin = 0; begin < line.size();) {
    std::size_t const end = longest_at(line, begin, from);
    if (end == begin) {
      ++begin;
      continue;
    }
    out.insert(out.end(), {begin, end - begin});
    begin = from = end;
  }
}

}  // namespace parfold
