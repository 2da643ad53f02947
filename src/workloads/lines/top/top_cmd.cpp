// `parfold lines top`: the K most frequent words, counted by hash across ranks.
#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/options.hpp"
#include "parfold/comm/shuffle.hpp"
#include "parfold/run/execute.hpp"
#include "workloads/lines/commands.hpp"
#include "workloads/lines/input/parts.hpp"
#include "workloads/lines/lines.hpp"
#include "workloads/lines/top/words.hpp"

namespace parfold {

namespace {

/// How often each word occurs (this rank's words until the shuffle). Items are bytes.
struct TopWorkload {
  using Partial = WordTable;

  LineFiles const* files = nullptr;
  WordRules rules;

  [[nodiscard]] std::uint64_t items() const { return files->total(); }
  [[nodiscard]] std::string input_identity() const { return files->identity(); }
  [[nodiscard]] static std::uint64_t grain() { return std::uint64_t{1} << 20; }
  [[nodiscard]] static Partial identity() { return {}; }
  void process(Range r, Partial& acc) const {
    WordCarry carry;  // a word open across the pieces of a long line
    files->for_each_piece(r, [&](LinePiece const& p) {
      if (p.starts && p.ends)
        count_words(p.text, rules, acc);
      else
        count_words(p.text, rules, acc, carry, !p.ends);
    });
  }
  static void combine(Partial& into, Partial const& from) {
    from.for_each([&](std::string_view word, std::uint64_t n) { into.add(word, n); });
  }
  /// A checkpoint's words of the bytes [0, done): each a word by this job's rules, all
  /// their occurrences within the bytes of the lines done.
  [[nodiscard]] std::string partial_problem(Partial const& words, std::uint64_t done) const {
    std::uint64_t owned = 0, used = 0;
    for (std::size_t f = 0; f < files->files().size(); ++f) owned += files->owned_before(f, done);
    bool made = true;
    words.for_each([&](std::string_view word, std::uint64_t n) {
      used = n > (owned - std::min(used, owned)) / word.size() ? owned + 1 : used + n * word.size();
      made = made && is_word(word, rules);
    });
    if (used > owned)
      return "more bytes of words than the " + std::to_string(owned) + " bytes done";
    return made ? "" : "a word that this job's rules do not make";
  }
};

/// The `k` most frequent words: count descending, then word bytewise ascending.
std::vector<std::pair<std::string, std::uint64_t>> top_words(WordCounts const& counts,
                                                             std::uint64_t k) {
  std::vector<std::pair<std::string, std::uint64_t>> all(counts.begin(), counts.end());
  auto const before = [](auto const& a, auto const& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  auto const keep = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(k, all.size()));
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), before);
  all.resize(static_cast<std::size_t>(keep));
  return all;
}

struct TopArgs {
  std::uint64_t k = 10;
  WordRules rules;
  bool decompress = false;  ///< -z
  std::vector<std::string> paths;
};

/// This rank's word counts of every part of the input (all of them on rank 0 with a
/// checkpoint, which holds them all).
/// \note With MPI this is a collective operation over all ranks.
JobResult<WordTable> words_of_input(InputCursor& cursor, TopArgs const& a, Team const& team,
                                    Services sv, Schedule s) {
  JobResult<WordTable> run;
  while (auto const in = cursor.next()) {
    TopWorkload const w{&in->files, a.rules};
    auto const counted = sv.checkpoint != nullptr ? execute(w, s, team, sv)
                                                  : execute_on_ranks(w, s, team, sv, in->bytes);
    if (sv.checkpoint != nullptr) {
      run = counted;  // with what the checkpoint resumed
      continue;
    }
    TopWorkload::combine(run.value, counted.value);
    add_run(run.info, counted.info);
  }
  return run;
}

Report run_top(TopArgs const& a, Team const& team, Services sv, Schedule s) {
  auto const t0 = std::chrono::steady_clock::now();
  InputCursor cursor(plan_inputs(a.paths, a.decompress, {}, team), team, sv, s, {});
  JobResult<WordTable> run = words_of_input(cursor, a, team, sv, s);
  run.info.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Each word's full count ends up on the one rank that owns it; only the candidates
  // for the top k travel to rank 0.
  WordCounts const owned = shuffle_sum(team, run.value.to_map());
  WordCounts candidates;
  for (auto const& [word, n] : gather_to_root(team, top_words(owned, a.k)))
    candidates.emplace(word, n);
  Report r = lines_report("top", run.info, team);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  std::string text;
  for (auto const& [word, n] : top_words(candidates, a.k)) {
    rows.push_back({{"word", word}, {"count", n}});
    text += std::to_string(n) + " " + word + "\n";
  }
  r.result = {{"words", rows, ""}};
  r.text = text;
  r.exit_code = cursor.problems() ? 2 : 0;  // as grep: the words of the files it could read
  return r;
}

}  // namespace

void add_top_command(CLI::App& lines, Job& job) {
  auto t = std::make_shared<TopArgs>();
  auto* top = lines.add_subcommand("top", "The K most frequent words, as 'count word' lines");
  add_count(*top, "-k,--top", t->k, "How many words (default 10)");
  top->add_flag("-i,--ignore-case", t->rules.fold_case, "Count ASCII letters as lower case");
  top->add_flag("--alnum", t->rules.alnum,
                "Words are runs of [A-Za-z0-9] (default: as wc's words)");
  add_decompress_flag(*top, t->decompress);
  add_operands(*top, "FILE", t->paths, "Text files; none or - reads standard input");
  top->footer(
      "Sorted by count, most frequent first, then by word (bytewise). Across ranks the\n"
      "words are partitioned by hash (an all-to-all shuffle): no rank holds them all.");
  top->final_callback([t, &job] {
    job.unit = "bytes";
    job.reads_stdin = reads_standard_input(t->paths);
    job.default_schedule = lines_schedule();
    job.run = [t](Team const& team, Services sv, Schedule s) { return run_top(*t, team, sv, s); };
  });
}

}  // namespace parfold
