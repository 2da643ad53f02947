#pragma once

// GNU parallel's way of writing a task farm, for `parfold run`:
//   parfold run [OPTIONS] COMMAND... ::: A B C :::+ 1 2 3 :::: FILE
// Input sources (`:::` words, `::::` files, `-` for stdin; `+` links a source to the one
// before it), all combinations in GNU parallel's order, --colsep, --header :, and the
// replacement strings {} {.} {/} {//} {/.} {#} {%} {N} {N.} {-N} {name}, each value
// shell-quoted as GNU parallel quotes it. See docs/run.md, "GNU parallel's forms".

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "workloads/shell/task_list.hpp"

namespace parfold {

/// One input source: the words of a `:::`, or the file of a `::::` (its lines).
struct ArgSource {
  std::vector<std::string> values;
  std::string file;     ///< `::::` FILE ("-": standard input); empty for `:::`
  bool linked = false;  ///< `:::+` / `::::+`: paired with the source before it
};

/// The job as GNU parallel's options and words give it.
struct ParallelForm {
  std::string command;  ///< the words before the first `:::`, joined by spaces
  std::vector<ArgSource> sources;
  std::string colsep;     ///< --colsep REGEX; empty: an argument is one column
  bool header = false;    ///< --header : the first value of each source names its columns
  bool tag = false;       ///< --tag: each output line after the task's arguments and a TAB
  std::string tagstring;  ///< --tagstring STR (replacement strings allowed)

  [[nodiscard]] bool tags() const { return tag || !tagstring.empty(); }
};

/// True for `:::`, `:::+`, `::::` and `::::+`.
[[nodiscard]] bool is_source_separator(std::string const& word);

/// Splits `words` (COMMAND... then sources) into `form`'s command and sources.
void parse_parallel_words(std::vector<std::string> const& words, ParallelForm& form);

/// Rank 0: the tasks of `form`, `::::` files read with `read` (returns nothing when a stop
/// came first). Throws UsageError for a replacement string in quotes, an unknown {name},
/// a bad --colsep, a NUL byte.
[[nodiscard]] std::optional<std::vector<ShellTask>> expand_parallel_form(
    ParallelForm form, std::function<std::optional<std::string>(std::string const&)> const& read);

/// Before CLI11 reads the command line: in `... run [OPTIONS] WORD ... :::`, a `--` goes
/// before the first word that is not an option or an option's value, so that the
/// command's own options (`gzip -9 ::: *.log`) and the arguments (`::: -n`) stay words,
/// as GNU parallel reads them.
void protect_run_words(CLI::App const& app, std::vector<std::string>& args);

}  // namespace parfold
