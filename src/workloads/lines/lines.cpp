// `parfold lines count|...`: line-oriented work on big text files.
#include "workloads/lines/lines.hpp"

#include <algorithm>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>

#include "app/cli/options.hpp"
#include "parfold/core/errors.hpp"
#include "parfold/io/staged_file.hpp"
#include "parfold/comm/agree.hpp"
#include "parfold/checkpoint/segments.hpp"
#include "parfold/core/exit_codes.hpp"
#include "parfold/run/fold.hpp"
#include "parfold/observe/monitor.hpp"
#include "parfold/comm/shuffle.hpp"
#include "parfold/stop/stop.hpp"
#include "app/registry.hpp"

namespace parfold {

std::string wc_table(std::vector<InputFile> const& files, std::vector<LineCounts> const& counts) {
  LineCounts total;
  for (LineCounts const& c : counts) total += c;
  int const width = static_cast<int>(std::to_string(total.bytes).size());
  std::string out;
  auto row = [&](LineCounts const& c, std::string const& name) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%*llu %*llu %*llu ", width,
                  static_cast<unsigned long long>(c.lines), width,
                  static_cast<unsigned long long>(c.words), width,
                  static_cast<unsigned long long>(c.bytes));
    out += buf + name + "\n";
  };
  for (std::size_t i = 0; i < files.size(); ++i) row(counts[i], files[i].path);
  if (files.size() > 1) row(total, "total");
  return out;
}

void GrepLinesWorkload::process(Range r, Partial& acc) const {
  ChunkLines out;
  std::size_t const none = files->files().size();
  std::size_t current = none;  // the file whose lines are being counted (with -n)
  std::uint64_t seen = 0;
  auto flush = [&] {
    if (current != none) {
      out.lines_seen.push_back(current);
      out.lines_seen.push_back(seen);
    }
  };
  files->for_each_lines({window.begin + r.begin, window.begin + r.end}, [&](std::size_t f, std::string_view lines) {
    if (number_lines && f != current) {
      flush();
      current = f;
      seen = 0;
    }
    char const* counted = lines.data();
    matcher->for_each_selected(lines, [&](std::string_view line) {
      if (number_lines) {
        seen += static_cast<std::uint64_t>(std::count(counted, line.data(), '\n'));
        counted = line.data();
      }
      out.file.push_back(static_cast<std::uint32_t>(f));
      out.index.push_back(seen);
      out.size.push_back(line.size());
      out.bytes.append(line);
    });
    if (number_lines) {
      seen += static_cast<std::uint64_t>(std::count(counted, lines.data() + lines.size(), '\n'));
      if (lines.back() != '\n') ++seen;  // the file's last line, without '\n'
    }
  });
  flush();
  // Chunks that selected nothing and numbered nothing need no record.
  if (!out.file.empty() || !out.lines_seen.empty()) acc.emplace(window.begin + r.begin, std::move(out));
}

std::vector<std::pair<std::string, std::uint64_t>> top_words(WordCounts const& counts, std::uint64_t k) {
  std::vector<std::pair<std::string, std::uint64_t>> all(counts.begin(), counts.end());
  auto const before = [](auto const& a, auto const& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  auto const keep = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(k, all.size()));
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), before);
  all.resize(static_cast<std::size_t>(keep));
  return all;
}

namespace {

/// Opens the files on every rank and makes sure that every rank sees the same input.
/// \note With MPI this is a collective operation over all ranks.
std::unique_ptr<LineFiles> open_everywhere(std::vector<std::string> const& paths, Team const& team) {
  std::unique_ptr<LineFiles> files;
  std::string error;
  try {
    files = std::make_unique<LineFiles>(paths);
  } catch (UsageError const& e) {
    error = e.what();
  }
  agree_on_error(team, error);
  std::vector<std::int64_t> sizes;
  for (InputFile const& f : files->files()) sizes.push_back(static_cast<std::int64_t>(f.size));
  require_same(team, sizes, "the input files have different sizes on different ranks");
  return files;
}

/// Refuses a result computed from files that changed while they were read.
/// \note With MPI this is a collective operation over all ranks.
void require_unchanged(LineFiles const& files, Team const& team) {
  if (any_rank(team, files.current_fingerprint() != files.fingerprint())) {
    throw JobError("an input file changed while it was read; no result is reported");
  }
}

Report lines_report(std::string const& name, RunInfo const& info, Team const& team) {
  return Report{.workload = "lines " + name, .unit = "bytes", .info = info, .launcher = team.launcher};
}

Report run_count(std::vector<std::string> const& paths, Team const& team, Services sv, Schedule s) {
  auto const files = open_everywhere(paths, team);
  auto const run = execute(CountWorkload{files.get()}, s, team, sv);
  require_unchanged(*files, team);
  Report r = lines_report("count", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  LineCounts total;
  for (std::size_t i = 0; i < files->files().size(); ++i) {
    LineCounts const& c = run.value[i];
    total += c;
    rows.push_back({{"path", files->files()[i].path}, {"lines", c.lines}, {"words", c.words}, {"bytes", c.bytes}});
  }
  r.result = {{"files", rows, ""},
              {"total", {{"lines", total.lines}, {"words", total.words}, {"bytes", total.bytes}}, ""}};
  r.text = wc_table(files->files(), run.value);
  return r;
}

struct GrepArgs {
  GrepOptions match;
  bool count = false;
  bool line_numbers = false;
  bool with_filename = false;
  bool no_filename = false;
  std::string output;  ///< --output FILE, empty for stdout
  std::vector<std::string> paths;
};

/// Bytes of input per window when printing lines: rank 0 holds at most one window's
/// selected lines.
constexpr std::uint64_t kWindowPerWorker = std::uint64_t{16} << 20;

/// How far printing got, for a checkpoint of `lines grep --output`: the input before
/// the checkpoint's `done` gave these lines and these bytes of output.
struct Printed {
  std::uint64_t bytes = 0;             ///< of output written
  std::uint64_t selected = 0;          ///< lines selected
  std::vector<std::uint64_t> line_no;  ///< lines before, per file
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar & bytes & selected & line_no;
  }
};

/// Rank 0: where the selected lines go with --output FILE. Without a checkpoint a
/// temporary file beside FILE, renamed into place at the end; with one, FILE.partial,
/// kept between runs and cut back to what the checkpoint records on resume. Nothing
/// when a finished checkpoint's FILE is already in place.
std::unique_ptr<StagedFile> open_output(GrepArgs const& a, LineFiles const& files, bool checkpointed,
                                        bool resumed, bool finished, std::uint64_t bytes) {
  std::string const& path = a.output;
  if (std::string const why = cannot_write(path); !why.empty()) throw UsageError("--output " + path + ": " + why);
  std::error_code ec;
  for (InputFile const& f : files.files()) {
    if (std::filesystem::equivalent(path, f.path, ec)) {
      throw UsageError("--output " + path + " is also an input file");
    }
  }
  if (!checkpointed) {
    return std::make_unique<StagedFile>(path, temporary_name(path));
  }
  std::string const partial = path + ".partial";
  // Kept when the job stops (or fails): the checkpoint's state includes it.
  auto const keep = StagedFile::Leftover::keep;
  if (!resumed) return std::make_unique<StagedFile>(path, partial, keep);
  if (finished && !std::filesystem::exists(partial) && std::filesystem::exists(path)) return nullptr;
  try {
    return std::make_unique<StagedFile>(path, partial, bytes, keep);
  } catch (std::exception const& e) {
    throw UsageError("--output: the checkpoint's output so far cannot be used (" + std::string(e.what()) +
                     "); delete the checkpoint to start over");
  }
}

/// Prints the selected lines in file order on rank 0's stdout or into --output FILE,
/// window by window; with --checkpoint (and --output) a stopped run resumes exactly.
/// \note With MPI this is a collective operation over all ranks.
Report print_lines(GrepArgs const& a, LineFiles const& files, LineMatcher const& matcher, bool prefix,
                   Team const& team, Services sv, Schedule s) {
  auto const t0 = std::chrono::steady_clock::now();
  std::uint64_t const total = files.total();
  std::uint64_t const window = kWindowPerWorker * team.workers();
  Checkpoint* const cp = sv.checkpoint;
  if (cp != nullptr && a.output.empty()) {
    throw UsageError(
        "--checkpoint: lines grep without -c prints lines as it goes, so a resumed run could "
        "not print exactly the same output; use -c, or --output FILE");
  }
  Printed printed;  // rank 0's
  printed.line_no.assign(files.files().size(), 0);
  RunInfo info;  // the windows' runs, added up
  std::uint64_t at = 0;
  if (cp != nullptr) {
    CheckpointState const state = cp->open(team, total, files.identity());
    at = info.resumed = state.done;
    restore_partial(team, *cp, state, printed);
  }
  bool const to_file = !a.output.empty();
  if (to_file && cp == nullptr) catch_stop_signals();  // so that no temporary file is left
  std::unique_ptr<StagedFile> output;  // rank 0's, with --output
  if (to_file) {
    on_root(team, [&] { output = open_output(a, files, cp != nullptr, at > 0, at == total, printed.bytes); });
  }
  std::optional<CleanupFile> temporary;  // removed at once if a signal stops the job
  if (output && cp == nullptr) temporary.emplace(output->staging());
  std::string out;
  auto flush = [&] {
    if (output) {
      output->write(out);
    } else {
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
    out.clear();
  };
  if (sv.monitor != nullptr) {
    sv.monitor->expect_total(total - at);
    if (!to_file) sv.monitor->stdout_busy();
  }
  // With --checkpoint, windows are also segments of about a second.
  run_segments(
      team, cp, total, at, 1, window,
      [&](Range w) {
        auto const run = execute_part(GrepLinesWorkload{&files, &matcher, w, a.line_numbers}, s, team, sv);
        add_run(info, run.info);
        on_root(team, [&] {
          for (auto const& [begin, chunk] : run.value) {
            std::size_t offset = 0;
            for (std::size_t i = 0; i < chunk.file.size(); ++i) {
              if (prefix) out += files.files()[chunk.file[i]].path + ":";
              if (a.line_numbers) out += std::to_string(printed.line_no[chunk.file[i]] + chunk.index[i] + 1) + ":";
              out.append(chunk.bytes, offset, chunk.size[i]);
              out += '\n';
              offset += chunk.size[i];
              if (out.size() > (1U << 20)) flush();
            }
            printed.selected += chunk.file.size();
            for (std::size_t i = 0; i + 1 < chunk.lines_seen.size(); i += 2) {
              printed.line_no[chunk.lines_seen[i]] += chunk.lines_seen[i + 1];
            }
          }
          flush();
        });
        if (to_file && cp == nullptr && any_rank(team, stop_requested() != StopReason::none)) {
          throw Stopped("stopped by " + stop_signal_name() + "; " + a.output + " was not written",
                        exit_code::kSignalBase + (stop_signal() != 0 ? stop_signal() : SIGTERM));  // the signal removed the temporary file
        }
      },
      [&] {  // FILE.partial holds what the checkpoint records (and stays when the job stops)
        if (output) printed.bytes = output->sync();
        return to_bytes(printed);
      });
  std::fflush(stdout);
  require_unchanged(files, team);
  if (to_file) {
    on_root(team, [&] {
      if (output) output->commit();
    });
  }
  info.items = total;
  info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Report r = lines_report("grep", info, team);
  r.result = {{"pattern", a.match.pattern, ""}, {"selected", printed.selected, ""}};
  if (to_file) r.result.push_back({"output", a.output, ""});
  r.text = "";  // the lines are already out
  r.exit_code = printed.selected > 0 ? 0 : 1;
  return r;
}

Report run_grep(GrepArgs const& a, Team const& team, Services sv, Schedule s) {
  // An invalid pattern is bad input that every rank sees: exit 2 from rank 0.
  LineMatcher const matcher(a.match);
  auto const files = open_everywhere(a.paths, team);
  bool const prefix = a.with_filename || (a.paths.size() > 1 && !a.no_filename);
  if (!a.count) return print_lines(a, *files, matcher, prefix, team, sv, s);
  auto const run = execute(GrepCountWorkload{files.get(), &matcher}, s, team, sv);
  require_unchanged(*files, team);
  Report r = lines_report("grep", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string text;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < files->files().size(); ++i) {
    std::string const& path = files->files()[i].path;
    rows.push_back({{"path", path}, {"count", run.value[i]}});
    text += (prefix ? path + ":" : "") + std::to_string(run.value[i]) + "\n";
    total += run.value[i];
  }
  r.result = {{"pattern", a.match.pattern, ""}, {"files", rows, ""}, {"total", total, ""}};
  r.text = text;
  r.exit_code = total > 0 ? 0 : 1;  // as grep: 1 when no line was selected
  return r;
}

struct TopArgs {
  std::uint64_t k = 10;
  WordRules rules;
  std::vector<std::string> paths;
};

Report run_top(TopArgs const& a, Team const& team, Services sv, Schedule s) {
  auto const files = open_everywhere(a.paths, team);
  // With a checkpoint the counts are reduced on rank 0 (the checkpoint holds them all).
  auto run = sv.checkpoint != nullptr ? execute(TopWorkload{files.get(), a.rules}, s, team, sv)
                                        : execute_on_ranks(TopWorkload{files.get(), a.rules}, s, team, sv);
  // Each word's full count ends up on the one rank that owns it; only the candidates
  // for the top k travel to rank 0.
  WordCounts const owned = shuffle_sum(team, run.value.to_map());
  WordCounts candidates;
  for (auto const& [word, n] : gather_to_root(team, top_words(owned, a.k))) candidates.emplace(word, n);
  require_unchanged(*files, team);
  auto const top = top_words(candidates, a.k);
  Report r = lines_report("top", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string text;
  for (auto const& [word, n] : top) {
    rows.push_back({{"word", word}, {"count", n}});
    text += std::to_string(n) + " " + word + "\n";
  }
  r.result = {{"words", rows, ""}};
  r.text = text;
  return r;
}

}  // namespace

void setup_lines(CLI::App& app, Job& job) {
  auto* lines = app.add_subcommand("lines", "Count, grep and rank words in big text files");
  lines->require_subcommand(1);
  lines->footer(
      "The files, concatenated, are one range of bytes cut into chunks (--chunk takes sizes:\n"
      "4M, 64Ki, ...); a chunk owns the lines that start in it. Bytes are bytes (C locale).");

  auto paths = std::make_shared<std::vector<std::string>>();
  auto* count = lines->add_subcommand("count", "Lines, words and bytes, exactly as LC_ALL=C wc");
  count->add_option("FILE", *paths, "Text files")->required()->type_name("");
  count->final_callback([paths, &job] {
    job = [paths](Team const& team, Services sv, Schedule s) { return run_count(*paths, team, sv, s); };
  });

  auto t = std::make_shared<TopArgs>();
  auto* top = lines->add_subcommand("top", "The K most frequent words, as 'count word' lines");
  add_count(*top, "-k,--top", t->k, "How many words (default 10)");
  top->add_flag("-i,--ignore-case", t->rules.fold_case, "Count ASCII letters as lower case");
  top->add_flag("--alnum", t->rules.alnum, "Words are runs of [A-Za-z0-9] (default: as wc's words)");
  top->add_option("FILE", t->paths, "Text files")->required()->type_name("");
  top->footer("Sorted by count, most frequent first, then by word (bytewise). Across ranks the\n"
              "words are partitioned by hash (an all-to-all shuffle): no rank holds them all.");
  top->final_callback([t, &job] {
    job = [t](Team const& team, Services sv, Schedule s) { return run_top(*t, team, sv, s); };
  });

  auto g = std::make_shared<GrepArgs>();
  auto* grep = lines->add_subcommand("grep", "Select lines like LC_ALL=C grep -a -E (RE2 patterns)");
  grep->set_help_flag("--help", "Print this help message and exit");  // -h is grep's
  auto* count_flag = grep->add_flag("-c,--count", g->count, "Print the number of selected lines per file");
  grep->add_flag("-n,--line-number", g->line_numbers, "Prefix lines with their line number");
  grep->add_flag("-i,--ignore-case", g->match.ignore_case, "Ignore case (ASCII letters)");
  grep->add_flag("-v,--invert-match", g->match.invert, "Select the lines that do not match");
  grep->add_flag("-F,--fixed-strings", g->match.fixed, "PATTERN is a literal string");
  auto* with = grep->add_flag("-H,--with-filename", g->with_filename, "Prefix each line with its file name");
  grep->add_flag("-h,--no-filename", g->no_filename, "Never prefix file names")->excludes(with);
  grep->add_option("--output", g->output,
                   "Write the lines to FILE (whole or not at all; resumable with --checkpoint)")
      ->type_name("FILE")
      ->excludes(count_flag);
  grep->add_option("PATTERN", g->match.pattern, "An extended regular expression (RE2 syntax)")
      ->required()
      ->type_name("");
  grep->add_option("FILE", g->paths, "Text files")->required()->type_name("");
  grep->footer(
      "Output and exit status as grep's: 0 if a line was selected, 1 if none, 2 on error.\n"
      "Patterns run on RE2 (linear time); those that both RE2 and POSIX ERE accept behave alike.");
  grep->final_callback([g, &job] {
    job = [g](Team const& team, Services sv, Schedule s) { return run_grep(*g, team, sv, s); };
  });
}

}  // namespace parfold
