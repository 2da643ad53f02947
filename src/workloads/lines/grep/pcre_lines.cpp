#include "workloads/lines/grep/pcre_lines.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

std::string error_text(int code) {
  PCRE2_UCHAR message[256];
  pcre2_get_error_message(code, message, sizeof(message));
  return reinterpret_cast<char const*>(message);
}

/// A thread's match data, context and JIT stack (PCRE2's default of 32 KiB grows to
/// 64 MiB for deep backtracking), reused by every match the thread runs.
struct Scratch {
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_jit_stack* stack = pcre2_jit_stack_create(32 << 10, 64 << 20, nullptr);
  Scratch() {
    if (data == nullptr || context == nullptr || stack == nullptr) throw std::bad_alloc();
    pcre2_jit_stack_assign(context, nullptr, stack);
  }
  ~Scratch() {
    pcre2_jit_stack_free(stack);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
  }
  Scratch(Scratch const&) = delete;
  Scratch& operator=(Scratch const&) = delete;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

/// What follows "(?" in `rest`: how it bears on searching a window of lines.
WindowUse group_use(std::string_view rest) {
  for (std::string_view lookaround : {"=", "<=", "*", "<*"}) {  // positive look-arounds
    if (rest.starts_with(lookaround)) return WindowUse::verify;
  }
  for (std::string_view plain : {":", "|", "'", "P<", "P="}) {
    if (rest.starts_with(plain)) return WindowUse::exact;
  }
  bool const named = rest.size() > 1 && rest[0] == '<' &&
                     (std::isalpha(static_cast<unsigned char>(rest[1])) != 0 || rest[1] == '_');
  if (named) return WindowUse::exact;
  // Inline options: (?i), (?s), (?-i:...) and so on are harmless; (?m), (?x) and (?^) are
  // not (^ and $ no longer at line ends; a space could part a repeat from its +).
  std::size_t n = 0;
  for (; n < rest.size() && std::string_view("imnsxJU-^").find(rest[n]) != std::string_view::npos;
       ++n) {
    if (rest[n] == 'm' || rest[n] == 'x' || rest[n] == '^') return WindowUse::never;
  }
  bool const options = n > 0 && n < rest.size() && (rest[n] == ')' || rest[n] == ':');
  return options ? WindowUse::exact : WindowUse::never;  // !, <!, >, (, R, digits, &, C, ...
}

/// Is `e`, after a backslash, a back-reference (\1-\9, \g, \k)?
bool back_reference(char e) { return (e >= '1' && e <= '9') || e == 'g' || e == 'k'; }

}  // namespace

WindowUse window_use(std::string_view r) {
  WindowUse use = WindowUse::exact;
  bool in_class = false, back_references = false;
  for (std::size_t i = 0; i < r.size(); ++i) {
    char const c = r[i];
    if (c == '\\') {
      if (i + 1 >= r.size()) return WindowUse::never;
      char const e = r[++i];
      // \Q...\E is not worth reading; \K moves a match's start, maybe to another line;
      // \R and \X are atomic and may take a \r\n whole.
      if (e == 'Q' || e == 'K' || e == 'R' || e == 'X') return WindowUse::never;
      if (e == 'c') ++i;  // \cX: X is a character, whatever it is
      bool const subject_edge = e == 'A' || e == 'z' || e == 'Z' || e == 'G';
      if (!in_class && subject_edge) return WindowUse::never;
      back_references = back_references || (!in_class && back_reference(e));
      continue;
    }
    if (in_class) {  // a class ends early here at worst: then more is read as outside it
      in_class = c != ']';
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < r.size() && r[i + 1] == '^') ++i;
      if (i + 1 < r.size() && r[i + 1] == ']') ++i;  // a ] first is a character
    } else if (r.substr(i).starts_with("(?#")) {
      i = std::min(r.find(')', i), r.size());  // a comment, to its )
    } else if (c == '(' && i + 1 < r.size() && (r[i + 1] == '?' || r[i + 1] == '*')) {
      WindowUse const g = r[i + 1] == '*' ? WindowUse::never : group_use(r.substr(i + 2));
      if (g == WindowUse::never) return g;
      if (g == WindowUse::verify) use = g;
      back_references = back_references || r.substr(i).starts_with("(?P=");
    } else if (c == '+' && i > 0 && std::strchr("*+?}", r[i - 1]) != nullptr) {
      return WindowUse::never;  // a possessive repeat (or \++: read as one, to be safe)
    }
  }
  // A look-around is atomic: what it captured past a line end stays, and a back-reference
  // to it could fail where the line alone would match.
  return use == WindowUse::verify && back_references ? WindowUse::never : use;
}

PcreRegex::PcreRegex(std::string const& regex, bool caseless, bool whole_line, bool window) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  std::uint32_t const options =
      (window ? PCRE2_MULTILINE : PCRE2_DOLLAR_ENDONLY) | (caseless ? PCRE2_CASELESS : 0U);
  pcre2_compile_context* const context = pcre2_compile_context_create(nullptr);
  if (whole_line) pcre2_set_compile_extra_options(context, PCRE2_EXTRA_MATCH_LINE);
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(regex.data()), regex.size(), options, &error,
                        &offset, context);
  pcre2_compile_context_free(context);
  if (code_ == nullptr) throw UsageError(error_text(error));
  pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // without the JIT, the interpreter runs it
}

PcreRegex::~PcreRegex() { pcre2_code_free(code_); }

bool PcreRegex::find(std::string_view subject, std::size_t pos, std::size_t& begin,
                     std::size_t& end) const {
  static char const empty = '\0';  // PCRE2 10.42 refuses a null subject, even empty
  Scratch& s = scratch();
  char const* const bytes = subject.data() != nullptr ? subject.data() : &empty;
  int const rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(bytes), subject.size(), pos, 0,
                             s.data, s.context);
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc < 0) throw JobError("PCRE2 gave up on a line: " + error_text(rc));
  PCRE2_SIZE const* const ovector = pcre2_get_ovector_pointer(s.data);
  end = ovector[1];
  begin = std::min(ovector[0], end);  // \K in a look-ahead may leave it past the end
  return true;
}

PcreLines::PcreLines(std::string const& exact, std::string const& filter, bool caseless,
                     bool whole_line)
    : exact_(exact, caseless, whole_line, false) {
  use_ = window_use(filter.empty() ? exact : filter);
  if (use_ == WindowUse::never) return;
  if (filter.empty()) {
    window_ = std::make_unique<PcreRegex>(exact, caseless, whole_line, true);
  } else {
    window_ = std::make_unique<PcreRegex>(filter, caseless, false, true);  // -w's, unbounded
    use_ = WindowUse::verify;  // a hit of the filter is not one of exact
  }
}

PcreLines::Candidate PcreLines::next_candidate(std::string_view text, std::size_t pos) const {
  if (use_ == WindowUse::never) return {pos, false};  // every line, matched alone
  std::size_t begin = 0, end = 0;
  try {
    if (!window_->find(text, pos, begin, end)) return {text.size(), false};
  } catch (JobError const&) {  // too much for PCRE2 at once: this line alone, as grep
    return {pos, false};
  }
  if (begin >= text.size() && text.back() == '\n') return {text.size(), false};  // after the end
  void const* const nl = ::memrchr(text.data() + pos, '\n', begin - pos);
  std::size_t const line =
      nl == nullptr ? pos
                    : static_cast<std::size_t>(static_cast<char const*>(nl) - text.data()) + 1;
  return {line, use_ == WindowUse::exact && end <= line_end(text, begin)};
}

}  // namespace parfold
