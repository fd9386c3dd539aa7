// The scheduler through the binary when things go wrong: kill -9 of the
// scheduler mid-task and a restart (each day collected exactly once), kill
// -9 of a task, a task that hangs past its timeout, SIGTERM with a task
// running, and alerts delivered to a webhook on loopback without a secret
// in any log or payload.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "http_receiver.h"
#include "scheduler_harness.h"

namespace silverwork::testing {
namespace {

// postings_daily with one task: collect, with `policy` (retries, timeout).
std::string CollectPipelines(const std::string& policy = "retries: 2, retry_delay: 0s") {
  return "pipelines:\n"
         "  postings_daily:\n"
         "    schedule: \"0 0 * * *\"\n"
         "    partitions: {by: day, timezone: Asia/Seoul}\n"
         "    tasks:\n"
         "      collect: {kind: collect_postings, " +
         policy + "}\n";
}

constexpr char kNow[] = "2025-07-01T00:00:30Z";  // day 2025-06-30 has ended in Korea

SchedulerWorld::Options CollectWorld(std::string pipelines = CollectPipelines()) {
  SimulatorOptions world = SmallWorldOptions();
  world.data.today = Date::FromYmd(2025, 7, 4);
  return {.simulator = world, .pipelines = std::move(pipelines)};
}

int64_t Number(const std::string& text) { return text.empty() ? -1 : std::stoll(text); }

// Blocks until process `pid` (not our child) has ended.
void WaitForProcessEnd(pid_t pid) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return;  // gone already
  pollfd entry{pidfd, POLLIN, 0};
  poll(&entry, 1, -1);
  close(pidfd);
}

pid_t TaskPid(const SchedulerWorld& world, int try_number = 1) {
  return static_cast<pid_t>(Number(world.Query(
      "SELECT pid FROM _sw_task_tries WHERE try_number = " + std::to_string(try_number))));
}

// `silverwork scheduler` running as of kNow, its postings calls through a
// gate that holds getJobInfo after `gate_after` of them: once constructed, a
// collection is mid-task.
struct GatedScheduler {
  explicit GatedScheduler(int gate_after)
      : world(CollectWorld()), proxy(world.simulator().port(), gate_after) {
    world.WriteConfig(proxy.base_url());
    world.SetNow(kNow);
    scheduler = world.Start({"scheduler"});
    log = world.ErrPath();
    proxy.WaitUntilHolding();
  }

  SchedulerWorld world;
  GatedProxy proxy;
  std::unique_ptr<ChildProcess> scheduler;
  std::string log;  // its stderr
};

std::string TryStates(const SchedulerWorld& world) {
  return world.Query(
      "SELECT group_concat(state, ' ') FROM (SELECT state FROM _sw_task_tries ORDER BY "
      "try_number)");
}

TEST(SchedulerCrash, KillNineOfTheSchedulerThenARestartCollectsEachDayExactlyOnce) {
  GatedScheduler gated(/*gate_after=*/20);
  SchedulerWorld& world = gated.world;
  // The 20 details that passed are committed (a batch at most 500 ms later).
  ASSERT_TRUE(WaitUntil(
      world.folder(),
      [&] { return Number(world.Query("SELECT COUNT(_detail_status) FROM raw_postings")) >= 20; },
      gated.scheduler->pid()));
  const pid_t task_pid = TaskPid(world);
  gated.scheduler->Kill(SIGKILL);
  gated.scheduler->Wait();
  WaitForProcessEnd(task_pid);  // PR_SET_PDEATHSIG: the task died with it
  gated.proxy.Open();           // what it held answers 503 to nobody

  world.SetNow("2025-07-01T00:05:00Z");
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_NE(world.err().find("was left running by an earlier scheduler"), std::string::npos)
      << world.err();
  EXPECT_EQ(world.Days("postings_daily"), "2025-06-30=success");
  EXPECT_EQ(TryStates(world), "failed success");
  EXPECT_NE(
      world.Query("SELECT error FROM _sw_task_tries WHERE try_number = 1").find("process was gone"),
      std::string::npos);
  // Exactly once: each posting of the day (and of the lookback day before
  // it) reached getJobInfo once, the 20 of the killed try included, and the
  // retry resumed from its checkpoint.
  const std::string in_window = " FROM raw_postings WHERE frDd BETWEEN '20250629' AND '20250630'";
  const int64_t postings = Number(world.Query("SELECT COUNT(*)" + in_window));
  EXPECT_EQ(Number(world.Query("SELECT COUNT(_detail_status)" + in_window)), postings);
  const std::map<std::string, int> forwarded = gated.proxy.DetailsForwarded();
  EXPECT_EQ(static_cast<int64_t>(forwarded.size()), postings);
  for (const auto& [job_id, times] : forwarded) EXPECT_EQ(times, 1) << "getJobInfo " << job_id;
  EXPECT_EQ(world.Query("SELECT group_concat(status, ' ') FROM (SELECT status FROM _sw_runs "
                        "ORDER BY run_id)"),
            "running success")
      << "the killed collection never ended; the retry finished the day";
  const std::string resumed =
      ReadFile(world.Query("SELECT log_path FROM _sw_task_tries WHERE try_number = 2"));
  EXPECT_NE(resumed.find("(resumed)"), std::string::npos) << resumed;
}

TEST(SchedulerCrash, KillNineOfATaskFailsThatTryAndTheRetryRuns) {
  GatedScheduler gated(/*gate_after=*/5);
  SchedulerWorld& world = gated.world;
  const pid_t task_pid = TaskPid(world);
  ASSERT_GT(task_pid, 1);
  ASSERT_EQ(kill(task_pid, SIGKILL), 0);
  gated.proxy.Open();
  const std::string& log = gated.log;
  ASSERT_TRUE(world.WaitForText(log, "try 2 of postings_daily.collect", *gated.scheduler))
      << ReadFile(log);
  ASSERT_TRUE(world.WaitForText(log, "ended: success -> task success", *gated.scheduler))
      << ReadFile(log);
  gated.scheduler->Kill(SIGTERM);
  EXPECT_EQ(gated.scheduler->Wait(), 0) << ReadFile(log);
  EXPECT_EQ(TryStates(world), "failed success");
  EXPECT_EQ(world.Query("SELECT exit_signal FROM _sw_task_tries WHERE try_number = 1"), "9");
  EXPECT_NE(world.Query("SELECT error FROM _sw_task_tries WHERE try_number = 1")
                .find("killed by signal 9"),
            std::string::npos);
  EXPECT_EQ(world.Days("postings_daily"), "2025-06-30=success");
}

TEST(SchedulerCrash, ATaskThatHangsPastItsTimeoutIsKilledWithItsGroup) {
  SchedulerWorld::Options options = CollectWorld(CollectPipelines("retries: 0, timeout: 2s"));
  options.simulator.faults.hang_rate = 1.0;  // no call is ever answered
  options.simulator.faults.hang = std::chrono::minutes(10);
  SchedulerWorld world(options);
  world.SetNow(kNow);
  EXPECT_EQ(world.Run({"scheduler", "--once"}), 1) << world.err();
  EXPECT_NE(world.err().find("ran past its timeout of 2 s: stopping its process group"),
            std::string::npos)
      << world.err();
  EXPECT_EQ(TryStates(world), "failed");
  EXPECT_NE(world.Query("SELECT error FROM _sw_task_tries")
                .find("ran longer than its timeout of 2 s and was killed"),
            std::string::npos);
  EXPECT_EQ(world.Days("postings_daily"), "2025-06-30=failed");
  EXPECT_NE(kill(TaskPid(world), 0), 0) << "the task's process is gone";
}

TEST(SchedulerCrash, SigtermStopsTheRunningTaskForARetryThatSpendsNothing) {
  GatedScheduler gated(/*gate_after=*/5);
  SchedulerWorld& world = gated.world;
  const std::string& log = gated.log;
  gated.scheduler->Kill(SIGTERM);
  EXPECT_EQ(gated.scheduler->Wait(), 0) << ReadFile(log);
  EXPECT_NE(ReadFile(log).find("no new tasks; 1 running may finish within 1000 ms"),
            std::string::npos)
      << ReadFile(log);
  EXPECT_EQ(TryStates(world), "stopped");
  EXPECT_EQ(world.Query("SELECT state || ' ' || failures FROM _sw_task_instances"),
            "up_for_retry 0");
  EXPECT_EQ(world.Query("SELECT holder_id FROM _sw_scheduler_lease"), "");

  gated.proxy.Open();
  EXPECT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(TryStates(world), "stopped success");
  EXPECT_EQ(world.Days("postings_daily"), "2025-06-30=success");
}

// Every regular file under `folder` (logs, lake, outputs) as text.
std::string EverythingWritten(const std::string& folder) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder))
    if (entry.is_regular_file()) all += ReadFile(entry.path().string());
  return all;
}

TEST(SchedulerCrash, AlertsReachTheWebhooksWithoutASecretAnywhere) {
  LoopbackReceiver receiver;
  SchedulerWorld::Options options = CollectWorld(CollectPipelines("retries: 0"));
  options.simulator.faults.endpoint_gone = true;  // code 12: fails for good
  options.extra_config = "[alerts]\nbase_url = \"http://dashboard.example:8080\"\n";
  SchedulerWorld world(options);
  const std::string webhook = receiver.Url("/hook/WEBHOOKSECRET1234");
  const std::string slack = receiver.Url("/services/SLACKSECRET5678");
  world.SetNow(kNow);
  EXPECT_EQ(world.Run({"scheduler", "--once"}, {{"SILVERWORK_ALERT_WEBHOOK_URL", webhook},
                                                {"SILVERWORK_SLACK_WEBHOOK_URL", slack}}),
            1)
      << world.err();
  std::vector<ReceivedRequest> received = receiver.requests();
  ASSERT_EQ(received.size(), 4u) << "two events, each to both sinks";
  std::vector<std::string> kinds;
  for (const ReceivedRequest& request : received) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.content_type, "application/json; charset=utf-8");
    for (const char* secret : {"WEBHOOKSECRET1234", "SLACKSECRET5678", kSchedulerMarkerKey})
      EXPECT_EQ(request.body.find(secret), std::string::npos) << request.body;
    if (!request.path.starts_with("/hook/")) continue;
    nlohmann::json payload = nlohmann::json::parse(request.body);
    kinds.push_back(payload.at("kind"));
    EXPECT_EQ(payload.at("pipeline"), "postings_daily");
    EXPECT_EQ(payload.at("logical_dates").at("first"), "2025-06-30");
    EXPECT_EQ(payload.at("error").at("category"), "endpoint_gone");
    EXPECT_TRUE(payload.at("log_url").get<std::string>().starts_with(
        "http://dashboard.example:8080/api/v1/runs/"));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"task_failed", "run_failed"}));
  const std::string written = EverythingWritten(world.folder()) +
                              world.Query("SELECT group_concat(payload) FROM _sw_alert_outbox");
  for (const char* secret : {"WEBHOOKSECRET1234", "SLACKSECRET5678", kSchedulerMarkerKey})
    EXPECT_EQ(written.find(secret), std::string::npos) << secret << " was written somewhere";
  EXPECT_EQ(world.Query("SELECT group_concat(status) FROM _sw_alert_outbox"),
            "delivered,delivered,delivered,delivered");
}

}  // namespace
}  // namespace silverwork::testing
