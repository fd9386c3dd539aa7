// StartupGate through Scheduler::Tick (fake clock, in-process launcher):
// the first catch-up of `silverwork standalone` collects everything, then
// builds the whole project once, then lets the partial builds run.
#include <gtest/gtest.h>

#include "scheduler_fixture.h"

namespace silverwork::scheduler {
namespace {

// Task names are unique across pipelines so the fake launcher can tell
// them apart.
constexpr char kGatedPipelines[] =
    "pipelines:\n"
    "  daily:\n"
    "    schedule: '0 0 * * *'\n"
    "    partitions: {by: day, timezone: Asia/Seoul}\n"
    "    tasks:\n"
    "      collect_days: {kind: collect_postings, retries: 0}\n"
    "      build_days: {kind: build, after: collect_days, select: 'source:raw.raw_postings+',\n"
    "                   retries: 0}\n"
    "  projects:\n"
    "    schedule: '0 */6 * * *'\n"
    "    catchup: false\n"
    "    tasks:\n"
    "      discover: {kind: discover_projects, retries: 0}\n"
    "      collect_files: {kind: collect_projects, after: discover, retries: 0}\n"
    "      build_projects: {kind: build, after: collect_files, select: "
    "'source:raw.raw_projects+', retries: 0}\n"
    "  models:\n"
    "    schedule: '0 10 * * *'\n"
    "    catchup: false\n"
    "    tasks:\n"
    "      build_all: {kind: build, retries: 0}\n";

class StartupGateTest : public SchedulerTest {
 protected:
  void SetUp() override {
    SchedulerTest::SetUp();
    LoadPipelines(kGatedPipelines);
    gate_ = std::make_unique<StartupGate>(pipelines_);
    SchedulerOptions options = Options();
    options.gate = gate_.get();
    scheduler_ = NewScheduler(std::move(options));
  }

  std::unique_ptr<StartupGate> gate_;
};

TEST_F(StartupGateTest, CollectionsFirstThenTheWholeProjectThenThePartialBuilds) {
  Tick();  // 2026-11-23 00:00:30 UTC: every pipeline has a run queued
  EXPECT_EQ(gate_->stage(), StartupGate::Stage::kCollect);
  EXPECT_TRUE(launcher_.IsRunning("collect_days"));
  EXPECT_TRUE(launcher_.IsRunning("discover"));
  EXPECT_FALSE(launcher_.IsRunning("build_all")) << "the whole build waits for the collections";

  launcher_.End("collect_days", 0);
  launcher_.End("discover", 0);
  Tick();
  EXPECT_TRUE(launcher_.IsRunning("collect_files"));
  EXPECT_FALSE(launcher_.IsRunning("build_days")) << "projects are still being collected";
  EXPECT_FALSE(launcher_.IsRunning("build_all"));

  // The next projects fire queues a second run behind the first (max one
  // active): its waiting sensor must not hold the gate, or neither moves.
  SetNow("2026-11-23T06:00:30Z");
  launcher_.End("collect_files", 0);
  Tick();
  EXPECT_EQ(Runs("projects").size(), 2u);
  EXPECT_EQ(gate_->stage(), StartupGate::Stage::kFullBuild);
  EXPECT_TRUE(launcher_.IsRunning("build_all"));
  EXPECT_FALSE(launcher_.IsRunning("build_days"));
  EXPECT_FALSE(launcher_.IsRunning("build_projects"));

  launcher_.End("build_all", 0);
  Tick();
  EXPECT_EQ(gate_->stage(), StartupGate::Stage::kOpen);
  EXPECT_TRUE(launcher_.IsRunning("build_days"));
  EXPECT_TRUE(launcher_.IsRunning("build_projects"));
}

TEST_F(StartupGateTest, AFailedCollectionDoesNotHoldTheBuilds) {
  Tick();
  launcher_.End("collect_days", 1, Status(ErrorCode::kIO, "portal down", "later"));
  launcher_.End("discover", 4);  // nothing new: the projects run is skipped
  Tick();
  EXPECT_EQ(gate_->stage(), StartupGate::Stage::kFullBuild);
  EXPECT_TRUE(launcher_.IsRunning("build_all"));
  EXPECT_EQ(Task(OnlyRun("daily").run_id, "build_days").state, TaskState::kUpstreamFailed);
}

TEST_F(StartupGateTest, NothingToCatchUpOpensAtOnce) {
  LoadPipelines(
      "pipelines:\n"
      "  models:\n"
      "    schedule: '0 10 * * *'\n"
      "    paused: true\n"
      "    tasks:\n"
      "      build_all: {kind: build}\n");
  StartupGate gate(pipelines_);
  auto moved = gate.Advance(*store_);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_TRUE(*moved);
  EXPECT_EQ(gate.stage(), StartupGate::Stage::kOpen);
}

}  // namespace
}  // namespace silverwork::scheduler
