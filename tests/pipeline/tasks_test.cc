// The task entry points against the simulator on loopback, with a fake clock.
#include <gtest/gtest.h>

#include <fstream>
#include <utility>
#include <nlohmann/json.hpp>

#include "../ingest/ingest_harness.h"
#include "common/log.h"
#include "pipeline/run_ledger.h"
#include "pipeline/tasks.h"
#include "pipeline_test_util.h"
#include "scoped_temp_dir.h"

namespace silverwork::testing {
namespace {

const CollectionWindow kWindow{kToday.AddDays(-4), kToday};

class TaskTest : public ::testing::Test {
 protected:
  explicit TaskTest(SimulatorOptions world = SmallWorldOptions()) : harness_(std::move(world)) {}

  Config MakeConfig() const {
    Config config =
        SimulatorConfig(harness_.dir.path(), harness_.simulator->base_url(), kSimulatorDemoKey);
    UseWarehouse(config, harness_.WarehouseOptions());
    return config;
  }
  RunRecord LedgerRow(const std::string& run_id) {
    auto runs = RunLedger(*harness_.warehouse, clock_).Recent(100);
    EXPECT_TRUE(runs.ok()) << runs.status().ToString();
    for (const auto& run : *runs)
      if (run.run_id == run_id) return run;
    ADD_FAILURE() << "no ledger row for " << run_id;
    return {};
  }
  int64_t FigureOf(const TaskReport& report, std::string_view name) {
    auto figure = report.Figure(name);
    EXPECT_TRUE(figure.has_value()) << name;
    return figure.value_or(-1);
  }

  IngestHarness harness_;
  FakeClock clock_{KoreaNoon(kToday)};
};

TEST_F(TaskTest, CollectPostingsLoadsTheWindowAndRecordsTheRun) {
  TaskReport report = CollectPostingsTask(MakeConfig(), clock_, kWindow);
  ASSERT_TRUE(report.status.ok()) << report.status.ToString();
  EXPECT_EQ(report.kind, TaskKind::kCollectPostings);
  EXPECT_TRUE(report.run_id.starts_with("20250630T030000.000Z-")) << report.run_id;
  SimulatorStats served = harness_.simulator->Stats();  // before the truth's own calls

  std::set<std::string> truth = harness_.TruthJobIds(kWindow.from, kWindow.to);
  ASSERT_GT(truth.size(), 100u);
  EXPECT_EQ(harness_.LoadedJobIds(kWindow.from, kWindow.to, true), truth);
  EXPECT_EQ(FigureOf(report, "postings_in_window"), static_cast<int64_t>(truth.size()));
  EXPECT_EQ(FigureOf(report, "window_days"), 5);
  EXPECT_EQ(FigureOf(report, "details_loaded"), FigureOf(report, "details_needed"));
  EXPECT_GE(FigureOf(report, "details_loaded"), static_cast<int64_t>(truth.size()));
  EXPECT_EQ(FigureOf(report, "calls"), served.list_calls + served.detail_calls);
  EXPECT_EQ(FigureOf(report, "details_failed"), 0);
  EXPECT_EQ(report.figures.back().name, "elapsed_ms");
  const auto* details = std::get_if<PostingsTaskDetails>(&report.details);
  ASSERT_NE(details, nullptr);
  EXPECT_EQ(details->window, kWindow);

  RunRecord row = LedgerRow(report.run_id);
  EXPECT_EQ(row.command, "collect postings");
  EXPECT_EQ(row.status, "success");
  EXPECT_EQ(row.started_at, "2025-06-30T03:00:00Z");
  EXPECT_EQ(row.figures.window_from, kWindow.from);
  EXPECT_EQ(row.figures.window_to, kWindow.to);
  EXPECT_EQ(row.figures.details_loaded, FigureOf(report, "details_loaded"));
  EXPECT_EQ(row.figures.calls, FigureOf(report, "calls"));
  auto lake_runs = LakeReader(harness_.LakePath()).Runs();
  ASSERT_TRUE(lake_runs.ok());
  EXPECT_EQ(*lake_runs, std::vector<std::string>{report.run_id});
}

class QuotaTaskTest : public TaskTest {
 protected:
  static SimulatorOptions World() {
    SimulatorOptions world = SmallWorldOptions();
    world.faults.daily_quota = 120;
    return world;
  }
  QuotaTaskTest() : TaskTest(World()) {}
};

TEST_F(QuotaTaskTest, ASpentQuotaStopsTheTaskAndTheNextRunResumes) {
  TaskReport stopped = CollectPostingsTask(MakeConfig(), clock_, kWindow);
  ASSERT_TRUE(stopped.status.IsQuotaExhausted()) << stopped.status.ToString();
  EXPECT_EQ(LedgerRow(stopped.run_id).status, "stopped");
  EXPECT_NE(LedgerRow(stopped.run_id).message.find("code 22"), std::string::npos);
  EXPECT_GT(FigureOf(stopped, "calls"), 100);
  auto json = nlohmann::json::parse(TaskReportJson(stopped));
  EXPECT_EQ(json.at("status"), "stopped");
  EXPECT_EQ(json.at("error").at("code"), "quota exhausted");

  // The clock has not moved: the next run's id still sorts after this one.
  std::string previous = stopped.run_id;
  TaskReport resumed;
  for (int day = 1; day <= 10; ++day) {
    harness_.simulator->SetFaults(World().faults);  // the service's next day
    resumed = CollectPostingsTask(MakeConfig(), clock_, kWindow);
    EXPECT_GT(resumed.run_id, previous);
    EXPECT_EQ(FigureOf(resumed, "resumed"), 1);
    previous = resumed.run_id;
    if (!resumed.status.IsQuotaExhausted()) break;
  }
  ASSERT_TRUE(resumed.status.ok()) << resumed.status.ToString();
  EXPECT_EQ(LedgerRow(resumed.run_id).status, "success");
  EXPECT_EQ(harness_.LoadedJobIds(kWindow.from, kWindow.to, true),
            harness_.TruthJobIds(kWindow.from, kWindow.to));
}

TEST_F(TaskTest, AWrongKeyFailsTheTaskAndTheLedgerSaysWhy) {
  Config config = MakeConfig();
  config.service_key = "not-the-registered-key";
  TaskReport report = CollectPostingsTask(config, clock_, kWindow);
  ASSERT_EQ(report.status.code(), ErrorCode::kAuth) << report.status.ToString();
  RunRecord row = LedgerRow(report.run_id);
  EXPECT_EQ(row.status, "failed");
  EXPECT_NE(row.message.find("code 30"), std::string::npos) << row.message;
  auto json = nlohmann::json::parse(TaskReportJson(report));
  EXPECT_EQ(json.at("status"), "failed");
  EXPECT_NE(json.at("error").at("hint").get<std::string>().find("DATA_GO_KR_SERVICE_KEY"),
            std::string::npos);
}

TEST_F(TaskTest, ATaskThatCannotStartReportsNoRun) {
  Config config = MakeConfig();
  config.service_key.clear();
  config.postings.base_url.clear();
  config.projects.base_url.clear();
  TaskReport report = CollectProjectsTask(config, clock_);
  EXPECT_EQ(report.status.code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(report.run_id, "");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(report.details));
  EXPECT_EQ(report.figures.size(), 1u) << "elapsed_ms only";
}

TEST_F(TaskTest, CollectProjectsThenReloadRebuildsTheSameRows) {
  TaskReport projects = CollectProjectsTask(MakeConfig(), clock_);
  ASSERT_TRUE(projects.status.ok()) << projects.status.ToString();
  int64_t rows = harness_.Count("SELECT COUNT(*) FROM raw_projects");
  EXPECT_EQ(FigureOf(projects, "rows_loaded"), rows);
  EXPECT_EQ(FigureOf(projects, "files"), static_cast<int64_t>(KnownProjectFiles().size()));
  RunRecord row = LedgerRow(projects.run_id);
  EXPECT_EQ(row.command, "collect projects");
  EXPECT_EQ(row.figures.projects_loaded, rows);
  EXPECT_EQ(row.figures.window_from, std::nullopt);

  ASSERT_TRUE(harness_.warehouse->Execute("DELETE FROM raw_projects").ok());
  TaskReport reload = ReloadTask(MakeConfig(), clock_);
  ASSERT_TRUE(reload.status.ok()) << reload.status.ToString();
  EXPECT_EQ(harness_.Count("SELECT COUNT(*) FROM raw_projects"), rows);
  EXPECT_EQ(FigureOf(reload, "project_pages"), FigureOf(projects, "pages"));
  EXPECT_EQ(FigureOf(reload, "records"), FigureOf(projects, "calls") + 1)
      << "every page the collection fetched, and the OpenAPI document (no gateway call)";
  EXPECT_EQ(harness_.Count("SELECT COUNT(*) FROM raw_projects WHERE _loaded_at = "
                           "'2025-06-30T03:00:00Z'"),
            rows)
      << "the reload stamps rows with the clock's time";
}

TEST_F(TaskTest, DiscoverProjectsSaysWhetherAFileChangedAndCollectsNothing) {
  Config config = MakeConfig();
  const auto files = static_cast<int64_t>(KnownProjectFiles().size());
  TaskReport before = DiscoverProjectsTask(config, clock_);
  ASSERT_TRUE(before.status.ok()) << before.status.ToString();
  EXPECT_EQ(before.kind, TaskKind::kDiscoverProjects);
  EXPECT_EQ(before.run_id, "") << "discovery is no collection run";
  EXPECT_FALSE(before.NothingNew()) << "never collected: every file is new";
  EXPECT_EQ(FigureOf(before, "files_listed"), files);
  EXPECT_EQ(FigureOf(before, "new"), files);
  EXPECT_EQ(FigureOf(before, "changed"), 1);
  ASSERT_TRUE(std::holds_alternative<ProjectsDiscovery>(before.details));
  SimulatorStats served = harness_.simulator->Stats();
  EXPECT_EQ(served.projects_calls, 0) << "no file is read";
  EXPECT_EQ(served.document_calls, 1);
  EXPECT_EQ(served.document_calls_with_key, 0);

  ASSERT_TRUE(CollectProjectsTask(config, clock_).status.ok());
  TaskReport after = DiscoverProjectsTask(config, clock_);
  ASSERT_TRUE(after.status.ok()) << after.status.ToString();
  EXPECT_TRUE(after.NothingNew());
  EXPECT_EQ(FigureOf(after, "files_listed"), files);
  EXPECT_EQ(FigureOf(after, "new"), 0);
  EXPECT_EQ(FigureOf(after, "changed"), 0);

  config.projects.openapi_url.clear();
  TaskReport nowhere = DiscoverProjectsTask(config, clock_);
  EXPECT_EQ(nowhere.status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(nowhere.status.hint().find(Config::kRealProjectsDocumentUrl), std::string::npos);
  EXPECT_FALSE(nowhere.NothingNew()) << "a sensor that failed found nothing, not nothing new";
}

// A three-node SQL project: a seed, a model on it, and a test of the model.
void WriteTinyProject(const std::filesystem::path& root, const std::string& model_sql) {
  std::filesystem::create_directories(root / "models");
  std::filesystem::create_directories(root / "seeds");
  std::ofstream(root / "silverwork_project.yml")
      << "name: tiny\nversion: \"1.0\"\nconfig-version: 2\n";
  std::ofstream(root / "seeds" / "days.csv") << "day,postings\n2025-06-29,3\n2025-06-30,4\n";
  std::ofstream(root / "models" / "total.sql") << model_sql;
  std::ofstream(root / "models" / "schema.yml")
      << "version: 2\nmodels:\n  - name: total\n    columns:\n      - name: postings\n"
         "        tests:\n          - not_null\n";
}

TEST(TransformTask, BuildsAndCountsItsNodes) {
  ScopedTempDir dir;
  WriteTinyProject(dir.path() / "project",
                   "select sum(postings) as postings from {{ ref('days') }}\n");
  Config config = SimulatorConfig(dir.path().string(), "http://127.0.0.1:1", "unused");
  config.project_dir = (dir.path() / "project").string();
  FakeClock clock(KoreaNoon(kToday));
  TaskReport built = TransformTask(config, clock, TransformVerb::kBuild, {});
  ASSERT_TRUE(built.status.ok()) << built.status.ToString();
  EXPECT_EQ(built.kind, TaskKind::kBuild);
  EXPECT_EQ(*built.Figure("nodes"), 3);
  EXPECT_EQ(*built.Figure("success"), 2);
  EXPECT_EQ(*built.Figure("pass"), 1);
  EXPECT_EQ(*built.Figure("error"), 0);
  const auto* results = std::get_if<transform::RunResults>(&built.details);
  ASSERT_NE(results, nullptr);
  EXPECT_EQ(built.run_id, results->run_id);
  EXPECT_EQ(results->generated_at, "2025-06-30T03:00:00Z") << "the runner has the task's clock";

  TaskReport tested = RunTask(config, clock, {.kind = TaskKind::kTest, .transform = {}});
  ASSERT_TRUE(tested.status.ok()) << tested.status.ToString();
  EXPECT_EQ(tested.kind, TaskKind::kTest);

  TaskReport docs = DocsTask(config, clock, {});
  ASSERT_TRUE(docs.status.ok()) << docs.status.ToString();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "artifacts" / "manifest.json"));
}

TEST(TransformTask, FailingNodesFailTheTaskAndAreCounted) {
  ScopedTempDir dir;
  WriteTinyProject(dir.path() / "project", "select no_such_column from {{ ref('days') }}\n");
  Config config = SimulatorConfig(dir.path().string(), "http://127.0.0.1:1", "unused");
  config.project_dir = (dir.path() / "project").string();
  FakeClock clock(KoreaNoon(kToday));
  TaskReport built = TransformTask(config, clock, TransformVerb::kBuild, {});
  ASSERT_FALSE(built.status.ok());
  EXPECT_FALSE(built.status.IsQuotaExhausted());
  EXPECT_NE(built.status.hint().find("run_results.json"), std::string::npos);
  EXPECT_EQ(*built.Figure("error"), 1);
  EXPECT_EQ(*built.Figure("skipped"), 1) << "the test of the failed model";
  EXPECT_TRUE(std::holds_alternative<transform::RunResults>(built.details));

  config.project_dir = (dir.path() / "missing").string();
  TaskReport missing = TransformTask(config, clock, TransformVerb::kRun, {});
  EXPECT_FALSE(missing.status.ok());
  EXPECT_EQ(missing.kind, TaskKind::kRun);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(missing.details));
}

TEST(TransformTask, StaleSourcesWarnOrFailAndTheJsonLineSaysWhich) {
  ScopedTempDir dir;
  const std::filesystem::path root = dir.path() / "project";
  std::filesystem::create_directories(root / "models");
  std::ofstream(root / "silverwork_project.yml")
      << "name: tiny\nversion: \"1.0\"\nconfig-version: 2\n";
  std::ofstream(root / "models" / "sources.yml")
      << "version: 2\nsources:\n  - name: raw\n    loaded_at_field: loaded_at\n"
         "    freshness:\n      warn_after: {count: 3, period: hour}\n"
         "      error_after: {count: 1, period: day}\n    tables:\n      - name: things\n";
  std::ofstream(root / "models" / "newest.sql")
      << "select max(loaded_at) as newest from {{ source('raw', 'things') }}\n";
  Config config = SimulatorConfig(dir.path().string(), "http://127.0.0.1:1", "unused");
  config.project_dir = root.string();
  {
    auto warehouse = OpenWarehouse({.engine = "sqlite", .location = config.warehouse_path});
    ASSERT_TRUE(warehouse.ok());
    ASSERT_TRUE((*warehouse)
                    ->Execute("CREATE TABLE things(loaded_at TEXT);"
                              "INSERT INTO things VALUES ('2025-06-29T23:30:00Z')")
                    .ok());
  }
  FakeClock clock(KoreaNoon(kToday));  // 2025-06-30T03:00:00Z: 3.5 hours later

  TaskReport warned = TransformTask(config, clock, TransformVerb::kBuild, {});
  ASSERT_TRUE(warned.status.ok()) << warned.status.ToString();
  EXPECT_EQ(*warned.Figure("stale_sources"), 1);
  auto checks = FreshnessChecks(warned);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].source, "source.tiny.raw.things");
  EXPECT_EQ(checks[0].status, "warn");
  auto json = nlohmann::json::parse(TaskReportJson(warned));
  EXPECT_EQ(json.at("status"), "success");
  ASSERT_EQ(json.at("freshness").size(), 1u);
  EXPECT_EQ(json.at("freshness")[0].at("status"), "warn");
  EXPECT_NE(json.at("freshness")[0].at("message").get<std::string>().find("3.5 hours old"),
            std::string::npos);

  clock.Advance(std::chrono::hours(24));
  TaskReport failed = TransformTask(config, clock, TransformVerb::kBuild, {});
  EXPECT_FALSE(failed.status.ok());
  auto failed_json = nlohmann::json::parse(TaskReportJson(failed));
  EXPECT_EQ(failed_json.at("status"), "failed");
  EXPECT_EQ(failed_json.at("freshness")[0].at("status"), "error");
  TaskReport no_build{.kind = TaskKind::kCollectProjects};
  EXPECT_TRUE(FreshnessChecks(no_build).empty());
  EXPECT_FALSE(nlohmann::json::parse(TaskReportJson(no_build)).contains("freshness"));
}

TEST(Tasks, KindsAreNamedAndParametersChecked) {
  for (TaskKind kind : {TaskKind::kCollectPostings, TaskKind::kCollectProjects,
                        TaskKind::kDiscoverProjects, TaskKind::kBuild, TaskKind::kRun,
                        TaskKind::kTest, TaskKind::kSeed, TaskKind::kSnapshot, TaskKind::kReload,
                        TaskKind::kDocs}) {
    auto named = TaskKindNamed(TaskKindName(kind));
    ASSERT_TRUE(named.ok()) << TaskKindName(kind);
    EXPECT_EQ(*named, kind);
  }
  EXPECT_EQ(TransformVerbOf(TaskKind::kSnapshot), TransformVerb::kSnapshot);
  EXPECT_EQ(TransformVerbOf(TaskKind::kReload), std::nullopt);
  auto unknown = TaskKindNamed("collect_everything");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().hint().find("collect_postings, collect_projects"), std::string::npos);

  ScopedTempDir dir;
  Config config = SimulatorConfig(dir.path().string(), "http://127.0.0.1:1", "unused");
  FakeClock clock(KoreaNoon(kToday));
  TaskReport no_window = RunTask(config, clock, {.kind = TaskKind::kCollectPostings});
  EXPECT_EQ(no_window.status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(no_window.status.message().find("needs the days"), std::string::npos);
  TaskReport stray_window =
      RunTask(config, clock, {.kind = TaskKind::kBuild, .window = kWindow});
  EXPECT_EQ(stray_window.status.code(), ErrorCode::kInvalidInput);
  EXPECT_NE(stray_window.status.message().find("collect_postings only"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(config.warehouse_path)) << "nothing ran";
}

TEST(Tasks, TheJsonReportCarriesFiguresAndNoSecrets) {
  RegisterSecret("task-json-secret");
  TaskReport report{.kind = TaskKind::kCollectProjects,
                    .status = Status(ErrorCode::kNetwork, "reset by task-json-secret", "retry"),
                    .run_id = "20250630T030000.000Z-0001",
                    .figures = {{"calls", 3}, {"elapsed_ms", 10}}};
  std::string line = TaskReportJson(report);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find("task-json-secret"), std::string::npos) << line;
  auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json.at("task"), "collect_projects");
  EXPECT_EQ(json.at("status"), "failed");
  EXPECT_EQ(json.at("run_id"), "20250630T030000.000Z-0001");
  EXPECT_EQ(json.at("figures").at("calls"), 3);
  EXPECT_EQ(json.at("error").at("message"), "reset by ***");
  report.status = Status::Ok();
  auto succeeded = nlohmann::json::parse(TaskReportJson(report));
  EXPECT_EQ(succeeded.at("status"), "success");
  EXPECT_FALSE(succeeded.contains("error"));
}

}  // namespace
}  // namespace silverwork::testing
