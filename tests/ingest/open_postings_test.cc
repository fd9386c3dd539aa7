// Statuses that stay true (issue 12): every collection's list pass reaches
// back to the oldest posting the warehouse still holds as open, refreshes
// every status it sees, fetches the detail of what changed, and stops there.
// The collector runs on a FakeClock; the simulator's day moves as the portal's
// would between runs.
#include <gtest/gtest.h>

#include <map>

#include "ingest_harness.h"

namespace silverwork::testing {
namespace {

// What the list showed for each posting, by job id.
std::map<std::string, IngestHarness::ListedPosting> ById(
    const std::vector<IngestHarness::ListedPosting>& listed) {
  std::map<std::string, IngestHarness::ListedPosting> by_id;
  for (const auto& posting : listed) by_id[posting.job_id] = posting;
  return by_id;
}

// Held open as the collector defines it on `today`: 접수중 whatever the
// toDd, or 마감 with a toDd not yet past.
bool HeldOpen(const IngestHarness::ListedPosting& posting, Date today) {
  return posting.deadline == "접수중" ||
         (posting.deadline == "마감" && posting.end >= today.Compact());
}

class OpenPostingsTest : public ::testing::Test {
 protected:
  explicit OpenPostingsTest(SimulatorOptions world) : harness_(std::move(world)) {
    harness_.run_clock = &clock_;
  }

  // Moves the portal and the collector's clock to noon of `day`.
  void Become(Date day) {
    harness_.simulator->SetToday(day);
    clock_.Advance(KoreaNoon(day) - clock_.Now());
  }

  CollectOutcome Collect(Date from, Date to, PostingsCollectorOptions options) {
    options.from = from;
    options.to = to;
    std::string stamp = FormatUtcTimestamp(clock_.Now());  // 2025-06-30T03:00:00Z
    std::erase(stamp, '-');
    std::erase(stamp, ':');
    std::string run_id = stamp + "-" + std::to_string(++runs_);
    CollectOutcome outcome = harness_.CollectPostings(run_id, options);
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    return outcome;
  }

  // Rows whose stored status is not what the portal lists today.
  int64_t StatusesDifferingFrom(const std::vector<IngestHarness::ListedPosting>& listed) const {
    auto truth = ById(listed);
    int64_t differing = 0;
    EXPECT_TRUE(harness_.warehouse
                    ->Query("SELECT jobId, deadline FROM raw_postings", {},
                            [&](const Row& row) {
                              auto found = truth.find(std::get<std::string>(row[0]));
                              if (found != truth.end() &&
                                  found->second.deadline != std::get<std::string>(row[1])) {
                                ++differing;
                              }
                              return Status::Ok();
                            })
                    .ok());
    return differing;
  }

  IngestHarness harness_;
  FakeClock clock_{KoreaNoon(kToday)};
  int runs_ = 0;
};

// The two days, at a tenth of its volume: 40 postings a day.
class TwoDaysTest : public OpenPostingsTest {
 protected:
  static SimulatorOptions World() {
    SimulatorOptions world = SmallWorldOptions();
    world.data.first_day = Date::FromYmd(2026, 10, 1);
    world.data.today = Date::FromYmd(2026, 12, 1);
    return world;
  }
  TwoDaysTest() : OpenPostingsTest(World()) { Become(Date::FromYmd(2026, 12, 1)); }
};

TEST_F(TwoDaysTest, TheSecondDayEndsWithNoStaleStatus) {
  const Date day_two = Date::FromYmd(2026, 12, 5);
  PostingsCollectorOptions options = harness_.Postings(day_two, day_two);
  options.lookback_days = 3;
  Collect(Date::FromYmd(2026, 11, 2), Date::FromYmd(2026, 12, 1), options);

  Become(day_two);
  // What the window and its lookback alone would have left stale: postings
  // started before 11-29 that day one saw open, closed by day two.
  const std::string window_reach = Date::FromYmd(2026, 11, 29).Compact();
  auto truth = ById(harness_.TruthList(Date::FromYmd(2026, 11, 1)));
  int64_t beyond_the_window = 0;
  ASSERT_TRUE(harness_.warehouse
                  ->Query("SELECT jobId FROM raw_postings WHERE deadline = '접수중' AND frDd < ?",
                          std::vector<Value>{window_reach},
                          [&](const Row& row) {
                            beyond_the_window +=
                                truth.at(std::get<std::string>(row[0])).deadline == "마감";
                            return Status::Ok();
                          })
                  .ok());
  ASSERT_GT(beyond_the_window, 5) << "the scenario needs postings the old reach would miss";

  CollectOutcome second = Collect(Date::FromYmd(2026, 12, 2), day_two, options);
  EXPECT_LT(second.stats.reach_back, Date::FromYmd(2026, 11, 29));
  EXPECT_EQ(harness_.Count("SELECT COUNT(*) FROM raw_postings WHERE deadline = '접수중' AND "
                           "toDd < '20261205'"),
            0);
  EXPECT_EQ(StatusesDifferingFrom(harness_.TruthList(second.stats.reach_back)), 0);
  // Postings that closed got their details again; none is older than its
  // list item.
  EXPECT_EQ(harness_.Count("SELECT COUNT(*) FROM raw_postings WHERE _detail_list_hash IS NOT NULL "
                           "AND _detail_list_hash <> _list_hash"),
            0);
  EXPECT_GT(second.stats.details_loaded, beyond_the_window);
}

// One collection of today's postings a day, as postings_today runs them.
class DaysTodayTest : public OpenPostingsTest {
 protected:
  DaysTodayTest() : OpenPostingsTest(SmallWorldOptions()) {}
  PostingsCollectorOptions Today() {
    PostingsCollectorOptions options = harness_.Postings(kToday, kToday);
    options.list_concurrency = 1;  // pages counted exactly: none in flight past the end
    return options;
  }
};

TEST_F(DaysTodayTest, APostingClosingBeforeItsToDdIsSeen) {
  Collect(kToday.AddDays(-9), kToday, Today());
  std::map<std::string, std::string> open_with_later_deadline;  // jobId -> toDd
  ASSERT_TRUE(harness_.warehouse
                  ->Query("SELECT jobId, toDd FROM raw_postings WHERE deadline = '접수중' AND "
                          "_detail_status = 'ok' AND toDd > ?",
                          std::vector<Value>{kToday.AddDays(4).Compact()},
                          [&](const Row& row) {
                            open_with_later_deadline[std::get<std::string>(row[0])] =
                                std::get<std::string>(row[1]);
                            return Status::Ok();
                          })
                  .ok());
  ASSERT_GT(open_with_later_deadline.size(), 20u);

  // Four days later: far outside today's window and its two-day lookback.
  const Date later = kToday.AddDays(4);
  Become(later);
  PostingsCollectorOptions options = Today();
  CollectOutcome outcome = Collect(later, later, options);
  auto truth = ById(harness_.TruthList(outcome.stats.reach_back));
  int64_t closed_early = 0;
  for (const auto& [job_id, deadline] : open_with_later_deadline) {
    if (truth.at(job_id).deadline != "마감") continue;
    ++closed_early;  // 마감 while its toDd is still ahead
    std::vector<Value> id{job_id};
    auto row = harness_.warehouse->QueryAll(
        "SELECT deadline, _detail_list_hash = _list_hash FROM raw_postings WHERE jobId = ?", id);
    ASSERT_TRUE(row.ok());
    EXPECT_EQ(ValueToString(row->rows.at(0).at(0)), "마감") << job_id;
    EXPECT_EQ(ValueToString(row->rows.at(0).at(1)), "1") << job_id << ": detail fetched again";
  }
  EXPECT_GT(closed_early, 10);
  EXPECT_EQ(StatusesDifferingFrom(harness_.TruthList(outcome.stats.reach_back)), 0);
}

TEST_F(DaysTodayTest, TheListPassStopsAtTheOldestOpenPostingAndNoFurther) {
  CollectOutcome first = Collect(kToday.AddDays(-9), kToday, Today());
  // What the first run loaded: its pages of the list as it was then.
  std::vector<IngestHarness::ListedPosting> loaded = harness_.TruthList(kToday.AddDays(-40));
  loaded.resize(static_cast<size_t>(first.stats.list_pages * Today().rows_per_page));

  const Date later = kToday.AddDays(5);
  Become(later);
  Date oldest_open = later.AddDays(-Today().lookback_days);
  for (const auto& posting : loaded) {
    Date start = Date::Parse(posting.start).value();
    if (HeldOpen(posting, later) && start < oldest_open) oldest_open = start;
  }
  ASSERT_LT(oldest_open, later.AddDays(-Today().lookback_days - 10))
      << "the scenario needs an open posting far behind today's window";
  // The pages it takes to reach past every posting started on that day.
  int64_t reached = 0;
  for (const auto& posting : harness_.TruthList(oldest_open)) {
    if (posting.start >= oldest_open.Compact()) ++reached;
  }
  const int64_t pages = reached / Today().rows_per_page + 1;

  const int64_t calls_before = harness_.simulator->Stats().list_calls;
  CollectOutcome outcome = Collect(later, later, Today());
  EXPECT_EQ(outcome.stats.reach_back, oldest_open);
  EXPECT_EQ(outcome.stats.list_pages, pages);
  EXPECT_EQ(harness_.simulator->Stats().list_calls - calls_before, pages);
}

TEST_F(DaysTodayTest, AnOpenPostingBeyondTheBoundDoesNotStretchTheList) {
  Collect(kToday.AddDays(-9), kToday, Today());
  const Date later = kToday.AddDays(5);
  Become(later);
  PostingsCollectorOptions bounded = Today();
  bounded.max_reach_back_days = 4;  // closer than today's lookback reaches anyway
  CollectOutcome outcome = Collect(later, later, bounded);
  EXPECT_EQ(outcome.stats.reach_back, later.AddDays(-bounded.lookback_days));
  int64_t reached = 0;
  for (const auto& posting : harness_.TruthList(outcome.stats.reach_back)) {
    if (posting.start >= outcome.stats.reach_back.Compact()) ++reached;
  }
  EXPECT_EQ(outcome.stats.list_pages, reached / bounded.rows_per_page + 1);
}

}  // namespace
}  // namespace silverwork::testing
