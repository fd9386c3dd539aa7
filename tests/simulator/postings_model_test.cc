// The synthetic postings model, without HTTP.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "simulator/postings.h"

namespace silverwork::simulator {
namespace {

constexpr uint64_t kSeed = 7;
const Date kFirstDay = Date::FromYmd(2023, 1, 1);
const Date kToday = Date::FromYmd(2024, 12, 31);

TEST(PostingsCalendarTest, DailyCountsFollowTheRateAndTheWeek) {
  PostingsCalendar calendar(kSeed, 112, kFirstDay, kToday);
  double days = static_cast<double>(kFirstDay.DaysUntil(kToday) + 1);
  EXPECT_NEAR(static_cast<double>(calendar.total()) / days, 112, 4);

  std::map<unsigned, int64_t> by_weekday;
  for (int64_t index = 0; index < calendar.total(); ++index) {
    Date day = calendar.SlotOf(index).day;
    ++by_weekday[std::chrono::weekday(day.sys_days()).c_encoding()];
  }
  EXPECT_LT(by_weekday[0] * 3, by_weekday[3]);  // Sunday vs Wednesday
  EXPECT_LT(by_weekday[6] * 2, by_weekday[3]);  // Saturday
}

TEST(PostingsCalendarTest, SlotsAndIndexesRoundTrip) {
  PostingsCalendar calendar(kSeed, 112, kFirstDay, kToday);
  for (int64_t index : {int64_t{0}, int64_t{1}, int64_t{5000}, calendar.total() - 1}) {
    auto slot = calendar.SlotOf(index);
    EXPECT_EQ(calendar.IndexOf(slot.day, slot.sequence), index);
  }
  EXPECT_EQ(calendar.SlotOf(0).day, kFirstDay);
  EXPECT_EQ(calendar.SlotOf(calendar.total() - 1).day, kToday);
  EXPECT_FALSE(calendar.IndexOf(kToday.AddDays(1), 0));
  EXPECT_FALSE(calendar.IndexOf(kFirstDay.AddDays(-1), 0));
  EXPECT_FALSE(calendar.IndexOf(kToday, 100000));
}

TEST(PostingsCalendarTest, LaterTodaysKeepEarlierIndexes) {
  PostingsCalendar shorter(kSeed, 112, kFirstDay, kToday);
  PostingsCalendar longer(kSeed, 112, kFirstDay, kToday.AddDays(40));
  EXPECT_GT(longer.total(), shorter.total());
  for (int64_t index : {int64_t{0}, int64_t{777}, shorter.total() - 1}) {
    EXPECT_EQ(shorter.SlotOf(index).day, longer.SlotOf(index).day);
  }
  PostingsCalendar before_start(kSeed, 112, kFirstDay, kFirstDay.AddDays(-1));
  EXPECT_EQ(before_start.total(), 0);
}

TEST(PostingsModelTest, JobIdsAreUniqueAndFindable) {
  PostingsModel model(kSeed, 112, kFirstDay);
  auto calendar = model.CalendarFor(kToday);
  std::set<std::string> ids;
  for (int64_t index = 0; index < 3000; ++index) {
    Posting posting = model.MakePosting(*calendar, index * 13 % calendar->total());
    EXPECT_EQ(posting.job_id.size(), 16u);
    EXPECT_EQ(model.FindJobId(*calendar, posting.job_id), posting.index) << posting.job_id;
    ids.insert(posting.job_id);
  }
  EXPECT_EQ(ids.size(), 3000u);
  EXPECT_FALSE(model.FindJobId(*calendar, "K15162301010"));
  EXPECT_FALSE(model.FindJobId(*calendar, "X151623010100001"));
}

TEST(PostingsModelTest, PostingsAreStableAndRealistic) {
  PostingsModel model(kSeed, 112, kFirstDay);
  auto calendar = model.CalendarFor(kToday);
  const int kSample = 8'000;
  int single_headcount = 0, empty_place = 0, classified = 0, other_employment = 0;
  for (int64_t index = 0; index < kSample; ++index) {
    Posting posting = model.MakePosting(*calendar, index);
    int64_t days_open = posting.start_day.DaysUntil(posting.end_day);
    ASSERT_GE(days_open, 7);
    ASSERT_LE(days_open, 30);
    ASSERT_LE(posting.filled_day, posting.end_day);
    ASSERT_EQ(posting.work_place_code.size(), 6u);
    ASSERT_TRUE(posting.address.size() > 6 && posting.address[5] == ' ') << posting.address;
    single_headcount += posting.headcount == "1";
    empty_place += posting.work_place_name.empty();
    classified += !posting.jobcls.empty();
    other_employment += posting.employment_code == "CM0105";
  }
  EXPECT_NEAR(single_headcount / double{kSample}, 0.75, 0.03);
  EXPECT_NEAR(empty_place / double{kSample}, 0.30, 0.03);
  EXPECT_NEAR(classified / double{kSample}, 0.05, 0.015);
  EXPECT_NEAR(other_employment / double{kSample}, 0.80, 0.03);

  PostingsModel again(kSeed, 112, kFirstDay);
  auto later = again.CalendarFor(kToday.AddDays(100));
  Posting first = model.MakePosting(*calendar, 1234);
  Posting second = again.MakePosting(*later, 1234);
  EXPECT_EQ(first.job_id, second.job_id);
  EXPECT_EQ(first.title, second.title);
  EXPECT_EQ(first.address, second.address);
  EXPECT_EQ(first.updated, second.updated);
}

// `day` at hh:mm in Korea (UTC+9), as an instant.
std::chrono::system_clock::time_point KoreaClock(Date day, int hour, int minute = 0) {
  return std::chrono::system_clock::time_point(day.sys_days()) + std::chrono::hours(hour - 9) +
         std::chrono::minutes(minute);
}

TEST(PostingsModelTest, PublishedOverTheDayPostingsAppearOneByOneByTheClock) {
  PostingsModel model(kSeed, 200, kFirstDay, {.publish_over_day = true});
  const int64_t whole_day = model.CalendarFor(kToday)->published_today();
  ASSERT_GT(whole_day, 100);
  const int64_t before_today = model.CalendarFor(kToday)->total() - whole_day;

  EXPECT_EQ(model.CalendarAt(kToday, KoreaClock(kToday, 7, 59))->total(), before_today);
  EXPECT_EQ(model.CalendarAt(kToday, KoreaClock(kToday, 20, 0))->published_today(), whole_day);
  EXPECT_EQ(model.CalendarAt(kToday, KoreaClock(kToday.AddDays(1), 3))->published_today(),
            whole_day);
  EXPECT_EQ(model.CalendarAt(kToday, KoreaClock(kToday.AddDays(-1), 23))->published_today(), 0);

  // Every posting appears at its own instant, in sequence order, within
  // 08:00..20:00, a few minutes apart; the list at any instant holds exactly
  // those published by then, and each one's createDy is its instant.
  auto previous = KoreaClock(kToday, 8);
  for (int64_t sequence = 0; sequence < whole_day; ++sequence) {
    auto published = model.PublishedAt(kToday, sequence);
    ASSERT_GE(published, previous) << sequence;
    ASSERT_LT(published, KoreaClock(kToday, 20)) << sequence;
    previous = published;
    auto calendar = model.CalendarAt(kToday, published);
    ASSERT_EQ(calendar->published_today(), sequence + 1) << sequence;
    ASSERT_EQ(model.CalendarAt(kToday, published - std::chrono::seconds(1))->published_today(),
              sequence)
        << sequence;
    Posting posting = model.MakePosting(*calendar, calendar->total() - 1);
    ASSERT_EQ(posting.created, FormatKoreaTimestamp(published));
  }
  auto noon = model.CalendarAt(kToday, KoreaClock(kToday, 14));
  EXPECT_NEAR(static_cast<double>(noon->published_today()), whole_day / 2.0, whole_day / 10.0);
}

TEST(PostingsModelTest, AllAtOnceUnlessPublishedOverTheDay) {
  PostingsModel model(kSeed, 200, kFirstDay);
  EXPECT_EQ(model.CalendarAt(kToday, KoreaClock(kToday, 0, 1))->total(),
            model.CalendarFor(kToday)->total());
}

TEST(PostingsModelTest, DeadlinesSpanTheDaysAsked) {
  PostingsModel model(kSeed, 112, kFirstDay, {.deadline_min_days = 14, .deadline_max_days = 42});
  auto calendar = model.CalendarFor(kToday);
  int64_t shortest = 1000, longest = 0, closed_early = 0;
  const int kSample = 3'000;
  for (int64_t index = 0; index < kSample; ++index) {
    Posting posting = model.MakePosting(*calendar, index);
    int64_t days_open = posting.start_day.DaysUntil(posting.end_day);
    shortest = std::min(shortest, days_open);
    longest = std::max(longest, days_open);
    closed_early += posting.filled_day < posting.end_day ? 1 : 0;
  }
  EXPECT_EQ(shortest, 14);
  EXPECT_EQ(longest, 42);
  // Most postings are filled, and read 마감, well before their toDd.
  EXPECT_GT(closed_early, kSample * 9 / 10);
}

TEST(PostingsModelTest, ProvinceNamesFollowTheirRenaming) {
  PostingsModel model(kSeed, 112, Date::FromYmd(2022, 1, 1));
  auto calendar = model.CalendarFor(Date::FromYmd(2024, 12, 31));
  bool old_before = false, new_before = false, new_after = false;
  for (int64_t index = 0; index < calendar->total(); index += 11) {
    Posting posting = model.MakePosting(*calendar, index);
    bool is_old = posting.address.find("강원도") != std::string::npos;
    bool is_new = posting.address.find("강원특별자치도") != std::string::npos;
    bool before = posting.start_day < Date::FromYmd(2023, 6, 11);
    old_before |= before && is_old;
    new_before |= before && is_new;
    new_after |= !before && is_new;
  }
  EXPECT_TRUE(old_before);
  EXPECT_FALSE(new_before);
  EXPECT_TRUE(new_after);
}

}  // namespace
}  // namespace silverwork::simulator
