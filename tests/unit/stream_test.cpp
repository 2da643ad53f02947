// The process engine's parts on one rank: records released in order with bounded memory
// (the spill file used and emptied), parcels cut into pieces and put together again,
// every record delivered by the courier (those past its memory through its spool),
// --halt's grammar as GNU parallel's manual gives it.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "parfold/core/errors.hpp"
#include "parfold/stream/courier.hpp"
#include "parfold/stream/reorder.hpp"
#include "workloads/shell/ahead.hpp"
#include "workloads/shell/farm.hpp"

namespace parfold {
namespace {

std::string record(std::uint64_t i) {
  return std::string(1 + i % 13, static_cast<char>('a' + i % 26)) + std::to_string(i);
}

/// Bytes that differ from one offset to the next (a misplaced piece shows).
std::string text(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

CapturedOutput captured(std::string const& bytes, std::size_t memory_limit) {
  CapturedOutput c(memory_limit);
  for (std::size_t at = 0; at < bytes.size(); at += 7777) c.append(bytes.substr(at, 7777));
  return c;
}

/// A parcel of `head` and bodies of the given sizes, past 100 bytes each in a file.
Parcel parcel(std::string head, std::vector<std::size_t> const& sizes, unsigned seed) {
  Parcel p{std::move(head), {}};
  for (std::size_t n : sizes) p.bodies.push_back(captured(text(n, seed++), 100));
  return p;
}

TEST(ReorderBuffer, ReleasesEveryRecordInOrderWhateverTheArrivalOrder) {
  for (std::size_t limit :
       {std::size_t{0}, std::size_t{64}, std::size_t{1} << 20}) {  // 0: every held record spills
    std::vector<std::uint64_t> order(500);
    for (std::uint64_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937(42));
    std::vector<std::pair<std::uint64_t, std::string>> out;
    ReorderBuffer buffer(
        0,
        [&](std::uint64_t i, Parcel&& r) {
          out.emplace_back(i, r.head + (r.bodies.empty() ? "" : r.bodies[0].str()));
        },
        limit);
    for (std::uint64_t i : order) {  // every seventh with a body past its memory
      buffer.put(i, i % 7 == 0 ? parcel(record(i), {300}, static_cast<unsigned>(i))
                               : Parcel{record(i), {}});
    }
    ASSERT_EQ(out.size(), order.size()) << "limit " << limit;
    for (std::uint64_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].first, i);
      EXPECT_EQ(out[i].second, record(i) + (i % 7 == 0 ? text(300, static_cast<unsigned>(i)) : ""));
    }
    EXPECT_EQ(buffer.held(), 0U);
  }
}

TEST(ReorderBuffer, SkipsDoneIndicesAndReleasesPastGapsAtTheEnd) {
  std::vector<std::uint64_t> got;
  ReorderBuffer buffer(
      0, [&](std::uint64_t i, Parcel&&) { got.push_back(i); }, 0);
  buffer.put(3, Parcel{"d", {}});
  buffer.skip(0);
  buffer.put(1, Parcel{"b", {}});
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1}));
  buffer.put(5, Parcel{"f", {}});  // 2 and 4 never come
  EXPECT_EQ(buffer.next(), 2U);
  buffer.release_all();
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 3, 5}));
}

TEST(Parcel, ComesOutOfItsPiecesAsItWentIn) {
  for (std::size_t piece :
       {std::size_t{1}, std::size_t{100}, std::size_t{4096}, std::size_t{1} << 20}) {
    for (auto const& sizes : std::vector<std::vector<std::size_t>>{
             {}, {0, 0}, {5, 0}, {0, 5000}, {10000, 1}, {3000, 70000, 0, 20}}) {
      ParcelStream stream(parcel("head", sizes, 1));
      std::string bytes = stream.next(piece);
      ParcelAssembler assembler(bytes, 64);
      std::size_t pieces = 1;
      while (!stream.done()) {
        bytes = stream.next(piece);
        ASSERT_FALSE(bytes.empty());
        ASSERT_LE(bytes.size(), piece);
        assembler.add(bytes);
        ++pieces;
      }
      ASSERT_TRUE(assembler.done()) << "piece " << piece;
      Parcel const p = assembler.take();
      EXPECT_EQ(p.head, "head");
      ASSERT_EQ(p.bodies.size(), sizes.size());
      for (std::size_t b = 0; b < sizes.size(); ++b) {
        EXPECT_EQ(p.bodies[b].str(), text(sizes[b], static_cast<unsigned>(1 + b)));
        EXPECT_LE(p.bodies[b].in_memory(), 64U);  // the rest in a temporary file
      }
      std::size_t total = 0;
      for (std::size_t n : sizes) total += n;
      if (piece == (std::size_t{1} << 20)) {
        EXPECT_EQ(pieces, 1U);
      }
      if (piece == 1) {
        EXPECT_EQ(pieces, total + 1);
      }
    }
  }
}

TEST(Spool, KeepsBodiesOutOfMemoryAndEmptiesItsFileWhenNoneIsLeft) {
  Spool spool("test");
  std::vector<Parcel> kept;
  for (unsigned i = 0; i < 5; ++i) kept.push_back(spool.keep(parcel("h", {200, 5, 0}, 10 * i)));
  for (unsigned i = 0; i < 5; ++i) {
    EXPECT_EQ(kept[i].in_memory(), 1U);  // the head
    EXPECT_EQ(kept[i].bodies[0].str(), text(200, 10 * i));
    EXPECT_EQ(kept[i].bodies[1].str(), text(5, 10 * i + 1));
    EXPECT_TRUE(kept[i].bodies[2].empty());
  }
  kept.clear();
  spool.trim();  // nothing refers to the file: emptied, used again
  Parcel const again = spool.keep(parcel("h", {10}, 99));
  EXPECT_EQ(again.bodies[0].str(), text(10, 99));
}

TEST(Courier, OneRankDeliversWhatEveryThreadPosted) {
  Team const team = Team::local(4);
  std::vector<std::string> got;
  Courier courier(team, [&](Parcel&& r) { got.push_back(std::move(r.head)); });
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

TEST(Courier, RecordsPastItsMemoryGoThroughItsSpoolWhole) {
  Team const team = Team::local(2);
  std::vector<Parcel> got;
  Courier courier(team, [&](Parcel&& r) { got.push_back(std::move(r)); });
  {
    std::vector<std::jthread> threads;
    for (unsigned t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {  // nobody pumps meanwhile: they all wait on this rank
        for (unsigned i = 0; i < 20; ++i) {
          Parcel p{std::to_string(t * 100 + i), {}};
          p.bodies.push_back(captured(text(300000, t * 100 + i), 1 << 20));
          courier.post(std::move(p));
        }
      });
    }
  }
  courier.finish();
  ASSERT_EQ(got.size(), 40U);
  std::size_t spooled = 0;
  for (Parcel const& p : got) {
    auto const seed = static_cast<unsigned>(std::stoul(p.head));
    EXPECT_EQ(p.bodies.at(0).str(), text(300000, seed)) << p.head;
    spooled += p.bodies[0].in_memory() == 0 ? 1 : 0;
  }
  EXPECT_EQ(spooled, 40U - (Courier::kOutboxMemory / 300000));  // 13 kept in memory
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
  std::string const out = std::string("out\0put", 7) + text(3000, 5);
  auto const make = [&] {
    return Attempt{7,
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
                   captured(out, 100),
                   captured("err", 100)};
  };
  for (bool wire : {false, true}) {  // a parcel for the courier, bytes for a checkpoint
    Attempt const b = wire ? Attempt::from_parcel(Attempt::to_parcel(make()))
                           : Attempt::decode(Attempt::encode(make()));
    EXPECT_EQ(b.index, 7U);
    EXPECT_EQ(b.attempt, 2);
    EXPECT_EQ(b.exit_code, 137);
    EXPECT_EQ(b.signal, 9);
    EXPECT_TRUE(b.timed_out);
    EXPECT_FALSE(b.passed);
    EXPECT_EQ(b.start_s, 1.7e9);
    EXPECT_EQ(b.rank, 3);
    EXPECT_EQ(b.thread, 1);
    EXPECT_EQ(b.host, "node-1");
    EXPECT_EQ(b.out.str(), out);
    EXPECT_EQ(b.err.str(), "err");
    EXPECT_EQ(b.ending().rfind("timed out after ", 0), 0U);
  }
  EXPECT_TRUE(Attempt::well_formed(Attempt::encode(make()), 7));
}

TEST(OutputAhead, PiecesGoInFrontOfTheirAttemptsOutputInOrder) {
  Team const team = Team::local(1);
  AheadOutputs ahead;
  std::string want_out, want_err;
  Courier courier(team, [&](Parcel&& r) {
    if (OutputPiece::is_one(r)) return ahead.add(OutputPiece::from_parcel(std::move(r)));
    Attempt a = Attempt::from_parcel(std::move(r));
    ahead.complete(a);
    EXPECT_EQ(a.index, 4U);
    EXPECT_EQ(a.out.str(), want_out);
    EXPECT_EQ(a.err.str(), want_err);
  });
  auto const send = send_ahead(courier, 4, 2, 1 << 20, [] { return false; });
  CapturedOutput out(1 << 20), err(1 << 20);
  auto const print = [&](CapturedOutput& to, std::string& want, std::size_t n, unsigned seed) {
    to.append(text(n, seed));
    want += text(n, seed);
  };
  print(out, want_out, kAheadBytes - 1, 1);
  EXPECT_TRUE(send(out, err));  // under kAheadBytes: kept
  EXPECT_EQ(out.size(), kAheadBytes - 1);
  print(err, want_err, 1, 2);
  EXPECT_TRUE(send(out, err));  // a piece went: both start again empty
  EXPECT_TRUE(out.empty() && err.empty());
  unsigned seed = 3;
  while (send(out, err) && seed < 100) print(out, want_out, kAheadBytes, seed++);
  // Nobody took them: it said no once the pieces waiting left no room for two more.
  EXPECT_EQ((seed - 2) * kAheadBytes, Courier::kOutboxMemory - 2 * kAheadBytes);
  courier.pump();  // rank 0 took them: room again
  EXPECT_TRUE(send(out, err));
  print(out, want_out, 4, 99);
  print(err, want_err, 3, 98);
  courier.post(Attempt::to_parcel(
      {4, 2, 0, 0, false, false, true, 0, 0, 0, 0, "h", std::move(out), std::move(err)}));
  courier.finish();
  Attempt other;  // nothing went ahead of it
  other.index = 5;
  other.out = captured("alone", 100);
  ahead.complete(other);
  EXPECT_EQ(other.out.str(), "alone");
}

}  // namespace
}  // namespace parfold
