// `silverwork scheduler` and its verbs through the binary, against the
// simulator on loopback, with SILVERWORK_NOW for the days: catch-up after
// three days down, quota deferral across midnight against `silverwork
// simulate --quota`, the projects sensor skipping a run, the CLI verbs with
// and without a running scheduler, a second scheduler refused, and every
// kind of bad pipelines.yml.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "scheduler/process_info.h"
#include "scheduler_harness.h"

namespace silverwork::testing {
namespace {

// Daily KST partitions; the build is the whole project (its partial
// selectors are checked against the project by pipelines_test).
constexpr char kDailyPipelines[] =
    "pipelines:\n"
    "  postings_daily:\n"
    "    schedule: \"0 0 * * *\"\n"
    "    partitions: {by: day, timezone: Asia/Seoul}\n"
    "    tasks:\n"
    "      collect: {kind: collect_postings, retries: 1, retry_delay: 0s}\n"
    "      build: {kind: build, after: collect, retries: 0}\n";

SimulatorOptions WorldUntil(Date today) {
  SimulatorOptions world = SmallWorldOptions();
  world.data.today = today;
  return world;
}

SchedulerWorld::Options DailyWorld() {
  return {.simulator = WorldUntil(Date::FromYmd(2025, 7, 4)), .pipelines = kDailyPipelines};
}

// The projects the build's models also read, as `silverwork pipeline`
// would have collected them before the scheduler took over.
void Bootstrap(SchedulerWorld& world, const std::string& now) {
  world.SetNow(now);
  ASSERT_EQ(world.Run({"collect", "projects"}), 0) << world.err();
}

nlohmann::json JsonOut(const SchedulerWorld& world) { return nlohmann::json::parse(world.out()); }

TEST(SchedulerBinary, ThreeDaysDownAreCaughtUpByOneCollection) {
  SchedulerWorld world(DailyWorld());
  Bootstrap(world, "2025-07-01T00:00:10Z");
  world.SetNow("2025-07-01T00:00:30Z");
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Days("postings_daily"), "2025-06-30=success");
  // Down for the fires of 07-02 and 07-03; back at 07-04 09:00 KST.
  world.SetNow("2025-07-04T00:00:30Z");
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_NE(world.err().find("queued catchup run"), std::string::npos) << world.err();
  EXPECT_EQ(world.Days("postings_daily"),
            "2025-06-30=success 2025-07-01=success 2025-07-02=success 2025-07-03=success");
  EXPECT_EQ(world.Query("SELECT COUNT(DISTINCT run_id) FROM _sw_partitions WHERE day >= "
                        "'2025-07-01'"),
            "1")
      << "one run for the three days";
  // The ledger: one collection per run, the second over the whole range.
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_runs WHERE command = 'collect postings'"), "2");
  EXPECT_EQ(world.Query("SELECT window_from || '..' || window_to FROM _sw_runs WHERE command = "
                        "'collect postings' ORDER BY run_id DESC LIMIT 1"),
            "2025-07-01..2025-07-03");
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_task_tries"), "4") << "no try repeated";
}

// The projects sensor as the scheduler runs it (`task run --run --task
// --try`, DiscoverProjectsTask): the first run finds the simulator's files
// new and collects them; the next finds nothing changed, exits 4, and the
// run is skipped without collecting.
TEST(SchedulerBinary, TheProjectsSensorCollectsOnlyWhenAFileChanged) {
  constexpr char kProjectsPipelines[] =
      "pipelines:\n"
      "  projects:\n"
      "    schedule: \"0 */6 * * *\"\n"
      "    catchup: false\n"
      "    tasks:\n"
      "      discover: {kind: discover_projects, retries: 0}\n"
      "      collect: {kind: collect_projects, after: discover, retries: 0}\n";
  SchedulerWorld world({.pipelines = kProjectsPipelines});
  const std::string runs = "SELECT group_concat(state, ' ') FROM (SELECT state FROM "
                           "_sw_sched_runs ORDER BY queued_at)";
  const std::string collections =
      "SELECT COUNT(*) FROM _sw_runs WHERE command = 'collect projects'";
  world.SetNow("2025-07-01T00:00:30Z");
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Query(runs), "success");
  EXPECT_EQ(world.Query(collections), "1");
  EXPECT_NE(world.Query("SELECT COUNT(*) FROM raw_projects"), "0");

  world.SetNow("2025-07-01T06:00:30Z");
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Query(runs), "success skipped");
  EXPECT_EQ(world.Query(collections), "1") << "nothing changed: nothing collected";
  EXPECT_EQ(world.Query("SELECT group_concat(task || '=' || state, ' ') FROM (SELECT task, state "
                        "FROM _sw_task_instances WHERE run_id = (SELECT MAX(run_id) FROM "
                        "_sw_sched_runs) ORDER BY task_order)"),
            "discover=skipped collect=skipped");
}

TEST(SchedulerBinary, AQuotaStopWaitsForMidnightInKoreaThenResumes) {
  SchedulerWorld world(DailyWorld());
  Bootstrap(world, "2025-07-03T13:59:00Z");
  // `silverwork simulate --quota`: 45 calls per operation per simulated day;
  // the day's postings need about 70 detail calls.
  auto start_simulator = [&](const std::string& now) {
    world.SetNow(now);
    auto simulator =
        world.Start({"simulate", "--port", "0", "--seed", "7", "--from", "2025-04-01", "--today",
                     "2025-07-04", "--postings-per-day", "40", "--quota", "45"});
    const std::string out = world.OutPath();
    EXPECT_TRUE(world.WaitForText(out, "simulator listening on ", *simulator));
    const std::string text = ReadFile(out);
    const size_t at = text.find("http://");
    world.WriteConfig(text.substr(at, text.find('\n', at) - at));
    return simulator;
  };
  auto simulator = start_simulator("2025-07-03T14:00:00Z");  // 23:00 KST
  EXPECT_EQ(world.Run({"scheduler", "--once"}), 3) << world.err();
  EXPECT_EQ(world.Days("postings_daily"), "2025-07-02=deferred");
  EXPECT_EQ(world.Query("SELECT state || ' ' || failures || ' ' || next_attempt_at FROM "
                        "_sw_task_instances WHERE task = 'collect'"),
            "deferred 0 2025-07-03T15:05:00.000Z")
      << "00:05 KST, no retry spent";
  // Before 00:05 KST nothing starts.
  world.SetNow("2025-07-03T15:01:00Z");
  EXPECT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_task_tries"), "1");

  // The simulated day turns: a new day's quota.
  simulator->Kill(SIGTERM);
  simulator->Wait();
  simulator = start_simulator("2025-07-03T15:05:30Z");
  EXPECT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Days("postings_daily"), "2025-07-02=success");
  EXPECT_EQ(world.Query("SELECT group_concat(state, ' ') FROM (SELECT state FROM _sw_task_tries "
                        "WHERE task = 'collect' ORDER BY try_number)"),
            "deferred success");
  const std::string resumed = ReadFile(
      world.Query("SELECT log_path FROM _sw_task_tries WHERE task = 'collect' AND try_number = 2"));
  EXPECT_NE(resumed.find("(resumed)"), std::string::npos) << resumed;
  EXPECT_EQ(world.Query("SELECT group_concat(status, ' ') FROM (SELECT status FROM _sw_runs "
                        "WHERE command = 'collect postings' ORDER BY run_id)"),
            "stopped success");
  simulator->Kill(SIGTERM);
  EXPECT_EQ(simulator->Wait(), 0);
}

TEST(SchedulerBinary, TheVerbsWorkWithoutARunningScheduler) {
  SchedulerWorld world(DailyWorld());
  Bootstrap(world, "2025-07-01T00:00:30Z");
  ASSERT_EQ(world.Run({"backfill", "postings_daily", "--from", "2025-06-27", "--to", "2025-06-29",
                       "--dry-run"}),
            0)
      << world.err();
  EXPECT_NE(world.out().find("  2025-06-28  missing   run    missing"), std::string::npos)
      << world.out();
  EXPECT_NE(world.out().find("3 of 3 days would run, in 1 run: 2025-06-27..2025-06-29"),
            std::string::npos)
      << world.out();
  ASSERT_EQ(world.Run({"runs", "list"}), 0);
  EXPECT_EQ(world.out(), "no runs yet\n") << "a dry run queues nothing";

  ASSERT_EQ(world.Run({"backfill", "postings_daily", "--from", "2025-06-27", "--to", "2025-06-29"}),
            0)
      << world.err();
  EXPECT_NE(world.out().find("queued 3 of the 3 days of postings_daily in 1 run"),
            std::string::npos)
      << world.out();
  EXPECT_NE(world.out().find("no scheduler is running: this command applied the request itself"),
            std::string::npos);
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  ASSERT_EQ(world.Run({"partitions", "postings_daily", "--json"}), 0);
  nlohmann::json days = JsonOut(world);
  ASSERT_EQ(days.size(), 4u) << days;  // the backfill's three and the scheduled 06-30
  for (const auto& day : days) EXPECT_EQ(day.at("status"), "success") << day;

  ASSERT_EQ(world.Run({"runs", "list", "--json"}), 0);
  nlohmann::json runs = JsonOut(world);
  ASSERT_EQ(runs.size(), 2u);
  const std::string backfill = runs[1].at("run_id");
  EXPECT_EQ(runs[1].at("kind"), "backfill");
  EXPECT_EQ(runs[1].at("days").at("count"), 3);
  ASSERT_EQ(world.Run({"runs", "show", backfill, "--json"}), 0);
  nlohmann::json shown = JsonOut(world);
  EXPECT_EQ(shown.at("tasks")[0].at("task"), "collect");
  EXPECT_EQ(shown.at("tasks")[0].at("tries")[0].at("exit_code"), 0);
  ASSERT_EQ(world.Run({"runs", "logs", backfill, "collect"}), 0);
  EXPECT_NE(world.out().find("postings 2025-06-27..2025-06-29: "), std::string::npos)
      << world.out();

  // A try runs once, when the scheduler starts it: not again by hand.
  EXPECT_EQ(world.Run({"task", "run", "--run", backfill, "--task", "collect", "--try", "1"}), 2);
  EXPECT_NE(world.err().find("try 1 of task 'collect' in run " + backfill +
                             " is success, not running"),
            std::string::npos)
      << world.err();

  // Paused: the next day's fire queues nothing; unpaused: it is caught up.
  ASSERT_EQ(world.Run({"pause", "postings_daily"}), 0) << world.err();
  EXPECT_NE(world.out().find("postings_daily is paused"), std::string::npos);
  world.SetNow("2025-07-02T00:00:30Z");
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM _sw_partitions WHERE day = '2025-07-01'"), "0");
  ASSERT_EQ(world.Run({"unpause", "postings_daily"}), 0) << world.err();
  ASSERT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
  EXPECT_EQ(world.Query("SELECT status FROM _sw_partitions WHERE day = '2025-07-01'"), "success");

  // What cannot be done is refused with what to do.
  EXPECT_EQ(world.Run({"trigger", "postings_daily", "--date", "2025-07-05"}), 1);
  EXPECT_NE(world.err().find("day 2025-07-05 of pipeline 'postings_daily' has not ended yet"),
            std::string::npos)
      << world.err();
  EXPECT_NE(world.err().find("to fix: "), std::string::npos);
  EXPECT_EQ(world.Run({"trigger", "postings_dialy"}), 1);
  EXPECT_NE(world.err().find("has no pipeline 'postings_dialy'"), std::string::npos);
  EXPECT_EQ(world.Run({"runs", "logs", backfill, "nosuch"}), 1);
  EXPECT_NE(world.err().find("has no try of task 'nosuch'"), std::string::npos);
}

TEST(SchedulerBinary, ARunningSchedulerAnswersTheVerbsAndASecondOneIsRefused) {
  SchedulerWorld world(DailyWorld());
  Bootstrap(world, "2025-07-01T00:00:10Z");
  ASSERT_EQ(world.Run({"pause", "postings_daily"}), 0) << world.err();
  auto running = world.Start({"scheduler"});
  const std::string log = world.ErrPath();
  ASSERT_TRUE(world.WaitForText(log, "scheduler started", *running)) << ReadFile(log);

  EXPECT_EQ(world.Run({"scheduler", "--once"}), 1);
  EXPECT_NE(world.err().find(fmt::format("another scheduler holds this warehouse: scheduler:"
                                         "{}:{}:",
                                         scheduler::ThisHostName(), running->pid())),
            std::string::npos)
      << world.err();
  EXPECT_NE(world.err().find("stop that one first"), std::string::npos);

  ASSERT_EQ(world.Run({"trigger", "postings_daily", "--date", "2025-06-20"}), 0) << world.err();
  EXPECT_NE(world.out().find("queued run "), std::string::npos) << world.out();
  EXPECT_EQ(world.out().find("applied the request itself"), std::string::npos)
      << "the running scheduler answered";
  EXPECT_NE(ReadFile(log).find("(trigger postings_daily): done"), std::string::npos);

  running->Kill(SIGTERM);
  EXPECT_EQ(running->Wait(), 0) << ReadFile(log);
  EXPECT_EQ(world.Query("SELECT holder_id FROM _sw_scheduler_lease"), "") << "released";
  EXPECT_EQ(world.Run({"scheduler", "--once"}), 0) << world.err();
}

TEST(SchedulerBinary, EveryBadPipelinesFileIsRefusedNamingFileAndLine) {
  struct Case {
    const char* yaml;
    const char* says;
  };
  const Case cases[] = {
      {"pipelines:\n  p:\n    schedule: '@daily'\n    catchp: true\n    tasks:\n"
       "      c: {kind: collect_postings}\n",
       "pipelines.yml:4: unknown key 'catchp' in pipeline 'p'; did you mean 'catchup'?"},
      {"pipelines:\n  p:\n    tasks:\n      c: {kind: collect_postings}\n",
       "pipelines.yml:3: pipeline 'p' has no 'schedule:'"},
      {"pipelines:\n  p:\n    schedule: '0 25 * * *'\n    tasks:\n"
       "      c: {kind: collect_postings}\n",
       "pipelines.yml:3: cron '0 25 * * *': hour field: '25' is out of range"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n    timezone: Asia/Seoull\n    tasks:\n"
       "      c: {kind: collect_postings}\n",
       "pipelines.yml:4: timezone: unknown time zone 'Asia/Seoull'"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n    tasks:\n"
       "      c: {kind: collect_postings, retry_delay: 5x}\n",
       "pipelines.yml:5: retry_delay: bad duration '5x'"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n    tasks:\n"
       "      c: {kind: collect_postings, after: nope}\n",
       "pipelines.yml:5: task 'c' runs after 'nope', which pipeline 'p' does not have"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n    tasks:\n      a: {kind: build, after: b}\n"
       "      b: {kind: build, after: a}\n",
       "pipelines.yml:5: the tasks of pipeline 'p' run in a cycle: a -> b -> a"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n    tasks:\n"
       "      b: {kind: build, select: raw_postings+}\n",
       "pipelines.yml:5: task 'b' of pipeline 'p': selector 'raw_postings+' matches no node"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n    tasks:\n"
       "      c: {kind: collect_everything}\n",
       "pipelines.yml:5: unknown task kind 'collect_everything'"},
      {"pipelines:\n  p:\n    schedule: '@daily'\n   tasks: [\n",
       "pipelines.yml:4: end of map not found"},
  };
  SchedulerWorld world({.pipelines = kDailyPipelines});
  for (const Case& test_case : cases) {
    std::ofstream(world.Path("pipelines.yml")) << test_case.yaml;
    EXPECT_EQ(world.Run({"scheduler", "--once"}), 1) << test_case.says;
    const std::string err = world.err();
    EXPECT_NE(err.find(std::string("error: ") + world.Path(test_case.says)), std::string::npos)
        << err;
    EXPECT_NE(err.find("\n  to fix: "), std::string::npos) << err;
  }
  EXPECT_EQ(world.Query("SELECT COUNT(*) FROM sqlite_master WHERE name = '_sw_scheduler_lease'"),
            "0")
      << "nothing was started or written";
}

}  // namespace
}  // namespace silverwork::testing
