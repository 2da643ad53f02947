// What a checkpoint's partial result is checked for against its job (partial_problem and
// its kin): the true partial of every prefix of the items fits, one forged does not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "parfold/checkpoint/archive.hpp"
#include "workloads/lines/count/wc.hpp"
#include "workloads/lines/grep/grep_lines.hpp"
#include "workloads/lines/top/words.hpp"
#include "workloads/pi.hpp"
#include "workloads/shell/attempt.hpp"
#include "workloads/shell/journal.hpp"
#include "workloads/sum.hpp"
#include "workloads/tasks.hpp"

namespace parfold {
namespace {

TEST(PartialFit, PiHitsAtMostTheSamplesDone) {
  PiWorkload const w{1000, 3};
  for (std::uint64_t done : {0, 1, 999, 1000}) {
    std::uint64_t hits = 0;
    w.process({0, done}, hits);
    EXPECT_EQ(partial_problem(w, hits, done), "") << done;
    EXPECT_EQ(partial_problem(w, done, done), "");  // trusted up to there
    EXPECT_NE(partial_problem(w, done + 1, done), "");
  }
}

TEST(PartialFit, SumOfThePrefix) {
  for (int p = 0; p <= 3; ++p) {
    for (auto [from, to] : {std::pair<std::int64_t, std::int64_t>{-50, 1000}, {3, 99}, {-99, -3}}) {
      SumWorkload const w{from, to, p};
      for (std::uint64_t done = 0; done <= w.items(); done += 7) {
        Int256 s;
        w.process({0, done}, s);
        EXPECT_EQ(partial_problem(w, s, done), "") << p << " " << from << " " << done;
        EXPECT_NE(partial_problem(w, s + Int256::from_limbs(0, 0, 1), done), "")
            << p << " " << done;
        if (p == 0) {
          EXPECT_NE(partial_problem(w, s + Int256(1), done), "");
        }
      }
      Int256 const minus = -Int256::from_limbs(5);
      EXPECT_EQ(partial_problem(w, minus, 10) == "", p % 2 == 1 && from < 0) << p << " " << from;
    }
  }
}

TEST(PartialFit, TasksEachOnce) {
  for (CostModel cost : {CostModel::uniform, CostModel::linear, CostModel::random}) {
    TasksWorkload w;
    w.count = 50;
    w.mean_ns = cost == CostModel::uniform ? 0 : 1000;
    w.cost = cost;
    for (std::uint64_t done : {0, 1, 49, 50}) {
      TasksWorkload::Partial p;
      w.process({0, done}, p);
      EXPECT_EQ(w.partial_problem(p, done), "") << done;
      for (auto forge : {+[](TasksWorkload::Partial& x) { ++x.tasks; },
                         +[](TasksWorkload::Partial& x) { x.index_sum += 1; },
                         +[](TasksWorkload::Partial& x) { x.counted = 1; },
                         +[](TasksWorkload::Partial& x) { x.cost_ns += u128{1} << 80; }}) {
        TasksWorkload::Partial q = p;
        forge(q);
        EXPECT_NE(w.partial_problem(q, done), "") << done;
      }
    }
  }
}

class TempFile {
 public:
  explicit TempFile(std::string const& text)
      : path_(std::filesystem::temp_directory_path() /
              ("parfold-fit-" + std::to_string(::getpid()) + "-" + std::to_string(next_++))) {
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  static inline int next_ = 0;
  std::filesystem::path path_;
};

TEST(PartialFit, LineCountsOfEveryPrefixAndNoOther) {
  TempFile const a("one two\n\tthree\n\nfour five six\nlast"), b(""), c("x\ny\n");
  LineFiles const files({a.path(), b.path(), c.path()});
  CountWorkload const w{&files, {true}};
  std::vector<CountWorkload::Partial> prefix;
  for (std::uint64_t done = 0; done <= files.total(); ++done) {
    prefix.push_back(w.identity());
    w.process({0, done}, prefix.back());
  }
  for (std::uint64_t done = 0; done <= files.total(); ++done) {
    for (std::uint64_t other = 0; other <= files.total(); ++other) {
      bool const same = prefix[done] == prefix[other];
      EXPECT_EQ(w.partial_problem(prefix[done], other) == "", same) << done << " as " << other;
    }
  }
  CountWorkload::Partial p = prefix.back();
  p.pop_back();
  EXPECT_NE(w.partial_problem(p, files.total()), "");
  p = prefix.back();
  p.push_back({});
  EXPECT_NE(w.partial_problem(p, files.total()), "");
}

TEST(PartialFit, LineCountsWithinTheirBytes) {
  EXPECT_EQ(value_problem(LineCounts{3, 6, 12, 96}, 12), "");
  EXPECT_NE(value_problem(LineCounts{3, 6, 12, 96}, 13), "");
  EXPECT_NE(value_problem(LineCounts{13, 6, 12, 0}, 12), "");
  EXPECT_NE(value_problem(LineCounts{3, 8, 12, 0}, 12), "");
  EXPECT_NE(value_problem(LineCounts{3, 6, 12, 104}, 12), "");
  EXPECT_EQ(value_problem(std::uint64_t{12}, 12), "");
  EXPECT_NE(value_problem(std::uint64_t{13}, 12), "");
}

TEST(PartialFit, PrintedWithinTheLinesDone) {
  TempFile const a("a\nb\nc\nd\n"), b("e\nf\n");
  LineFiles const files({a.path(), b.path()});
  GrepArgs args;
  args.after = 1;
  args.before = 1;
  Printed good;
  good.start(2);
  good.selected = 2;
  good.line_no = {4, 1};
  good.shown = {1, 1};
  good.printed_any = true;
  good.last_file = 1;
  good.last_line = 1;
  good.after_left = 1;
  good.held = {{1, 1, 0, "e"}};
  EXPECT_EQ(printed_problem(good, files, args, files.total()), "");
  EXPECT_NE(printed_problem(good, files, args, 8), "");  // file b not started
  std::vector<void (*)(Printed&)> const forgeries = {
      [](Printed& p) { p.line_no.pop_back(); },
      [](Printed& p) { p.shown.push_back(0); },
      [](Printed& p) { p.line_no[0] = 9; },
      [](Printed& p) { p.shown[0] = 5; },
      [](Printed& p) { p.selected = 3; },
      [](Printed& p) { p.printed_any = false; },
      [](Printed& p) { p.last_file = 2; },
      [](Printed& p) { p.last_line = 2; },
      [](Printed& p) { p.last_line = 0; },
      [](Printed& p) { p.after_left = 2; },
      [](Printed& p) { p.held.push_back(p.held.back()); },
      [](Printed& p) { p.held[0].file = 5; },
      [](Printed& p) { p.held[0].number = 2; },
      [](Printed& p) { p.held[0].offset = ~std::uint64_t{0}; },
      [](Printed& p) { p.held[0].bytes = "longer than the file"; }};
  for (std::size_t i = 0; i < forgeries.size(); ++i) {
    Printed p = good;
    forgeries[i](p);
    EXPECT_NE(printed_problem(p, files, args, files.total()), "") << "forgery " << i;
  }
  args.max_count = 0;
  EXPECT_NE(printed_problem(good, files, args, files.total()), "");  // -m 0 shows none
}

/// WordTable's saved form (serialize), to forge: words, their lengths and their counts.
struct SavedTable {
  std::string words;
  std::vector<std::uint64_t> lengths, counts;
  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    ar& words& lengths& counts;
  }
};

TEST(PartialFit, WordTableLoadsOnlyATable) {
  auto loads = [](SavedTable const& t) {
    try {
      (void)from_bytes<WordTable>(to_bytes(t));
      return true;
    } catch (std::runtime_error const&) {
      return false;
    }
  };
  EXPECT_TRUE(loads({"onetwo", {3, 3}, {1, 4}}));
  EXPECT_FALSE(loads({"onetwo", {3, 3}, {1}}));           // a length without a count
  EXPECT_FALSE(loads({"onetwo", {3, 4}, {1, 1}}));        // past the words
  EXPECT_FALSE(loads({"onetwo", {3, 2}, {1, 1}}));        // words left over
  EXPECT_FALSE(loads({"onetwo", {0, 3, 3}, {1, 1, 1}}));  // an empty word
  EXPECT_FALSE(loads({"onetwo", {3, 3}, {1, 0}}));        // never seen
  EXPECT_FALSE(loads({"oneone", {3, 3}, {1, 1}}));        // a word twice
  EXPECT_FALSE(loads({"onetwo", {3, ~std::uint64_t{0}}, {1, 1}}));
}

Attempt ended(std::uint64_t index) {
  Attempt a{.index = index, .exit_code = 0, .passed = true, .runtime_s = 0.5, .host = "h"};
  a.out.append("out\n");
  return a;
}

TEST(PartialFit, AttemptWellFormed) {
  std::string const good = Attempt::encode(ended(2));
  EXPECT_TRUE(Attempt::well_formed(good, 2));
  EXPECT_FALSE(Attempt::well_formed(good, 1));
  for (std::size_t cut = 1; cut < good.size(); ++cut)
    EXPECT_FALSE(Attempt::well_formed(good.substr(cut), 2)) << cut;
  EXPECT_FALSE(Attempt::well_formed(good + "x", 2));
  Attempt a = ended(2);
  a.attempt = 0;
  EXPECT_FALSE(Attempt::well_formed(Attempt::encode(std::move(a)), 2));
  a = ended(2);
  a.runtime_s = std::nan("");
  EXPECT_FALSE(Attempt::well_formed(Attempt::encode(std::move(a)), 2));
  a = ended(2);
  a.stopped = true;
  EXPECT_FALSE(Attempt::well_formed(Attempt::encode(std::move(a)), 2));
}

TEST(PartialFit, JournalCountsItsTasks) {
  RunJournal good;
  good.tasks[0] = {1, 77, 0, 1, true};
  good.tasks[1] = {2, 78, 1, 2, false};
  good.progress = {4, 99, 1, 1, {"line 2 (exit 1)"}};
  good.held[2] = Attempt::encode(ended(2));
  EXPECT_EQ(good.problem(3, false), "");
  EXPECT_NE(good.problem(2, false), "");  // held task 3 of 2
  std::vector<void (*)(RunJournal&)> const forgeries = {
      [](RunJournal& j) { j.progress.failed = std::uint64_t{1} << 62; },
      [](RunJournal& j) { j.progress.succeeded = 2; },
      [](RunJournal& j) { j.progress.first_failures.clear(); },
      [](RunJournal& j) { j.tasks[1].ok = true; },
      [](RunJournal& j) { j.tasks[0].attempts = 0; },
      [](RunJournal& j) { j.tasks[0].line = 0; },
      [](RunJournal& j) { j.output_bytes = 4; },
      [](RunJournal& j) { j.held[1] = Attempt::encode(ended(1)); },
      [](RunJournal& j) { j.held[2] = Attempt::encode(ended(1)); },
      [](RunJournal& j) { j.held[2] = "short"; }};
  for (std::size_t i = 0; i < forgeries.size(); ++i) {
    RunJournal j = good;
    forgeries[i](j);
    EXPECT_NE(j.problem(3, false), "") << "forgery " << i;
  }
  RunJournal to_file = good;
  to_file.output_bytes = 4;
  EXPECT_EQ(to_file.problem(3, true), "");
  EXPECT_NE(good.problem(3, true), "");
}

}  // namespace
}  // namespace parfold
