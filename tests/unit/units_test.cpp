#include <gtest/gtest.h>

#include "cli/numbers.hpp"
#include "parfold/observe/units.hpp"

namespace parfold {
namespace {

TEST(Si, ThreeSignificantDigitsAndAPrefix) {
  EXPECT_EQ(si(0), "0");
  EXPECT_EQ(si(523), "523");
  EXPECT_EQ(si(999.4), "999");
  // Values that round to 1000 move up a prefix instead of printing "1e+03" or "1000".
  EXPECT_EQ(si(999.7), "1.00 k");
  EXPECT_EQ(si(999'700'000), "1.00 G");
  EXPECT_EQ(si(1234), "1.23 k");
  EXPECT_EQ(si(12'345), "12.3 k");
  EXPECT_EQ(si(123'456), "123 k");
  EXPECT_EQ(si(20.2e6), "20.2 M");
}

TEST(Counts, ThousandsSeparatorsAndPlurals) {
  EXPECT_EQ(group_digits(std::uint64_t{0}), "0");
  EXPECT_EQ(group_digits(std::uint64_t{999}), "999");
  EXPECT_EQ(group_digits(std::uint64_t{1000}), "1,000");
  EXPECT_EQ(group_digits(std::string("-1234567")), "-1,234,567");
  EXPECT_EQ(group_digits(UINT64_MAX), "18,446,744,073,709,551,615");
  EXPECT_EQ(count_of(1, "chunk"), "1 chunk");
  EXPECT_EQ(count_of(0, "rank"), "0 ranks");
  EXPECT_EQ(count_of(4000, "item"), "4,000 items");
}

TEST(Durations, ParsedWithUnitsAndZeroAllowed) {
  EXPECT_EQ(parse_duration("90"), 90.0);
  EXPECT_EQ(parse_duration("1h30m"), 5400.0);
  EXPECT_EQ(parse_duration("1.5m"), 90.0);
  EXPECT_EQ(parse_duration("0"), 0.0);  // the option says "must be positive"
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_EQ(duration_text(12.34), "12.3 s");
  EXPECT_EQ(duration_text(245), "4m05s");
  EXPECT_EQ(duration_text(7800), "2h10m");
}

}  // namespace
}  // namespace parfold
