#include <gtest/gtest.h>

#include <limits>

#include "cli/numbers.hpp"

namespace parfold {
namespace {

TEST(ParseCount, AcceptsIntegersNotationAndSuffixes) {
  EXPECT_EQ(parse_u64("0"), 0U);
  EXPECT_EQ(parse_u64("123"), 123U);
  EXPECT_EQ(parse_u64("+7"), 7U);
  EXPECT_EQ(parse_u64("1e10"), 10'000'000'000U);
  EXPECT_EQ(parse_u64("1E3"), 1000U);
  EXPECT_EQ(parse_u64("2.5e3"), 2500U);
  EXPECT_EQ(parse_u64("10G"), 10'000'000'000U);
  EXPECT_EQ(parse_u64("4k"), 4000U);
  EXPECT_EQ(parse_u64("3M"), 3'000'000U);
  EXPECT_EQ(parse_u64("1T"), 1'000'000'000'000U);
  EXPECT_EQ(parse_u64("1.5k"), 1500U);
  EXPECT_EQ(parse_u64("1_000_000"), 1'000'000U);
  EXPECT_EQ(parse_u64("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(parse_u64("1.8446744073709551615e19"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(parse_u64("120e-1"), 12U);
  EXPECT_EQ(parse_u64("0e999"), 0U);
  EXPECT_EQ(parse_u64("64Ki"), 65536U);
  EXPECT_EQ(parse_u64("4Mi"), 4U << 20);
  EXPECT_EQ(parse_u64("1.5Ki"), 1536U);
  EXPECT_EQ(parse_u64("16Ti"), std::uint64_t{16} << 40);
}

TEST(ParseCount, RejectsWithReason) {
  auto reason = [](char const* text) {
    try {
      (void)parse_u64(text);
    } catch (NumberError const& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(reason(""), "empty value");
  EXPECT_EQ(reason("-1"), "negative value");
  EXPECT_EQ(reason("1.5"), "not a whole number");
  EXPECT_EQ(reason("1e-1"), "not a whole number");
  EXPECT_EQ(reason("18446744073709551616"), "too large (at most 18446744073709551615)");
  EXPECT_EQ(reason("1e20"), "too large (at most 18446744073709551615)");
  EXPECT_EQ(reason("100000000000000000000000"), "too large (at most 18446744073709551615)");
  EXPECT_EQ(reason("abc"), "not a number");
  EXPECT_EQ(reason("1x"), "not a number");
  EXPECT_EQ(reason("k"), "not a number");
  EXPECT_EQ(reason("1e"), "malformed exponent");
  EXPECT_EQ(reason("1..2"), "not a number");
  EXPECT_EQ(reason("1_"), "not a number");
  EXPECT_EQ(reason(" 1"), "not a number");
  EXPECT_EQ(reason("4Xi"), "not a number");
  EXPECT_EQ(reason("0.1Ki"), "not a whole number");
  EXPECT_EQ(reason("16777216Ti"), "too large (at most 18446744073709551615)");
}

TEST(ParseSigned, Int64Range) {
  EXPECT_EQ(parse_i64("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_i64("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_i64("-1e12"), -1'000'000'000'000);
  EXPECT_EQ(parse_i64("-0"), 0);
  EXPECT_THROW((void)parse_i64("9223372036854775808"), NumberError);
  EXPECT_THROW((void)parse_i64("-9223372036854775809"), NumberError);
  EXPECT_THROW((void)parse_i64("-2.5"), NumberError);
}

}  // namespace
}  // namespace parfold
