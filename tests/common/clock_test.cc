// The clocks: ISO 8601 instants, ShiftedClock and SILVERWORK_NOW.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "common/clock.h"
#include "common/date.h"

namespace silverwork {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point Utc(int year, unsigned month, unsigned day, int hour, int minute,
                             int second = 0) {
  return system_clock::time_point(Date::FromYmd(year, month, day).sys_days()) + hours(hour) +
         minutes(minute) + seconds(second);
}

// Sends log lines to a string while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string Text() const { return text_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream text_;
};

TEST(ParseIsoInstant, ReadsTheZoneAndTheFraction) {
  struct Case {
    const char* text;
    system_clock::time_point expected;
  };
  const Case cases[] = {
      {"2025-07-01T00:00:00Z", Utc(2025, 7, 1, 0, 0)},
      {"2025-07-01T09:00:00+09:00", Utc(2025, 7, 1, 0, 0)},
      {"2025-07-01T09:00+0900", Utc(2025, 7, 1, 0, 0)},
      {"2025-07-01T09:00:00+09", Utc(2025, 7, 1, 0, 0)},
      {"2025-06-30T20:30:00-03:30", Utc(2025, 7, 1, 0, 0)},
      {"2024-02-29T23:59:59Z", Utc(2024, 2, 29, 23, 59, 59)},
      {"2025-07-01T00:00:00.250Z", Utc(2025, 7, 1, 0, 0) + milliseconds(250)},
      {"2025-07-01T00:00:00.000000001Z", Utc(2025, 7, 1, 0, 0) + std::chrono::nanoseconds(1)},
  };
  for (const auto& test_case : cases) {
    auto parsed = ParseIsoInstant(test_case.text);
    ASSERT_TRUE(parsed.ok()) << test_case.text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, test_case.expected) << test_case.text;
  }
}

TEST(ParseIsoInstant, SaysWhichPartIsWrong) {
  struct Case {
    const char* text;
    const char* why;
  };
  const Case cases[] = {
      {"2025-07-01", "no time of day"},
      {"2025-07-01T09:00:00", "no time zone"},
      {"2025-07-01 09:00:00Z", "not separated by 'T'"},
      {"2025-02-30T09:00:00Z", "no such day"},
      {"20250701T090000Z", "does not start with a day"},
      {"2025-07-01T24:00:00Z", "not HH:MM"},
      {"2025-07-01T09:60Z", "not HH:MM"},
      {"2025-07-01T09:00:00.Z", "not HH:MM"},
      {"2025-07-01T09:00:00KST", "'KST' is not a zone"},
      {"2025-07-01T09:00:00+9", "'+9' is not a zone"},
      {"2025-07-01T09:00:00+09:00 ", "not a zone"},
      {"", "does not start with a day"},
  };
  for (const auto& test_case : cases) {
    auto parsed = ParseIsoInstant(test_case.text);
    ASSERT_FALSE(parsed.ok()) << test_case.text;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidInput);
    EXPECT_NE(parsed.status().message().find(test_case.why), std::string::npos)
        << test_case.text << ": " << parsed.status().message();
    EXPECT_NE(parsed.status().hint().find("2025-07-01T09:00:00+09:00"), std::string::npos);
  }
}

TEST(ShiftedClock, StartsAtItsInstantAndAdvancesWithItsBase) {
  FakeClock base(Utc(2030, 1, 1, 0, 0));
  base.Advance(hours(5));  // the base's history before the shift does not matter
  const auto start = Utc(2025, 6, 30, 14, 59, 58);
  ShiftedClock clock(start, base);
  EXPECT_EQ(clock.Now(), start);
  base.Advance(milliseconds(1500));
  EXPECT_EQ(clock.Now(), start + milliseconds(1500));
  clock.SleepFor(seconds(1));  // sleeping is the base's: here it advances the fake
  EXPECT_EQ(base.Elapsed(), hours(5) + milliseconds(2500));
  EXPECT_EQ(clock.Now(), start + milliseconds(2500));
  EXPECT_EQ(Date::KoreaDay(clock.Now()).Iso(), "2025-07-01");  // past 00:00 KST
  EXPECT_EQ(clock.Monotonic(), base.Monotonic());
}

TEST(ProcessClock, UnsetIsTheBaseClockAndLogsNothing) {
  FakeClock base(Utc(2025, 7, 1, 0, 0));
  for (const char* unset : {static_cast<const char*>(nullptr), ""}) {
    CapturedLog log;
    auto process = ProcessClock::FromSetting(unset, base);
    ASSERT_TRUE(process.ok()) << process.status().ToString();
    EXPECT_FALSE(process->shifted());
    EXPECT_EQ(&process->clock(), &base);
    EXPECT_EQ(log.Text(), "");
  }
}

TEST(ProcessClock, SilverworkNowStartsTheClockThereWithAWarning) {
  FakeClock base(Utc(2030, 1, 1, 0, 0));
  CapturedLog log;
  auto process = ProcessClock::FromSetting("2025-06-30T23:59:59+09:00", base);
  ASSERT_TRUE(process.ok()) << process.status().ToString();
  EXPECT_TRUE(process->shifted());
  Clock& clock = process->clock();
  EXPECT_EQ(clock.Now(), Utc(2025, 6, 30, 14, 59, 59));
  EXPECT_EQ(Date::KoreaDay(clock.Now()).Iso(), "2025-06-30");
  base.Advance(seconds(1));
  EXPECT_EQ(Date::KoreaDay(clock.Now()).Iso(), "2025-07-01");
  std::string warning = log.Text();
  EXPECT_TRUE(warning.starts_with("warning SILVERWORK_NOW is set")) << warning;
  EXPECT_NE(warning.find("2025-06-30T14:59:59Z"), std::string::npos) << warning;
  EXPECT_NE(warning.find("2025-06-30T23:59:59+09:00"), std::string::npos) << warning;
}

TEST(ProcessClock, AMalformedSettingIsAnErrorNamingTheVariable) {
  FakeClock base(Utc(2030, 1, 1, 0, 0));
  CapturedLog log;
  auto process = ProcessClock::FromSetting("yesterday", base);
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(process.status().message().starts_with("SILVERWORK_NOW: 'yesterday'"))
      << process.status().message();
  EXPECT_NE(process.status().hint().find("unset SILVERWORK_NOW"), std::string::npos);
  EXPECT_EQ(log.Text(), "") << "no warning about a clock that was not set";
}

}  // namespace
}  // namespace silverwork
