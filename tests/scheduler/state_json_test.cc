// The one JSON shape of runs, tasks, tries and days that both the operators'
// API and `silverwork runs/partitions --json` print (scheduler/state_json.h).
#include "scheduler/state_json.h"

#include <gtest/gtest.h>

namespace silverwork::scheduler {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint At(const char* text) { return *ParseStoreTime(text); }

RunRecord ARunOfTwoDays() {
  RunRecord run;
  run.run_id = "20250701T000030.103Z-1d764666";
  run.pipeline = "postings_daily";
  run.kind = RunKind::kBackfill;
  run.state = RunState::kRunning;
  run.logical_time = std::chrono::floor<seconds>(At("2025-07-01T00:00:00.000Z"));
  run.interval = {.start = std::chrono::floor<seconds>(At("2025-06-28T15:00:00.000Z")),
                  .end = std::chrono::floor<seconds>(At("2025-06-30T15:00:00.000Z"))};
  run.window = DayRange{*Date::Parse("2025-06-29"), *Date::Parse("2025-06-30")};
  run.partition_count = 2;
  run.queued_at = At("2025-07-01T00:00:30.103Z");
  run.started_at = At("2025-07-01T00:00:30.104Z");
  return run;
}

TryRecord ATry(const std::string& task, int number, const char* started) {
  TryRecord attempt;
  attempt.run_id = "20250701T000030.103Z-1d764666";
  attempt.task = task;
  attempt.try_number = number;
  attempt.state = TryState::kFailed;
  attempt.started_at = At(started);
  attempt.ended_at = attempt.started_at + milliseconds(1500);
  attempt.exit_code = 1;
  attempt.log_path = "var/logs/" + task + "/" + std::to_string(number) + ".log";
  return attempt;
}

TEST(StateJsonTest, ARunHasTheApisNamesAndADurationUpToNowWhileItRuns) {
  const nlohmann::json run = RunJson(ARunOfTwoDays(), At("2025-07-01T00:00:32.604Z"));
  EXPECT_EQ(run.at("data_interval").at("start"), "2025-06-28T15:00:00.000Z");
  EXPECT_EQ(run.at("days"),
            (nlohmann::json{{"from", "2025-06-29"}, {"to", "2025-06-30"}, {"count", 2}}));
  EXPECT_DOUBLE_EQ(run.at("duration_s").get<double>(), 2.5);
  EXPECT_TRUE(run.at("ended_at").is_null());
  EXPECT_TRUE(run.at("message").is_null()) << "an empty text is null";
  EXPECT_FALSE(run.contains("interval"));
}

TEST(StateJsonTest, TasksKeepTheirOwnTriesByNumberWithTheCallersLogReference) {
  TaskInstanceRecord task;
  task.task = "collect";
  task.kind = TaskKind::kCollectPostings;
  task.try_number = 2;
  task.retry.timeout = seconds(21600);
  const std::vector<TryRecord> tries = {ATry("collect", 2, "2025-07-01T00:05:00.000Z"),
                                        ATry("build", 1, "2025-07-01T00:01:00.000Z"),
                                        ATry("collect", 1, "2025-07-01T00:00:31.000Z")};
  const nlohmann::json run =
      RunDetailJson(ARunOfTwoDays(), {task}, tries, At("2025-07-01T01:00:00.000Z"),
                    [](const TryRecord& attempt) { return "file:" + attempt.log_path; });
  const nlohmann::json& shown = run.at("tasks").at(0);
  EXPECT_EQ(shown.at("timeout_s"), 21600);
  EXPECT_TRUE(shown.at("deferred_since").is_null());
  ASSERT_EQ(shown.at("tries").size(), 2u) << "the build's try is not the collection's";
  EXPECT_EQ(shown.at("tries")[0].at("try_number"), 1);
  EXPECT_EQ(shown.at("tries")[1].at("try_number"), 2);
  EXPECT_EQ(shown.at("tries")[1].at("log"), "file:var/logs/collect/2.log");
  EXPECT_DOUBLE_EQ(shown.at("tries")[1].at("duration_s").get<double>(), 1.5);
  EXPECT_FALSE(shown.at("tries")[1].contains("try"));
  EXPECT_FALSE(shown.at("tries")[1].contains("log_path"));
}

TEST(StateJsonTest, ADayNamesItsRunAndItsLastChange) {
  const PartitionRecord day{.day = *Date::Parse("2025-06-30"),
                            .status = PartitionStatus::kSuccess,
                            .run_id = "r1",
                            .updated_at = At("2025-07-01T00:00:31.207Z")};
  EXPECT_EQ(PartitionJson(day), (nlohmann::json{{"day", "2025-06-30"},
                                                {"status", "success"},
                                                {"run_id", "r1"},
                                                {"updated_at", "2025-07-01T00:00:31.207Z"}}));
}

TEST(StateJsonTest, DurationIsNullBeforeTheStartAndNeverNegative) {
  const TimePoint start = At("2025-07-01T00:00:30.000Z");
  EXPECT_FALSE(DurationSeconds(std::nullopt, std::nullopt, start).has_value());
  EXPECT_EQ(DurationSeconds(start, std::nullopt, start - seconds(5)), 0.0)
      << "a clock behind the start counts nothing";
}

}  // namespace
}  // namespace silverwork::scheduler
