#include <gtest/gtest.h>

#include "pipeline/collection_window.h"
#include "pipeline_test_util.h"

namespace silverwork::testing {
namespace {

const Date kDay = Date::FromYmd(2025, 6, 30);

TEST(CollectionWindow, TodayTurnsAtKoreanMidnightNotUtcMidnight) {
  FakeClock clock(KoreaTime(kDay, 23, 59, 59));
  EXPECT_EQ(KoreaToday(clock), kDay);
  EXPECT_EQ(LastDays(clock, 3), (CollectionWindow{kDay.AddDays(-2), kDay}));
  clock.Advance(std::chrono::seconds(1));  // 00:00:00 KST, still 15:00 UTC the day before
  EXPECT_EQ(Date::KoreaDay(clock.Now()), kDay.AddDays(1));
  EXPECT_EQ(KoreaToday(clock), kDay.AddDays(1));
  EXPECT_EQ(LastDays(clock, 3), (CollectionWindow{kDay.AddDays(-1), kDay.AddDays(1)}));
  EXPECT_EQ(LastDays(clock, 1).days(), 1);
}

TEST(CollectionWindow, ResolvesEachFormOfTheFlags) {
  FakeClock clock(KoreaTime(kDay, 0, 30));  // 15:30 UTC on the 29th
  struct Case {
    WindowRequest request;
    CollectionWindow expected;
  };
  const Case cases[] = {
      {{}, {kDay, kDay}},  // the default: one day, today in Korea
      {{.date = "2025-06-01"}, {Date::FromYmd(2025, 6, 1), Date::FromYmd(2025, 6, 1)}},
      {{.date = "20250601"}, {Date::FromYmd(2025, 6, 1), Date::FromYmd(2025, 6, 1)}},
      {{.from = "2025-06-25"}, {Date::FromYmd(2025, 6, 25), kDay}},
      {{.from = "2025-06-01", .to = "2025-06-03"},
       {Date::FromYmd(2025, 6, 1), Date::FromYmd(2025, 6, 3)}},
      {{.days = 7}, {kDay.AddDays(-6), kDay}},
      {{.to = "2025-01-10", .days = 10}, {Date::FromYmd(2025, 1, 1), Date::FromYmd(2025, 1, 10)}},
      {{.to = "2025-01-10"}, {Date::FromYmd(2025, 1, 10), Date::FromYmd(2025, 1, 10)}},
  };
  for (const auto& test_case : cases) {
    auto window = ResolveWindow(test_case.request, clock, 1);
    ASSERT_TRUE(window.ok()) << window.status().ToString();
    EXPECT_EQ(*window, test_case.expected)
        << "date=" << test_case.request.date << " from=" << test_case.request.from
        << " to=" << test_case.request.to << " days=" << test_case.request.days;
  }
  auto thirty = ResolveWindow({}, clock, 30);
  ASSERT_TRUE(thirty.ok());
  EXPECT_EQ(thirty->days(), 30);
  EXPECT_EQ(thirty->to, kDay);
}

TEST(CollectionWindow, RejectsContradictionsAndBadDaysSayingWhatToGive) {
  FakeClock clock(KoreaTime(kDay, 12));
  struct Case {
    WindowRequest request;
    const char* message;
    const char* hint;
  };
  const Case cases[] = {
      {{.date = "2025-06-01", .from = "2025-06-01"}, "--date cannot be combined", "either --date"},
      {{.date = "2025-06-01", .days = 2}, "--date cannot be combined", "either --date"},
      {{.from = "2025-06-01", .days = 2}, "--from cannot be combined with --days", "either"},
      {{.from = "2025-06-05", .to = "2025-06-01"}, "--to 2025-06-01 is before --from 2025-06-05",
       "swap them"},
      {{.from = "2025-02-30"}, "'2025-02-30' is not a valid day", "month and day"},
      {{.date = "June 1"}, "'June 1' is not a date", "YYYY-MM-DD"},
  };
  for (const auto& test_case : cases) {
    auto window = ResolveWindow(test_case.request, clock, 1);
    ASSERT_FALSE(window.ok()) << test_case.message;
    EXPECT_EQ(window.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(window.status().message().find(test_case.message), std::string::npos)
        << window.status().message();
    EXPECT_NE(window.status().hint().find(test_case.hint), std::string::npos)
        << window.status().hint();
  }
  EXPECT_FALSE(WindowBetween(kDay, kDay.AddDays(-1)).ok());
  EXPECT_EQ(WindowBetween(kDay, kDay)->days(), 1);
}

}  // namespace
}  // namespace silverwork::testing
