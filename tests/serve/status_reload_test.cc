// The status part (ServingStatus: raw tables' rows and newest _loaded_at,
// the newest posting, the run ledger) reloads on its own, so that a
// collection shows at once while the marts load only when a build has
// finished: what `silverwork standalone` asks for after each task
// (Server::LookNow), also while another pipeline's build is half-way, and
// after a failed one.
#include "serve/reloading_harness.h"

namespace silverwork::serve::testing {
namespace {

constexpr std::string_view kCollectedAt = "2099-01-01T00:00:00Z";

class StatusReloading : public Reloading {
 protected:
  // A collection that ends: `rows` new postings in raw_postings, loaded at
  // kCollectedAt, and its run in the ledger with `outcome` (a failed
  // collection keeps the pages it committed); returns the run id.
  std::string Collect(int rows, std::string_view outcome = "success") {
    auto warehouse = Writer();
    EXPECT_NE(warehouse, nullptr);
    if (warehouse == nullptr) return {};
    for (int row = 0; row < rows; ++row) {
      Status inserted = warehouse->Execute(
          fmt::format("INSERT INTO raw_postings(jobId, _loaded_at) VALUES ('collected-{}', '{}')",
                      row, kCollectedAt));
      EXPECT_TRUE(inserted.ok()) << inserted.ToString();
    }
    auto newest = warehouse->QueryAll("SELECT max(run_id) || '-collected' FROM _sw_runs");
    EXPECT_TRUE(newest.ok()) << newest.status().ToString();
    if (!newest.ok()) return {};
    const std::string run_id = ValueToString(newest->rows.at(0).at(0));
    Status recorded = warehouse->Execute(fmt::format(
        "INSERT INTO _sw_runs(run_id, command, started_at, finished_at, status, message) "
        "VALUES ('{}', 'collect postings', '{}', '{}', '{}', 'collected')",
        run_id, kCollectedAt, kCollectedAt, outcome));
    EXPECT_TRUE(recorded.ok()) << recorded.ToString();
    return run_id;
  }
  json RawPostings() {
    const json freshness = Data("/api/v1/status/freshness");
    for (const json& source : freshness["sources"])
      if (source["table"] == "raw_postings") return source;
    ADD_FAILURE() << "no raw_postings in /api/v1/status/freshness";
    return json();
  }
  // Asks for a look as standalone does and waits for it to end.
  WarehouseCheck LookNow(CheckLog& checks) {
    const size_t before = checks.WaitUntil([](const auto&) { return true; }).size();
    server_->LookNow();
    return checks.WaitUntil([&](const auto& seen) { return seen.size() > before; }).back();
  }

  // Serves the fixture's copy; no interval: only LookNow looks.
  void StartLookingOnlyWhenAsked(CheckLog& checks) {
    ServeOptions options = TestOptions(copy_.options());
    options.on_warehouse_check = checks.Recorder();
    StartServer(std::move(options));
  }

  TempFolder folder_;  // for a warehouse of the test's own
};

TEST_F(StatusReloading, ACollectionEndingWhileABuildIsHalfWayShowsItsRowsButNotTheHalfBuiltMarts) {
  CheckLog checks;
  StartLookingOnlyWhenAsked(checks);
  const int64_t raw_rows = CopyCount("SELECT count(*) FROM raw_postings");
  ASSERT_EQ(RawPostings()["rows"], raw_rows);
  ASSERT_EQ(Data("/api/v1/kpis")["postings"], 3000);

  // A build between two models: fct_job_postings rebuilt, the marts not yet.
  Change("DELETE FROM fct_job_postings WHERE iso_code = 'KR-11'");
  const std::string run_id = Collect(3);
  EXPECT_EQ(LookNow(checks), WarehouseCheck::kUnchanged);

  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);  // the marts as the last build left them
  const json raw = RawPostings();
  EXPECT_EQ(raw["rows"], raw_rows + 3);
  EXPECT_EQ(raw["newest_loaded_at"], kCollectedAt);
  const json freshness = Data("/api/v1/status/freshness");
  EXPECT_EQ(freshness["runs"].at(0)["run_id"], run_id);
  bool collect_success_shown = false;
  for (const json& success : freshness["postings"]["last_successes"])
    collect_success_shown = collect_success_shown || success["run_id"] == run_id;
  EXPECT_TRUE(collect_success_shown) << freshness["postings"].dump();
  EXPECT_NE(client_->Get("/metrics")->body.find("command=\"collect postings\""), std::string::npos);

  FinishBuild();
  EXPECT_EQ(LookNow(checks), WarehouseCheck::kReloaded);
  const int64_t built = CopyCount("SELECT count(*) FROM fct_job_postings");
  ASSERT_LT(built, 3000);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], built);
  EXPECT_EQ(RawPostings()["rows"], raw_rows + 3);
  EXPECT_EQ(LookNow(checks), WarehouseCheck::kUnchanged);
  EXPECT_EQ(ReloadCounts(),
            "silverwork_snapshot_reloads_total{result=\"ok\"} 2\n"
            "silverwork_snapshot_reloads_total{result=\"error\"} 0\n");
}

// standalone looks after every task that ended, a failed one too.
TEST_F(StatusReloading, AFailedCollectionsCommittedRowsShowAtTheLookAfterIt) {
  CheckLog checks;
  StartLookingOnlyWhenAsked(checks);
  const int64_t raw_rows = CopyCount("SELECT count(*) FROM raw_postings");

  const std::string run_id = Collect(2, "failed");
  EXPECT_EQ(RawPostings()["rows"], raw_rows) << "nothing looked yet";
  EXPECT_EQ(LookNow(checks), WarehouseCheck::kUnchanged);
  EXPECT_EQ(RawPostings()["rows"], raw_rows + 2);
  const json run = Data("/api/v1/status/freshness")["runs"].at(0);
  EXPECT_EQ(run["run_id"], run_id);
  EXPECT_EQ(run["status"], "failed");
}

TEST_F(StatusReloading, ReloadingTheStatusLeavesTheMartsAndWhatRequestsHoldAlone) {
  StartServer(copy_.options(), std::nullopt);
  const auto marts = server_->snapshot();
  const auto held = server_->status();  // as a request in flight holds it
  const int64_t raw_rows = held->freshness.at(0).rows;
  ASSERT_EQ(held->freshness.at(0).table, "raw_postings");

  Collect(2);
  ASSERT_TRUE(server_->ReloadStatus().ok());
  EXPECT_EQ(server_->snapshot(), marts);
  ASSERT_NE(server_->status(), held);
  EXPECT_EQ(server_->status()->freshness.at(0).rows, raw_rows + 2);
  EXPECT_EQ(held->freshness.at(0).rows, raw_rows);
}

TEST_F(StatusReloading, BeforeTheFirstBuildTheRawTablesFiguresShow) {
  const fs::path fresh = folder_.path() / "fresh.db";
  {
    auto warehouse = OpenWarehouse(SqliteFile(fresh));
    ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    ASSERT_TRUE((*warehouse)
                    ->Execute("CREATE TABLE raw_postings(jobId TEXT PRIMARY KEY, frDd TEXT, "
                              "createDy TEXT, _loaded_at TEXT)")
                    .ok());
  }
  CheckLog checks;
  ServeOptions options = TestOptions(SqliteFile(fresh));
  options.start_empty = true;
  options.on_warehouse_check = checks.Recorder();
  StartServer(std::move(options));
  EXPECT_EQ(RawPostings()["rows"], 0);

  auto warehouse = OpenWarehouse(SqliteFile(fresh));
  ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  ASSERT_TRUE((*warehouse)
                  ->Execute(fmt::format("INSERT INTO raw_postings VALUES ('K1', NULL, NULL, '{}')",
                                        kCollectedAt))
                  .ok());
  LookNow(checks);  // a collection succeeded
  EXPECT_EQ(RawPostings()["rows"], 1);
  EXPECT_EQ(RawPostings()["newest_loaded_at"], kCollectedAt);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 0);
}

}  // namespace
}  // namespace silverwork::serve::testing
