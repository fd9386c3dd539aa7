// The pipelines API's read endpoints on a warehouse the scheduler "filled"
// (tests/serve/scheduler_fixture.h: successes, failures, a catch-up, a
// deferral, a running task, a backfill, a paused pipeline): every endpoint
// against SQL over the state tables or the scenario's known facts,
// pagination, bad input naming the parameter, and 404s.
#include <fmt/format.h>

#include <algorithm>

#include "serve/pipelines_harness.h"

namespace silverwork::serve::testing {
namespace {

TEST_F(PipelinesApiTest, PipelinesListsEveryPipelineWithItsScheduleAndState) {
  const json data = Data("/api/v1/pipelines");
  ASSERT_TRUE(data.is_object());
  std::vector<std::string> names;
  for (const json& pipeline : data["pipelines"]) names.push_back(pipeline["pipeline"]);
  EXPECT_EQ(names, (std::vector<std::string>{"postings_daily", "postings_today", "projects",
                                             "models_daily"}));
  EXPECT_EQ(data["scheduler"]["running"], false) << "no scheduler holds the lease";

  const json& daily = data["pipelines"][0];
  EXPECT_EQ(daily["schedule"]["cron"], "0 0 * * *");
  EXPECT_EQ(daily["schedule"]["timezone"], "UTC");
  EXPECT_EQ(daily["schedule"]["description"], "at 00:00 every day");
  EXPECT_EQ(daily["partitions"]["timezone"], "Asia/Seoul");
  EXPECT_EQ(daily["next_run"], "2025-04-01T00:00:00.000Z");
  EXPECT_EQ(daily["paused"], false);
  EXPECT_EQ(daily["paused_by"], "pipelines.yml");
  EXPECT_EQ(daily["last_run"]["run_id"], DailyRunEnding(0));
  EXPECT_EQ(daily["last_run"]["state"], "running") << "its collect task waits out the quota";
  EXPECT_EQ(daily["last_failure"]["run_id"], DailyRunEnding(12)) << "the newest failed run";
  EXPECT_EQ(daily["last_failure"]["message"].get<std::string>().find("task 'build' failed"), 0u);
  EXPECT_EQ(daily["tasks"][1]["upstream"], json::array({"collect"}));

  const json& today = data["pipelines"][1];
  EXPECT_EQ(today["running_runs"], 1);
  EXPECT_EQ(today["next_run"], "2025-03-31T12:30:00.000Z");
  const json& projects = data["pipelines"][2];
  EXPECT_EQ(projects["paused"], true);
  EXPECT_EQ(projects["paused_by"], "operator");
  EXPECT_EQ(projects["partitions"], nullptr);
}

TEST_F(PipelinesApiTest, RunsComeNewestFirstAndPage) {
  const auto expected = SqlTexts(
      "SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily' "
      "ORDER BY queued_at DESC, run_id DESC");
  ASSERT_GE(expected.size(), 25u);
  std::vector<std::string> paged;
  bool has_more = true;
  for (int offset = 0; has_more; offset += 7) {
    const json page =
        Data(fmt::format("/api/v1/pipelines/postings_daily/runs?limit=7&offset={}", offset));
    ASSERT_LE(page["runs"].size(), 7u);
    for (const json& run : page["runs"]) paged.push_back(run["run_id"]);
    has_more = page["has_more"];
    ASSERT_LT(offset, 1000) << "has_more never became false";
  }
  EXPECT_EQ(paged, expected);
  const json beyond = Data("/api/v1/pipelines/postings_daily/runs?offset=5000");
  EXPECT_TRUE(beyond["runs"].empty());
  EXPECT_EQ(beyond["has_more"], false);
}

TEST_F(PipelinesApiTest, RunsFilterByState) {
  const json failed = Data("/api/v1/pipelines/postings_daily/runs?state=failed&limit=200");
  std::vector<std::string> ids;
  for (const json& run : failed["runs"]) {
    EXPECT_EQ(run["state"], "failed");
    ids.push_back(run["run_id"]);
  }
  EXPECT_EQ(ids, SqlTexts("SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily' "
                          "AND state = 'failed' ORDER BY queued_at DESC, run_id DESC"));
  EXPECT_EQ(ids, (std::vector<std::string>{DailyRunEnding(12), DailyRunEnding(20)}));
}

TEST_F(PipelinesApiTest, ARunShowsItsKindWindowAndTimings) {
  const json catchup = Data("/api/v1/runs/" + DailyRunEnding(6));
  EXPECT_EQ(catchup["kind"], "catchup");
  EXPECT_EQ(catchup["state"], "success");
  EXPECT_EQ(catchup["days"]["from"], LastDay().AddDays(-9).Iso());
  EXPECT_EQ(catchup["days"]["to"], LastDay().AddDays(-6).Iso());
  EXPECT_EQ(catchup["days"]["count"], 4);
  // KST days: the interval starts at 15:00 UTC the day before its first day.
  EXPECT_EQ(catchup["data_interval"]["start"], LastDay().AddDays(-10).Iso() + "T15:00:00.000Z");
  EXPECT_EQ(catchup["data_interval"]["end"], LastDay().AddDays(-6).Iso() + "T15:00:00.000Z");
  const auto row = SqlRows("SELECT started_at, ended_at FROM _sw_sched_runs WHERE run_id = ?",
                           {Value(catchup["run_id"].get<std::string>())});
  EXPECT_EQ(catchup["started_at"], row.at(0).at(0));
  EXPECT_EQ(catchup["ended_at"], row.at(0).at(1));
  EXPECT_GT(catchup["duration_s"].get<double>(), 3600) << "deferred once, then collected again";
}

TEST_F(PipelinesApiTest, AFailedRunShowsEveryTryWithItsExitErrorAndHint) {
  const std::string run_id = DailyRunEnding(20);
  const json run = Data("/api/v1/runs/" + run_id);
  EXPECT_EQ(run["state"], "failed");
  EXPECT_NE(run["message"].get<std::string>().find("HTTP 503"), std::string::npos);
  ASSERT_EQ(run["tasks"].size(), 2u);
  const json& collect = run["tasks"][0];
  EXPECT_EQ(collect["task"], "collect");
  EXPECT_EQ(collect["state"], "failed");
  EXPECT_EQ(collect["retries"], 3);
  ASSERT_EQ(collect["tries"].size(), 4u) << "the first try and three retries";
  for (size_t index = 0; index < 4; ++index) {
    const json& attempt = collect["tries"][index];
    EXPECT_EQ(attempt["try_number"], index + 1);
    EXPECT_EQ(attempt["state"], "failed");
    EXPECT_EQ(attempt["exit_code"], 1);
    EXPECT_NE(attempt["error"].get<std::string>().find("HTTP 503"), std::string::npos);
    EXPECT_NE(attempt["hint"].get<std::string>().find("retries"), std::string::npos);
    EXPECT_DOUBLE_EQ(attempt["duration_s"].get<double>(), 7 * 60.0);
    EXPECT_EQ(attempt["log"],
              fmt::format("/api/v1/runs/{}/tasks/collect/logs/{}", run_id, index + 1));
  }
  const json& build = run["tasks"][1];
  EXPECT_EQ(build["state"], "upstream_failed");
  EXPECT_TRUE(build["tries"].empty());
}

TEST_F(PipelinesApiTest, ADeferredAndARunningTaskShowWhereTheyStand) {
  const json deferred = Data("/api/v1/runs/" + DailyRunEnding(0));
  const json& collect = deferred["tasks"][0];
  EXPECT_EQ(collect["state"], "deferred");
  EXPECT_EQ(collect["failures"], 0) << "a deferral spends no retry";
  // The quota resets at 00:00 KST; the task runs again five minutes later.
  EXPECT_EQ(collect["next_attempt_at"], "2025-03-31T15:05:00.000Z");
  EXPECT_EQ(collect["tries"][0]["state"], "deferred");
  EXPECT_EQ(collect["tries"][0]["exit_code"], 3);

  const auto running = SqlTexts(
      "SELECT r.run_id FROM _sw_sched_runs r WHERE r.pipeline = 'postings_today' AND "
      "r.state = 'running'");
  ASSERT_EQ(running.size(), 1u);
  const json today = Data("/api/v1/runs/" + running[0]);
  const json& attempt = today["tasks"][0]["tries"][0];
  EXPECT_EQ(attempt["state"], "running");
  EXPECT_EQ(attempt["ended_at"], nullptr);
  EXPECT_EQ(attempt["exit_code"], nullptr);
  // The fake clock stands at 12:00; the run fired at 11:30 and started at once.
  EXPECT_DOUBLE_EQ(attempt["duration_s"].get<double>(), 30 * 60.0);
  EXPECT_EQ(today["tasks"][1]["state"], "waiting");
}

TEST_F(PipelinesApiTest, TheGridHoldsATaskRowPerTaskAndAColumnPerRunOldestFirst) {
  const json grid = Data("/api/v1/pipelines/postings_daily/grid?limit=10");
  auto newest = SqlTexts(
      "SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily' "
      "ORDER BY queued_at DESC, run_id DESC LIMIT 10");
  std::reverse(newest.begin(), newest.end());
  std::vector<std::string> columns;
  for (const json& run : grid["runs"]) columns.push_back(run["run_id"]);
  EXPECT_EQ(columns, newest);
  EXPECT_EQ(grid["has_more"], true);
  ASSERT_EQ(grid["tasks"].size(), 2u);
  for (const json& row : grid["tasks"]) {
    ASSERT_EQ(row["cells"].size(), columns.size());
    for (size_t column = 0; column < columns.size(); ++column) {
      const auto stored =
          SqlRows("SELECT state, try_number FROM _sw_task_instances WHERE run_id = ? AND task = ?",
                  {Value(columns[column]), Value(row["task"].get<std::string>())});
      ASSERT_EQ(stored.size(), 1u);
      EXPECT_EQ(row["cells"][column]["state"], stored[0][0]) << row["task"] << " " << column;
      EXPECT_EQ(std::to_string(row["cells"][column]["try_number"].get<int>()), stored[0][1]);
    }
  }
  EXPECT_EQ(grid["tasks"][0]["cells"][9]["state"], "deferred") << "the newest run";
  const json older = Data("/api/v1/pipelines/postings_daily/grid?limit=10&offset=10");
  EXPECT_EQ(older["runs"].back()["run_id"],
            SqlTexts("SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily' "
                     "ORDER BY queued_at DESC, run_id DESC LIMIT 1 OFFSET 10")
                .at(0));
}

TEST_F(PipelinesApiTest, PartitionsGiveEveryDayOfTheRangeMissingDaysIncluded) {
  const Date last = LastDay();
  const std::string from = last.AddDays(-50).Iso(), to = last.Iso();
  const json data =
      Data(fmt::format("/api/v1/pipelines/postings_daily/partitions?from={}&to={}", from, to));
  EXPECT_EQ(data["timezone"], "Asia/Seoul");
  ASSERT_EQ(data["days"].size(), 51u);
  const auto rows = SqlRows(
      "SELECT day, status, run_id FROM _sw_partitions WHERE pipeline = 'postings_daily' AND "
      "day >= ? AND day <= ?",
      {Value(from), Value(to)});
  std::map<std::string, std::pair<std::string, std::string>> stored;
  for (const auto& row : rows) stored[row[0]] = {row[1], row[2]};
  std::map<std::string, int64_t> counts;
  for (const json& day : data["days"]) {
    const auto found = stored.find(day["day"]);
    if (found == stored.end()) {
      EXPECT_EQ(day["status"], "missing") << day["day"];
      EXPECT_EQ(day["run_id"], nullptr);
    } else {
      EXPECT_EQ(day["status"], found->second.first) << day["day"];
      EXPECT_EQ(day["run_id"], found->second.second) << day["day"];
    }
    ++counts[day["status"]];
  }
  EXPECT_EQ(data["counts"], json(counts));
  EXPECT_EQ(data["days"][50]["status"], "deferred");
  EXPECT_EQ(data["days"][30]["status"], "failed") << "the day whose collection failed";
  // last-50..last-46 before the backfill, last-35..last-31 between it and the first scheduled day.
  EXPECT_EQ(counts["missing"], 10);
}

TEST_F(PipelinesApiTest, PartitionsDefaultToTheYearUpToTheLastEndedDay) {
  const json data = Data("/api/v1/pipelines/postings_daily/partitions");
  EXPECT_EQ(data["to"], LastDay().Iso());
  EXPECT_EQ(data["from"], LastDay().AddDays(-364).Iso());
  EXPECT_EQ(data["days"].size(), 365u);
  const json projects = Data("/api/v1/pipelines/projects/partitions");
  EXPECT_EQ(projects["partitioned"], false);
  EXPECT_TRUE(projects["days"].empty());
}

TEST_F(PipelinesApiTest, BadInputIsA400NamingTheParameter) {
  struct Case {
    std::string path, parameter;
  };
  const Case cases[] = {
      {"/api/v1/pipelines/postings_daily/runs?limit=0", "limit"},
      {"/api/v1/pipelines/postings_daily/runs?limit=201", "limit"},
      {"/api/v1/pipelines/postings_daily/runs?offset=-1", "offset"},
      {"/api/v1/pipelines/postings_daily/runs?state=done", "state"},
      {"/api/v1/pipelines/postings_daily/runs?state=failed&state=success", "state"},
      {"/api/v1/pipelines/postings_daily/runs?page=2", "page"},
      {"/api/v1/pipelines/postings_daily/grid?limit=1001", "limit"},
      {"/api/v1/pipelines/postings_daily/partitions?from=2025-02-30", "from"},
      {"/api/v1/pipelines/postings_daily/partitions?to=20250330", "to"},
      {"/api/v1/pipelines/postings_daily/partitions?from=2025-03-10&to=2025-03-01", "from"},
      {"/api/v1/pipelines/postings_daily/partitions?from=2000-01-01&to=2025-03-01", "from"},
      {"/api/v1/pipelines?x=1", "x"},
      {"/api/v1/runs/" + DailyRunEnding(1) + "?verbose=1", "verbose"},
  };
  for (const Case& bad : cases) {
    const json body = GetJson(bad.path, 400);
    EXPECT_EQ(body["error"]["code"], "invalid_parameter") << bad.path;
    EXPECT_EQ(body["error"]["parameter"], bad.parameter) << bad.path;
    EXPECT_FALSE(body["error"]["hint"].get<std::string>().empty()) << bad.path;
  }
}

TEST_F(PipelinesApiTest, UnknownPipelinesRunsAndRequestsAre404) {
  for (const std::string path :
       {"/api/v1/pipelines/nightly/runs", "/api/v1/pipelines/nightly/grid",
        "/api/v1/pipelines/nightly/partitions", "/api/v1/runs/20250101T000000.000Z-00000000",
        "/api/v1/requests/20250101T000000.000Z-00000000", "/api/v1/runs/..%2Fetc"}) {
    const json body = GetJson(path, 404);
    EXPECT_EQ(body["error"]["code"], "not_found") << path;
  }
}

TEST_F(PipelinesApiTest, TheSchedulersFiguresAreInTheMetrics) {
  auto response = client_->Get("/metrics");
  ASSERT_TRUE(response);
  const std::string& text = response->body;
  for (const auto& row : SqlRows("SELECT pipeline, state, COUNT(*) FROM _sw_sched_runs "
                                 "GROUP BY pipeline, state")) {
    EXPECT_NE(
        text.find(fmt::format("silverwork_scheduler_runs{{pipeline=\"{}\",state=\"{}\"}} {}\n",
                              row[0], row[1], row[2])),
        std::string::npos)
        << row[0] << " " << row[1];
  }
  const int64_t ended = SqlCount(
      "SELECT COUNT(*) FROM _sw_task_tries WHERE run_id IN (SELECT run_id FROM _sw_sched_runs "
      "WHERE pipeline = 'postings_daily') AND task = 'collect' AND ended_at IS NOT NULL");
  EXPECT_NE(text.find(fmt::format("silverwork_scheduler_task_duration_seconds_count{{pipeline="
                                  "\"postings_daily\",task=\"collect\"}} {}\n",
                                  ended)),
            std::string::npos);
  // Deferred tries: last-6's first try and last's.
  EXPECT_NE(text.find("silverwork_scheduler_deferrals_total{pipeline=\"postings_daily\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("silverwork_scheduler_tasks_deferred{pipeline=\"postings_daily\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE silverwork_alert_deliveries_total counter"), std::string::npos);
}

// A warehouse the scheduler never ran on: the pipelines are described, with
// no runs; nothing fails.
TEST_F(PipelinesApiTest, WithoutSchedulerStateReadsAnswerEmpty) {
  StartServer(PipelinesOptions(kOperatorToken, fixture_options()));
  const json data = Data("/api/v1/pipelines");
  ASSERT_EQ(data["pipelines"].size(), 4u);
  EXPECT_EQ(data["pipelines"][0]["last_run"], nullptr);
  EXPECT_TRUE(Data("/api/v1/pipelines/postings_daily/runs")["runs"].empty());
  EXPECT_TRUE(Data("/api/v1/pipelines/postings_daily/grid")["runs"].empty());
  const json partitions = Data("/api/v1/pipelines/postings_daily/partitions");
  ASSERT_FALSE(partitions["days"].empty());
  for (const json& day : partitions["days"]) EXPECT_EQ(day["status"], "missing");
  GetJson("/api/v1/runs/" + DailyRunEnding(1), 404);
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->body.find("silverwork_scheduler_runs"), std::string::npos);
}

TEST_F(PipelinesApiTest, WithoutAPipelinesFileThePipelinesApiSaysHowToGiveOne) {
  ServeOptions options = PipelinesOptions(kOperatorToken);
  options.pipelines_file = PipelinesFixture::Get().logs_dir() / "missing.yml";
  StartServer(std::move(options));
  const json body = GetJson("/api/v1/pipelines", 503);
  EXPECT_NE(body["error"]["message"].get<std::string>().find("missing.yml"), std::string::npos);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"].is_number(), true) << "the dashboard still answers";
}

}  // namespace
}  // namespace silverwork::serve::testing
