// Time zones read from the system's TZif files and from POSIX rules: known
// instants (checked against `zdump -v`), gaps and overlaps, the footer rule
// past the end of the table, and clear errors.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "scheduler/posix_tz_rule.h"
#include "scheduler_test_util.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using Kind = LocalResolution::Kind;

TEST(TimeZoneTest, UtcIsTheIdentityAndNeedsNoFiles) {
  TimeZoneDatabase empty("/nonexistent/zoneinfo");
  auto utc = empty.Find("UTC");
  ASSERT_TRUE(utc.ok()) << utc.status().ToString();
  const SysSeconds instant = Utc("2026-11-25T01:02:03Z");
  EXPECT_EQ((*utc)->OffsetAt(instant), seconds(0));
  EXPECT_EQ((*utc)->ToUtc(Local("2026-11-25T01:02:03")), instant);
  EXPECT_EQ((*utc)->LocalDate(instant), Day("2026-11-25"));
}

TEST(TimeZoneTest, SeoulIsNineHoursAheadAndKeptDaylightSavingIn1987) {
  auto seoul = Zone("Asia/Seoul");
  EXPECT_EQ(seoul->OffsetAt(Utc("2026-11-25T00:00:00Z")), hours(9));
  EXPECT_EQ(seoul->LocalDate(Utc("2026-11-25T14:59:59Z")), Day("2026-11-25"));
  EXPECT_EQ(seoul->LocalDate(Utc("2026-11-25T15:00:00Z")), Day("2026-11-26"));
  EXPECT_EQ(Text(seoul->StartOfDay(Day("2026-11-26"))), "2026-11-25T15:00:00Z");
  // zdump: Sat May 9 17:00:00 1987 UT = Sun May 10 03:00:00 1987 KDT.
  EXPECT_EQ(seoul->OffsetAt(Utc("1987-05-09T16:59:59Z")), hours(9));
  EXPECT_EQ(seoul->OffsetAt(Utc("1987-05-09T17:00:00Z")), hours(10));
  EXPECT_EQ(seoul->OffsetAt(Utc("1987-10-10T17:00:00Z")), hours(9));
}

TEST(TimeZoneTest, NewYorkSpringsForwardAndFallsBack) {
  auto new_york = Zone("America/New_York");
  // zdump: Sun Mar 8 07:00:00 2026 UT = 03:00:00 EDT; Nov 1 06:00:00 UT = 01:00:00 EST.
  EXPECT_EQ(new_york->OffsetAt(Utc("2026-03-08T06:59:59Z")), hours(-5));
  EXPECT_EQ(new_york->OffsetAt(Utc("2026-03-08T07:00:00Z")), hours(-4));
  EXPECT_EQ(new_york->OffsetAt(Utc("2026-11-01T05:59:59Z")), hours(-4));
  EXPECT_EQ(new_york->OffsetAt(Utc("2026-11-01T06:00:00Z")), hours(-5));
  const OffsetSpan summer = new_york->SpanAt(Utc("2026-07-01T00:00:00Z"));
  EXPECT_EQ(Text(summer.begin), "2026-03-08T07:00:00Z");
  EXPECT_EQ(Text(summer.end), "2026-11-01T06:00:00Z");
  EXPECT_EQ(summer.utc_offset, hours(-4));
}

TEST(TimeZoneTest, ALocalTimeInAGapMovesForwardByTheGap) {
  auto new_york = Zone("America/New_York");
  const LocalResolution gap = new_york->Resolve(Local("2026-03-08T02:30:00"));
  EXPECT_EQ(gap.kind, Kind::kGap);
  EXPECT_EQ(Text(gap.instant), "2026-03-08T07:30:00Z");  // 03:30 EDT
  EXPECT_EQ(Text(gap.gap_end), "2026-03-08T07:00:00Z");  // 03:00 EDT
  EXPECT_EQ(Text(new_york->ToUtc(Local("2026-03-08T02:30:00"))), "2026-03-08T07:30:00Z");
  EXPECT_EQ(Text(new_york->ToUtc(Local("2026-03-08T01:59:00"))), "2026-03-08T06:59:00Z");
  EXPECT_EQ(Text(new_york->ToUtc(Local("2026-03-08T03:00:00"))), "2026-03-08T07:00:00Z");
}

TEST(TimeZoneTest, ALocalTimeInAnOverlapIsItsFirstOccurrence) {
  auto new_york = Zone("America/New_York");
  const LocalResolution overlap = new_york->Resolve(Local("2026-11-01T01:30:00"));
  EXPECT_EQ(overlap.kind, Kind::kOverlap);
  EXPECT_EQ(Text(overlap.instant), "2026-11-01T05:30:00Z");         // 01:30 EDT
  EXPECT_EQ(Text(overlap.second_instant), "2026-11-01T06:30:00Z");  // 01:30 EST
  EXPECT_EQ(Text(new_york->ToUtc(Local("2026-11-01T01:30:00"))), "2026-11-01T05:30:00Z");
  EXPECT_EQ(new_york->Resolve(Local("2026-11-01T02:00:00")).kind, Kind::kUnique);
  EXPECT_EQ(Text(new_york->ToUtc(Local("2026-11-01T02:00:00"))), "2026-11-01T07:00:00Z");
}

TEST(TimeZoneTest, BerlinChangesAtOneUtc) {
  auto berlin = Zone("Europe/Berlin");
  EXPECT_EQ(berlin->OffsetAt(Utc("2026-03-29T00:59:59Z")), hours(1));
  EXPECT_EQ(berlin->OffsetAt(Utc("2026-03-29T01:00:00Z")), hours(2));
  EXPECT_EQ(berlin->OffsetAt(Utc("2026-10-25T00:59:59Z")), hours(2));
  EXPECT_EQ(berlin->OffsetAt(Utc("2026-10-25T01:00:00Z")), hours(1));
  EXPECT_EQ(berlin->Resolve(Local("2026-03-29T02:15:00")).kind, Kind::kGap);
  EXPECT_EQ(berlin->Resolve(Local("2026-10-25T02:15:00")).kind, Kind::kOverlap);
}

TEST(TimeZoneTest, TheFooterRuleCarriesPastTheTable) {
  auto new_york = Zone("America/New_York");
  // zdump: Sun Mar 14 07:00:00 2100 UT = Sun Mar 14 03:00:00 2100 EDT.
  EXPECT_EQ(new_york->OffsetAt(Utc("2100-03-14T06:59:59Z")), hours(-5));
  EXPECT_EQ(new_york->OffsetAt(Utc("2100-03-14T07:00:00Z")), hours(-4));
  EXPECT_EQ(new_york->Resolve(Local("2100-03-14T02:30:00")).kind, Kind::kGap);
  const OffsetSpan span = new_york->SpanAt(Utc("2100-07-01T00:00:00Z"));
  EXPECT_EQ(Text(span.begin), "2100-03-14T07:00:00Z");
  EXPECT_EQ(Text(span.end), "2100-11-07T06:00:00Z");
  // Southern hemisphere: Sydney is on daylight time (+11) in January.
  auto sydney = Zone("Australia/Sydney");
  EXPECT_EQ(sydney->OffsetAt(Utc("2090-01-15T00:00:00Z")), hours(11));
  EXPECT_EQ(sydney->OffsetAt(Utc("2090-07-15T00:00:00Z")), hours(10));
}

TEST(TimeZoneTest, BadNamesAreClearErrors) {
  TimeZoneDatabase database;
  auto typo = database.Find("Asia/Seol");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(typo.status().message().find("Asia/Seol"), std::string::npos);
  EXPECT_NE(typo.status().hint().find("Asia/Seoul"), std::string::npos);
  for (const char* bad : {"../etc/passwd", "/etc/localtime", "", "Asia/Seoul\n", "Asia"}) {
    auto result = database.Find(bad);
    EXPECT_FALSE(result.ok()) << bad;
  }
  EXPECT_EQ(database.Find("../etc/passwd").status().code(), ErrorCode::kInvalidInput);
}

TEST(TimeZoneTest, WithoutTheDatabaseTheHintSaysToInstallTzdata) {
  TimeZoneDatabase missing("/nonexistent/zoneinfo");
  auto zone = missing.Find("Asia/Seoul");
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.status().hint().find("tzdata"), std::string::npos);
}

// Builds a version 1 TZif file: 32-bit times, no footer.
std::string TzifVersion1(const std::vector<std::pair<int32_t, uint8_t>>& transitions,
                         const std::vector<int32_t>& offsets) {
  std::string bytes = "TZif";
  bytes.push_back('\0');
  bytes.append(15, '\0');
  auto put32 = [&](uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(value >> shift));
  };
  for (uint32_t count : {0u, 0u, 0u, static_cast<uint32_t>(transitions.size()),
                         static_cast<uint32_t>(offsets.size()), 4u})
    put32(count);
  for (const auto& [at, type] : transitions) put32(static_cast<uint32_t>(at));
  for (const auto& [at, type] : transitions) bytes.push_back(static_cast<char>(type));
  for (int32_t offset : offsets) {
    put32(static_cast<uint32_t>(offset));
    bytes.push_back('\0');
    bytes.push_back('\0');
  }
  bytes.append("ABC\0", 4);
  return bytes;
}

TEST(TimeZoneTest, ReadsVersionOneFiles) {
  // +01:00 until 2001-09-09T01:46:40Z (1e9 s), then +02:00.
  auto zone = TimeZone::FromTzif("Test/One", TzifVersion1({{1000000000, 1}}, {3600, 7200}));
  ASSERT_TRUE(zone.ok()) << zone.status().ToString();
  EXPECT_EQ((*zone)->OffsetAt(Utc("2001-09-09T01:46:39Z")), hours(1));
  EXPECT_EQ((*zone)->OffsetAt(Utc("2001-09-09T01:46:40Z")), hours(2));
  EXPECT_EQ((*zone)->OffsetAt(Utc("2100-01-01T00:00:00Z")), hours(2));
}

TEST(TimeZoneTest, DamagedFilesAreCorruptNotCrashes) {
  std::string good = TzifVersion1({{1000000000, 1}}, {3600, 7200});
  for (size_t cut : {3u, 20u, 44u, 50u}) {
    auto zone = TimeZone::FromTzif("Test/Cut", good.substr(0, cut));
    ASSERT_FALSE(zone.ok()) << cut;
    EXPECT_EQ(zone.status().code(), ErrorCode::kCorrupt);
  }
  std::string bad_type = TzifVersion1({{1000000000, 5}}, {3600, 7200});
  EXPECT_EQ(TimeZone::FromTzif("Test/Type", bad_type).status().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(TimeZone::FromTzif("Test/Text", "not a zone file at all, just text here......")
                .status()
                .code(),
            ErrorCode::kCorrupt);
}

TEST(TimeZoneTest, EveryTruncationAndByteFlipOfARealFileIsHandled) {
  std::ifstream in(std::string(TimeZoneDatabase::kDefaultRoot) + "/America/New_York",
                   std::ios::binary);
  ASSERT_TRUE(in) << "tzdata is not installed (scripts/install-deps.sh installs it)";
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100u);
  auto exercise = [](const std::string& data) {
    auto zone = TimeZone::FromTzif("Test/Damaged", data);
    if (!zone.ok()) return;  // refused is fine; crashing or reading out of bounds is not
    (void)(*zone)->Resolve(Local("2026-03-08T02:30:00"));
    (void)(*zone)->SpanAt(Utc("2100-07-01T00:00:00Z"));
  };
  for (size_t cut = 0; cut < bytes.size(); ++cut) exercise(bytes.substr(0, cut));
  std::mt19937 random(20261125);
  for (int flip = 0; flip < 2000; ++flip) {
    std::string damaged = bytes;
    damaged[random() % damaged.size()] = static_cast<char>(random() & 0xff);
    exercise(damaged);
  }
  EXPECT_TRUE(TimeZone::FromTzif("Test/Whole", bytes).ok());
}

TEST(PosixTzRuleTest, FixedOffsetsWithNamesAndMinutes) {
  auto korea = PosixTzRule::Parse("KST-9");
  ASSERT_TRUE(korea.ok());
  EXPECT_EQ(korea->standard_offset(), hours(9));
  EXPECT_FALSE(korea->has_dst());
  auto nepal = PosixTzRule::Parse("<+0545>-5:45");
  ASSERT_TRUE(nepal.ok()) << nepal.status().ToString();
  EXPECT_EQ(nepal->standard_offset(), hours(5) + minutes(45));
}

TEST(PosixTzRuleTest, MonthWeekDayRules) {
  auto rule = PosixTzRule::Parse("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(rule.ok());
  auto changes = rule->ChangesInYear(2026);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(Text(changes[0].at), "2026-03-08T07:00:00Z");
  EXPECT_EQ(changes[0].utc_offset, hours(-4));
  EXPECT_EQ(Text(changes[1].at), "2026-11-01T06:00:00Z");
  EXPECT_EQ(changes[1].utc_offset, hours(-5));
}

TEST(PosixTzRuleTest, JulianDaysAndNegativeTimes) {
  // J60 is March 1 whether or not the year is a leap year; zero-based 59
  // counts February 29.
  auto julian = PosixTzRule::Parse("AAA0BBB,J60/0,J300/0");
  ASSERT_TRUE(julian.ok()) << julian.status().ToString();
  EXPECT_EQ(Text(julian->ChangesInYear(2028)[0].at), "2028-03-01T00:00:00Z");
  EXPECT_EQ(Text(julian->ChangesInYear(2027)[0].at), "2027-03-01T00:00:00Z");
  auto zero_based = PosixTzRule::Parse("AAA0BBB,59/0,J300/0");
  ASSERT_TRUE(zero_based.ok()) << zero_based.status().ToString();
  EXPECT_EQ(Text(zero_based->ChangesInYear(2028)[0].at), "2028-02-29T00:00:00Z");
  EXPECT_EQ(Text(zero_based->ChangesInYear(2027)[0].at), "2027-03-01T00:00:00Z");
  // Greenland (version 3): -02 from the last Sunday of March at -01:00 local.
  auto nuuk = PosixTzRule::Parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  ASSERT_TRUE(nuuk.ok()) << nuuk.status().ToString();
  EXPECT_EQ(Text(nuuk->ChangesInYear(2026)[0].at), "2026-03-29T01:00:00Z");
}

TEST(PosixTzRuleTest, DaylightSavingAllYear) {
  auto rule = PosixTzRule::Parse("EST5EDT,0/0,J365/25");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->OffsetAt(Utc("2026-01-01T05:00:00Z")), hours(-4));
  EXPECT_EQ(rule->OffsetAt(Utc("2026-07-01T00:00:00Z")), hours(-4));
  EXPECT_EQ(rule->OffsetAt(Utc("2026-12-31T23:00:00Z")), hours(-4));
}

TEST(PosixTzRuleTest, MalformedRulesAreRefused) {
  for (const char* bad : {"", "X5", "EST", "EST5EDT", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0",
                          "EST99", "<+05", "EST5EDT,M3.2.0,M11.1.0junk"}) {
    auto rule = PosixTzRule::Parse(bad);
    EXPECT_FALSE(rule.ok()) << bad;
  }
}

TEST(PosixTzRuleTest, AZoneFromARuleAloneConverts) {
  auto zone = TimeZone::FromPosixRule("Test/Berlin", "CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ((*zone)->OffsetAt(Utc("2026-03-29T01:00:00Z")), hours(2));
  EXPECT_EQ(Text((*zone)->ToUtc(Local("2026-10-25T02:30:00"))), "2026-10-25T00:30:00Z");
  EXPECT_EQ(FormatUtcOffset(hours(-4)), "-04:00");
  EXPECT_EQ(FormatUtcOffset(hours(5) + minutes(45)), "+05:45");
}

}  // namespace
}  // namespace silverwork::scheduler
