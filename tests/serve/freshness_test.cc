// PostingsFreshness: what it reads from a small hand-made warehouse, and how
// the API and /metrics show it.
#include "serve/freshness.h"

#include <gtest/gtest.h>

#include "common/date.h"
#include "serve/metrics.h"
#include "serve/serve_harness.h"

namespace silverwork::serve::testing {
namespace {

std::chrono::system_clock::time_point At(const char* instant) {
  return ParseIsoInstant(instant).value();
}

class FreshnessLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
  }
  void Execute(const std::string& sql) { ASSERT_TRUE(warehouse_->Execute(sql).ok()) << sql; }

  WarehouseUnderTest place_{EngineFromEnvironment()};
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(FreshnessLoad, AWarehouseWithoutPostingsOrRunsHasNeither) {
  auto freshness = LoadPostingsFreshness(*warehouse_);
  ASSERT_TRUE(freshness.ok()) << freshness.status().ToString();
  EXPECT_FALSE(freshness->newest_posting);
  EXPECT_TRUE(freshness->last_successes.empty());
  // No samples: an alert on absent() fires.
  std::string gauges = FreshnessGauges(*freshness, At("2025-07-01T00:00:00Z"));
  EXPECT_NE(gauges.find("# TYPE silverwork_newest_posting_age_seconds gauge\n"), std::string::npos);
  EXPECT_EQ(gauges.find("\nsilverwork_newest_posting_age_seconds "), std::string::npos) << gauges;
  EXPECT_EQ(PostingsFreshnessJson(*freshness, At("2025-07-01T00:00:00Z"))["newest_posting"],
            nullptr);
}

TEST_F(FreshnessLoad, TheNewestPostingIsTheLastRegisteredOfTheNewestDay) {
  Execute(
      "CREATE TABLE raw_postings(jobId TEXT PRIMARY KEY, frDd TEXT, createDy TEXT);"
      "INSERT INTO raw_postings VALUES"
      " ('OLD', '20250629', '2025-06-30T23:00:00+09:00'),"  // registered late, but an older day
      " ('A', '20250630', '2025-06-30T10:05:00+09:00'),"
      " ('B', '20250630', '2025-06-30T11:40:00+09:00'),"
      " ('C', '20250630', NULL),"                            // no detail yet
      " ('BAD', 'abcdefgh', '2025-07-09T00:00:00+09:00')");  // not a day
  auto freshness = LoadPostingsFreshness(*warehouse_);
  ASSERT_TRUE(freshness.ok()) << freshness.status().ToString();
  ASSERT_TRUE(freshness->newest_posting);
  EXPECT_EQ(freshness->newest_posting->job_id, "B");
  EXPECT_EQ(freshness->newest_posting->start_date, "2025-06-30");
  EXPECT_TRUE(freshness->newest_posting->created_at_known);
  auto json = PostingsFreshnessJson(*freshness, At("2025-06-30T03:10:00Z"));  // 12:10 KST
  EXPECT_EQ(json["newest_posting"]["created_at"], "2025-06-30T02:40:00Z");
  EXPECT_EQ(json["newest_posting"]["age_seconds"], 30 * 60);
  EXPECT_NE(FreshnessGauges(*freshness, At("2025-06-30T03:10:00Z"))
                .find("silverwork_newest_posting_age_seconds 1800\n"),
            std::string::npos);
  // A clock behind the data gives age 0, never a negative one.
  EXPECT_EQ(PostingsFreshnessJson(*freshness,
                                  At("2025-06-30T00:00:00Z"))["newest_posting"]["age_seconds"],
            0);

  // Without any createDy on the newest day, its start in Korea stands in.
  Execute("UPDATE raw_postings SET createDy = NULL WHERE frDd = '20250630'");
  freshness = LoadPostingsFreshness(*warehouse_);
  ASSERT_TRUE(freshness.ok() && freshness->newest_posting);
  EXPECT_FALSE(freshness->newest_posting->created_at_known);
  EXPECT_EQ(FormatUtcTimestamp(freshness->newest_posting->created_at), "2025-06-29T15:00:00Z");
}

TEST_F(FreshnessLoad, EachCommandsLastSuccessCounts) {
  Execute(
      "CREATE TABLE _sw_runs(run_id TEXT PRIMARY KEY, command TEXT, started_at TEXT, "
      "finished_at TEXT, status TEXT, message TEXT);"
      "INSERT INTO _sw_runs VALUES"
      " ('20250630T003000.000Z-a', 'collect postings', '', '2025-06-30T00:31:00Z', 'success', ''),"
      " ('20250630T013000.000Z-b', 'collect postings', '', '2025-06-30T01:31:00Z', 'success', ''),"
      " ('20250630T023000.000Z-c', 'collect postings', '', '2025-06-30T02:31:00Z', 'failed', 'x'),"
      " ('20250630T033000.000Z-d', 'collect postings', '', NULL, 'running', ''),"
      " ('20250629T000000.000Z-e', 'collect projects', '', '2025-06-29T00:05:00Z', 'success', '')");
  auto freshness = LoadPostingsFreshness(*warehouse_);
  ASSERT_TRUE(freshness.ok()) << freshness.status().ToString();
  ASSERT_EQ(freshness->last_successes.size(), 2u);
  EXPECT_EQ(freshness->last_successes[0].command, "collect postings");
  EXPECT_EQ(freshness->last_successes[0].run_id, "20250630T013000.000Z-b");
  EXPECT_EQ(freshness->last_successes[1].command, "collect projects");
  std::string gauges = FreshnessGauges(*freshness, At("2025-06-30T03:31:00Z"));
  EXPECT_NE(gauges.find("silverwork_last_success_age_seconds{command=\"collect postings\"} 7200\n"),
            std::string::npos)
      << gauges;
  // Each family's lines stay together: HELP, TYPE, then its samples.
  EXPECT_NE(
      gauges.find("# TYPE silverwork_last_success_age_seconds gauge\n"
                  "silverwork_last_success_age_seconds{command=\"collect postings\"} 7200\n"
                  "silverwork_last_success_age_seconds{command=\"collect projects\"} 98760\n"),
      std::string::npos)
      << gauges;
}

}  // namespace
}  // namespace silverwork::serve::testing
