// modules.datetime and run_started_at: Python's meaning, rendered as dbt
// renders them, on the invocation's (here a fake) clock.
#include "transform/template/datetime_module.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/clock.h"
#include "transform/compile/dbt_context.h"
#include "transform/template/operations.h"
#include "transform/template/template.h"

namespace silverwork::transform {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// 2024-03-17 (a Sunday) 10:20:30.123456 UTC.
std::chrono::system_clock::time_point TheStart() {
  return std::chrono::sys_days(std::chrono::year(2024) / 3 / 17) + 10h + 20min + 30s +
         123456us;
}

class ContextEnvironment final : public TemplateEnvironment {
 public:
  explicit ContextEnvironment(Clock& clock)
      : context_(DbtContextValues{.target_type = "sqlite",
                                  .run_started_at = clock.Now(),
                                  .clock = &clock},
                 nullptr) {}
  Result<std::optional<TemplateValue>> LookUp(std::string_view name,
                                              std::string_view package) override {
    return context_.LookUp(name, package);
  }

 private:
  DbtContext context_;
};

class DatetimeModuleTest : public ::testing::Test {
 protected:
  Result<std::string> Render(const std::string& source) {
    ContextEnvironment environment(clock_);
    SW_ASSIGN_OR_RETURN(Template parsed, Template::Parse("models/x.sql", source));
    return parsed.Render(environment);
  }
  std::string Rendered(const std::string& source) {
    auto rendered = Render(source);
    EXPECT_TRUE(rendered.ok()) << source << ": " << rendered.status().ToString();
    return rendered.ok() ? *rendered : "";
  }
  std::string Error(const std::string& source) {
    auto rendered = Render(source);
    EXPECT_FALSE(rendered.ok()) << source << " rendered " << *rendered;
    return rendered.ok() ? "" : rendered.status().message();
  }

  FakeClock clock_{TheStart()};
};

TEST_F(DatetimeModuleTest, NowAndTodayReadTheClockInUtc) {
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.now() }}"), "2024-03-17 10:20:30.123456");
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.utcnow().isoformat() }}"),
            "2024-03-17T10:20:30.123456");
  EXPECT_EQ(Rendered("{{ modules.datetime.date.today() }}"), "2024-03-17");
  clock_.Advance(14h);
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.now().strftime('%Y%m%d %H:%M:%S') }}"),
            "20240318 00:20:30");
  EXPECT_EQ(Rendered("{{ modules.datetime.date.today().isoformat() }}"), "2024-03-18");
}

TEST_F(DatetimeModuleTest, RunStartedAtIsAnAwareDatetimeOfTheStart) {
  EXPECT_EQ(Rendered("{{ run_started_at }}"), "2024-03-17 10:20:30.123456+00:00");
  EXPECT_EQ(Rendered("{{ run_started_at.strftime('%Y-%m-%dT%H:%M:%S%z') }}"),
            "2024-03-17T10:20:30+0000");
  EXPECT_EQ(Rendered("{{ run_started_at.tzinfo }} {{ run_started_at.year }}"), "UTC 2024");
}

TEST_F(DatetimeModuleTest, StrftimeDirectives) {
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.now().strftime("
                     "'%a %A %b %B %j %w %u %y %I %p %f %%') }}"),
            "Sun Sunday Mar March 077 0 7 24 10 AM 123456 %");
  EXPECT_EQ(Rendered("{{ modules.datetime.date(2024, 3, 17).weekday() }} "
                     "{{ modules.datetime.date(2024, 3, 17).isoweekday() }}"),
            "6 7");
  EXPECT_THAT(Error("{{ modules.datetime.date.today().strftime('%Q') }}"),
              HasSubstr("strftime: unsupported directive '%Q'"));
}

TEST_F(DatetimeModuleTest, TimedeltasAddAndSubtractAsInPython) {
  EXPECT_EQ(Rendered("{{ (modules.datetime.date.today() - modules.datetime.timedelta(days=17))"
                     ".isoformat() }}"),
            "2024-02-29");
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.now() + modules.datetime.timedelta(hours=14) }}"),
            "2024-03-18 00:20:30.123456");
  EXPECT_EQ(Rendered("{{ modules.datetime.timedelta(days=1, hours=2, seconds=3) }}"),
            "1 day, 2:00:03");
  EXPECT_EQ(Rendered("{{ modules.datetime.timedelta(hours=-1) }}"), "-1 day, 23:00:00");
  EXPECT_EQ(Rendered("{{ modules.datetime.timedelta(weeks=2) * 2 }}"), "28 days, 0:00:00");
  EXPECT_EQ(Rendered("{% set d = modules.datetime.date(2024, 12, 25) - modules.datetime.date(2024, 1, 1) %}"
                     "{{ d.days }} {{ modules.datetime.timedelta(minutes=1.5).total_seconds() }}"),
            "359 90.0");
  EXPECT_EQ(Rendered("{{ (modules.datetime.datetime(2024, 3, 17, 12) - "
                     "modules.datetime.datetime(2024, 3, 17, 10, 30)).seconds }}"),
            "5400");
  EXPECT_THAT(Error("{{ run_started_at - modules.datetime.datetime.now() }}"),
              HasSubstr("can't subtract offset-naive and offset-aware datetimes"));
  EXPECT_THAT(Error("{{ modules.datetime.date.today() + 1 }}"),
              HasSubstr("unsupported operand types for +"));
}

TEST_F(DatetimeModuleTest, ValuesCompareAndEqualByValue) {
  EXPECT_EQ(Rendered("{{ modules.datetime.date(2024, 3, 1) < modules.datetime.date.today() }} "
                     "{{ modules.datetime.datetime(2024, 3, 17) == "
                     "modules.datetime.datetime.strptime('2024-03-17', '%Y-%m-%d') }} "
                     "{{ modules.datetime.timedelta(minutes=60) == modules.datetime.timedelta(hours=1) }}"),
            "True True True");
}

TEST_F(DatetimeModuleTest, StrptimeReadsTheFormatAndRejectsWhatIsNoDay) {
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.strptime('20240229', '%Y%m%d') }}"),
            "2024-02-29 00:00:00");
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.strptime('2024-03-17T10:20:30.5Z', "
                     "'%Y-%m-%dT%H:%M:%S.%f%z') }}"),
            "2024-03-17 10:20:30.500000+00:00");
  EXPECT_THAT(Error("{{ modules.datetime.datetime.strptime('20230229', '%Y%m%d') }}"),
              HasSubstr("time data '20230229' names no real time"));
  EXPECT_THAT(Error("{{ modules.datetime.datetime.strptime('2024/03/17', '%Y-%m-%d') }}"),
              HasSubstr("time data '2024/03/17' does not match format '%Y-%m-%d'"));
  EXPECT_THAT(Error("{{ modules.datetime.datetime.strptime('2024-03-17x', '%Y-%m-%d') }}"),
              HasSubstr("unconverted data remains: x"));
}

TEST_F(DatetimeModuleTest, TimezonesGiveAnotherZonesWallTime) {
  EXPECT_EQ(Rendered("{% set kst = modules.datetime.timezone(modules.datetime.timedelta(hours=9)) %}"
                     "{{ modules.datetime.datetime.now(kst).isoformat() }} "
                     "{{ modules.datetime.datetime.now(kst).strftime('%Z %z') }} "
                     "{{ run_started_at.astimezone(kst).date() }}"),
            "2024-03-17T19:20:30.123456+09:00 UTC+09:00 +0900 2024-03-17");
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime.now(modules.datetime.timezone.utc) == "
                     "run_started_at }}"),
            "True");
  EXPECT_EQ(Rendered("{{ modules.datetime.datetime(2024, 3, 17).replace(day=1, hour=5) }}"),
            "2024-03-01 05:00:00");
}

TEST_F(DatetimeModuleTest, OtherModulesAreUndefined) {
  EXPECT_THAT(Error("{{ modules.pytz.utc }}"), HasSubstr("pytz"));
  EXPECT_THAT(Error("{{ modules.datetime.datetime(2024, 2, 30) }}"), HasSubstr("is not a day"));
}

// Every class and class function DatetimeModuleNames() names is on the module.
TEST(DatetimeModuleNamesTest, EveryClassLevelNameIsOnTheModule) {
  const TemplateValue module = MakeDatetimeModule([] { return TheStart(); });
  const TemplateValue today = MakeUtcDatetime(TheStart());
  for (std::string_view name : DatetimeModuleNames()) {
    const size_t dot = name.find('.');
    auto owner = GetAttribute(module, name.substr(0, dot));
    ASSERT_TRUE(owner.ok() && !owner->is_undefined()) << name;
    if (dot == std::string_view::npos) continue;
    const std::string_view member = name.substr(dot + 1);
    auto found = GetAttribute(*owner, member);
    if (found.ok() && !found->is_undefined()) continue;
    // An attribute or method of the values: on a value of that class.
    TemplateValue value = today;
    if (name.starts_with("date.")) value = *GetAttribute(today, "date")->as_object().Call({});
    if (name.starts_with("timedelta.")) value = *BinaryOperation("-", today, today);
    auto of_value = GetAttribute(value, member);
    EXPECT_TRUE(of_value.ok() && !of_value->is_undefined()) << name;
  }
}

}  // namespace
}  // namespace silverwork::transform
