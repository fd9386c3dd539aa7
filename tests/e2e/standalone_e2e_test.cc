// `silverwork standalone` through the binary, with the shipped
// pipelines.yml, against a small simulator on loopback, as of a fixed
// SILVERWORK_NOW: the first catch-up fills the pipelines API and the
// dashboard's figures, SIGINT stops everything with exit 0 (mid-task too),
// and a restart runs no day twice.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "scheduler_harness.h"

namespace silverwork::testing {
namespace {

SchedulerWorld::Options StandaloneWorld() {
  SimulatorOptions world = SmallWorldOptions();
  world.data.today = Date::FromYmd(2025, 7, 4);
  return {.simulator = world, .pipelines = ShippedPipelines()};
}

// The port of "dashboard: http://127.0.0.1:PORT/" in the output.
int DashboardPort(const std::string& out) {
  const std::string prefix = "dashboard: http://127.0.0.1:";
  const size_t at = out.find(prefix);
  return at == std::string::npos ? 0 : std::stoi(out.substr(at + prefix.size()));
}

nlohmann::json GetJson(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get(path);
  if (!response || response->status != 200) return nullptr;
  return nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
}

const nlohmann::json* FindPipeline(const nlohmann::json& answer, const std::string& name) {
  for (const nlohmann::json& pipeline : answer["data"]["pipelines"])
    if (pipeline.value("pipeline", "") == name) return &pipeline;
  return nullptr;
}

// Starts standalone as of `now`, waits for its first catch-up to end.
std::unique_ptr<ChildProcess> StartCaughtUp(SchedulerWorld& world, const std::string& now) {
  world.SetNow(now);
  auto standalone = world.Start({"standalone", "--days", "3", "--port", "0"});
  EXPECT_TRUE(world.WaitForText(world.OutPath(), "catch-up finished", *standalone))
      << world.out() << world.err();
  return standalone;
}

TEST(StandaloneBinary, CatchesUpServesStopsCleanlyAndARestartRunsNoDayTwice) {
  SchedulerWorld world(StandaloneWorld());
  auto standalone = StartCaughtUp(world, "2025-07-04T03:00:00Z");  // 12:00 KST
  const std::string out = world.out();
  EXPECT_EQ(out.find("dashboard: "), 0u) << "the address comes first: " << out;
  EXPECT_NE(out.find("catch-up finished: 2 succeeded, 0 failed"), std::string::npos) << out;
  const int port = DashboardPort(out);
  ASSERT_GT(port, 0) << out;

  nlohmann::json pipelines = GetJson(port, "/api/v1/pipelines");
  const nlohmann::json* daily = FindPipeline(pipelines, "postings_daily");
  ASSERT_NE(daily, nullptr) << pipelines.dump();
  EXPECT_EQ((*daily)["last_run"]["kind"], "backfill") << daily->dump();
  EXPECT_EQ((*daily)["last_run"]["state"], "success") << daily->dump();
  EXPECT_EQ((*daily)["last_run"]["days"]["from"], "2025-07-01");
  EXPECT_EQ((*daily)["last_run"]["days"]["to"], "2025-07-03");
  ASSERT_NE(FindPipeline(pipelines, "projects"), nullptr) << pipelines.dump();
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_sched_runs WHERE pipeline = 'projects' AND "
                        "state = 'success'"),
            "1");

  // The dashboard's figures, once serve has reloaded the built warehouse.
  int postings = 0;
  ASSERT_TRUE(WaitUntil(
      world.folder(),
      [&] {
        nlohmann::json health = GetJson(port, "/healthz");
        postings = health.is_object() ? health.value("postings", 0) : 0;
        return postings > 0;
      },
      standalone->pid()))
      << world.err();
  nlohmann::json kpis = GetJson(port, "/api/v1/kpis");
  EXPECT_TRUE(kpis.is_object() && !kpis["data"].empty()) << kpis.dump();

  standalone->Kill(SIGINT);
  EXPECT_EQ(standalone->Wait(), 0) << world.err();
  EXPECT_NE(world.err().find("standalone stopped"), std::string::npos) << world.err();
  EXPECT_EQ(world.Query("SELECT holder_id FROM _sw_scheduler_lease"), "") << "lease released";

  // Ten minutes later: nothing new to catch up, the sensor finds no new file.
  auto again = StartCaughtUp(world, "2025-07-04T03:10:00Z");
  EXPECT_NE(world.out().find("none of the 3 days needs a run"), std::string::npos) << world.out();
  again->Kill(SIGTERM);
  EXPECT_EQ(again->Wait(), 0) << world.err();

  EXPECT_EQ(world.Days("postings_daily"),
            "2025-07-01=success 2025-07-02=success 2025-07-03=success");
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_task_tries WHERE task = 'collect' AND run_id "
                        "IN (SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily')"),
            "1")
      << "each day collected once";
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_runs WHERE command = 'collect projects'"), "1")
      << "the files were collected once; the restart's sensor skipped";
}

// Ctrl-C while the catch-up's collection is mid-task (its details held by
// a proxy): the exit is clean, the try is recorded stopped, and the next
// start resumes it from its checkpoint to the end.
TEST(StandaloneBinary, CtrlCMidCollectionStopsTheTryAndTheNextStartResumesIt) {
  SchedulerWorld world(StandaloneWorld());
  GatedProxy proxy(world.simulator().port(), /*gate_after=*/5);
  world.WriteConfig(proxy.base_url());
  world.SetNow("2025-07-04T03:00:00Z");
  auto standalone = world.Start({"standalone", "--days", "3", "--port", "0"});
  proxy.WaitUntilHolding();
  standalone->Kill(SIGINT);
  EXPECT_EQ(standalone->Wait(), 0) << world.err();
  proxy.Open();
  const std::string daily_collect_tries =
      "SELECT group_concat(state, ' ') FROM (SELECT state FROM _sw_task_tries WHERE task = "
      "'collect' AND run_id IN (SELECT run_id FROM _sw_sched_runs WHERE pipeline = "
      "'postings_daily') ORDER BY try_number)";
  EXPECT_EQ(world.Query(daily_collect_tries), "stopped") << world.err();

  world.SetNow("2025-07-04T03:05:00Z");
  auto again = world.Start({"standalone", "--days", "3", "--port", "0"});
  ASSERT_TRUE(WaitUntil(
      world.folder(),
      [&] {
        return world.Days("postings_daily") ==
               "2025-07-01=success 2025-07-02=success 2025-07-03=success";
      },
      again->pid()))
      << world.err();
  again->Kill(SIGINT);
  EXPECT_EQ(again->Wait(), 0) << world.err();
  EXPECT_EQ(world.Query(daily_collect_tries), "stopped success");
  const std::string resumed = ReadFile(world.Query(
      "SELECT log_path FROM _sw_task_tries WHERE task = 'collect' AND try_number = 2 AND run_id IN "
      "(SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily')"));
  EXPECT_NE(resumed.find("(resumed)"), std::string::npos) << resumed;
}

}  // namespace
}  // namespace silverwork::testing
