#include <gtest/gtest.h>

#include "common/log.h"
#include "pipeline/run_ledger.h"
#include "pipeline_test_util.h"
#include "scoped_temp_dir.h"

namespace silverwork::testing {
namespace {

const Date kLedgerDay = Date::FromYmd(2025, 6, 30);

class RunLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenWarehouse({.engine = "sqlite", .location = dir_.File("warehouse.db")});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    warehouse_ = std::move(opened).value();
    ASSERT_TRUE(ledger().EnsureTable().ok());
  }
  RunLedger ledger() { return RunLedger(*warehouse_, clock_); }

  // The one row of `run_id`, as text, "|"-separated, NULL as "∅".
  std::string Row(const std::string& run_id) {
    std::vector<Value> params{run_id};
    auto rows = warehouse_->QueryAll(
        "SELECT command, started_at, finished_at, status, message, window_from, window_to, "
        "list_pages, postings_listed, details_loaded, projects_loaded, calls FROM _sw_runs "
        "WHERE run_id = ?",
        params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->rows.size() != 1) return "no single row";
    std::string text;
    for (const auto& value : rows->rows[0])
      text += (text.empty() ? "" : "|") + (IsNull(value) ? std::string("∅") : ValueToString(value));
    return text;
  }

  ScopedTempDir dir_;
  FakeClock clock_{KoreaTime(kLedgerDay, 9, 0, 0)};
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(RunLedgerTest, AStartedRunIsRunningUntilItEnds) {
  ASSERT_TRUE(ledger().RecordStart("r1", "collect postings").ok());
  EXPECT_EQ(Row("r1"), "collect postings|2025-06-30T00:00:00Z|∅|running|∅|∅|∅|∅|∅|∅|∅|∅");
  auto newest = ledger().NewestRunId();
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(*newest, "r1");
}

TEST_F(RunLedgerTest, SuccessRecordsTheWindowAndTheFigures) {
  ASSERT_TRUE(ledger().RecordStart("r1", "collect postings").ok());
  clock_.Advance(std::chrono::seconds(90));
  RunFigures figures{.window_from = kLedgerDay.AddDays(-2),
                     .window_to = kLedgerDay,
                     .list_pages = 3,
                     .postings_listed = 250,
                     .details_loaded = 120,
                     .projects_loaded = 0,
                     .calls = 123};
  ASSERT_TRUE(ledger().RecordEnd("r1", Status::Ok(), figures).ok());
  EXPECT_EQ(Row("r1"),
            "collect postings|2025-06-30T00:00:00Z|2025-06-30T00:01:30Z|success|∅|2025-06-28|"
            "2025-06-30|3|250|120|0|123");
}

TEST_F(RunLedgerTest, FailureRecordsTheMessageWithoutSecrets) {
  RegisterSecret("ledger-secret-key");
  ASSERT_TRUE(ledger().RecordStart("r1", "collect projects").ok());
  Status failed(ErrorCode::kAuth, "key ledger-secret-key is not registered (code 30)", "fix it");
  ASSERT_TRUE(ledger().RecordEnd("r1", failed, {.projects_loaded = 7, .calls = 2}).ok());
  EXPECT_EQ(Row("r1"),
            "collect projects|2025-06-30T00:00:00Z|2025-06-30T00:00:00Z|failed|"
            "key *** is not registered (code 30)|∅|∅|0|0|0|7|2");
}

TEST_F(RunLedgerTest, ASpentQuotaIsStoppedNotFailed) {
  ASSERT_TRUE(ledger().RecordStart("r1", "pipeline").ok());
  Status quota(ErrorCode::kQuotaExhausted, "daily quota spent (code 22)", "run it tomorrow");
  RunFigures figures{
      .window_from = kLedgerDay, .window_to = kLedgerDay, .details_loaded = 40, .calls = 60};
  ASSERT_TRUE(ledger().RecordEnd("r1", quota, figures).ok());
  EXPECT_EQ(Row("r1"),
            "pipeline|2025-06-30T00:00:00Z|2025-06-30T00:00:00Z|stopped|"
            "daily quota spent (code 22)|2025-06-30|2025-06-30|0|0|40|0|60");
  EXPECT_EQ(RunStateOf(quota), RunState::kQuotaStopped);
  EXPECT_EQ(RunStateOf(Status::Ok()), RunState::kSuccess);
  EXPECT_EQ(RunStateOf(Status(ErrorCode::kNetwork, "reset")), RunState::kFailed);
}

TEST_F(RunLedgerTest, RecentListsTheNewestFirst) {
  for (const char* run_id : {"20250630T000000.000Z-0001", "20250630T000001.000Z-0001",
                             "20250630T000002.000Z-0001"}) {
    ASSERT_TRUE(ledger().RecordStart(run_id, "collect postings").ok());
  }
  ASSERT_TRUE(
      ledger()
          .RecordEnd("20250630T000001.000Z-0001", Status::Ok(),
                     {.window_from = kLedgerDay, .window_to = kLedgerDay, .details_loaded = 5})
          .ok());
  auto recent = ledger().Recent(2);
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].run_id, "20250630T000002.000Z-0001");
  EXPECT_EQ((*recent)[0].status, "running");
  EXPECT_EQ((*recent)[0].finished_at, "");
  EXPECT_EQ((*recent)[1].status, "success");
  EXPECT_EQ((*recent)[1].figures.window_from, kLedgerDay);
  EXPECT_EQ((*recent)[1].figures.details_loaded, 5);
  EXPECT_EQ(*ledger().NewestRunId(), "20250630T000002.000Z-0001");
}

TEST_F(RunLedgerTest, EnsureTableWidensALedgerOfAnOlderVersion) {
  ASSERT_TRUE(warehouse_->Execute("DROP TABLE _sw_runs").ok());
  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE TABLE _sw_runs (run_id TEXT PRIMARY KEY, command TEXT, "
                            "started_at TEXT, finished_at TEXT, status TEXT, message TEXT)")
                  .ok());
  ASSERT_TRUE(ledger().EnsureTable().ok());
  ASSERT_TRUE(ledger().RecordStart("r1", "collect postings").ok());
  ASSERT_TRUE(ledger().RecordEnd("r1", Status::Ok(), {.calls = 9}).ok());
  EXPECT_EQ(Row("r1"),
            "collect postings|2025-06-30T00:00:00Z|2025-06-30T00:00:00Z|success|∅|∅|∅|0|0|0|0|9");
  auto empty = OpenWarehouse({.engine = "sqlite", .location = dir_.File("empty.db")});
  ASSERT_TRUE(empty.ok());
  RunLedger fresh(**empty, clock_);
  ASSERT_TRUE(fresh.EnsureTable().ok());
  EXPECT_EQ(*fresh.NewestRunId(), "");
}

}  // namespace
}  // namespace silverwork::testing
