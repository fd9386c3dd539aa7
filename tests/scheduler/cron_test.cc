// Cron expressions: parsing and its errors, Vixie's day rule, next and
// previous fire times against a minute-by-minute oracle, in UTC, in Seoul
// and across New York's daylight saving changes.
#include "scheduler/cron.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "scheduler_test_util.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

CronSchedule Cron(const std::string& text) {
  auto parsed = CronSchedule::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : CronSchedule();
}

std::string Next(const std::string& cron, const std::string& after, const std::string& zone) {
  auto next = Cron(cron).NextAfter(Utc(after), *Zone(zone));
  return next ? Text(*next) : "never";
}

std::string Previous(const std::string& cron, const std::string& before, const std::string& zone) {
  auto previous = Cron(cron).PreviousBefore(Utc(before), *Zone(zone));
  return previous ? Text(*previous) : "never";
}

TEST(CronTest, DailyAtMidnightUtc) {
  EXPECT_EQ(Next("0 0 * * *", "2026-11-25T00:00:00Z", "UTC"), "2026-11-26T00:00:00Z");
  EXPECT_EQ(Next("0 0 * * *", "2026-11-25T23:59:59Z", "UTC"), "2026-11-26T00:00:00Z");
  EXPECT_EQ(Previous("0 0 * * *", "2026-11-26T00:00:00Z", "UTC"), "2026-11-25T00:00:00Z");
  EXPECT_EQ(Previous("0 0 * * *", "2026-11-26T00:00:01Z", "UTC"), "2026-11-26T00:00:00Z");
  auto latest = Cron("0 0 * * *").LatestAtOrBefore(Utc("2026-11-26T00:00:00Z"), *Zone("UTC"));
  ASSERT_TRUE(latest);
  EXPECT_EQ(Text(*latest), "2026-11-26T00:00:00Z");
}

TEST(CronTest, LocalTimesInSeoul) {
  // 09:00 KST is 00:00 UTC.
  EXPECT_EQ(Next("0 9 * * *", "2026-11-25T00:00:00Z", "Asia/Seoul"), "2026-11-26T00:00:00Z");
  EXPECT_EQ(Next("0 0 * * *", "2026-11-25T00:00:00Z", "Asia/Seoul"), "2026-11-25T15:00:00Z");
  EXPECT_EQ(Next("0 0 1 * *", "2026-11-25T00:00:00Z", "Asia/Seoul"), "2026-11-30T15:00:00Z");
}

TEST(CronTest, ListsRangesStepsAndNames) {
  EXPECT_EQ(Next("*/15 * * * *", "2026-11-25T10:07:00Z", "UTC"), "2026-11-25T10:15:00Z");
  EXPECT_EQ(Next("0 9-17/4 * * *", "2026-11-25T13:00:00Z", "UTC"), "2026-11-25T17:00:00Z");
  EXPECT_EQ(Next("30 10 * * mon-fri", "2026-11-27T11:00:00Z", "UTC"), "2026-11-30T10:30:00Z");
  EXPECT_EQ(Next("0 0 1 JAN,jul *", "2026-02-01T00:00:00Z", "UTC"), "2026-07-01T00:00:00Z");
  EXPECT_EQ(Next("0 0 * * 7", "2026-11-25T00:00:00Z", "UTC"), "2026-11-29T00:00:00Z");  // Sunday
  EXPECT_EQ(Next("5/20 * * * *", "2026-11-25T10:26:00Z", "UTC"), "2026-11-25T10:45:00Z");
  EXPECT_EQ(Next("0 0 29 2 *", "2026-03-01T00:00:00Z", "UTC"), "2028-02-29T00:00:00Z");
}

TEST(CronTest, AliasesExpandToTheirFields) {
  EXPECT_EQ(Next("@hourly", "2026-11-25T10:07:00Z", "UTC"), "2026-11-25T11:00:00Z");
  EXPECT_EQ(Next("@daily", "2026-11-25T10:07:00Z", "UTC"), "2026-11-26T00:00:00Z");
  EXPECT_EQ(Next("@weekly", "2026-11-25T10:07:00Z", "UTC"), "2026-11-29T00:00:00Z");
  EXPECT_EQ(Next("@monthly", "2026-11-25T10:07:00Z", "UTC"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(Next("@yearly", "2026-11-25T10:07:00Z", "UTC"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(Cron("@daily").expression(), "@daily");
}

TEST(CronTest, VixieDayOfMonthOrDayOfWeek) {
  // Both restricted: the 13th OR a Friday. 2026-11-06 is a Friday.
  EXPECT_EQ(Next("0 0 13 * 5", "2026-11-01T00:00:00Z", "UTC"), "2026-11-06T00:00:00Z");
  EXPECT_EQ(Next("0 0 13 * 5", "2026-11-06T00:00:00Z", "UTC"), "2026-11-13T00:00:00Z");
  // One starts with '*': the other alone decides (AND with "every day").
  EXPECT_EQ(Next("0 0 13 * *", "2026-11-01T00:00:00Z", "UTC"), "2026-11-13T00:00:00Z");
  // (the well-known quirk: "*/10" starts with a star, so Fridays that are the 1st, 11th, ...)
  EXPECT_EQ(Next("0 0 */10 * 5", "2026-11-01T00:00:00Z", "UTC"), "2026-12-11T00:00:00Z");
  EXPECT_EQ(Next("0 0 * * 5", "2026-11-01T00:00:00Z", "UTC"), "2026-11-06T00:00:00Z");
}

TEST(CronTest, ErrorsNameTheFieldAndWhatItAllows) {
  struct Case {
    const char* cron;
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {"0 25 * * *", "hour field: '25' is out of range"},
           {"60 * * * *", "minute field"},
           {"0 0 32 * *", "day-of-month field"},
           {"0 0 * 13 *", "month field"},
           {"0 0 * * 8", "day-of-week field"},
           {"0 0 * * fri-mon", "runs backwards"},
           {"*/0 * * * *", "step of 0"},
           {"0 0 * *", "has 4 fields, not 5"},
           {"0 0 * * * *", "has 6 fields"},
           {"0 0 ? * *", "is not a number"},
           {"0 0 1,,2 * *", "empty list element"},
           {"@reboot", "unknown alias"},
           {"0 0 30 2 *", "never fires"},
           {"0 0 31 4,6,9,11 *", "never fires"},
       }) {
    auto parsed = CronSchedule::Parse(c.cron);
    ASSERT_FALSE(parsed.ok()) << c.cron;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.status().message().find(c.says), std::string::npos)
        << c.cron << " -> " << parsed.status().message();
    EXPECT_FALSE(parsed.status().hint().empty()) << c.cron;
  }
  EXPECT_NE(CronSchedule::Parse("0 25 * * *").status().hint().find("0-23"), std::string::npos);
}

// Every fire time in [from, to) by scanning minutes: a wildcard schedule
// fires at each instant whose local time matches; a fixed-time schedule once
// per matching local time (gap -> when it ends, overlap -> first occurrence).
std::vector<std::string> Oracle(const CronSchedule& cron, const TimeZone& zone, SysSeconds from,
                                SysSeconds to) {
  std::set<SysSeconds> fires;
  if (!cron.fixed_time()) {
    for (SysSeconds t = from; t < to; t += minutes(1))
      if (cron.Matches(zone.ToLocal(t))) fires.insert(t);
  } else {
    const LocalSeconds first = zone.ToLocal(from) - std::chrono::hours(3);
    const LocalSeconds last = zone.ToLocal(to) + std::chrono::hours(3);
    for (LocalSeconds local = first; local < last; local += minutes(1)) {
      if (!cron.Matches(local)) continue;
      const LocalResolution resolved = zone.Resolve(local);
      const SysSeconds fire =
          resolved.kind == LocalResolution::Kind::kGap ? resolved.gap_end : resolved.instant;
      if (fire >= from && fire < to) fires.insert(fire);
    }
  }
  std::vector<std::string> out;
  for (SysSeconds fire : fires) out.push_back(Text(fire));
  return out;
}

std::vector<std::string> ForwardWalk(const CronSchedule& cron, const TimeZone& zone,
                                     SysSeconds from, SysSeconds to) {
  std::vector<std::string> out;
  auto next = cron.NextAfter(from - seconds(1), zone);
  while (next && *next < to) {
    out.push_back(Text(*next));
    next = cron.NextAfter(*next, zone);
  }
  return out;
}

std::vector<std::string> BackwardWalk(const CronSchedule& cron, const TimeZone& zone,
                                      SysSeconds from, SysSeconds to) {
  std::vector<std::string> out;
  auto previous = cron.PreviousBefore(to, zone);
  while (previous && *previous >= from) {
    out.insert(out.begin(), Text(*previous));
    previous = cron.PreviousBefore(*previous, zone);
  }
  return out;
}

struct OracleCase {
  const char* zone;
  const char* from;
  const char* to;
};

TEST(CronTest, NextAndPreviousAgreeWithAMinuteByMinuteOracle) {
  const std::vector<const char*> expressions{
      "0 0 * * *",   "30 2 * * *",  "0 1 * * *",    "15 1 * * *",  "59 1 * * *",
      "0 3 * * *",   "0 * * * *",   "*/30 * * * *", "0 2 * * 0",   "45 * * * *",
      "0 9 * * 1-5", "0 */6 * * *", "0 0 13 * 5",   "30 1,2 * * *"};
  const std::vector<OracleCase> windows{
      {"UTC", "2026-02-27T00:00:00Z", "2026-03-02T00:00:00Z"},
      {"Asia/Seoul", "2026-11-29T00:00:00Z", "2026-12-02T00:00:00Z"},
      {"America/New_York", "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z"},
      {"America/New_York", "2026-10-31T00:00:00Z", "2026-11-03T00:00:00Z"},
      {"Europe/Berlin", "2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"},
      {"Europe/Berlin", "2026-10-24T00:00:00Z", "2026-10-27T00:00:00Z"},
      {"America/New_York", "2100-03-13T00:00:00Z", "2100-03-16T00:00:00Z"},
  };
  for (const OracleCase& window : windows) {
    auto zone = Zone(window.zone);
    const SysSeconds from = Utc(window.from), to = Utc(window.to);
    for (const char* expression : expressions) {
      const CronSchedule cron = Cron(expression);
      const auto expected = Oracle(cron, *zone, from, to);
      EXPECT_EQ(ForwardWalk(cron, *zone, from, to), expected)
          << expression << " in " << window.zone << " from " << window.from;
      EXPECT_EQ(BackwardWalk(cron, *zone, from, to), expected)
          << expression << " in " << window.zone << " from " << window.from;
    }
  }
}

TEST(CronTest, DaylightSavingRulesSpelledOut) {
  // Spring forward: 02:30 does not exist; a fixed-time job runs at 03:00 EDT.
  EXPECT_EQ(Next("30 2 * * *", "2026-03-08T00:00:00Z", "America/New_York"), "2026-03-08T07:00:00Z");
  // ... and the wildcard */30 skips 02:00 and 02:30.
  EXPECT_EQ(Next("*/30 * * * *", "2026-03-08T06:30:00Z", "America/New_York"),
            "2026-03-08T07:00:00Z");
  // Fall back: 01:30 happens twice; a fixed-time job runs at the first only.
  EXPECT_EQ(Next("30 1 * * *", "2026-11-01T00:00:00Z", "America/New_York"), "2026-11-01T05:30:00Z");
  EXPECT_EQ(Next("30 1 * * *", "2026-11-01T05:30:00Z", "America/New_York"), "2026-11-02T06:30:00Z");
  // ... while an hourly job stays hourly through the repeated hour.
  EXPECT_EQ(Next("0 * * * *", "2026-11-01T05:00:00Z", "America/New_York"), "2026-11-01T06:00:00Z");
  EXPECT_TRUE(Cron("30 2 * * *").fixed_time());
  EXPECT_FALSE(Cron("0 * * * *").fixed_time());
  EXPECT_FALSE(Cron("*/5 3 * * *").fixed_time());
}

TEST(CronTest, DescribesCommonShapes) {
  EXPECT_EQ(Cron("0 0 * * *").Describe(), "at 00:00 every day");
  EXPECT_EQ(Cron("0 10 * * *").Describe(), "at 10:00 every day");
  EXPECT_EQ(Cron("30 * * * *").Describe(), "every hour at minute 30");
  EXPECT_EQ(Cron("@hourly").Describe(), "every hour");
  EXPECT_EQ(Cron("0 */6 * * *").Describe(), "every 6 hours at minute 0");
  EXPECT_EQ(Cron("*/15 * * * *").Describe(), "every 15 minutes");
  EXPECT_EQ(Cron("0 9 * * 1,5").Describe(), "at 09:00 on Monday and Friday");
  EXPECT_EQ(Cron("0 0 1 * *").Describe(), "at 00:00 on day 1 of the month");
  EXPECT_EQ(Cron("0 0 1 1 *").Describe(), "at 00:00 on day 1 of the month in January");
  EXPECT_EQ(Cron("7,8 1-3 * * *").Describe(), "cron 7,8 1-3 * * *");
}

}  // namespace
}  // namespace silverwork::scheduler
