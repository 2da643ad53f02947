// `parfold lines grep`'s command line: GNU grep's options with grep's meaning, each
// checked before any work (exit 2 with grep's message, or naming what is not supported).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "cli/options.hpp"
#include "parfold/comm/launch.hpp"
#include "parfold/core/errors.hpp"
#include "workloads/lines/commands.hpp"
#include "workloads/lines/grep/grep_args.hpp"
#include "workloads/lines/grep/grep_cli.hpp"
#include "workloads/lines/grep/walk.hpp"
#include "workloads/lines/lines.hpp"

namespace parfold {

void GrepColors::read_environment() {
  if (char const* old = std::getenv("GREP_COLOR"); old != nullptr && *old != '\0') {
    selected_match = context_match = old;
  }
  char const* env = std::getenv("GREP_COLORS");
  std::string_view rest = env != nullptr ? env : "";
  while (!rest.empty()) {
    std::size_t const colon = rest.find(':');
    std::string_view const item = rest.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    std::size_t const eq = item.find('=');
    std::string_view const key = item.substr(0, eq);
    std::string const value(eq == std::string_view::npos ? std::string_view{}
                                                         : item.substr(eq + 1));
    if (key == "mt") selected_match = context_match = value;
    if (key == "ms") selected_match = value;
    if (key == "mc") context_match = value;
    if (key == "fn") file_name = value;
    if (key == "ln") line_number = value;
    if (key == "bn") byte_offset = value;
    if (key == "se") separator = value;
    if (key == "ne") erase_line = false;
    if ((key == "sl" || key == "cx") && !value.empty()) {
      throw UsageError("GREP_COLORS " + std::string(key) +
                       "= (colouring whole lines) is not supported");
    }
    if (key == "rv") throw UsageError("GREP_COLORS rv is not supported");
  }
}

std::string GrepColors::paint(std::string_view text, std::string const& sgr) const {
  if (!on || sgr.empty()) return std::string(text);
  std::string const erase = erase_line ? "\33[K" : "";
  return "\33[" + sgr + "m" + erase + std::string(text) + "\33[m" + erase;
}

namespace {

/// What the command line says before it is checked.
struct GrepCommandLine {
  std::vector<std::string> expressions;    ///< -e
  std::vector<std::string> pattern_files;  ///< -f
  std::vector<std::string> positionals;    ///< [PATTERN] FILE...
  int extended = 0, basic = 0, fixed = 0, perl = 0;
  bool count = false, files_with = false, files_without = false, quiet = false;
  std::uint64_t max_count = 0;
  bool has_max_count = false;
  std::optional<std::uint64_t> after, before, context;  ///< -A, -B, -C
  std::string color = "never";                          ///< --color WHEN
  bool recursive = false, dereference = false;          ///< -r, -R
  std::string group_separator = "--";                   ///< --group-separator SEP
  bool no_group_separator = false;                      ///< --no-group-separator
  bool separator_last = false;  ///< --group-separator came after --no-group-separator
  std::vector<std::string> includes, excludes;  ///< --include, --exclude (their order: `filter`)
  bool text = false, without_match = false;     ///< -a, -I
  std::string binary_files =
      "binary";  ///< --binary-files TYPE (the last of the three: `binary_mode`)
  std::string binary_mode = "binary";
  NameFilter filter;  ///< --include, --exclude, --exclude-dir
};

/// The patterns of -f FILE: one per line (a final '\n' ends the last; an empty file has
/// none). Throws UsageError when FILE cannot be read.
std::string read_pattern_file(std::string const& path, bool& any) {
  if (path == "-")
    throw UsageError("-f -: patterns from standard input are not supported; give a file");
  std::FILE* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr) throw UsageError(path + ": " + std::strerror(errno));
  std::string text;
  char buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof(buffer), in)) > 0;) text.append(buffer, n);
  bool const failed = std::ferror(in) != 0;
  std::fclose(in);
  if (failed) throw UsageError(path + ": cannot be read");
  any = !text.empty();
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

/// The patterns (PATTERN, -e, -f) and their syntax; returns the operands after PATTERN.
std::vector<std::string> settle_patterns(GrepCommandLine const& f, GrepArgs& a) {
  if ((f.extended > 0) + (f.basic > 0) + (f.fixed > 0) + (f.perl > 0) > 1)
    throw UsageError("conflicting matchers specified");
  a.match.syntax = f.basic > 0   ? PatternSyntax::basic
                   : f.fixed > 0 ? PatternSyntax::fixed
                   : f.perl > 0  ? PatternSyntax::perl
                                 : PatternSyntax::extended;
  a.match.patterns = f.expressions;
  for (std::string const& path : f.pattern_files) {
    bool any = false;
    std::string text = read_pattern_file(path, any);
    if (any) a.match.patterns.push_back(std::move(text));
  }
  std::vector<std::string> rest = f.positionals;
  if (f.expressions.empty() && f.pattern_files.empty()) {
    if (rest.empty())
      throw UsageError(
          "no PATTERN given (grep's usage: lines grep [OPTION...] PATTERNS [FILE...])");
    a.match.patterns.push_back(rest.front());
    rest.erase(rest.begin());
  }
  bool const one =
      a.match.patterns.size() == 1 && a.match.patterns[0].find('\n') == std::string::npos;
  if (f.perl > 0 && a.match.patterns.empty()) a.match.syntax = PatternSyntax::extended;  // -f empty
  if (f.perl > 0 && !one && !a.match.patterns.empty())
    throw UsageError("the -P option only supports a single pattern");
  return rest;
}

/// The files to read: the operands, or with -r the files under them.
void settle_operands(GrepCommandLine const& f, std::vector<std::string> const& rest, GrepArgs& a) {
  a.recursive = f.recursive || f.dereference;
  a.operands_given = !rest.empty() || a.recursive;
  a.names_forced = rest.size() > 1;  // as grep: by the operands, before any is left out
  if (a.recursive) {
    Walked walked = walk_operands(rest, f.dereference, f.filter);
    a.paths = std::move(walked.files);
    a.walk_messages = std::move(walked.messages);
    a.walk_failed = walked.failed;
    a.walked_regular = walked.regular;
    a.names_forced = a.names_forced || walked.directory;
  } else {
    a.paths = filter_operands(rest, f.filter);
  }
}

/// --binary-files and --color.
void settle_binary_and_color(GrepCommandLine const& f, GrepArgs& a) {
  if (f.binary_mode != "binary" && f.binary_mode != "text" && f.binary_mode != "without-match") {
    throw UsageError("--binary-files: unknown binary-files type '" + f.binary_mode +
                     "': use binary, text or without-match");
  }
  a.text = f.binary_mode == "text";
  a.without_match = f.binary_mode == "without-match";
  if (f.color != "never" && f.color != "auto" && f.color != "always") {
    throw UsageError("--color: '" + f.color + "': use never, auto or always");
  }
  char const* term = std::getenv("TERM");
  // Under a launcher a rank's stdout is the launcher's pseudo-terminal whatever mpirun's
  // own stdout is (a pipe, a file): auto colours only when parfold runs alone.
  bool const alone = detect_launch().launcher == "none";
  bool const terminal =
      alone && ::isatty(STDOUT_FILENO) == 1 && term != nullptr && std::string_view(term) != "dumb";
  a.colors.on = f.color == "always" || (f.color == "auto" && terminal && a.output.empty());
  if (a.colors.on) a.colors.read_environment();
}

/// --json and --stats (ripgrep's output for programs): refused with -c, -l and -L, whose
/// output they are not (ripgrep refuses --json with them too); --stats also with -q.
void settle_programs(GrepCommandLine const& f, GrepArgs& a) {
  if (!a.json && !a.stats) return;
  std::string const flag = a.json ? "--json" : "--stats";
  char const* const other = f.count              ? "-c"
                            : f.files_with       ? "-l"
                            : f.files_without    ? "-L"
                            : f.quiet && a.stats ? "-q"
                                                 : nullptr;  // --json -q prints nothing, as rg's
  if (other != nullptr)
    throw UsageError(flag + " with " + other + " is not supported: " + flag +
                     " reports on the lines printed");
  if (a.json) a.only_matching = false;  // ripgrep's messages hold whole lines whatever -o says
}

/// Turns the flags into `a` (patterns, syntax, files, what to print); throws UsageError.
void settle(GrepCommandLine& f, GrepArgs& a) {
  settle_operands(f, settle_patterns(f, a), a);
  a.output_mode = f.quiet           ? GrepOutput::quiet
                  : f.files_with    ? GrepOutput::files_with
                  : f.files_without ? GrepOutput::files_without
                  : f.count         ? GrepOutput::count
                                    : GrepOutput::lines;
  settle_programs(f, a);
  if (f.has_max_count) a.max_count = f.max_count;
  a.after = f.after.value_or(f.context.value_or(0));  // -A and -B win over -C, as in grep
  a.before = f.before.value_or(f.context.value_or(0));
  if (a.only_matching && a.context()) throw UsageError("-o with -A, -B or -C is not supported");
  if (f.no_group_separator && !f.separator_last)
    a.group_separator.reset();  // the last of the two wins
  else
    a.group_separator = f.group_separator;
  settle_binary_and_color(f, a);
  if (!a.output.empty() && a.output_mode != GrepOutput::lines) {
    throw UsageError("--output FILE holds printed lines: not with -c, -l, -L or -q");
  }
}

void add_matcher_flags(CLI::App& grep, GrepCommandLine& f, GrepArgs& a) {
  grep.add_option("-e,--regexp", f.expressions, "Use PATTERNS (repeatable; each line a pattern)")
      ->type_name("PATTERNS")
      ->allow_extra_args(false);
  grep.add_option("-f,--file", f.pattern_files,
                  "Take the patterns from FILE, one per line (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  grep.add_flag("-E,--extended-regexp", f.extended,
                "PATTERNS are extended regular expressions (the default)");
  grep.add_flag("-G,--basic-regexp", f.basic,
                "PATTERNS are basic regular expressions, grep's own default");
  grep.add_flag("-F,--fixed-strings", f.fixed, "PATTERNS are literal strings");
  grep.add_flag("-P,--perl-regexp", f.perl,
                "PATTERNS is one Perl-compatible regular expression (PCRE2, as grep -P)");
  grep.add_flag("-i,--ignore-case", a.match.ignore_case,
                "Ignore case (ASCII letters, as grep in the C locale)");
  grep.add_flag("-v,--invert-match", a.match.invert, "Select the lines that do not match");
  grep.add_flag("-w,--word-regexp", a.match.word, "Match only whole words");
  grep.add_flag("-x,--line-regexp", a.match.line, "Match only whole lines");
}

/// Which files are read and how: binary files (-a, -I, --binary-files), -r/-R, --include,
/// --exclude, --exclude-dir.
void add_file_flags(CLI::App& grep, GrepCommandLine& f) {
  grep.add_flag("-a,--text", f.text,
                "Print the lines of binary files (a NUL byte in the first 96 KiB) too");
  grep.add_flag("-I", f.without_match,
                "Binary files select nothing (--binary-files=without-match)");
  grep.add_option("--binary-files", f.binary_files,
                  "binary (say 'binary file matches'), text (as -a) or without-match "
                  "(as -I); the last of -a, -I, --binary-files wins")
      ->type_name("TYPE");
  grep.add_flag("-r,--recursive", f.recursive,
                "Read the files under each directory (none: the working one), "
                "names sorted; skip symbolic links inside");
  grep.add_flag("-R,--dereference-recursive", f.dereference,
                "As -r, following every symbolic link");
  grep.add_option("--include", f.includes,
                  "Read only files whose name matches GLOB (with -r: base names)")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  grep.add_option("--exclude", f.excludes,
                  "Skip files whose name matches GLOB (the last --include or --exclude "
                  "that matches decides)")
      ->type_name("GLOB")
      ->allow_extra_args(false);
  grep.add_option("--exclude-dir", f.filter.dirs,
                  "With -r, skip directories whose name matches GLOB")
      ->type_name("GLOB")
      ->allow_extra_args(false);
}

void add_output_flags(CLI::App& grep, GrepCommandLine& f, GrepArgs& a) {
  auto* count = grep.add_flag("-c,--count", f.count, "Print the number of selected lines per file");
  grep.add_flag("-l,--files-with-matches", f.files_with,
                "Print the names of the files with a selected line");
  grep.add_flag("-L,--files-without-match", f.files_without,
                "Print the names of the files without one");
  grep.add_flag("-q,--quiet,--silent", f.quiet,
                "Print nothing: the exit status says whether a line was selected");
  grep.add_flag("-s,--no-messages", a.no_messages, "No message about files that cannot be read");
  grep.add_option("-m,--max-count", f.max_count, "Select at most NUM lines per file")
      ->type_name("NUM")
      ->each([&f](std::string const&) { f.has_max_count = true; });
  grep.add_option("-A,--after-context", f.after,
                  "Print NUM lines of context after each selected line")
      ->type_name("NUM");
  grep.add_option("-B,--before-context", f.before,
                  "Print NUM lines of context before each selected line")
      ->type_name("NUM");
  grep.add_option("-C,--context", f.context, "Print NUM lines of context around each selected line")
      ->type_name("NUM");
  grep.add_flag("-n,--line-number", a.line_numbers, "Prefix lines with their line number");
  grep.add_flag("-b,--byte-offset", a.byte_offset,
                "Prefix lines (-o: matches) with their byte offset");
  grep.add_flag("-o,--only-matching", a.only_matching, "Print each match, on a line of its own");
  auto* with =
      grep.add_flag("-H,--with-filename", a.with_filename, "Prefix each line with its file name");
  grep.add_flag("-h,--no-filename", a.no_filename, "Never prefix file names")->excludes(with);
  grep.add_flag("-Z,--null", a.null_after_name,
                "A NUL byte after each file name instead of ':' or a newline");
  // A flag: WHEN only after '=', as grep reads it ("--color a" is --color=auto and pattern a).
  grep.add_flag(
      "--color{auto},--colour{auto}", f.color,
      "--color[=WHEN]: colour matches, names and numbers: never, auto or always (GREP_COLORS)");
  grep.add_option("--group-separator", f.group_separator,
                  "With -A, -B or -C, print SEP between groups (default --)")
      ->type_name("SEP");
  grep.add_flag("--no-group-separator", f.no_group_separator,
                "With -A, -B or -C, print nothing between groups");
  grep.add_flag("--json", a.json,
                "Print ripgrep's JSON Lines (begin, match, context, end, summary), as rg --json "
                "does");
  grep.add_flag("--stats", a.stats,
                "After the lines, print ripgrep's totals (matches, lines, files, bytes, time)");
  grep.add_option("--output", a.output,
                  "Write the lines to FILE (whole or not at all; resumable with --checkpoint)")
      ->type_name("FILE")
      ->excludes(count);
}

}  // namespace

void expand_grep_context_numbers(CLI::App const& app, std::vector<std::string>& args) {
  auto named = [](CLI::App const& parent, std::string const& name) -> CLI::App const* {
    auto const found =
        parent.get_subcommands([&](CLI::App const* s) { return s->get_name() == name; });
    return found.empty() ? nullptr : found.front();
  };
  CLI::App const* lines = named(app, "lines");
  CLI::App const* grep = lines != nullptr ? named(*lines, "grep") : nullptr;
  auto const start = std::adjacent_find(
      args.begin(), args.end(),
      [](std::string const& a, std::string const& b) { return a == "lines" && b == "grep"; });
  if (grep == nullptr || start == args.end()) return;
  auto takes_value = [&](std::string const& arg) {
    CLI::Option const* o = grep->get_option_no_throw(arg);
    return o != nullptr && o->get_items_expected_min() > 0;
  };
  std::vector<std::string> out(args.begin(), start + 2);
  for (auto it = start + 2; it != args.end(); ++it) {
    std::string const& arg = *it;
    bool const number =
        arg.size() >= 2 && arg[0] == '-' &&
        std::all_of(arg.begin() + 1, arg.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (arg == "--") {
      out.insert(out.end(), it, args.end());
      break;
    }
    if (number && !takes_value(out.back())) {
      out.push_back("--context=" + arg.substr(1));
    } else if (arg.size() > 3 && arg.starts_with("--") && arg.back() == '=' &&
               takes_value(arg.substr(0, arg.size() - 1))) {
      out.push_back(arg.substr(
          0, arg.size() - 1));  // "--opt=": an empty value, which CLI11 would take from the next
      out.emplace_back();
    } else {
      out.push_back(arg);
    }
  }
  args = std::move(out);
}

void add_grep_command(CLI::App& lines, Job& job) {
  auto a = std::make_shared<GrepArgs>();
  auto f = std::make_shared<GrepCommandLine>();
  auto* grep = lines.add_subcommand("grep", "Select lines like LC_ALL=C grep (-E by default)");
  grep->set_help_flag("--help", "Print this help message and exit");  // -h is grep's
  add_matcher_flags(*grep, *f, *a);
  add_output_flags(*grep, *f, *a);
  add_file_flags(*grep, *f);
  add_label_option(*grep, a->label);
  add_decompress_flag(*grep, a->decompress);
  add_operands(*grep, "ARGS", f->positionals,
               "PATTERNS (unless -e or -f), then FILE...; none or - reads standard input");
  grep->footer(
      "Output and exit status as grep's: 0 if a line was selected, 1 if none, 2 on error.\n"
      "Patterns mean what they mean to GNU grep in the C locale, translated for RE2 (linear\n"
      "time), or run by PCRE2 for -P and back-references; counts over 1000 are refused.");
  grep->final_callback([a, f, grep, &job] {
    try {
      std::size_t include = 0, exclude = 0;
      for (CLI::Option const* o : grep->parse_order()) {
        if (o->check_name("--group-separator")) f->separator_last = true;
        if (o->check_name("--no-group-separator")) f->separator_last = false;
        if (o->check_name("--include"))
          f->filter.files.push_back({f->includes.at(include++), true});
        if (o->check_name("--exclude"))
          f->filter.files.push_back({f->excludes.at(exclude++), false});
        if (o->check_name("-a")) f->binary_mode = "text";
        if (o->check_name("-I")) f->binary_mode = "without-match";
        if (o->check_name("--binary-files")) f->binary_mode = f->binary_files;
      }
      settle(*f, *a);
    } catch (UsageError const& e) {
      throw CLI::ValidationError(e.what());  // reported as every bad command line is
    }
    job.unit = "bytes";
    job.default_schedule = lines_schedule();
    job.output_failure = 2;  // grep's status for a write error
    job.run = [a](Team const& team, Services sv, Schedule s) { return run_grep(*a, team, sv, s); };
  });
}

}  // namespace parfold
