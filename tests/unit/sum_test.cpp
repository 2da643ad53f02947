#include <gmpxx.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "workloads/int256.hpp"
#include "workloads/sum.hpp"

namespace parfold {
namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

mpz_class big(std::int64_t v) { return mpz_class(std::to_string(v)); }

/// Faulhaber: sum of i^p for i = 1..n (n >= 0), in GMP.
mpz_class faulhaber(mpz_class const& n, int p) {
  switch (p) {
    case 0:
      return n;
    case 1:
      return n * (n + 1) / 2;
    case 2:
      return n * (n + 1) * (2 * n + 1) / 6;
    default: {
      mpz_class const t = n * (n + 1) / 2;
      return t * t;
    }
  }
}

/// Sum of i^p for i in [a, b], from the closed form: negative and positive halves.
mpz_class closed_form(std::int64_t a, std::int64_t b, int p) {
  mpz_class total = 0;
  if (b >= 1) total += faulhaber(big(b), p) - (a >= 1 ? faulhaber(big(a) - 1, p) : mpz_class(0));
  if (a <= -1) {
    // i = -m, m from max(1, -b) to -a
    mpz_class const hi = -big(a);
    mpz_class const lo = b <= -1 ? -big(b) : mpz_class(1);
    mpz_class const s = faulhaber(hi, p) - faulhaber(lo - 1, p);
    total += (p % 2 == 1) ? mpz_class(-s) : s;
  }
  if (p == 0 && a <= 0 && b >= 0) total += 1;  // 0^0 = 1
  return total;
}

std::string run(std::int64_t a, std::int64_t b, int p) {
  SumWorkload const w{a, b, p};
  Int256 acc;
  w.process({0, w.items()}, acc);
  return acc.to_string();
}

TEST(Int256, DecimalMatchesGmp) {
  EXPECT_EQ(Int256{}.to_string(), "0");
  EXPECT_EQ(Int256(-1).to_string(), "-1");
  EXPECT_EQ(Int256(kMin).to_string(), "-9223372036854775808");
  Int256 const big_value = Int256::from_limbs(~0ULL, ~0ULL, ~0ULL, 0x7fffffffffffffffULL);
  mpz_class const expect = (mpz_class(1) << 255) - 1;
  EXPECT_EQ(big_value.to_string(), expect.get_str());
  EXPECT_EQ((-big_value).to_string(), mpz_class(-expect).get_str());
  EXPECT_EQ(Int256::from_limbs(0, 1).to_string(), "18446744073709551616");
  EXPECT_EQ(Int256::from_limbs(10'000'000'000'000'000'000ULL).to_string(), "10000000000000000000");
}

TEST(SumWorkload, MatchesClosedFormOnSmallRanges) {
  for (int p = 0; p <= 3; ++p) {
    for (std::int64_t a = -40; a <= 40; a += 3) {
      for (std::int64_t b = a; b <= 45; b += 4) {
        ASSERT_EQ(run(a, b, p), closed_form(a, b, p).get_str()) << a << ".." << b << " p=" << p;
      }
    }
  }
}

TEST(SumWorkload, ExactAtTheExtremesOfInt64) {
  struct Case {
    std::int64_t a, b;
  };
  for (Case c : {Case{kMax - 100000, kMax}, Case{kMin, kMin + 100000}, Case{kMin, kMin},
                 Case{kMax, kMax}, Case{-50000, 50000}}) {
    for (int p = 0; p <= 3; ++p) {
      EXPECT_EQ(run(c.a, c.b, p), closed_form(c.a, c.b, p).get_str())
          << c.a << ".." << c.b << " p=" << p;
    }
  }
}

TEST(SumWorkload, ChunksCombineToTheWhole) {
  SumWorkload const w{kMax - 999, kMax, 3};
  Int256 whole, parts;
  w.process({0, 1000}, whole);
  for (std::uint64_t at = 0; at < 1000; at += 37) {
    Int256 part;
    w.process({at, std::min<std::uint64_t>(at + 37, 1000)}, part);
    SumWorkload::combine(parts, part);
  }
  EXPECT_EQ(whole, parts);
  EXPECT_EQ(whole.to_string(), closed_form(kMax - 999, kMax, 3).get_str());
}

}  // namespace
}  // namespace parfold
