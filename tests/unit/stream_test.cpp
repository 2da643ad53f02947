// The process engine's parts on one rank: records released in order with bounded memory
// (the spill file used and emptied), every record delivered by the courier, --halt's
// grammar as GNU parallel's manual gives it.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "parfold/core/errors.hpp"
#include "parfold/stream/courier.hpp"
#include "parfold/stream/reorder.hpp"
#include "workloads/shell/farm.hpp"

namespace parfold {
namespace {

std::string record(std::uint64_t i) {
  return std::string(1 + i % 13, static_cast<char>('a' + i % 26)) + std::to_string(i);
}

TEST(ReorderBuffer, ReleasesEveryRecordInOrderWhateverTheArrivalOrder) {
  for (std::size_t limit :
       {std::size_t{0}, std::size_t{64}, std::size_t{1} << 20}) {  // 0: every held record spills
    std::vector<std::uint64_t> order(500);
    for (std::uint64_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(42));
    std::vector<std::pair<std::uint64_t, std::string>> out;
    ReorderBuffer buffer(
        0, [&](std::uint64_t i, std::string&& r) { out.emplace_back(i, std::move(r)); }, limit);
    for (std::uint64_t i : order) buffer.put(i, record(i));
    ASSERT_EQ(out.size(), order.size()) << "limit " << limit;
    for (std::uint64_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].first, i);
      EXPECT_EQ(out[i].second, record(i));
    }
    EXPECT_EQ(buffer.held(), 0U);
  }
}

TEST(ReorderBuffer, SkipsDoneIndicesAndReleasesPastGapsAtTheEnd) {
  std::vector<std::uint64_t> got;
  ReorderBuffer buffer(
      0, [&](std::uint64_t i, std::string&&) { got.push_back(i); }, 0);
  buffer.put(3, "d");
  buffer.skip(0);
  buffer.put(1, "b");
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1}));
  buffer.put(5, "f");  // 2 and 4 never come
  EXPECT_EQ(buffer.next(), 2U);
  buffer.release_all();
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 3, 5}));
}

TEST(Courier, OneRankDeliversWhatEveryThreadPosted) {
  Team const team = Team::local(4);
  std::vector<std::string> got;
  Courier courier(team, [&](std::string&& r) { got.push_back(std::move(r)); });
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 1000; ++i) courier.post(std::to_string(t) + ":" + std::to_string(i));
      });
    }
  }
  courier.finish();
  EXPECT_EQ(got.size(), 4000U);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(std::unique(got.begin(), got.end()), got.end());
  courier.tell(2);
  courier.tell(1);  // only the first word counts
  EXPECT_EQ(courier.told(), 2);
}

TEST(Halt, ParsesGnuParallelsForms) {
  Halt const h = Halt::parse("now,fail=1");
  EXPECT_EQ(h.when, Halt::When::now);
  EXPECT_TRUE(h.reached(1, 0, 100));
  EXPECT_FALSE(h.reached(0, 99, 100));
  EXPECT_EQ(Halt::parse("soon,fail=3").text(), "soon,fail=3");
  Halt const pct = Halt::parse("soon,success=10%");
  EXPECT_FALSE(pct.reached(0, 9, 100));
  EXPECT_TRUE(pct.reached(0, 10, 100));
  EXPECT_TRUE(Halt::parse("now,done=2").reached(1, 1, 10));
  EXPECT_EQ(Halt::parse("never").when, Halt::When::never);
  EXPECT_EQ(Halt::parse("0").when, Halt::When::never);
  EXPECT_EQ(Halt::parse("1").text(), "soon,fail=1");
  EXPECT_EQ(Halt::parse("2").text(), "now,fail=1");
  EXPECT_EQ(Halt::parse("-1").text(), "soon,success=1");
  EXPECT_EQ(Halt::parse("-2").text(), "now,success=1");
  EXPECT_EQ(Halt::parse("20%").text(), "soon,fail=20%");
  for (char const* bad : {"", "now", "now,", "now,fail", "now,fail=", "now,fail=0", "now,fail=x",
                          "later,fail=1", "now,oops=1", "soon,fail=101%", "3", "now,fail=-1"}) {
    EXPECT_THROW((void)Halt::parse(bad), UsageError) << bad;
  }
}

TEST(Attempt, EncodesAndDecodesEveryField) {
  Attempt const a{7,
                  2,
                  128 + 9,
                  9,
                  true,
                  false,
                  false,
                  1.7e9,
                  0.25,
                  3,
                  1,
                  "node-1",
                  std::string("out\0put", 7),
                  "err"};
  Attempt const b = Attempt::decode(Attempt::encode(Attempt(a)));
  EXPECT_EQ(b.index, 7U);
  EXPECT_EQ(b.attempt, 2);
  EXPECT_EQ(b.exit_code, 137);
  EXPECT_EQ(b.signal, 9);
  EXPECT_TRUE(b.timed_out);
  EXPECT_FALSE(b.passed);
  EXPECT_EQ(b.start_s, 1.7e9);
  EXPECT_EQ(b.rank, 3);
  EXPECT_EQ(b.host, "node-1");
  EXPECT_EQ(b.out, a.out);
  EXPECT_EQ(b.err, "err");
  EXPECT_EQ(b.ending().rfind("timed out after ", 0), 0U);
}

}  // namespace
}  // namespace parfold
