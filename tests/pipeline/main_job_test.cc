// The main job (collect, then build) against a simulator whose "today"
// follows the same fake clock as the job.
#include <gtest/gtest.h>

#include "../ingest/ingest_harness.h"
#include "pipeline/main_job.h"
#include "pipeline/run_ledger.h"
#include "pipeline_test_util.h"

namespace silverwork::testing {
namespace {

// Writes down what the job reported, in order.
class RecordingListener final : public MainJobListener {
 public:
  void PostingsCollected(const CollectionWindow& window, const CollectOutcome& outcome) override {
    steps.push_back("postings");
    collected_window = window;
    postings_status = outcome.status;
  }
  void ProjectsCollected(const ProjectsOutcome& outcome) override {
    steps.push_back("projects");
    projects_rows = outcome.stats.rows_loaded;
  }
  Status Collected(Warehouse& warehouse) override {
    steps.push_back("collected");
    auto count = warehouse.QueryAll("SELECT COUNT(*) FROM raw_postings");
    if (count.ok()) raw_postings = std::get<int64_t>(count->rows.at(0).at(0));
    return count.status();
  }
  Status Built(const transform::RunResults& results, Warehouse& warehouse) override {
    steps.push_back("built");
    build_ok = results.ok();
    build_summary = results.Summary();
    auto count = warehouse.QueryAll("SELECT COUNT(*) FROM fct_job_postings");
    if (count.ok()) fact_rows = std::get<int64_t>(count->rows.at(0).at(0));
    return count.status();
  }

  std::vector<std::string> steps;
  CollectionWindow collected_window;
  Status postings_status;
  int64_t projects_rows = 0, raw_postings = 0, fact_rows = 0;
  bool build_ok = false;
  std::string build_summary;
};

// A small world whose today is the fake clock's Korean day.
struct ClockedWorld {
  explicit ClockedWorld(std::chrono::system_clock::time_point now, int64_t daily_quota = 0)
      : clock(now), harness(Options(clock, daily_quota)) {}
  static SimulatorOptions Options(Clock& clock, int64_t daily_quota) {
    SimulatorOptions options = SmallWorldOptions();
    options.data.today.reset();
    options.clock = &clock;
    options.faults.daily_quota = daily_quota;
    return options;
  }
  Config MakeConfig() const {
    Config config =
        SimulatorConfig(harness.dir.path(), harness.simulator->base_url(), kSimulatorDemoKey);
    config.project_dir = SILVERWORK_SOURCE_DIR;
    UseWarehouse(config, harness.WarehouseOptions());
    return config;
  }
  RunRecord OnlyRun() {
    auto runs = RunLedger(*harness.warehouse, clock).Recent(10);
    EXPECT_TRUE(runs.ok() && runs->size() == 1);
    return runs.ok() && !runs->empty() ? runs->front() : RunRecord{};
  }

  FakeClock clock;
  IngestHarness harness;
};

TEST(MainJob, CollectsTheLastDaysOfTheClockThenBuildsTheProject) {
  // 00:30 KST on July 1st: still June 30th in UTC, already July 1st in Korea.
  const Date today = Date::FromYmd(2025, 7, 1);
  ClockedWorld world(KoreaTime(today, 0, 30));
  RecordingListener listener;
  Status status = RunMainJob(world.MakeConfig(), world.clock, {.days = 2, .build_threads = 2},
                             listener);
  ASSERT_TRUE(status.ok()) << status.ToString() << "\n" << listener.build_summary;
  EXPECT_EQ(listener.steps,
            (std::vector<std::string>{"postings", "projects", "collected", "built"}));
  EXPECT_EQ(listener.collected_window, (CollectionWindow{today.AddDays(-1), today}));
  EXPECT_GT(world.harness.Count("SELECT COUNT(*) FROM raw_postings WHERE frDd = '20250701'"), 0)
      << "the simulator's today is the job's today";
  EXPECT_EQ(world.harness.Count("SELECT COUNT(*) FROM raw_postings WHERE frDd > '20250701'"), 0);
  EXPECT_GT(listener.projects_rows, 0);
  EXPECT_GT(listener.raw_postings, 0);
  EXPECT_TRUE(listener.build_ok);
  EXPECT_EQ(listener.fact_rows, listener.raw_postings);

  RunRecord run = world.OnlyRun();
  EXPECT_EQ(run.command, "pipeline");
  EXPECT_EQ(run.status, "success");
  EXPECT_EQ(run.started_at, "2025-06-30T15:30:00Z");
  EXPECT_EQ(run.figures.window_from, today.AddDays(-1));
  EXPECT_EQ(run.figures.projects_loaded, listener.projects_rows);
}

TEST(MainJob, ASpentQuotaStopsBeforeTheBuildWithProgressKept) {
  const Date today = Date::FromYmd(2025, 7, 1);
  ClockedWorld world(KoreaTime(today, 10), /*daily_quota=*/30);
  RecordingListener listener;
  Status status = RunMainJob(world.MakeConfig(), world.clock, {.days = 5}, listener);
  ASSERT_TRUE(status.IsQuotaExhausted()) << status.ToString();
  EXPECT_EQ(listener.steps, std::vector<std::string>{"postings"});
  EXPECT_TRUE(listener.postings_status.IsQuotaExhausted());
  RunRecord run = world.OnlyRun();
  EXPECT_EQ(run.status, "stopped");
  EXPECT_GT(run.figures.details_loaded, 0) << "what was fetched is kept";
  EXPECT_FALSE(*world.harness.warehouse->TableExists("fct_job_postings")) << "no build ran";
}

}  // namespace
}  // namespace silverwork::testing
