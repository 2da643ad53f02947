// GNU parallel's forms for `parfold run`: see parallel_form.hpp.
#include "workloads/shell/parallel_form.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "parfold/core/errors.hpp"

namespace parfold {

namespace {

/// One task's arguments: a value per source, and their columns (--colsep splits each
/// value; without it a value is one column), numbered across the sources in order.
struct TaskArgs {
  std::vector<std::string> values;
  std::vector<std::string> columns;
};

/// The columns of the sources: their values split, and the header's names.
struct Columns {
  std::vector<std::vector<std::vector<std::string>>> of_source;  ///< [source][value][column]
  std::map<std::string, std::size_t> names;                      ///< --header: name -> column
};

/// A value quoted for /bin/sh as GNU parallel quotes it: bare when every byte is one of
/// [-_.+/A-Za-z0-9], else in single quotes ('"'"' for a quote), '' when empty.
std::string parallel_quote(std::string const& v) {
  bool const bare = !v.empty() && std::all_of(v.begin(), v.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '+' || c == '/';
  });
  if (bare) return v;
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

/// `{.}`: the value without its extension: from the last '.' after the last '/' on ("a."
/// gives "a", ".bashrc" nothing), as GNU parallel's s:\.[^/.]*$::.
std::string no_extension(std::string v) {
  std::size_t const dot = v.rfind('.');
  std::size_t const slash = v.rfind('/');
  bool const ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  if (ext) v.erase(dot);
  return v;
}

/// `{/}`: the value after its last '/'.
std::string base_name(std::string const& v) {
  std::size_t const slash = v.rfind('/');
  return slash == std::string::npos ? v : v.substr(slash + 1);
}

/// `{//}`: the directory, as POSIX dirname(1) gives it ("." when there is none).
std::string dir_name(std::string v) {
  while (v.size() > 1 && v.back() == '/') v.pop_back();
  std::size_t const slash = v.rfind('/');
  if (slash == std::string::npos) return ".";
  v.erase(slash);
  while (v.size() > 1 && v.back() == '/') v.pop_back();
  return v.empty() ? "/" : v;
}

/// The modifier of a replacement string ("", ".", "/", "//", "/.") applied to `v`;
/// nothing when `mod` is none of them.
std::optional<std::string> modified(std::string const& v, std::string_view mod) {
  if (mod.empty()) return v;
  if (mod == ".") return no_extension(v);
  if (mod == "/") return base_name(v);
  if (mod == "//") return dir_name(v);
  if (mod == "/.") return no_extension(base_name(v));
  return std::nullopt;
}

/// How values go into the text: quoted for the shell (a command) or as they are (a tag).
using Quoter = std::string (*)(std::string const&);
std::string as_is(std::string const& v) { return v; }

/// `values`, each through `quote` (and `mod`: see modified()), joined by spaces; nothing
/// when `mod` is no modifier.
std::optional<std::string> joined(std::vector<std::string> const& values, Quoter quote,
                                  std::string_view mod = "") {
  std::string out;
  for (std::string const& v : values) {
    auto const m = modified(v, mod);
    if (!m) return std::nullopt;
    out += (&v == values.data() ? "" : " ") + quote(*m);
  }
  return out;
}

/// {N} {-N} with their modifier: column N (from the end: -N) of the task; a column past
/// the last is nothing at all, as in GNU parallel (not an empty word). Throws UsageError
/// for {-N} before the first column, where GNU parallel wraps round.
std::optional<std::string> column(std::string_view in, std::size_t digits, TaskArgs const& a,
                                  Quoter quote) {
  std::string_view const mod = in.substr(digits);
  if (!modified("", mod)) return std::nullopt;
  bool const negative = in.front() == '-';
  std::string_view const number = in.substr(negative ? 1 : 0, digits - (negative ? 1 : 0));
  std::size_t const count = a.columns.size();
  std::size_t n = 0;  // 0: no such column ({00}, {-0}, more digits than any count)
  if (number.size() <= 18 && number.find_first_not_of('0') != std::string_view::npos)
    n = std::stoull(std::string(number));
  if (negative && n > count && count > 0) {  // (no columns: check_quoting's probe)
    throw UsageError("{" + std::string(in) + "}: a task has only " + std::to_string(count) +
                     " column(s) (GNU parallel would wrap round to another; parfold refuses)");
  }
  if (n == 0 || n > count) return std::string();
  return quote(*modified(a.columns[negative ? count - n : n - 1], mod));
}

/// What one replacement string's inside (between the braces) stands for, quoted; nothing
/// when it is not a replacement string (awk's `{print $1}` stays as it is).
std::optional<std::string> replacement(std::string_view in, TaskArgs const& a, std::uint64_t seq,
                                       Columns const& c, Quoter quote) {
  if (in == "#") return std::to_string(seq);
  if (in == "%") return std::string("${PARFOLD_SLOT}");
  if (auto const named = c.names.find(std::string(in)); named != c.names.end())
    return quote(named->second < a.columns.size() ? a.columns[named->second] : "");
  std::size_t const sign = in.starts_with('-') ? 1 : 0;
  std::size_t digits = sign;
  while (digits < in.size() && std::isdigit(static_cast<unsigned char>(in[digits])) != 0) ++digits;
  if (digits == sign) return sign != 0 ? std::nullopt : joined(a.values, quote, in);  // {} {.}..
  if (in.substr(0, digits) == "0") return joined(a.values, quote, in.substr(1));      // {0}: {}
  return column(in, digits, a, quote);
}

/// Calls `at(begin, end, text)` for each replacement string of `t` ([begin, end) spans
/// its braces); returns `t` with each replaced by its text.
template <class At>
std::string substitute(std::string const& t, TaskArgs const& a, std::uint64_t seq, Columns const& c,
                       Quoter quote, At&& at) {
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::size_t const close = t[i] == '{' ? t.find('}', i + 1) : std::string::npos;
    if (close == std::string::npos) {
      out += t[i];
      continue;
    }
    auto const r = replacement(std::string_view(t).substr(i + 1, close - i - 1), a, seq, c, quote);
    if (!r) {
      out += t[i];
      continue;
    }
    at(i, close + 1);
    out += *r;
    i = close;
  }
  return out;
}

/// Splits `v` at each match of `sep`.
std::vector<std::string> split(std::string const& v, RE2 const* sep) {
  if (sep == nullptr) return {v};
  std::vector<std::string> out;
  re2::StringPiece rest(v), m;
  while (!rest.empty() && RE2::PartialMatch(rest, *sep, &m)) {
    if (m.empty()) {
      throw UsageError("--colsep matches an empty string in '" + v +
                       "': give a REGEX that matches at least one byte");
    }
    out.emplace_back(rest.data(), m.data() - rest.data());
    rest.remove_prefix(static_cast<std::size_t>(m.data() + m.size() - rest.data()));
  }
  out.emplace_back(rest.data(), rest.size());
  return out;
}

/// The values of every source split into columns (a task's columns are its values'
/// columns side by side, as in GNU parallel); with --header, each source's first value
/// taken off and its columns named.
Columns columns_of(ParallelForm& form) {
  std::unique_ptr<RE2> sep;
  if (!form.colsep.empty()) {
    RE2 const given(form.colsep, RE2::Quiet);
    if (!given.ok()) throw UsageError("--colsep '" + form.colsep + "': " + given.error());
    sep = std::make_unique<RE2>("(" + form.colsep + ")", RE2::Quiet);
  }
  Columns c;
  std::size_t first_column = 0;  // of the source's names: the headers' columns side by side
  for (ArgSource& s : form.sources) {
    if (form.header && !s.values.empty()) {
      std::vector<std::string> const names = split(s.values.front(), sep.get());
      for (std::size_t k = 0; k < names.size(); ++k) c.names.emplace(names[k], first_column + k);
      first_column += names.size();
      s.values.erase(s.values.begin());
    }
    auto& split_values = c.of_source.emplace_back();
    for (std::string const& v : s.values) split_values.push_back(split(v, sep.get()));
  }
  return c;
}

/// The sources' values as lines of `text` (a final line needs no newline; a CR before
/// the newline stays in the value, as in GNU parallel, which only warns of it).
std::vector<std::string> lines_of(std::string const& text) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

/// Every task's value index per source: linked sources go together (as many as the
/// shortest of them), and the groups combine with the first varying slowest.
std::vector<std::vector<std::size_t>> combinations(std::vector<ArgSource> const& sources) {
  std::vector<std::vector<std::size_t>> groups;  // source indexes
  for (std::size_t s = 0; s < sources.size(); ++s) {
    if (sources[s].linked && !groups.empty()) {
      groups.back().push_back(s);
    } else {
      groups.push_back({s});
    }
  }
  std::vector<std::vector<std::size_t>> out{std::vector<std::size_t>(sources.size(), 0)};
  for (auto const& g : groups) {
    std::size_t n = sources[g.front()].values.size();
    for (std::size_t s : g) n = std::min(n, sources[s].values.size());
    std::vector<std::vector<std::size_t>> next;
    for (auto const& prefix : out) {
      for (std::size_t k = 0; k < n; ++k) {
        next.push_back(prefix);
        for (std::size_t s : g) next.back()[s] = k;
      }
    }
    out = std::move(next);
  }
  return out;
}

/// Where the first here-document starts: a `<<` that is not part of a here-string `<<<`
/// nor a shift inside `$((...))`; npos when there is none.
std::size_t here_document(std::string const& t) {
  for (std::size_t p = t.find("<<"); p != std::string::npos; p = t.find("<<", p + 2)) {
    bool const here_string = t.compare(p + 2, 1, "<") == 0 || (p > 0 && t[p - 1] == '<');
    std::size_t opens = 0, closes = 0;
    for (std::size_t a = t.find("$(("); a < p; a = t.find("$((", a + 3)) ++opens;
    for (std::size_t a = t.find("))"); a < p; a = t.find("))", a + 2)) ++closes;
    if (!here_string && opens <= closes) return p;
    if (here_string) p += 1;
  }
  return std::string::npos;
}

/// Refuses a replacement string in quotes, after a backslash or in a here-document,
/// where the quotes parfold puts around a value would not hold ({#} is a number: it may be
/// anywhere; {%} is ${PARFOLD_SLOT}, which single quotes would keep from expanding).
void check_quoting(std::string const& command, Columns const& c) {
  TaskArgs const probe{{"x"}, {}};
  std::map<std::size_t, std::string> spans;  // begin -> the replacement string
  (void)substitute(command, probe, 1, c, as_is, [&](std::size_t b, std::size_t e) {
    std::string inside = command.substr(b, e - b);
    if (inside != "{#}") spans.emplace(b, std::move(inside));
  });
  std::size_t const doc = here_document(command);
  if (doc != std::string::npos && spans.lower_bound(doc) != spans.end()) {
    throw UsageError("run '" + command + "': " + spans.lower_bound(doc)->second +
                     " after << (a here-document): the shell takes no quotes in its body, so a "
                     "$(...) in an argument would run; give it as an argument instead");
  }
  std::size_t const at =
      quoted_placeholder(command, [&](std::size_t i) { return spans.contains(i); });
  if (at == std::string::npos) return;
  std::string const& inside = spans.at(at);
  throw UsageError("run '" + command + "': " + inside +
                   " inside quotes or after a backslash: parfold quotes each argument for the "
                   "shell, and there its quotes would not hold (a $(...) in an argument would "
                   "run); write it bare, as in 'echo " +
                   inside + "'");
}

/// The task's command: replacement strings replaced, or the arguments after it when it has
/// none, or the arguments themselves when there is no command (as GNU parallel runs them).
std::string command_of(std::string const& command, TaskArgs const& a, std::uint64_t seq,
                       Columns const& c) {
  if (command.empty()) return *joined(a.values, as_is);
  bool replaced = false;
  std::string out = substitute(command, a, seq, c, parallel_quote,
                               [&](std::size_t, std::size_t) { replaced = true; });
  return replaced ? out : out + " " + *joined(a.values, parallel_quote);
}

/// --tag: the task's arguments; --tagstring: its text with the values as they are.
std::string tag_of(ParallelForm const& form, TaskArgs const& a, std::uint64_t seq,
                   Columns const& c) {
  if (!form.tagstring.empty())
    return substitute(form.tagstring, a, seq, c, as_is, [](std::size_t, std::size_t) {});
  return form.tag ? *joined(a.values, as_is) : std::string();
}

/// Each source's values as read, checked: no NUL byte, standard input once, no more
/// tasks than a list can hold; an empty source beside others is one empty argument, as
/// in GNU parallel (with every source empty there is no task).
void check_sources(std::vector<ArgSource>& sources) {
  std::size_t stdin_reads = 0;
  bool const any = std::any_of(sources.begin(), sources.end(),
                               [](ArgSource const& s) { return !s.values.empty(); });
  long double tasks = 1;
  for (ArgSource& s : sources) {
    if (s.file == "-") ++stdin_reads;
    for (std::string const& v : s.values) {
      if (v.find('\0') != std::string::npos)
        throw UsageError("run: an argument holds a NUL byte, which no shell argument can hold");
    }
    if (any && s.values.empty()) s.values.emplace_back();
    if (!s.linked) tasks *= static_cast<long double>(std::max<std::size_t>(s.values.size(), 1));
  }
  if (stdin_reads > 1) throw UsageError("run: :::: - given twice: standard input is read once");
  if (tasks > 1e7L) {
    throw UsageError("run: the sources make " +
                     std::to_string(static_cast<unsigned long long>(std::min(tasks, 1e19L))) +
                     " tasks, more than parfold holds in a list (10^7)");
  }
}

}  // namespace

bool is_source_separator(std::string const& word) {
  return word == ":::" || word == ":::+" || word == "::::" || word == "::::+";
}

void parse_parallel_words(std::vector<std::string> const& words, ParallelForm& form) {
  form.command.clear();
  form.sources.clear();
  auto it = std::find_if(words.begin(), words.end(), is_source_separator);
  for (auto w = words.begin(); w != it; ++w) form.command += (w == words.begin() ? "" : " ") + *w;
  bool files = false, linked = false;
  for (; it != words.end(); ++it) {
    if (is_source_separator(*it)) {
      files = it->starts_with("::::");
      linked = it->back() == '+';
      if (!files) form.sources.push_back({{}, "", linked});
      continue;
    }
    if (files) {
      form.sources.push_back({{}, *it, linked});  // each file is a source of its own
    } else {
      form.sources.back().values.push_back(*it);
    }
  }
}

std::optional<std::vector<ShellTask>> expand_parallel_form(
    ParallelForm form, std::function<std::optional<std::string>(std::string const&)> const& read) {
  for (ArgSource& s : form.sources) {
    if (s.file.empty()) continue;
    std::optional<std::string> const text = read(s.file);
    if (!text) return std::nullopt;
    s.values = lines_of(*text);
  }
  Columns const c = columns_of(form);
  check_sources(form.sources);
  check_quoting(form.command, c);
  if (form.tagstring.find("{%}") != std::string::npos)
    throw UsageError("--tagstring '" + form.tagstring +
                     "': {%} (the slot) is known only when "
                     "the task runs; use {#} or $PARFOLD_SLOT in the command");
  std::vector<ShellTask> tasks;
  for (auto const& pick : combinations(form.sources)) {
    TaskArgs a;
    for (std::size_t s = 0; s < pick.size(); ++s) {
      a.values.push_back(form.sources[s].values[pick[s]]);
      auto const& split_values = c.of_source[s];
      if (pick[s] < split_values.size()) {
        a.columns.insert(a.columns.end(), split_values[pick[s]].begin(),
                         split_values[pick[s]].end());
      } else {
        a.columns.emplace_back();  // an empty source's one empty argument
      }
    }
    if (!form.colsep.empty()) a.values = a.columns;  // the columns are the arguments
    std::uint64_t const seq = tasks.size() + 1;
    tasks.push_back({seq, command_of(form.command, a, seq, c), tag_of(form, a, seq, c), false});
  }
  return tasks;
}

void protect_run_words(CLI::App const& app, std::vector<std::string>& args) {
  auto const subs = app.get_subcommands([](CLI::App const* s) { return s->get_name() == "run"; });
  if (subs.empty()) return;
  auto takes_value = [&](CLI::App const& cmd, std::string const& arg) {
    CLI::Option const* o = cmd.get_option_no_throw(arg);
    if (o == nullptr && &cmd != &app) o = app.get_option_no_throw(arg);  // common options
    return arg.find('=') == std::string::npos && o != nullptr && o->get_items_expected_min() > 0;
  };
  // The first word that is neither an option nor an option's value, from `from` on.
  auto first_word = [&](CLI::App const& cmd, auto from) {
    for (auto it = from; it != args.end(); ++it) {
      if (*it == "--" || it->size() < 2 || it->front() != '-') return it;
      if (takes_value(cmd, *it) && it + 1 != args.end()) ++it;
    }
    return args.end();
  };
  auto const run = first_word(app, args.begin());
  if (run == args.end() || *run != "run") return;
  auto const word = first_word(*subs.front(), run + 1);
  if (word == args.end() || *word == "--") return;
  // Only for GNU parallel's form: `run TASKFILE --joblog F` keeps its options after it.
  if (std::any_of(word, args.end(), is_source_separator)) args.insert(word, "--");
}

}  // namespace parfold
