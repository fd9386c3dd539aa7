// Pipelines: what pipelines.yml declares — the pipelines the scheduler runs,
// their schedules, partitions and tasks — and its loader.
//
// pipelines.yml sits at the SQL project's root, next to
// silverwork_project.yml (docs/scheduler.md is the reference):
//
//   pipelines:
//     postings_daily:
//       schedule: "0 0 * * *"
//       timezone: UTC
//       partitions: {by: day, timezone: Asia/Seoul}
//       tasks:
//         collect: {kind: collect_postings, days: partitions, retries: 3}
//         build:   {kind: build, after: collect, select: "source:raw.raw_postings+"}
//
// Loading validates everything it can without the SQL project: unknown keys
// (with the closest known one), missing required keys, bad crons, time zones,
// durations, dates and task kinds, `after:` naming a missing task, and cycles.
// Every error names the file and line and says what to write. Selectors are
// checked against the project's manifest separately (CheckSelectors), since
// that needs the project loaded.
//
// A loaded PipelinesFile is immutable; thread-compatible (the zones it holds
// are thread-safe).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/status.h"
#include "pipeline/task_kind.h"
#include "scheduler/cron.h"
#include "scheduler/task_state.h"
#include "scheduler/time_zone.h"

namespace silverwork {
struct Config;
}
namespace silverwork::transform {
class Manifest;
}

namespace silverwork::scheduler {

inline constexpr std::string_view kPipelinesFileName = "pipelines.yml";

// A task's kind is the pipeline library's TaskKind (pipeline/task_kind.h),
// named as `silverwork task run` names it. pipelines.yml takes every kind but
// seed (a build loads the seeds): a kind of that list, by name. A
// discover_projects task is a sensor: exit 4 (nothing new) skips the run.
Result<TaskKind> ParseTaskKind(std::string_view name);
// build, test, run and snapshot take select/exclude/full_refresh.
bool TakesSelector(TaskKind kind);

// Which days a collect_postings task collects.
enum class CollectDays {
  kPartitions,  // the run's partition days (partitioned pipelines)
  kToday,       // the Korean day holding the end of the run's data interval, so far
};

struct TaskSpec {
  std::string name;
  TaskKind kind = TaskKind::kBuild;
  std::string description;
  std::vector<std::string> after;  // upstream task names
  RetryPolicy retry;               // retries, delays, backoff, timeout
  // collect_postings
  CollectDays days = CollectDays::kPartitions;
  bool skip_details = false;
  // build, test, run, snapshot: as `silverwork build -s ... --exclude ...`
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  bool full_refresh = false;
  int line = 0;  // where the task is declared
};

// Partitions by calendar day in a time zone (e.g. KST days).
struct DailyPartitions {
  std::shared_ptr<const TimeZone> zone;
};

struct PipelineSpec {
  std::string name;
  std::string description;
  CronSchedule schedule;
  std::shared_ptr<const TimeZone> timezone;   // the schedule's zone; UTC by default
  std::optional<DailyPartitions> partitions;  // none: runs cover their data interval only
  // Days in the partitions' zone (the schedule's zone without partitions);
  // inclusive. Without start_date, catch-up resumes after the last day the
  // schedule covered (a new pipeline starts with the latest day); backfills
  // reach anywhere.
  std::optional<Date> start_date;
  std::optional<Date> end_date;
  bool catchup = true;
  int max_active_runs = 1;
  // Alert when a run is not done this long after its data interval ends.
  std::optional<std::chrono::seconds> deadline;
  bool paused = false;  // the default; `silverwork pause|unpause` override it
  // Upstream tasks always come before the tasks after them (declaration
  // order where that already holds).
  std::vector<TaskSpec> tasks;
  int line = 0;

  const TaskSpec* FindTask(std::string_view task) const;
  // The zone days are counted in: the partitions' zone, else the schedule's.
  const TimeZone& DayZone() const { return partitions ? *partitions->zone : *timezone; }
};

struct PipelinesFile {
  std::string path;  // as given, for messages
  std::vector<PipelineSpec> pipelines;

  const PipelineSpec* Find(std::string_view pipeline) const;
};

// Reads and validates pipelines.yml. `zones` resolves time zone names.
Result<PipelinesFile> LoadPipelinesFile(const std::filesystem::path& path,
                                        const TimeZoneDatabase& zones);
// The same from text; `path` is only used in messages.
Result<PipelinesFile> ParsePipelines(std::string_view text, std::string path,
                                     const TimeZoneDatabase& zones);

// Checks every task's select/exclude against the project's manifest as
// `silverwork build` would resolve them, so a typo or a selector matching
// nothing fails when the file is loaded instead of at 3 a.m. Errors name the
// file and the task's line.
Status CheckSelectors(const PipelinesFile& file, const transform::Manifest& manifest);

// Where the config says pipelines.yml is: [scheduler] pipelines_file, else
// pipelines.yml in project_dir.
std::filesystem::path PipelinesPathFor(const Config& config);

// LoadPipelinesFile, then CheckSelectors against the SQL project in
// config.project_dir: what `silverwork scheduler` and the verbs that plan
// runs load. (A task's child process needs only LoadPipelinesFile.)
Result<PipelinesFile> LoadCheckedPipelines(const Config& config, const TimeZoneDatabase& zones);

}  // namespace silverwork::scheduler
