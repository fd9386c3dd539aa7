// A Scheduler on a FakeClock over a warehouse of the engine under test (a
// SQLite file, or a PostgreSQL schema in the suite's second run:
// EngineFromEnvironment), with an in-process launcher whose tries end when
// the test says so, and an alert outbox with one webhook sink (never
// contacted: the tests read the outbox).
#pragma once

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scheduler/alerts_outbox.h"
#include "scheduler/alerts_sinks.h"
#include "scheduler/scheduler.h"
#include "scheduler_test_util.h"
#include "scoped_temp_dir.h"
#include "warehouse_under_test.h"

namespace silverwork::scheduler {

// Tries run "in process": Launch records them; End/Kill make them end on the
// next CollectExits; Terminate ends them as killed by SIGTERM.
class FakeLauncher final : public TaskLauncher {
 public:
  Result<LaunchedTry> Launch(const TaskLaunch& launch) override {
    if (!fail_next_launch.ok()) {
      Status failure = fail_next_launch;
      fail_next_launch = Status();
      return failure;
    }
    launches.push_back(launch);
    running_.insert(launch.key);
    return LaunchedTry{.pid = next_pid_++, .process_start = "boot/1"};
  }
  std::vector<TaskExit> CollectExits() override {
    std::vector<TaskExit> exits;
    exits.swap(ended_);
    for (const TaskExit& exit : exits) running_.erase(exit.key);
    return exits;
  }
  void Terminate(const TryKey& key) override {
    if (!running_.contains(key)) return;
    terminated.push_back(key);
    if (!ignore_terminate) Kill(key, SIGTERM);
  }
  size_t Running() const override { return running_.size() - ended_.size(); }
  std::optional<std::chrono::steady_clock::time_point> NextDeadline() const override {
    return std::nullopt;
  }
  bool StillRunning(int64_t pid, const std::string&) override { return live_pids.contains(pid); }
  Status StopOrphan(int64_t pid, const std::string&) override {
    stopped_orphans.push_back(pid);
    live_pids.erase(pid);
    return Status::Ok();
  }

  // The running try of `task` (the only one expected).
  TryKey RunningTry(const std::string& task) const {
    for (const TryKey& key : running_)
      if (key.task == task && !IsEnded(key)) return key;
    ADD_FAILURE() << "no try of '" << task << "' is running";
    return {};
  }
  bool IsRunning(const std::string& task) const {
    for (const TryKey& key : running_)
      if (key.task == task && !IsEnded(key)) return true;
    return false;
  }
  // Ends the running try of `task` with `exit_code` and the result file a
  // child would write.
  // `freshness`: the source freshness checks a build task reports.
  void End(const std::string& task, int exit_code, Status error = Status(),
           std::vector<FreshnessCheck> freshness = {}) {
    const TryKey key = RunningTry(task);
    TaskResult result{.exit_code = exit_code, .status = exit_code == 0 ? "success" : "failed"};
    result.error = std::move(error);
    result.freshness = std::move(freshness);
    ended_.push_back({.key = key, .exit_code = exit_code, .result = result});
  }
  void Kill(const TryKey& key, int signal_number) {
    ended_.push_back({.key = key, .signaled = true, .signal = signal_number});
  }
  // The scheduler was killed with -9: its children died with it
  // (PR_SET_PDEATHSIG), and nobody collects their ends.
  void Crash() {
    running_.clear();
    ended_.clear();
  }
  int LaunchesOf(const std::string& task) const {
    int count = 0;
    for (const TaskLaunch& launch : launches) count += launch.key.task == task ? 1 : 0;
    return count;
  }

  std::vector<TaskLaunch> launches;
  std::vector<TryKey> terminated;
  std::set<int64_t> live_pids;
  std::vector<int64_t> stopped_orphans;
  Status fail_next_launch;
  bool ignore_terminate = false;

 private:
  bool IsEnded(const TryKey& key) const {
    for (const TaskExit& exit : ended_)
      if (exit.key == key) return true;
    return false;
  }

  std::set<TryKey> running_;
  std::vector<TaskExit> ended_;
  int64_t next_pid_ = 1000;
};

inline constexpr char kTestPipelines[] =
    "pipelines:\n"
    "  postings_daily:\n"
    "    schedule: '0 0 * * *'\n"
    "    partitions: {by: day, timezone: Asia/Seoul}\n"
    "    deadline: 12h\n"
    "    tasks:\n"
    "      collect: {kind: collect_postings, retries: 2, retry_delay: 10m, max_retry_delay: 2h,\n"
    "                timeout: 1h}\n"
    "      build: {kind: build, after: collect, retries: 0}\n"
    "  postings_today:\n"
    "    schedule: '30 * * * *'\n"
    "    catchup: false\n"
    "    paused: true\n"
    "    tasks:\n"
    "      collect: {kind: collect_postings, days: today, retries: 0}\n"
    "  projects:\n"
    "    schedule: '0 */6 * * *'\n"
    "    catchup: false\n"
    "    paused: true\n"
    "    tasks:\n"
    "      discover: {kind: discover_projects, retries: 0}\n"
    "      collect: {kind: collect_projects, after: discover}\n"
    "      build: {kind: build, after: collect}\n";

class SchedulerTest : public ::testing::Test {
 protected:
  using TimePoint = std::chrono::system_clock::time_point;

  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
    LoadPipelines(kTestPipelines);
    outbox_ = std::make_unique<AlertOutbox>(
        *warehouse_, clock_, std::vector<AlertSink>{WebhookAlertSink("http://127.0.0.1:9/hook")});
    store_ = std::make_unique<SchedulerStore>(*warehouse_, clock_, random_);
  }

  void LoadPipelines(const std::string& text) {
    auto file = ParsePipelines(text, "pipelines.yml", zones_);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    pipelines_ = std::move(file).value();
  }

  SchedulerOptions Options(const std::string& holder = "scheduler-a") {
    SchedulerOptions options;
    options.logs_dir = dir_.path() / "logs";
    options.poll_interval = std::chrono::seconds(2);
    options.lease_ttl = std::chrono::seconds(60);
    options.max_parallel_tasks = 4;
    options.claim = {holder, "host-a", 100};
    return options;
  }

  // A started scheduler (lease taken, orphans settled).
  std::unique_ptr<Scheduler> NewScheduler(SchedulerOptions options) {
    auto scheduler = std::make_unique<Scheduler>(*warehouse_, clock_, random_, pipelines_,
                                                 launcher_, *outbox_, std::move(options));
    auto lease = scheduler->AcquireLease();
    EXPECT_TRUE(lease.ok() && lease->acquired) << (lease.ok() ? "held" : lease.status().ToString());
    Status recovered = scheduler->Recover();
    EXPECT_TRUE(recovered.ok()) << recovered.ToString();
    return scheduler;
  }
  Scheduler& Start() {
    scheduler_ = NewScheduler(Options());
    return *scheduler_;
  }

  TickReport Tick() {
    auto report = scheduler_->Tick();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : TickReport();
  }

  void SetNow(const std::string& utc) {
    const auto target = TimePoint(Utc(utc));
    ASSERT_GE(target, clock_.Now()) << "time runs forward in these tests";
    clock_.Advance(target - clock_.Now());
  }

  std::vector<RunRecord> Runs(const std::string& pipeline = "postings_daily") {
    auto runs = store_->ListRuns({.pipeline = pipeline});
    EXPECT_TRUE(runs.ok()) << runs.status().ToString();
    return runs.ok() ? *runs : std::vector<RunRecord>();
  }
  RunRecord OnlyRun(const std::string& pipeline = "postings_daily") {
    std::vector<RunRecord> runs = Runs(pipeline);
    EXPECT_EQ(runs.size(), 1u);
    return runs.empty() ? RunRecord() : runs.front();
  }
  TaskInstanceRecord Task(const std::string& run_id, const std::string& task) {
    auto tasks = store_->ListTaskInstances(run_id);
    EXPECT_TRUE(tasks.ok());
    for (const TaskInstanceRecord& record : *tasks)
      if (record.task == task) return record;
    ADD_FAILURE() << "run " << run_id << " has no task " << task;
    return {};
  }
  // "2026-11-24=success 2026-11-25=running"
  std::string Days(const std::string& pipeline = "postings_daily") {
    return DayStatuses(*store_, pipeline);
  }
  // The log path the store recorded for a try (its folder created).
  std::filesystem::path LogOf(const TryKey& key) {
    auto tries = store_->ListTries(key.run_id, key.task);
    EXPECT_TRUE(tries.ok() && !tries->empty());
    std::filesystem::path log = tries.ok() && !tries->empty() ? tries->back().log_path : "";
    std::filesystem::create_directories(log.parent_path());
    return log;
  }
  // The kinds of the alerts queued so far, in order: "task_failed run_failed".
  std::string Alerts() {
    auto exists = warehouse_->TableExists(AlertOutbox::kTable);
    if (!exists.ok() || !*exists) return "";
    auto rows =
        warehouse_->QueryAll("SELECT kind FROM _sw_alert_outbox ORDER BY enqueue_order, event_key");
    EXPECT_TRUE(rows.ok());
    std::string out;
    for (const Row& row : rows->rows) out += (out.empty() ? "" : " ") + ValueToString(row[0]);
    return out;
  }
  std::string AlertPayload(const std::string& kind) {
    auto rows = warehouse_->QueryAll("SELECT payload FROM _sw_alert_outbox WHERE kind = '" + kind +
                                     "' ORDER BY enqueue_order LIMIT 1");
    EXPECT_TRUE(rows.ok() && !rows->rows.empty()) << "no " << kind << " alert";
    return rows.ok() && !rows->rows.empty() ? ValueToString(rows->rows[0][0]) : "";
  }
  // Submits a request as the CLI or serve would; the next Tick answers it.
  std::string Submit(SchedulerRequest request) {
    request.requested_by = "test";
    auto id = store_->SubmitRequest(std::move(request));
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }
  SchedulerRequest Answer(const std::string& request_id) {
    auto request = store_->GetRequest(request_id);
    EXPECT_TRUE(request.ok() && *request);
    return request.ok() && *request ? **request : SchedulerRequest();
  }

  // Runs the tasks of every started run to success, one Tick at a time.
  void SucceedEverything() {
    for (int pass = 0; pass < 20 && launcher_.Running() > 0; ++pass) {
      for (const TaskLaunch& launch : launcher_.launches)
        if (launcher_.IsRunning(launch.key.task)) launcher_.End(launch.key.task, 0);
      Tick();
    }
    EXPECT_EQ(launcher_.Running(), 0u);
  }

  ScopedTempDir dir_;
  FakeClock clock_{TimePoint(Utc("2026-11-23T00:00:30Z"))};  // 09:00:30 KST
  ScriptedRandom random_{0.5};
  TimeZoneDatabase zones_;
  WarehouseUnderTest place_{EngineFromEnvironment()};
  std::unique_ptr<Warehouse> warehouse_;
  PipelinesFile pipelines_;
  std::unique_ptr<AlertOutbox> outbox_;
  std::unique_ptr<SchedulerStore> store_;
  FakeLauncher launcher_;
  std::unique_ptr<Scheduler> scheduler_;
};

}  // namespace silverwork::scheduler
