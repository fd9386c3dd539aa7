// pipelines.yml: the shipped file loads and its selectors resolve against
// the real SQL project; every kind of mistake is an error naming the file,
// the line and what to write.
#include "scheduler/pipelines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scheduler_test_util.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const TimeZoneDatabase& Zones() {
  static const TimeZoneDatabase zones;
  return zones;
}

Result<PipelinesFile> Parse(const std::string& text) {
  return ParsePipelines(text, "pipelines.yml", Zones());
}

TEST(PipelinesFileTest, TheShippedFileHasTheIssuesDefaults) {
  auto file = LoadPipelinesFile(std::string(SILVERWORK_SOURCE_DIR) + "/pipelines.yml", Zones());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_EQ(file->pipelines.size(), 4u);

  const PipelineSpec* daily = file->Find("postings_daily");
  ASSERT_NE(daily, nullptr);
  EXPECT_EQ(daily->schedule.expression(), "0 0 * * *");
  EXPECT_EQ(daily->timezone->name(), "UTC");
  ASSERT_TRUE(daily->partitions);
  EXPECT_EQ(daily->partitions->zone->name(), "Asia/Seoul");
  EXPECT_TRUE(daily->catchup);
  ASSERT_EQ(daily->tasks.size(), 2u);
  EXPECT_EQ(daily->tasks[0].kind, TaskKind::kCollectPostings);
  EXPECT_EQ(daily->tasks[0].days, CollectDays::kPartitions);
  EXPECT_EQ(daily->tasks[1].kind, TaskKind::kBuild);
  EXPECT_EQ(daily->tasks[1].after, std::vector<std::string>{"collect"});
  EXPECT_EQ(daily->tasks[1].select, std::vector<std::string>{"source:raw.raw_postings+"});

  const PipelineSpec* today = file->Find("postings_today");
  ASSERT_NE(today, nullptr);
  EXPECT_FALSE(today->catchup);
  EXPECT_FALSE(today->partitions);
  EXPECT_EQ(today->tasks[0].days, CollectDays::kToday);

  const PipelineSpec* projects = file->Find("projects");
  ASSERT_NE(projects, nullptr);
  EXPECT_EQ(projects->schedule.Describe(), "every 6 hours at minute 0");
  EXPECT_EQ(projects->tasks[0].kind, TaskKind::kDiscoverProjects);
  EXPECT_EQ(projects->tasks[1].kind, TaskKind::kCollectProjects);

  const PipelineSpec* models = file->Find("models_daily");
  ASSERT_NE(models, nullptr);
  EXPECT_EQ(models->schedule.Describe(), "at 10:00 every day");
  EXPECT_FALSE(models->catchup);
  EXPECT_TRUE(models->tasks[0].select.empty());  // the whole project
}

TEST(PipelinesFileTest, TheShippedSelectorsResolveInTheRealProject) {
  auto file = LoadPipelinesFile(std::string(SILVERWORK_SOURCE_DIR) + "/pipelines.yml", Zones());
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto project = transform::LoadProjectFiles(SILVERWORK_SOURCE_DIR);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto manifest = transform::Manifest::Build(*project, {});
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  Status checked = CheckSelectors(*file, *manifest);
  EXPECT_TRUE(checked.ok()) << checked.ToString();

  // A selector that names nothing fails with the task's line.
  auto typo = Parse(
      "pipelines:\n"
      "  p:\n"
      "    schedule: '@daily'\n"
      "    tasks:\n"
      "      build: {kind: build, select: raw_postings+}\n");
  ASSERT_TRUE(typo.ok()) << typo.status().ToString();
  Status failed = CheckSelectors(*typo, *manifest);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.message().find("pipelines.yml:5: task 'build' of pipeline 'p'"),
            std::string::npos)
      << failed.message();
  EXPECT_NE(failed.hint().find("source:raw.raw_postings"), std::string::npos);

  auto nothing = Parse(
      "pipelines:\n"
      "  p:\n"
      "    schedule: '@daily'\n"
      "    tasks:\n"
      "      build: {kind: build, select: tag:marts, exclude: tag:marts}\n");
  ASSERT_TRUE(nothing.ok());
  Status empty = CheckSelectors(*nothing, *manifest);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.message().find("selects no node"), std::string::npos);
}

TEST(PipelinesFileTest, DefaultsAndOrder) {
  auto file = Parse(
      "pipelines:\n"
      "  p:\n"
      "    schedule: '0 3 * * *'\n"
      "    timezone: Asia/Seoul\n"
      "    partitions: {by: day}\n"
      "    start_date: 2026-01-01\n"
      "    end_date: 2026-12-31\n"
      "    deadline: 1h30m\n"
      "    tasks:\n"
      "      build: {kind: build, after: [collect]}\n"
      "      collect: {kind: collect_postings, retries: 0, timeout: 2h}\n");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const PipelineSpec& p = file->pipelines[0];
  EXPECT_EQ(p.partitions->zone->name(), "Asia/Seoul");  // the schedule's zone by default
  EXPECT_EQ(*p.start_date, Day("2026-01-01"));
  EXPECT_EQ(*p.deadline, minutes(90));
  EXPECT_EQ(p.max_active_runs, 1);
  EXPECT_FALSE(p.paused);
  ASSERT_EQ(p.tasks.size(), 2u);
  EXPECT_EQ(p.tasks[0].name, "collect");  // upstream first
  EXPECT_EQ(p.tasks[0].retry.retries, 0);
  EXPECT_EQ(*p.tasks[0].retry.timeout, hours(2));
  EXPECT_EQ(p.tasks[1].retry.retries, 2);  // the default
  EXPECT_EQ(p.tasks[1].retry.retry_delay, minutes(5));
  EXPECT_TRUE(p.tasks[1].retry.exponential_backoff);
  EXPECT_FALSE(p.tasks[1].retry.timeout);
  EXPECT_EQ(p.tasks[1].line, 10);
}

struct BadFile {
  const char* name;
  std::string text;
  const char* where;  // "pipelines.yml:<line>"
  const char* says;   // in the message
  const char* hint;   // in the hint
};

const std::string kHead = "pipelines:\n  p:\n    schedule: '@daily'\n";  // lines 1-3

std::vector<BadFile> BadFiles() {
  return {
      {"unknown pipeline key", kHead + "    catchp: true\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "unknown key 'catchp' in pipeline 'p'; did you mean 'catchup'?",
       "allowed keys:"},
      {"unknown task key", kHead + "    tasks:\n      b: {kind: build, retires: 2}\n",
       "pipelines.yml:5:", "unknown key 'retires'", "retries"},
      {"kind-specific key on the wrong kind",
       kHead + "    tasks:\n      b: {kind: reload, select: x}\n",
       "pipelines.yml:5:", "unknown key 'select' in task 'b' (kind reload)", "allowed keys"},
      {"unknown top-level key", "pipeline:\n  p: {}\n", "pipelines.yml:1:",
       "unknown key 'pipeline' in the file; did you mean 'pipelines'?", "allowed keys"},
      {"cycle",
       kHead + "    tasks:\n      a: {kind: build, after: c}\n      b: {kind: build, after: a}\n"
               "      c: {kind: build, after: b}\n",
       "pipelines.yml:", "run in a cycle: ", "remove one"},
      {"after itself", kHead + "    tasks:\n      a: {kind: build, after: a}\n",
       "pipelines.yml:5:", "runs after itself", "remove"},
      {"after a missing task",
       kHead + "    tasks:\n      a: {kind: build, after: colect}\n"
               "      collect: {kind: reload}\n",
       "pipelines.yml:5:",
       "runs after 'colect', which pipeline 'p' does not have; did you mean "
       "'collect'?",
       "tasks of this pipeline: a, collect"},
      {"bad cron", "pipelines:\n  p:\n    schedule: '0 25 * * *'\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:3:", "hour field: '25' is out of range", "0-23"},
      {"cron with too few fields",
       "pipelines:\n  p:\n    schedule: '0 0 *'\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:3:", "has 3 fields", "minute hour day-of-month"},
      {"bad time zone", kHead + "    timezone: Asia/Seol\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "unknown time zone 'Asia/Seol'", "Asia/Seoul"},
      {"bad partition time zone",
       kHead + "    partitions: {by: day, timezone: KST}\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "unknown time zone 'KST'", "IANA"},
      {"partitions by month",
       kHead + "    partitions: {by: month}\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "partitions by 'month' is not supported", "by: day"},
      {"unknown task kind", kHead + "    tasks:\n      b: {kind: biuld}\n",
       "pipelines.yml:5:", "unknown task kind 'biuld'; did you mean 'build'?", "collect_postings"},
      {"missing kind", kHead + "    tasks:\n      b: {retries: 1}\n",
       "pipelines.yml:5:", "task 'b' has no 'kind:'", "collect_postings"},
      {"missing schedule", "pipelines:\n  p:\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:3:", "pipeline 'p' has no 'schedule:'", "0 0 * * *"},
      {"missing tasks", kHead, "pipelines.yml:3:", "has no 'tasks:'", "kind: build"},
      {"no pipelines", "pipelines: {}\n", "pipelines.yml:1:", "must map names to pipelines",
       "postings_daily"},
      {"bad duration", kHead + "    tasks:\n      b: {kind: build, retry_delay: 5x}\n",
       "pipelines.yml:5:", "retry_delay: bad duration '5x'", "1h30m"},
      {"bad deadline", kHead + "    deadline: soon\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "deadline: bad duration 'soon'", "30s"},
      {"zero timeout", kHead + "    tasks:\n      b: {kind: build, timeout: 0s}\n",
       "pipelines.yml:5:", "timeout must be longer than 0s", "timeout: 2h"},
      {"max retry delay below retry delay",
       kHead + "    tasks:\n      b: {kind: build, retry_delay: 1h, max_retry_delay: 5m}\n",
       "pipelines.yml:5:", "max_retry_delay 5m is shorter than retry_delay 1h", "at least"},
      {"bad boolean", kHead + "    catchup: sometimes\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "catchup is 'sometimes', not true or false", "catchup: true"},
      {"bad number", kHead + "    max_active_runs: 0\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "max_active_runs is '0'", "from 1 to 64"},
      {"bad date", kHead + "    start_date: 2026-02-30\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:4:", "start_date '2026-02-30' is not a date", "YYYY-MM-DD"},
      {"end before start",
       kHead +
           "    start_date: 2026-02-01\n    end_date: 2026-01-01\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:5:", "end_date 2026-01-01 is before start_date 2026-02-01", "end_date"},
      {"partitions to collect without partitions",
       kHead + "    tasks:\n      c: {kind: collect_postings, days: partitions}\n",
       "pipelines.yml:5:", "collects the run's partitions, but pipeline 'p' has none",
       "days: today"},
      {"unknown days", kHead + "    tasks:\n      c: {kind: collect_postings, days: yesterday}\n",
       "pipelines.yml:5:", "days 'yesterday' is not known", "days: today"},
      {"bad pipeline name", "pipelines:\n  Postings-Daily:\n    schedule: '@daily'\n",
       "pipelines.yml:2:", "'Postings-Daily' is not a valid pipeline name", "lower-case"},
      {"task declared twice",
       kHead + "    tasks:\n      b: {kind: build}\n      b: {kind: reload}\n",
       "pipelines.yml:6:", "task 'b' is declared twice", "own name"},
      {"key written twice",
       kHead + "    catchup: true\n    catchup: false\n    tasks: {b: {kind: build}}\n",
       "pipelines.yml:5:", "key 'catchup' is written twice", "keep one"},
      {"YAML syntax", "pipelines:\n  p: {schedule: '@daily',\n", "pipelines.yml:", "",
       "YAML syntax"},
      {"selector is a mapping", kHead + "    tasks:\n      b: {kind: build, select: {a: 1}}\n",
       "pipelines.yml:5:", "select must be a name or a list of names", "select: [a, b]"},
  };
}

TEST(PipelinesFileTest, EveryMistakeNamesTheLineAndWhatToWrite) {
  for (const BadFile& bad : BadFiles()) {
    auto file = Parse(bad.text);
    ASSERT_FALSE(file.ok()) << bad.name;
    const Status& status = file.status();
    EXPECT_EQ(status.code(), ErrorCode::kInvalidInput) << bad.name;
    EXPECT_EQ(status.message().rfind(bad.where, 0), 0u) << bad.name << ": " << status.message();
    EXPECT_NE(status.message().find(bad.says), std::string::npos)
        << bad.name << ": " << status.message();
    EXPECT_NE(status.hint().find(bad.hint), std::string::npos) << bad.name << ": " << status.hint();
  }
}

TEST(PipelinesFileTest, AMissingFileSaysWhereItBelongs) {
  auto file = LoadPipelinesFile("/nonexistent/pipelines.yml", Zones());
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(file.status().hint().find("silverwork_project.yml"), std::string::npos);
}

}  // namespace
}  // namespace silverwork::scheduler
