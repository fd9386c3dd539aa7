// A day of postings_today (issue 12): 24 runs of the collect_postings task
// over the current KST day, at half past every hour on a FakeClock, against
// a simulator that publishes 200 postings over the day by the same clock,
// with the portal's development-key quota. The day must fit the quota plan
// (docs/collection.md), fetch details only for new or changed postings,
// bring every posting in within the hour, and leave no stale status.
#include <gtest/gtest.h>

#include <map>

#include "../ingest/ingest_harness.h"
#include "pipeline/tasks.h"
#include "pipeline_test_util.h"
#include "simulator/envelopes.h"
#include "simulator/postings.h"

namespace silverwork::testing {
namespace {

const Date kWorkingMonday = Date::FromYmd(2025, 6, 30);  // a Monday: a full working day
constexpr int64_t kQuota = 10'000;             // calls per operation per day (development key)

// The quota plan's allowance for a day of hourly runs at 200 postings a day
// with deadlines up to six weeks out (docs/collection.md): 24 runs of 9 list
// pages and one in flight; a detail for each new posting and one more when it
// closes, on the busiest weekdays. The rest of each operation's quota is for
// history and backfills.
constexpr int64_t kHourlyListCallsPerDay = 300;
constexpr int64_t kHourlyDetailCallsPerDay = 800;

SimulatorOptions PortalDay(Clock& clock) {
  SimulatorOptions world;
  world.worker_threads = 16;
  world.data.seed = 12;
  world.data.first_day = kWorkingMonday.AddDays(-70);
  world.data.postings_per_day = 200;
  world.data.deadline_min_days = 14;  // two to six weeks, as on the portal
  world.data.deadline_max_days = 42;
  world.data.publish_over_day = true;
  world.data.projects_per_year = 0;
  world.faults.daily_quota = kQuota;
  world.clock = &clock;
  return world;
}

// Loads what the previous day's last hourly run left: every posting of the
// `days` before `as_of`'s day, list and detail as the portal showed them at
// `as_of`, straight from the simulator's model (no calls spent).
void LoadHistory(Warehouse& warehouse, const SimulatorDataOptions& data, int days,
                 std::chrono::system_clock::time_point as_of) {
  simulator::PostingsModel model(data.seed, data.postings_per_day, data.first_day,
                                 {.deadline_min_days = data.deadline_min_days,
                                  .deadline_max_days = data.deadline_max_days,
                                  .publish_over_day = data.publish_over_day});
  const Date today = Date::KoreaDay(as_of);
  auto calendar = model.CalendarAt(today, as_of);
  std::string items;
  std::vector<DetailResult> details;
  for (int64_t index = calendar->total() - 1; index >= 0; --index) {
    simulator::Posting posting = model.MakePosting(*calendar, index);
    if (posting.start_day < today.AddDays(-days)) break;
    simulator::AppendListItem(posting, today, items);
    std::string detail;
    simulator::AppendDetailItem(posting, detail);
    auto page = ParseSenuriXml(
        simulator::XmlResponse({.items = detail, .num_of_rows = 1, .total_count = 1}), 200, "seed");
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    details.push_back({posting.job_id, std::move(page).value()});
  }
  auto list = ParseSenuriXml(
      simulator::XmlResponse({.items = items, .num_of_rows = 100000, .total_count = 100000}), 200,
      "seed");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_TRUE(EnsureRawTables(warehouse).ok());
  Transaction transaction(warehouse);
  ASSERT_TRUE(transaction.Begin().ok());
  PostingsLoader loader(warehouse);
  LoadStamp stamp{"20250629T143000.000Z-seed", FormatUtcTimestamp(as_of)};
  ASSERT_TRUE(loader.LoadListPage(*list, stamp).ok());
  ASSERT_TRUE(loader.LoadDetails(details, stamp).ok());
  ASSERT_TRUE(transaction.Commit().ok());
}

std::map<std::string, std::string> ListHashes(IngestHarness& harness) {
  std::map<std::string, std::string> hashes;
  EXPECT_TRUE(harness.warehouse
                  ->Query("SELECT jobId, _list_hash FROM raw_postings", {},
                          [&](const Row& row) {
                            hashes[std::get<std::string>(row[0])] = std::get<std::string>(row[1]);
                            return Status::Ok();
                          })
                  .ok());
  return hashes;
}

class HourlyCollectionTest : public ::testing::Test {
 protected:
  HourlyCollectionTest() : harness_(PortalDay(clock_)) {}

  Config MakeConfig() const {
    Config config =
        SimulatorConfig(harness_.dir.path(), harness_.simulator->base_url(), kSimulatorDemoKey);
    config.postings.rows_per_page = 1000;  // the shipped settings
    config.postings.concurrency = 10;
    config.postings.batch_size = 500;
    config.postings.lookback_days = 3;
    config.postings.calls_per_day = kQuota;
    UseWarehouse(config, harness_.WarehouseOptions());
    return config;
  }

  FakeClock clock_{KoreaTime(kWorkingMonday.AddDays(-1), 23, 30)};
  IngestHarness harness_;
};

TEST_F(HourlyCollectionTest, ADayOfHourlyRunsFitsTheQuotaPlanAndMissesNothing) {
  LoadHistory(*harness_.warehouse, harness_.options_.data, 50, clock_.Now());
  ASSERT_FALSE(HasFatalFailure());
  const std::map<std::string, std::string> before = ListHashes(harness_);
  const Config config = MakeConfig();

  std::map<std::string, std::chrono::system_clock::time_point> first_seen;
  int64_t reach_back_days = 0;
  for (int hour = 0; hour < 24; ++hour) {
    clock_.Advance(KoreaTime(kWorkingMonday, hour, 30) - clock_.Now());
    TaskReport report = CollectPostingsTask(config, clock_, {kWorkingMonday, kWorkingMonday});
    ASSERT_TRUE(report.status.ok()) << hour << ":30 " << report.status.ToString();
    reach_back_days = std::max(reach_back_days, *report.Figure("reach_back_days"));
    std::vector<Value> today{kWorkingMonday.Compact()};
    ASSERT_TRUE(harness_.warehouse
                    ->Query("SELECT jobId FROM raw_postings WHERE frDd = ?", today,
                            [&](const Row& row) {
                              first_seen.try_emplace(std::get<std::string>(row[0]), clock_.Now());
                              return Status::Ok();
                            })
                    .ok());
  }
  const SimulatorStats spent = harness_.simulator->Stats();
  RecordProperty("list_calls", static_cast<int>(spent.list_calls));
  RecordProperty("detail_calls", static_cast<int>(spent.detail_calls));
  RecordProperty("reach_back_days", static_cast<int>(reach_back_days));
  RecordProperty("postings_today", static_cast<int>(first_seen.size()));

  // Inside the plan, and far inside the quota: most of it is left for history.
  EXPECT_LE(spent.list_calls, kHourlyListCallsPerDay);
  EXPECT_LE(spent.detail_calls, kHourlyDetailCallsPerDay);
  auto recorded = harness_.warehouse->GetState("budget.getJobList." + kWorkingMonday.Iso());
  ASSERT_TRUE(recorded.ok() && recorded->has_value());
  EXPECT_EQ(std::stoll(**recorded), spent.list_calls) << "the day's calls are counted";
  // The list reaches back to the postings held open, up to six weeks.
  EXPECT_GE(reach_back_days, 30);

  // Details only for the postings that are new or changed since last seen.
  const std::map<std::string, std::string> after = ListHashes(harness_);
  int64_t new_in_window = 0, changed = 0;
  const std::string window_low = kWorkingMonday.AddDays(-3).Compact();
  auto starts = harness_.warehouse->QueryAll("SELECT jobId, frDd FROM raw_postings");
  ASSERT_TRUE(starts.ok());
  for (const Row& row : starts->rows) {
    const std::string& job_id = std::get<std::string>(row[0]);
    auto seeded = before.find(job_id);
    if (seeded == before.end()) {
      new_in_window += std::get<std::string>(row[1]) >= window_low ? 1 : 0;
    } else if (seeded->second != after.at(job_id)) {
      ++changed;
    }
  }
  EXPECT_GT(changed, 100) << "postings close every day";
  EXPECT_EQ(spent.detail_calls, new_in_window + changed);
  EXPECT_EQ(harness_.Count("SELECT COUNT(*) FROM raw_postings WHERE frDd >= '" + window_low +
                           "' AND (_detail_status IS NULL OR _detail_list_hash <> _list_hash)"),
            0);

  // Every posting of the day arrived within the hour of its publication.
  ASSERT_GT(first_seen.size(), 150u);
  for (const auto& [job_id, seen] : first_seen) {
    std::vector<Value> id{job_id};
    auto created =
        harness_.warehouse->QueryAll("SELECT createDy FROM raw_postings WHERE jobId = ?", id);
    ASSERT_TRUE(created.ok());
    auto published = ParseIsoInstant(ValueToString(created->rows.at(0).at(0)));
    ASSERT_TRUE(published.ok()) << job_id;
    EXPECT_GE(seen, *published) << job_id;
    EXPECT_LT(seen - *published, std::chrono::minutes(60)) << job_id;
  }
  // And no status is stale: nothing held open is left 접수중 past its toDd.
  EXPECT_EQ(harness_.Count("SELECT COUNT(*) FROM raw_postings WHERE deadline = '접수중' AND "
                           "toDd < '" +
                           kWorkingMonday.Compact() + "'"),
            0);
}

}  // namespace
}  // namespace silverwork::testing
