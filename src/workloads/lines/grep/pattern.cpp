#include "workloads/lines/grep/pattern.hpp"

#include <algorithm>
#include <bitset>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

/// One byte as a literal of RE2's syntax (ASCII letters folded when asked).
std::string literal(char c, bool fold) {
  auto const b = static_cast<unsigned char>(c);
  if (fold && std::isalpha(b) != 0) {
    return std::string("[") + static_cast<char>(std::tolower(b)) +
           static_cast<char>(std::toupper(b)) + "]";
  }
  if (std::isalnum(b) != 0 || c == '_') return std::string(1, c);
  char hex[8];
  std::snprintf(hex, sizeof(hex), "\\x%02x", b);
  return hex;
}

std::string hex_byte(unsigned char b) {
  char hex[8];
  std::snprintf(hex, sizeof(hex), "\\x%02x", b);
  return hex;
}

using ByteSet = std::bitset<256>;

/// The bytes of a POSIX character class in the C locale (ASCII only, whatever the
/// process's locale); none for an unknown name.
ByteSet class_bytes(std::string_view name) {
  ByteSet set;
  auto in = [](unsigned char c, char lo, char hi) {
    return c >= static_cast<unsigned char>(lo) && c <= static_cast<unsigned char>(hi);
  };
  for (unsigned b = 0; b < 128; ++b) {
    auto const c = static_cast<unsigned char>(b);
    bool const upper = in(c, 'A', 'Z'), lower = in(c, 'a', 'z'), digit = in(c, '0', '9');
    bool const space = c == ' ' || in(c, '\t', '\r'), graph = in(c, '!', '~');
    bool const member = name == "alpha"    ? upper || lower
                        : name == "upper"  ? upper
                        : name == "lower"  ? lower
                        : name == "digit"  ? digit
                        : name == "xdigit" ? digit || in(c, 'a', 'f') || in(c, 'A', 'F')
                        : name == "space"  ? space
                        : name == "blank"  ? c == ' ' || c == '\t'
                        : name == "alnum"  ? upper || lower || digit
                        : name == "punct"  ? graph && !(upper || lower || digit)
                        : name == "graph"  ? graph
                        : name == "print"  ? graph || c == ' '
                        : name == "cntrl"  ? c < 0x20 || c == 0x7f
                                           : false;
    set[b] = member;
  }
  return set;
}

/// A set of bytes as a character class that RE2 and Hyperscan (PCRE syntax) read alike,
/// without '\n': grep matches within a line, so no class may cross one (RE2's never_nl
/// drops it too; a scanner without that option must not see it).
std::string class_of(ByteSet set) {
  set.reset('\n');
  if (set.none()) return "[^\\x00-\\xff]";  // matches nothing
  std::string out = "[";
  for (unsigned b = 0; b < 256;) {
    if (!set[b]) {
      ++b;
      continue;
    }
    unsigned e = b;
    while (e + 1 < 256 && set[e + 1]) ++e;
    out += hex_byte(static_cast<unsigned char>(b)) +
           (e > b ? "-" + hex_byte(static_cast<unsigned char>(e)) : "");
    b = e + 1;
  }
  return out + "]";
}

std::string word_class(bool negated) {
  ByteSet set = class_bytes("alnum");
  set.set('_');
  return class_of(negated ? ~set : set);
}

/// The translator: a recursive descent over grep's grammar, writing RE2's syntax.
class Translator {
 public:
  /// With `pcre`, writes PCRE2's syntax instead, where back-references can run: the
  /// translation's own groups do not capture, so the pattern's groups keep their numbers.
  Translator(std::string_view p, PatternSyntax s, bool fold, bool pcre = false)
      : p_(p), basic_(s == PatternSyntax::basic), fold_(fold), pcre_(pcre) {}

  std::string run() { return alternation(0); }
  /// Does the pattern need PCRE2: a back-reference, or \< or \> by a byte that is not
  /// a word's (pcre only)?
  [[nodiscard]] bool needs_pcre() const { return needs_pcre_; }

 private:
  [[noreturn]] static void fail(std::string const& why) { throw UsageError(why); }
  [[noreturn]] static void refuse(std::string const& what) {
    throw UsageError(
        what + " is not supported: parfold runs RE2 (linear time), which has no such construct");
  }
  [[nodiscard]] bool done() const { return at_ >= p_.size(); }
  [[nodiscard]] bool next_is(std::string_view s) const { return p_.substr(at_, s.size()) == s; }
  [[nodiscard]] bool at_bar() const { return basic_ ? next_is("\\|") : next_is("|"); }
  [[nodiscard]] bool at_close() const { return basic_ ? next_is("\\)") : next_is(")"); }

  /// "(" for a group of the translation's own: capturing for RE2 (its POSIX syntax has no
  /// (?:...)), not for PCRE2.
  [[nodiscard]] char const* open() const { return pcre_ ? "(?:" : "("; }

  std::string alternation(int depth) {
    // As glibc: a back-reference may name a group closed before the alternation or in its
    // own branch, not one in another branch.
    std::uint32_t const before = closed_;
    std::uint32_t all = 0;
    std::string out = open() + branch(depth) + ")";
    while (at_bar()) {
      at_ += basic_ ? 2 : 1;
      all |= closed_;
      closed_ = before;
      out += "|" + std::string(open()) + branch(depth) + ")";
    }
    closed_ |= all;
    return out;
  }

  std::string branch(int depth) {
    std::string out;
    bool start = true;  // no atom yet: a repetition here is grep's "at start of expression"
    last_word_ = false;
    after_anchor_ = false;
    while (!done() && !at_bar()) {
      if (at_close()) {
        if (depth > 0) break;
        if (basic_) fail("Unmatched ) or \\)");
        out += literal(p_[at_++], fold_);  // an unmatched ) in an ERE is an ordinary character
        start = false;
        continue;
      }
      std::string piece;
      switch (atom(piece, start)) {
        case Atom::none:
          break;
        case Atom::anchor:
          out += piece;
          break;  // ^ leaves the expression at its start
        case Atom::piece:
          repetitions(piece);
          out += piece;
          start = false;
          break;
      }
    }
    return out;
  }

  enum class Atom { piece, anchor, none };

  /// Reads one atom into `piece`: something to repeat, an anchor, or nothing (a
  /// repetition operator with nothing before it, which an ERE drops as grep does).
  Atom atom(std::string& piece, bool start) {
    char const c = p_[at_];
    bool const word_before = last_word_;
    last_word_ = false;
    if (start && repetition_here()) {
      if (!basic_) {
        skip_repetition();
        return Atom::none;
      }
      at_ += c == '*' ? 1 : 2;  // a BRE reads *, \+, \? or \{ there as the character itself
      piece = literal(c == '*' ? '*' : p_[at_ - 1], false);
      return Atom::piece;
    }
    if (c == '^' && (!basic_ || (start && !after_anchor_))) {  // a BRE's second ^ is a character
      ++at_;
      piece = "^";
      after_anchor_ = start;
      // grep's DFA repeats an ERE's ^ as any atom ("^*b" is "(^)*b": b anywhere).
      bool const repeated = !basic_ && !done() && repetition_here();
      return start && !repeated ? Atom::anchor : Atom::piece;
    }
    bool const bre_end =
        at_ + 1 == p_.size() || p_.substr(at_ + 1, 2) == "\\)" || p_.substr(at_ + 1, 2) == "\\|";
    if (c == '$' && (!basic_ || bre_end)) {
      ++at_;
      piece = "$";
      return Atom::piece;
    }
    if (c == '.' || c == '[') {
      piece = c == '.' ? "." : bracket();
      at_ += c == '.' ? 1 : 0;
      return Atom::piece;
    }
    if (!basic_ && c == '(') {
      ++at_;
      group(piece);
      return Atom::piece;
    }
    if (c == '\\') {
      escape(piece, word_before);
      return Atom::piece;
    }
    ++at_;
    piece = literal(c, fold_);
    last_word_ = is_word(c);
    return Atom::piece;
  }

  void group(std::string& piece) {
    unsigned const number = ++groups_;
    std::string inner = alternation(1);
    if (!at_close()) fail("Unmatched ( or \\(");
    at_ += basic_ ? 2 : 1;
    if (number < 32) closed_ |= std::uint32_t{1} << number;
    piece = "(" + inner + ")";  // with RE2 it captures nothing of use
  }

  /// \N: a back-reference to group N, closed already (else glibc's error).
  void back_reference(char e, std::string& piece) {
    unsigned const n = static_cast<unsigned>(e - '0');
    if (!pcre_) refuse(std::string("a back-reference (\\") + e + ")");
    if ((closed_ & (std::uint32_t{1} << n)) == 0) fail("Invalid back reference");
    needs_pcre_ = true;
    piece = "\\g{" + std::to_string(n) + "}";
  }

  void escape(std::string& piece, bool word_before) {
    if (at_ + 1 >= p_.size()) fail("Trailing backslash");
    char const e = p_[at_ + 1];
    at_ += 2;
    if (basic_ && e == '(') {
      group(piece);
      return;
    }
    if (e >= '1' && e <= '9') return back_reference(e, piece);
    switch (e) {
      case 'w':
        piece = word_class(false);
        return;
      case 'W':
        piece = word_class(true);
        return;
      case 's':
        piece = class_of(class_bytes("space"));
        return;
      case 'S':
        piece = class_of(~class_bytes("space"));
        return;
      case 'b':
        piece = "\\b";
        return;
      case 'B':
        piece = "\\B";
        return;
      case '`':
        piece = "^";
        return;  // the start of the line (grep matches line by line)
      case '\'':
        piece = "$";
        return;
      case '<':
        if (!done() && is_word(p_[at_])) {
          piece = "\\b";
        } else {  // the start of a word, whatever comes next: PCRE2 can look ahead
          if (!pcre_) refuse("\\< before anything but a letter, digit or _");
          needs_pcre_ = true;
          piece = "\\b(?=" + word_class(false) + ")";
        }
        return;
      case '>':
        if (word_before) {
          piece = "\\b";
        } else {
          if (!pcre_) refuse("\\> after anything but a letter, digit or _");
          needs_pcre_ = true;
          piece = "\\b(?<=" + word_class(false) + ")";
        }
        return;
      default:
        break;
    }
    // Any other escaped byte is itself (grep 3.8 warns of a "stray \" before an ordinary one).
    piece = literal(e, fold_);
    last_word_ = is_word(e);
    return;
  }

  /// Is a repetition operator next, with nothing before it to repeat?
  [[nodiscard]] bool repetition_here() const {
    char const c = p_[at_];
    if (c == '*') return true;
    if (basic_) return next_is("\\+") || next_is("\\?") || next_is("\\{");
    return c == '+' || c == '?' || (c == '{' && interval_length() > 0);
  }
  void skip_repetition() {
    if (p_[at_] == '*' || (!basic_ && (p_[at_] == '+' || p_[at_] == '?'))) {
      ++at_;
    } else if (basic_ && (next_is("\\+") || next_is("\\?"))) {
      at_ += 2;
    } else {
      std::string ignored;
      interval(ignored);  // still checked: "{}" and counts over 32767 are errors
    }
  }

  /// The repetition operators after an atom, each applied to all before it.
  void repetitions(std::string& piece) {
    for (;;) {
      std::string op;
      if (done()) return;
      char const c = p_[at_];
      if (c == '*') {
        op = "*";
        ++at_;
      } else if (!basic_ && (c == '+' || c == '?')) {
        op = std::string(1, c);
        ++at_;
      } else if (basic_ && (next_is("\\+") || next_is("\\?"))) {
        op = std::string(1, p_[at_ + 1]);
        at_ += 2;
      } else if ((!basic_ && c == '{' && interval_length() > 0) || (basic_ && next_is("\\{"))) {
        interval(op);
      } else {
        return;
      }
      piece = open() + piece + ")" + op;
      last_word_ = false;
    }
  }

  /// Length of an ERE interval "{n}", "{n,}", "{,m}", "{n,m}" (or "{}", an error) at the
  /// cursor; 0 when the brace is an ordinary character.
  [[nodiscard]] std::size_t interval_length() const {
    std::size_t i = at_ + 1;
    while (i < p_.size() && (std::isdigit(static_cast<unsigned char>(p_[i])) != 0 || p_[i] == ','))
      ++i;
    if (i >= p_.size() || p_[i] != '}') return 0;
    std::string_view const body = p_.substr(at_ + 1, i - at_ - 1);
    if (body.find(',') != body.rfind(',')) return 0;
    return i - at_ + 1;
  }

  /// Reads an interval at the cursor into `op` ("{n,m}" for RE2).
  void interval(std::string& op) {
    std::size_t const open = basic_ ? 2 : 1;
    std::size_t const close_at = p_.find(basic_ ? "\\}" : "}", at_ + open);
    if (close_at == std::string_view::npos) fail("Unmatched \\{");
    std::string_view const body = p_.substr(at_ + open, close_at - at_ - open);
    at_ = close_at + (basic_ ? 2 : 1);
    std::size_t const comma = body.find(',');
    auto number = [&](std::string_view digits, long none) -> long {
      if (digits.empty()) return none;
      for (char d : digits) {
        if (std::isdigit(static_cast<unsigned char>(d)) == 0) fail("Invalid content of \\{\\}");
      }
      return digits.size() > 6 ? 100000 : std::stol(std::string(digits));
    };
    if (body.empty()) fail("Invalid content of \\{\\}");
    long const lo = number(body.substr(0, comma), 0);
    long const hi = comma == std::string_view::npos ? lo : number(body.substr(comma + 1), -1);
    if (hi >= 0 && hi < lo) fail("Invalid content of \\{\\}");
    if (std::max(lo, hi) > 32767) fail("Regular expression too big");
    if (std::max(lo, hi) > 1000) refuse("a repetition count above 1000 (RE2's limit)");
    op = "{" + std::to_string(lo) + (comma == std::string_view::npos ? "" : ",") +
         (hi >= 0 && comma != std::string_view::npos ? std::to_string(hi) : "") + "}";
  }

  /// A bracket expression at the cursor, as an RE2 character class of bytes.
  std::string bracket() {
    ++at_;  // the [
    bool negated = false;
    if (!done() && p_[at_] == '^') {
      negated = true;
      ++at_;
    }
    ByteSet items;
    bool first = true;
    bool plain = true;  // no class, range, [.x.] or [=x=]: what grep's [:space:] check needs
    std::size_t const body = at_;
    for (;;) {
      if (done()) fail("Unmatched [, [^, [:, [., or [=");
      char c = p_[at_];
      if (c == ']' && !first) break;
      first = false;
      plain = plain && !next_is("[:") && !next_is("[.") && !next_is("[=");
      if (next_is("[:")) {
        items |= char_class();
        if (range_next()) fail("Invalid range end");  // a class cannot start a range
        continue;
      }
      bool const equivalence = next_is("[=");
      unsigned char lo = element();
      if (range_next()) {
        ++at_;
        // Nor can an equivalence class start or end one, nor a class end one.
        if (equivalence || next_is("[:") || next_is("[=")) fail("Invalid range end");
        unsigned char const hi = element();
        if (hi < lo || range_next()) fail("Invalid range end");  // [1-3-5]: nor be one's start
        items |= range(lo, hi);
        plain = false;
      } else {
        items |= range(lo, lo);
      }
    }
    std::string_view const raw = p_.substr(body, at_ - body);
    ++at_;  // the ]
    // grep's rule (gnulib dfa.c): [:...:] with a byte other than : in it and no class or
    // range is a mistaken [[:space:]]; [::], [:a], [:spac-e:] are ordinary brackets.
    if (plain && raw.size() >= 2 && raw.front() == ':' && raw.back() == ':' &&
        raw.find_first_not_of(':') != std::string_view::npos) {
      fail("character class syntax is [[:space:]], not [:space:]");
    }
    return class_of(negated ? ~items : items);
  }

  /// A - that makes a range: one not just before the closing ].
  [[nodiscard]] bool range_next() const {
    return next_is("-") && at_ + 1 < p_.size() && p_[at_ + 1] != ']';
  }

  /// One byte of a bracket expression: itself, or a collating symbol [.x.] or an
  /// equivalence class [=x=] of one byte (the C locale has no others).
  unsigned char element() {
    if (p_[at_] == '[' && at_ + 1 < p_.size() && (p_[at_ + 1] == '.' || p_[at_ + 1] == '=')) {
      char const kind = p_[at_ + 1];
      std::size_t const end = p_.find(std::string(1, kind) + "]", at_ + 2);
      if (end == std::string_view::npos) fail("Unmatched [, [^, [:, [., or [=");
      if (end - at_ - 2 != 1) fail("Invalid collation character");
      auto const b = static_cast<unsigned char>(p_[at_ + 2]);
      at_ = end + 2;
      return b;
    }
    return static_cast<unsigned char>(p_[at_++]);
  }

  /// The bytes lo..hi, and with -i the other case of the ASCII letters among them.
  ByteSet range(unsigned char lo, unsigned char hi) const {
    ByteSet set;
    for (unsigned b = lo; b <= hi; ++b) set.set(b);
    if (fold_) fold(set);
    return set;
  }

  static void fold(ByteSet& set) {
    for (unsigned b = 'a'; b <= 'z'; ++b) {
      if (set[b] || set[b - 32]) set.set(b).set(b - 32);
    }
  }

  ByteSet char_class() {
    std::size_t const end = p_.find(":]", at_ + 2);
    if (end == std::string_view::npos) fail("Unmatched [, [^, [:, [., or [=");
    std::string const name(p_.substr(at_ + 2, end - at_ - 2));
    at_ = end + 2;
    ByteSet set = class_bytes(name);
    if (set.none()) fail("Invalid character class name");
    if (fold_) fold(set);  // grep -i: [[:upper:]] and [[:lower:]] take either case
    return set;
  }

  std::string_view p_;
  bool basic_, fold_, pcre_;
  std::size_t at_ = 0;
  unsigned groups_ = 0;       ///< the groups opened so far
  std::uint32_t closed_ = 0;  ///< bit N: group N is closed (back-references may name it)
  bool needs_pcre_ = false;
  bool last_word_ = false;     ///< the last atom was a literal letter, digit or _
  bool after_anchor_ = false;  ///< the branch so far is a ^ anchor
};

/// grep validates an ERE with glibc's regex but matches with its DFA, which read a ) right
/// after a dropped leading *, + or ? differently: the DFA closes the group with it (what
/// Translator does), glibc takes it as an ordinary character, so "(*)b" leaves its ( open:
/// "Unmatched ( or \\(", status 2. This walks the ERE as glibc does, for its groups only.
void check_glibc_groups(std::string_view p) {
  int depth = 0;
  bool start = true, dropped = false;  // at a branch's start; a leading *, + or ? dropped
  for (std::size_t i = 0; i < p.size(); ++i) {
    char const c = p[i];
    bool const repeat = c == '*' || c == '+' || c == '?';
    if (c == '(' || c == '|') {
      depth += c == '(' ? 1 : 0;
      start = true;
      dropped = false;
      continue;
    }
    // An anchor ends an expression before a repetition: one after it is dropped too.
    bool const anchor = c == '^' || c == '$' ||
                        (c == '\\' && i + 1 < p.size() &&
                         std::string_view("<>bB`'").find(p[i + 1]) != std::string_view::npos);
    if (anchor) {
      i += c == '\\' ? 1 : 0;
      start = true;
      dropped = false;
      continue;
    }
    if (start && (repeat || c == '{')) {  // glibc drops a leading {, as a leading *
      dropped = true;
      continue;
    }
    if (c == ')' && depth > 0 && !dropped) --depth;
    if (c == '\\') ++i;
    if (c == '[') {  // to its closing ], past a ] first and [:...:] inside
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      for (; j < p.size() && p[j] != ']'; ++j) {
        if (p[j] == '[' && j + 1 < p.size() &&
            std::string_view(":.=").find(p[j + 1]) != std::string_view::npos) {
          std::size_t const end = p.find(std::string{p[j + 1], ']'}, j + 2);
          if (end == std::string_view::npos) break;
          j = end + 1;
        }
      }
      i = j;
    }
    start = dropped = false;
  }
  if (depth > 0) throw UsageError("Unmatched ( or \\(");
}

}  // namespace

std::string to_re2(std::string_view pattern, PatternSyntax syntax, bool ignore_case) {
  if (syntax == PatternSyntax::fixed) {
    std::string out;
    for (char c : pattern) out += literal(c, ignore_case);
    return out;
  }
  if (syntax == PatternSyntax::extended) check_glibc_groups(pattern);  // grep's error first
  return Translator(pattern, syntax, ignore_case).run();
}

std::string to_pcre(std::string_view pattern, PatternSyntax syntax, bool ignore_case,
                    bool& needs_pcre) {
  needs_pcre = false;
  if (syntax == PatternSyntax::fixed) return to_re2(pattern, syntax, ignore_case);
  if (syntax == PatternSyntax::extended) check_glibc_groups(pattern);
  Translator t(pattern, syntax, ignore_case, true);
  std::string out = t.run();
  needs_pcre = t.needs_pcre();
  return out;
}

}  // namespace parfold
