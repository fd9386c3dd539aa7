#include <gtest/gtest.h>

#include "ingest/reloader.h"
#include "ingest_harness.h"

namespace silverwork::testing {
namespace {

const Date kFrom = kToday.AddDays(-9);

TEST(CollectPostings, LoadsExactlyThePostingsOfTheWindowWithDetails) {
  IngestHarness harness;
  CollectOutcome outcome =
      harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday));
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  std::set<std::string> truth = harness.TruthJobIds(kFrom, kToday);
  ASSERT_GT(truth.size(), 200u);
  EXPECT_EQ(harness.LoadedJobIds(kFrom, kToday, true), truth);
  EXPECT_EQ(outcome.stats.postings_in_window, static_cast<int64_t>(truth.size()));
  // Lookback days got their details too; nothing outside window+lookback did.
  EXPECT_EQ(harness.Count("SELECT COUNT(*) FROM raw_postings WHERE _detail_status IS NOT NULL AND "
                          "frDd < '" +
                          kFrom.AddDays(-2).Compact() + "'"),
            0);
  // Every detail field arrived under its real spelling.
  EXPECT_GT(harness.Count("SELECT COUNT(*) FROM raw_postings WHERE clltPrnnum IS NOT NULL AND "
                          "createDy LIKE '%+09:00' AND wantedAuthNo = jobId"),
            200);
}

TEST(CollectPostings, RunningTwiceChangesNothingItHadLoaded) {
  IngestHarness harness;
  ASSERT_TRUE(harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday))
                  .status.ok());
  // The first run loaded whole pages from the newest: every day after the
  // oldest one it reached is complete.
  auto oldest = harness.warehouse->QueryAll("SELECT MIN(frDd) FROM raw_postings");
  ASSERT_TRUE(oldest.ok());
  const std::string complete_days = "frDd > '" + ValueToString(oldest->rows.at(0).at(0)) + "'";
  const int64_t first_rows = harness.Count("SELECT COUNT(*) FROM raw_postings");
  std::string first = harness.TableDigest("raw_postings", complete_days);

  CollectOutcome second =
      harness.CollectPostings("20250630T000001Z-0002", harness.Postings(kFrom, kToday));
  ASSERT_TRUE(second.status.ok());
  EXPECT_EQ(second.stats.details_needed, 0) << "unchanged postings are not fetched again";
  // It may reach further back (to the oldest posting the first run left
  // open) and list older postings too, but what it had is unchanged.
  EXPECT_GE(harness.Count("SELECT COUNT(*) FROM raw_postings"), first_rows);
  EXPECT_EQ(harness.TableDigest("raw_postings", complete_days), first);
}

TEST(CollectPostings, FetchesDetailsAgainOnlyForChangedPostings) {
  IngestHarness harness;
  ASSERT_TRUE(harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday))
                  .status.ok());
  // A week later some postings have closed (접수중 -> 마감): their list items
  // change, so exactly those need their details again.
  auto hashes = [&] {
    std::map<std::string, std::string> by_id;
    std::vector<Value> params{kFrom.AddDays(-2).Compact(), kToday.Compact()};
    EXPECT_TRUE(
        harness.warehouse
            ->Query("SELECT jobId, _list_hash FROM raw_postings WHERE frDd >= ? AND frDd <= ?",
                    params,
                    [&](const Row& row) {
                      by_id[std::get<std::string>(row[0])] = std::get<std::string>(row[1]);
                      return Status::Ok();
                    })
            .ok());
    return by_id;
  };
  auto before = hashes();
  harness.simulator->SetToday(kToday.AddDays(7));
  CollectOutcome again =
      harness.CollectPostings("20250707T000000Z-0002", harness.Postings(kFrom, kToday));
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  auto after = hashes();
  ASSERT_EQ(after.size(), before.size());
  int64_t changed = 0;
  for (const auto& [job_id, hash] : after) changed += before.at(job_id) != hash ? 1 : 0;
  EXPECT_GT(changed, 0);
  EXPECT_LT(changed, static_cast<int64_t>(after.size()));
  EXPECT_EQ(again.stats.details_needed, changed);
  EXPECT_EQ(again.stats.details_loaded, changed);
  EXPECT_EQ(harness.LoadedJobIds(kFrom.AddDays(-2), kToday, true).size(), after.size());
}

TEST(CollectPostings, ReloadFromTheLakeEqualsWhatWasCollected) {
  IngestHarness harness;
  ASSERT_TRUE(harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday))
                  .status.ok());
  harness.simulator->SetToday(kToday.AddDays(3));
  ASSERT_TRUE(harness
                  .CollectPostings("20250703T000000Z-0002",
                                   harness.Postings(kToday.AddDays(1), kToday.AddDays(3)))
                  .status.ok());
  ASSERT_TRUE(harness.CollectProjects("20250703T000001Z-0003", harness.Projects()).status.ok());
  std::string postings = harness.TableDigest("raw_postings");
  std::string projects = harness.TableDigest("raw_projects");

  auto rebuilt =
      OpenWarehouse({.engine = "sqlite", .location = harness.dir.path() + "/rebuilt.db"});
  ASSERT_TRUE(rebuilt.ok());
  ReloadOptions options{.lake_root = harness.LakePath(),
                        .project_files = harness.Projects().files,
                        .column_aliases = {},
                        .loaded_at = "2030-01-01T00:00:00Z"};
  auto stats = ReloadFromLake(options, **rebuilt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->details, 300);
  harness.warehouse = std::move(rebuilt).value();
  EXPECT_EQ(harness.TableDigest("raw_postings"), postings);
  EXPECT_EQ(harness.TableDigest("raw_projects"), projects);
}

TEST(CollectPostings, QuotaStopsCleanlyAndTheNextRunResumes) {
  SimulatorOptions world = SmallWorldOptions();
  world.faults.daily_quota = 120;  // per operation per simulated day
  IngestHarness harness(world);
  std::set<std::string> truth = harness.TruthJobIds(kFrom, kToday);
  harness.simulator->SetFaults(world.faults);  // restart the quota counters

  CollectOutcome stopped =
      harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday));
  ASSERT_TRUE(stopped.status.IsQuotaExhausted()) << stopped.status.ToString();
  EXPECT_NE(stopped.status.hint().find("resume"), std::string::npos);
  int64_t loaded = static_cast<int64_t>(harness.LoadedJobIds(kFrom, kToday, true).size());
  EXPECT_GT(loaded, 50);
  EXPECT_LT(loaded, static_cast<int64_t>(truth.size()));

  // The next day the quota is back and the run picks up where it stopped.
  int runs = 1;
  CollectOutcome resumed;
  do {
    harness.simulator->SetToday(kToday);  // same data; SetFaults resets the quota
    harness.simulator->SetFaults(world.faults);
    resumed = harness.CollectPostings(
        "20250701T00000" + std::to_string(runs) + "Z-000" + std::to_string(runs + 1),
        harness.Postings(kFrom, kToday));
    EXPECT_TRUE(resumed.stats.resumed);
    ++runs;
  } while (resumed.status.IsQuotaExhausted() && runs < 20);
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.ToString();
  EXPECT_EQ(harness.LoadedJobIds(kFrom, kToday, true), truth);
}

TEST(CollectPostings, LocalDailyBudgetStopsBeforeTheServerDoes) {
  IngestHarness harness;
  PostingsCollectorOptions options = harness.Postings(kFrom, kToday);
  options.budget.calls_per_day = 60;
  CollectOutcome stopped = harness.CollectPostings("20250630T000000Z-0001", options);
  ASSERT_TRUE(stopped.status.IsQuotaExhausted());
  EXPECT_EQ(harness.simulator->Stats().detail_calls, 60);
  // The budget is remembered across runs of the same day.
  CollectOutcome again = harness.CollectPostings("20250630T000001Z-0002", options);
  EXPECT_TRUE(again.status.IsQuotaExhausted());
  EXPECT_EQ(harness.simulator->Stats().detail_calls, 60);
}

TEST(CollectPostings, ABackfillLeavesTheReservedCallsToTodaysCollections) {
  IngestHarness harness;
  PostingsCollectorOptions backfill = harness.Postings(kFrom, kToday.AddDays(-5));
  backfill.budget.calls_per_day = 200;
  backfill.reserved_calls_per_day = 170;
  CollectOutcome stopped = harness.CollectPostings("20250630T000000Z-0001", backfill);
  ASSERT_TRUE(stopped.status.IsQuotaExhausted()) << stopped.status.ToString();
  EXPECT_EQ(harness.simulator->Stats().detail_calls, 30);
  EXPECT_NE(stopped.status.hint().find("reserved_calls_per_day"), std::string::npos);

  // Today's collection may spend the reserve: it finishes its window.
  PostingsCollectorOptions today = harness.Postings(kToday, kToday);
  today.budget = backfill.budget;
  today.reserved_calls_per_day = backfill.reserved_calls_per_day;
  CollectOutcome finished = harness.CollectPostings("20250630T000001Z-0002", today);
  ASSERT_TRUE(finished.status.ok()) << finished.status.ToString();
  EXPECT_GT(harness.simulator->Stats().detail_calls, 30);
  EXPECT_LE(harness.simulator->Stats().detail_calls, 200);
  EXPECT_EQ(harness.LoadedJobIds(kToday, kToday, true), harness.TruthJobIds(kToday, kToday));
}

struct FaultCase {
  const char* name;
  void (*apply)(SimulatorFaultOptions&);
  bool counted = true;  // latency is not counted as an injected fault
};

class CollectUnderFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(CollectUnderFault, RetriesAndStillLoadsExactly) {
  SimulatorOptions world = SmallWorldOptions();
  IngestHarness harness(world);
  std::set<std::string> truth = harness.TruthJobIds(kToday.AddDays(-3), kToday);
  SimulatorFaultOptions faults;
  GetParam().apply(faults);
  harness.simulator->SetFaults(faults);
  PostingsCollectorOptions options = harness.Postings(kToday.AddDays(-3), kToday);
  options.caller.retry.max_attempts = 8;
  options.caller.timeout = std::chrono::milliseconds(400);
  // Code 23 means "wait for the next second", not "retry at once".
  options.caller.retry.rate_limited_delay = std::chrono::milliseconds(400);
  CollectOutcome outcome = harness.CollectPostings("20250630T000000Z-0001", options);
  ASSERT_TRUE(outcome.status.ok()) << GetParam().name << ": " << outcome.status.ToString();
  EXPECT_EQ(harness.LoadedJobIds(kToday.AddDays(-3), kToday, true), truth);
  if (GetParam().counted) {
    EXPECT_GT(harness.simulator->Stats().faults_injected, 0) << GetParam().name;
  }
  harness.simulator->SetFaults({});
}

INSTANTIATE_TEST_SUITE_P(
    EveryFault, CollectUnderFault,
    ::testing::Values(
        FaultCase{"error_codes",
                  [](SimulatorFaultOptions& f) {
                    f.error_rate = 0.25;
                    f.error_codes = {"01", "02", "05", "99"};
                  }},
        FaultCase{"per_second", [](SimulatorFaultOptions& f) { f.per_second_limit = 40; }},
        FaultCase{"http500", [](SimulatorFaultOptions& f) { f.http500_rate = 0.2; }},
        FaultCase{"http503", [](SimulatorFaultOptions& f) { f.http503_rate = 0.2; }},
        FaultCase{"truncated", [](SimulatorFaultOptions& f) { f.truncated_rate = 0.2; }},
        FaultCase{"malformed", [](SimulatorFaultOptions& f) { f.malformed_rate = 0.2; }},
        FaultCase{"reset", [](SimulatorFaultOptions& f) { f.reset_rate = 0.2; }},
        FaultCase{"hang",
                  [](SimulatorFaultOptions& f) {
                    f.hang_first_n = 3;
                    f.hang = std::chrono::milliseconds(3000);
                  }},
        FaultCase{"latency",
                  [](SimulatorFaultOptions& f) {
                    f.latency = std::chrono::milliseconds(5);
                    f.latency_jitter = std::chrono::milliseconds(20);
                  },
                  false}),
    [](const ::testing::TestParamInfo<FaultCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(CollectPostings, AWrongKeyFailsFastSayingWhatToFix) {
  IngestHarness harness;
  harness.key = std::make_unique<ServiceKey>("not-the-registered-key");
  CollectOutcome outcome =
      harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday));
  ASSERT_EQ(outcome.status.code(), ErrorCode::kAuth);
  EXPECT_NE(outcome.status.message().find("code 30"), std::string::npos);
  EXPECT_NE(outcome.status.hint().find("DATA_GO_KR_SERVICE_KEY"), std::string::npos);
  EXPECT_EQ(harness.simulator->Stats().list_calls, 2) << "no retries (two pages in flight)";
}

TEST(CollectPostings, ARetiredEndpointSaysItIsGone) {
  IngestHarness harness;
  SimulatorFaultOptions faults;
  faults.endpoint_gone = true;
  harness.simulator->SetFaults(faults);
  CollectOutcome outcome =
      harness.CollectPostings("20250630T000000Z-0001", harness.Postings(kFrom, kToday));
  ASSERT_EQ(outcome.status.code(), ErrorCode::kGone);
  EXPECT_NE(outcome.status.hint().find("retired or moved"), std::string::npos);
}

TEST(CollectPostings, PersistentServerErrorsGiveUpBoundedAndKeepProgress) {
  IngestHarness harness;
  SimulatorFaultOptions faults;
  faults.http503_rate = 1.0;
  harness.simulator->SetFaults(faults);
  PostingsCollectorOptions options = harness.Postings(kFrom, kToday);
  options.caller.retry.max_attempts = 3;
  CollectOutcome outcome = harness.CollectPostings("20250630T000000Z-0001", options);
  ASSERT_FALSE(outcome.status.ok());
  EXPECT_NE(outcome.status.message().find("gave up after 3 attempts"), std::string::npos);
  EXPECT_LE(harness.simulator->Stats().list_calls, 2 * 3);
  // Once the service recovers, the same command completes.
  harness.simulator->SetFaults({});
  CollectOutcome recovered =
      harness.CollectPostings("20250630T000001Z-0002", harness.Postings(kFrom, kToday));
  ASSERT_TRUE(recovered.status.ok()) << recovered.status.ToString();
  EXPECT_EQ(harness.LoadedJobIds(kFrom, kToday, true), harness.TruthJobIds(kFrom, kToday));
}

TEST(CollectProjects, LoadsEveryYearWithCanonicalColumns) {
  IngestHarness harness;
  ProjectsOutcome outcome = harness.CollectProjects("20250630T000000Z-0001", harness.Projects());
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  auto per_year = CountProjectsPerYear(*harness.warehouse);
  ASSERT_TRUE(per_year.ok());
  for (const auto& [year, file_id] : KnownProjectFiles()) {
    EXPECT_EQ(per_year->at(year), harness.ProjectFileRows(file_id)) << year;
    EXPECT_EQ(outcome.stats.rows_per_year.at(year), per_year->at(year)) << year;
  }
  // The drifting spellings all land in the canonical columns.
  for (int year : {2018, 2020, 2022, 2023, 2024}) {
    std::string where = " FROM raw_projects WHERE _file_year = '" + std::to_string(year) + "'";
    EXPECT_EQ(
        harness.Count("SELECT COUNT(*)" + where + " AND (admProvNm IS NULL OR admProvNm = '')"), 0)
        << year;
    EXPECT_EQ(harness.Count("SELECT COUNT(*)" + where + " AND projTypeCdNm LIKE '%(%-%)'"),
              harness.Count("SELECT COUNT(*)" + where))
        << year;
  }
  EXPECT_GT(harness.Count("SELECT COUNT(*) FROM raw_projects WHERE _file_year = '2020' AND "
                          "budgetDivCd IS NOT NULL"),
            0);
  EXPECT_GT(harness.Count("SELECT COUNT(*) FROM raw_projects WHERE _file_year = '2024' AND "
                          "projContent IS NOT NULL"),
            0);
}

TEST(CollectProjects, EveryColumnOfTheKnownFilesHasACanonicalName) {
  IngestHarness harness;
  ProjectsOutcome outcome = harness.CollectProjects("20250630T000000Z-0001", harness.Projects());
  ASSERT_TRUE(outcome.status.ok());
  EXPECT_TRUE(outcome.stats.unknown_columns.empty());
  EXPECT_EQ(harness.Count("SELECT COUNT(*) FROM raw_projects WHERE _extra IS NOT NULL"), 0);
}

TEST(CollectProjects, AnUnknownColumnIsKeptAndReportedNotFatal) {
  IngestHarness harness;
  ASSERT_TRUE(EnsureRawTables(*harness.warehouse).ok());
  ProjectColumnMap columns;
  ProjectsLoader loader(*harness.warehouse, columns);
  EnvelopePage page;
  page.items.push_back({{"사업번호", "2025-00001"},
                        {"사업년도", "2025"},
                        {"사업계획변경순번", "1"},
                        {"관활시도명", "서울특별시"},
                        {"새컬럼", "값"}});
  page.items.push_back({{"사업번호", ""}, {"사업년도", "2025"}, {"사업계획변경순번", "1"}});
  auto loaded = loader.LoadPage(page, 2025, "new-file", {"run", "2025-01-01T00:00:00Z"});
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, 1);
  EXPECT_EQ(loader.rejected_rows(), 1);
  EXPECT_EQ(loader.unknown_columns().at("new-file"), std::set<std::string>{"새컬럼"});
  EXPECT_EQ(harness.Count("SELECT COUNT(*) FROM raw_projects WHERE admProvNm = '서울특별시' AND "
                          "_extra = '{\"새컬럼\":\"값\"}'"),
            1);
  // An alias from the config gives the column a canonical home.
  std::map<std::string, std::vector<std::string>> aliases{{"projContent", {"새컬럼"}}};
  ProjectColumnMap configured(aliases);
  ASSERT_NE(configured.Canonical("새컬럼"), nullptr);
  EXPECT_EQ(*configured.Canonical("새컬럼"), "projContent");
}

TEST(CollectProjects, QuotaStopsAndTheNextRunResumesAtTheNextPage) {
  SimulatorOptions world = SmallWorldOptions();
  IngestHarness harness(world);
  SimulatorFaultOptions faults;
  faults.daily_quota = 7;
  harness.simulator->SetFaults(faults);
  ProjectsCollectorOptions options = harness.Projects();
  ProjectsOutcome stopped = harness.CollectProjects("20250630T000000Z-0001", options);
  ASSERT_TRUE(stopped.status.IsQuotaExhausted()) << stopped.status.ToString();
  int runs = 1;
  ProjectsOutcome resumed;
  do {
    harness.simulator->SetFaults(faults);
    resumed = harness.CollectProjects("20250701T00000" + std::to_string(runs) + "Z-0002", options);
    ++runs;
  } while (resumed.status.IsQuotaExhausted() && runs < 30);
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.ToString();
  harness.simulator->SetFaults({});
  auto per_year = CountProjectsPerYear(*harness.warehouse);
  for (const auto& [year, file_id] : KnownProjectFiles())
    EXPECT_EQ(per_year->at(year), harness.ProjectFileRows(file_id)) << year;
}

}  // namespace
}  // namespace silverwork::testing
