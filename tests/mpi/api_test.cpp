// The public API (<parfold/parfold.hpp>) against closed forms, on the thread pool and
// under mpirun at 1-4 ranks: every schedule x 1-3 threads, trivially copyable and
// serialized partials, empty ranges, one item, more workers than items, a body that
// throws on one rank only, and folds between the caller's own MPI messages.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/serialization/map.hpp>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <parfold/parfold.hpp>

#include "mpi_gtest_main.hpp"

namespace {

using parfold::Range;

parfold::Context const& ctx() { return parfold::testing_support::world_context(); }

std::vector<parfold::Options> all_options() {
  std::vector<parfold::Options> out;
  for (char const* kind : {"static", "cyclic", "dynamic", "guided"}) {
    for (std::uint64_t chunk : {0, 1, 7}) {
      for (int threads : {1, 2, 3}) {
        parfold::Options o;
        o.schedule = parfold::Schedule::parse(kind, chunk);
        o.threads = threads;
        out.push_back(o);
      }
    }
  }
  return out;
}

std::string describe(parfold::Options const& o) {
  return std::string(parfold::to_string(o.schedule.kind)) + " chunk " +
         std::to_string(o.schedule.chunk) + " threads " + std::to_string(o.threads);
}

auto const add_u64 = [](std::uint64_t& into, std::uint64_t const& from) { into += from; };

/// Sum of i^2 over [0, n): n(n-1)(2n-1)/6 (exact in 64 bits for these n).
std::uint64_t sum_squares(std::uint64_t n) { return n == 0 ? 0 : n * (n - 1) * (2 * n - 1) / 6; }

TEST(Api, TriviallyCopyablePartialMatchesClosedForm) {
  for (std::uint64_t n :
       {0ULL, 1ULL, 5ULL, 100003ULL}) {  // 5 items: more workers than items at 4 x 3
    for (auto const& o : all_options()) {
      std::uint64_t const got = parfold::fold(
          ctx(), n, std::uint64_t{0},
          [](Range r, std::uint64_t& acc) {
            for (auto i = r.begin; i < r.end; ++i) acc += i * i;
          },
          add_u64, o);
      ASSERT_EQ(got, sum_squares(n)) << "n=" << n << " " << describe(o);
    }
  }
}

/// A partial that is a struct of plain values: its bytes travel.
struct MinMaxCount {
  std::uint64_t min = UINT64_MAX, max = 0, count = 0;
};

TEST(Api, StructPartialAndEveryItemOnce) {
  for (auto const& o : all_options()) {
    auto const got = parfold::fold(
        ctx(), 1000, MinMaxCount{},
        [](Range r, MinMaxCount& acc) {
          for (auto i = r.begin; i < r.end; ++i) {
            acc.min = std::min(acc.min, i);
            acc.max = std::max(acc.max, i);
            ++acc.count;
          }
        },
        [](MinMaxCount& into, MinMaxCount const& from) {
          into.min = std::min(into.min, from.min);
          into.max = std::max(into.max, from.max);
          into.count += from.count;
        },
        o);
    EXPECT_EQ(got.min, 0U) << describe(o);
    EXPECT_EQ(got.max, 999U) << describe(o);
    EXPECT_EQ(got.count, 1000U) << describe(o);
  }
}

TEST(Api, SerializedPartialCountsEveryItemExactlyOnce) {
  // std::vector is not trivially copyable: it travels with Boost.Serialization.
  std::uint64_t const n = 777;
  for (auto const& o : all_options()) {
    auto const seen = parfold::fold(
        ctx(), n, std::vector<std::uint32_t>(n, 0),
        [](Range r, std::vector<std::uint32_t>& acc) {
          for (auto i = r.begin; i < r.end; ++i) ++acc[i];
        },
        [](std::vector<std::uint32_t>& into, std::vector<std::uint32_t> const& from) {
          for (std::size_t i = 0; i < into.size(); ++i) into[i] += from[i];
        },
        o);
    EXPECT_EQ(seen, std::vector<std::uint32_t>(n, 1)) << describe(o);
  }
}

TEST(Api, ResultOnEveryRankIsTheSame) {
  auto const got = parfold::fold(
      ctx(), 12345, std::uint64_t{0}, [](Range r, std::uint64_t& acc) { acc += r.size(); },
      add_u64);
  auto const all = ctx().team().comm.all_gather(got);
  for (auto v : all) EXPECT_EQ(v, 12345U);
}

TEST(Api, BadScheduleIsAUsageError) {
  EXPECT_THROW((void)parfold::Schedule::parse("fastest"), parfold::UsageError);
  EXPECT_EQ(parfold::Schedule::parse("guided", 5).chunk, 5U);
}

/// The rank that threw, as every rank knows it: each rank says whether it threw (-1 if
/// not) and the maximum is taken (MPI_Allreduce; the rank itself when running alone).
int agreed_thrower(bool threw_here) {
  int mine = threw_here ? ctx().rank() : -1, all = mine;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return all;
}

TEST(Api, ExceptionOnOneRankReachesEveryRankAsJobError) {
  // Whichever worker is handed item 2000 throws, so exactly one rank throws under every
  // schedule and load, whichever rank that turns out to be.
  constexpr std::uint64_t bad_item = 2000;
  for (char const* kind : {"static", "cyclic", "dynamic", "guided"}) {
    parfold::Options o;
    o.schedule = parfold::Schedule::parse(kind, 1);
    o.threads = 2;
    std::atomic<bool> threw{false};
    int reported = -2;  // the JobError's rank; -2 when none came
    auto const t0 = std::chrono::steady_clock::now();
    try {
      (void)parfold::fold(
          ctx(), 4000, std::uint64_t{0},
          [&threw](Range r, std::uint64_t& acc) {
            if (r.begin <= bad_item && bad_item < r.end) {
              threw = true;
              throw std::runtime_error("bad item");
            }
            std::this_thread::sleep_for(std::chrono::microseconds(200));  // every rank gets work
            acc += r.size();
          },
          add_u64, o);
    } catch (parfold::JobError const& e) {
      reported = e.rank();
      EXPECT_EQ(e.message(), "bad item") << kind;
      EXPECT_FALSE(e.host().empty()) << kind;
    }
    // Every rank takes part in this agreement, JobError or not, so a rank that missed the
    // error is reported here rather than hanging the next collective.
    int const thrower = agreed_thrower(threw);
    EXPECT_GE(thrower, 0) << kind << ": item " << bad_item << " was never run";
    EXPECT_EQ(reported, thrower) << kind << ": rank " << ctx().rank() << " got "
                                 << (reported == -2 ? "no JobError" : "another rank's");
    // A hang guard only: the whole fold takes well under a second when nothing fails.
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(25))
        << kind << ": the failure did not stop the fold";
    // The next fold runs normally.
    EXPECT_EQ(parfold::fold(
                  ctx(), 10, std::uint64_t{0}, [](Range r, std::uint64_t& a) { a += r.size(); },
                  add_u64, o),
              10U);
  }
}

TEST(Api, BadInputMetByTheBodyReachesEveryRankAsUsageError) {
  parfold::Options o;
  o.schedule = parfold::Schedule::parse("dynamic", 1);
  try {
    (void)parfold::fold(
        ctx(), 2000, std::uint64_t{0},
        [](Range r, std::uint64_t& acc) {
          if (r.begin <= 1000 && 1000 < r.end) throw parfold::UsageError("f.gz: corrupt");
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          acc += r.size();
        },
        add_u64, o);
    ADD_FAILURE() << "no UsageError";
  } catch (parfold::UsageError const& e) {
    EXPECT_STREQ(e.what(), "f.gz: corrupt");
  }
}

TEST(Api, FoldsBetweenTheCallersOwnMessages) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized == 0) GTEST_SKIP() << "MPI is not initialised when running alone";
  parfold::Context mine(MPI_COMM_WORLD);
  int const rank = mine.rank(), size = mine.ranks();
  for (int round = 0; round < 3; ++round) {
    // The caller's message with tag 0 and 1 (the tags parfold's own channels use) in
    // flight across a fold on the same ranks.
    int token = 100 * round + rank, received = -1;
    MPI_Request reqs[2];
    MPI_Irecv(&received, 1, MPI_INT, (rank + size - 1) % size, round % 2, MPI_COMM_WORLD, &reqs[0]);
    MPI_Isend(&token, 1, MPI_INT, (rank + 1) % size, round % 2, MPI_COMM_WORLD, &reqs[1]);
    parfold::Options o;
    o.schedule = parfold::Schedule::parse(round == 0   ? "dynamic"
                                          : round == 1 ? "guided"
                                                       : "cyclic",
                                          3);
    auto const got = parfold::fold(
        mine, 5000, std::uint64_t{0},
        [](Range r, std::uint64_t& acc) {
          for (auto i = r.begin; i < r.end; ++i) acc += i;
        },
        add_u64, o);
    MPI_Waitall(2, reqs, MPI_STATUSES_IGNORE);
    EXPECT_EQ(got, 5000ULL * 4999 / 2);
    EXPECT_EQ(received, 100 * round + (rank + size - 1) % size);
  }
}

TEST(Api, TraceOptionWritesEveryChunkAndNoSignalHandlerIsInstalled) {
  // The handlers before the fold: the MPI library may have installed its own (MPICH over UCX
  // catches SIGUSR1); the fold must leave them as they are.
  std::map<int, void (*)(int)> before;
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) {
    struct sigaction was {};
    sigaction(sig, nullptr, &was);
    before[sig] = was.sa_handler;
  }
  // One file name for every rank (rank 0 writes it), another for each way the test runs.
  std::string const path =
      "api_test_trace_" + ctx().launcher() + std::to_string(ctx().ranks()) + ".json";
  parfold::Options o;
  o.schedule = parfold::Schedule::parse("dynamic", 10);
  o.trace = path;
  o.label = "api trace";
  EXPECT_EQ(parfold::fold(
                ctx(), 1000, std::uint64_t{0}, [](Range r, std::uint64_t& a) { a += r.size(); },
                add_u64, o),
            1000U);
  if (ctx().is_root()) {
    std::ifstream f(path);
    std::string const text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"traceEvents\""), std::string::npos);
    EXPECT_NE(text.find("api trace"), std::string::npos);
    // 100 chunks of 10 items: one complete ("X") event each.
    std::size_t events = 0;
    for (auto at = text.find("\"ph\":\"X\""); at != std::string::npos;
         at = text.find("\"ph\":\"X\"", at + 1)) {
      ++events;
    }
    EXPECT_EQ(events, 100U);
    std::remove(path.c_str());
  }
  // The library installed no handler for the signals the program catches.
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) {
    struct sigaction now {};
    sigaction(sig, nullptr, &now);
    EXPECT_EQ(now.sa_handler, before[sig]) << "signal " << sig;
  }
}

TEST(Api, SeveralFoldsInARowWithDifferentTypes) {
  for (int k = 0; k < 5; ++k) {
    parfold::Options o;
    o.schedule =
        parfold::Schedule::parse(k % 2 == 0 ? "dynamic" : "static", static_cast<std::uint64_t>(k));
    o.threads = 1 + k % 3;
    std::uint64_t const a = parfold::fold(
        ctx(), 1000, std::uint64_t{0}, [](Range r, std::uint64_t& acc) { acc += r.size(); },
        add_u64, o);
    std::map<std::uint64_t, std::uint64_t> const b = parfold::fold(
        ctx(), 100, std::map<std::uint64_t, std::uint64_t>{},
        [](Range r, std::map<std::uint64_t, std::uint64_t>& acc) {
          for (auto i = r.begin; i < r.end; ++i) ++acc[i % 7];
        },
        [](auto& into, auto const& from) {
          for (auto const& [key, v] : from) into[key] += v;
        },
        o);
    EXPECT_EQ(a, 1000U);
    std::uint64_t total = 0;
    for (auto const& [key, v] : b) total += v;
    EXPECT_EQ(total, 100U);
    EXPECT_EQ(b.at(0), 15U);  // 0, 7, ..., 98
  }
}

}  // namespace
