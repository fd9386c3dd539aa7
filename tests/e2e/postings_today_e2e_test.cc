// The hourly postings_today pipeline (pipelines.yml) as `silverwork scheduler`
// runs it, through the binary with SILVERWORK_NOW, against a simulator that
// publishes the day's postings over the day by a fake clock kept at the
// scheduler's instant: each hourly run collects the current KST day so far
// and builds what depends on it. And the freshness hook: a build that finds
// raw_postings past its error age fails, and the scheduler's alert names the
// stale source and how old its rows are.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "http_receiver.h"
#include "scheduler_harness.h"

namespace silverwork::testing {
namespace {

// postings_today as pipelines.yml ships it.
constexpr char kPostingsToday[] =
    "pipelines:\n"
    "  postings_today:\n"
    "    schedule: \"30 * * * *\"\n"
    "    timezone: UTC\n"
    "    catchup: false\n"
    "    max_active_runs: 1\n"
    "    deadline: 1h\n"
    "    tasks:\n"
    "      collect: {kind: collect_postings, days: today, retries: 1, retry_delay: 5m, "
    "timeout: 50m}\n"
    "      build: {kind: build, after: collect, select: \"source:raw.raw_postings+\", "
    "retries: 0, timeout: 50m}\n";

const Date kDay = Date::FromYmd(2025, 6, 30);  // the KST day the runs collect

// A world whose simulator publishes 200 postings over kDay by `clock`.
SchedulerWorld::Options PublishingWorld(Clock& clock, std::string pipelines) {
  SimulatorOptions simulator = SmallWorldOptions();
  simulator.data.today = kDay;
  simulator.data.postings_per_day = 200;
  simulator.data.publish_over_day = true;
  simulator.clock = &clock;
  return {.simulator = simulator, .pipelines = std::move(pipelines)};
}

// The projects and every model that does not read postings, as
// `silverwork pipeline` leaves them before the scheduler takes over.
void Bootstrap(SchedulerWorld& world) {
  world.SetNow("2025-06-29T22:00:00Z");
  ASSERT_EQ(world.Run({"collect", "projects"}), 0) << world.err();
  ASSERT_EQ(world.Run({"build", "--exclude", "source:raw.raw_postings+"}), 0) << world.err();
}

// Moves the world and the simulator's clock to `instant` together.
void MoveTo(SchedulerWorld& world, FakeClock& clock, const std::string& instant) {
  world.SetNow(instant);
  auto target = ParseIsoInstant(instant);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  ASSERT_GE(*target, clock.Now()) << "the fake clock only moves forward";
  clock.Advance(*target - clock.Now());
}

std::chrono::system_clock::time_point Instant(const std::string& text) {
  auto parsed = ParseIsoInstant(text);
  if (!parsed.ok()) throw std::runtime_error(parsed.status().ToString());
  return *parsed;
}

class PostingsToday : public ::testing::Test {
 protected:
  // 07:00 KST on kDay: nothing of the day is published yet.
  FakeClock clock_{Instant("2025-06-29T22:00:00Z")};
};

TEST_F(PostingsToday, EachHourlyRunCollectsTheDaySoFarAndBuildsOnIt) {
  SchedulerWorld world(PublishingWorld(clock_, kPostingsToday));
  ASSERT_NO_FATAL_FAILURE(Bootstrap(world));
  const int64_t before_the_day = world.simulator().TotalPostings();
  const std::string today_rows =
      "SELECT COUNT(*) FROM raw_postings WHERE frDd = '" + kDay.Compact() + "'";
  const std::string detailed_today_rows = today_rows + " AND _detail_status = 'ok'";

  int64_t previous = 0;
  for (const char* instant : {"2025-06-30T01:30:20Z", "2025-06-30T02:30:20Z"}) {
    SCOPED_TRACE(instant);
    MoveTo(world, clock_, instant);  // 10:30 and 11:30 in Korea
    ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
    const int64_t published = world.simulator().TotalPostings() - before_the_day;
    EXPECT_GT(published, previous) << "the simulator published postings in the hour";
    EXPECT_EQ(world.Query(today_rows), std::to_string(published));
    EXPECT_EQ(world.Query(detailed_today_rows), std::to_string(published));
    previous = published;
  }
  // Two runs, each collecting kDay alone, each built on.
  EXPECT_EQ(world.Query("SELECT group_concat(state, ' ') FROM (SELECT state FROM _sw_sched_runs "
                        "ORDER BY queued_at)"),
            "success success");
  EXPECT_EQ(world.Query("SELECT group_concat(window_from || '..' || window_to, ' ') FROM "
                        "(SELECT window_from, window_to FROM _sw_runs WHERE command = "
                        "'collect postings' ORDER BY run_id)"),
            "2025-06-30..2025-06-30 2025-06-30..2025-06-30");
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_task_instances WHERE task = 'build' AND "
                        "state = 'success'"),
            "2");
  // The build read the second run's rows: every posting of the day is in the facts.
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM fct_job_postings WHERE start_date = '2025-06-30'"),
            std::to_string(previous));
}

// raw_postings' freshness policy (models/sources.yml): error after a day.
// Nothing has been collected for 32 hours when the daily build runs, so the
// build fails, the stale source raises its own alert, and the task's alert
// says which source is how old.
TEST_F(PostingsToday, AStaleSourceFailsTheBuildAndTheAlertNamesIt) {
  constexpr char kDailyBuild[] =
      "pipelines:\n"
      "  models_daily:\n"
      "    schedule: \"0 10 * * *\"\n"
      "    catchup: false\n"
      "    tasks:\n"
      "      build: {kind: build, select: \"source:raw.raw_postings+\", retries: 0}\n";
  LoopbackReceiver receiver;
  SchedulerWorld::Options options = PublishingWorld(clock_, kDailyBuild);
  options.extra_config = "[alerts]\nbase_url = \"http://dashboard.example:8080\"\n";
  SchedulerWorld world(options);
  ASSERT_NO_FATAL_FAILURE(Bootstrap(world));
  MoveTo(world, clock_, "2025-06-30T01:30:20Z");
  ASSERT_EQ(world.Run({"collect", "postings", "--date", "2025-06-30"}), 0) << world.err();

  MoveTo(world, clock_, "2025-07-01T10:00:20Z");
  EXPECT_EQ(world.Run({"scheduler", "--once"},
                      {{"SILVERWORK_ALERT_WEBHOOK_URL", receiver.Url("/hook/alerts")}}),
            1)
      << world.err();
  std::vector<std::string> kinds;
  for (const ReceivedRequest& request : receiver.requests()) {
    nlohmann::json payload = nlohmann::json::parse(request.body);
    kinds.push_back(payload.at("kind"));
    if (payload.at("kind") == "source_stale") {
      // The stale source's own alert: which source, how old, the limits.
      EXPECT_EQ(payload.at("data_source"), "source.silverwork.raw.raw_postings");
      EXPECT_NE(payload.at("freshness").get<std::string>().find(
                    "is 32.5 hours old (warn after 3 hours, error after 1 day)"),
                std::string::npos)
          << payload.dump();
      EXPECT_TRUE(payload.at("stale_since").get<std::string>().starts_with("2025-07-01T10:0"))
          << payload.dump();
      continue;
    }
    if (payload.at("kind") != "task_failed") continue;
    EXPECT_EQ(payload.at("task"), "build");
    const std::string message = payload.at("error").at("message");
    EXPECT_TRUE(message.starts_with("1 node failed: source.silverwork.raw.raw_postings error: "))
        << message;
    EXPECT_NE(message.find("is 32.5 hours old (warn after 3 hours, error after 1 day)"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"source_stale", "task_failed", "run_failed"}));
}

}  // namespace
}  // namespace silverwork::testing
