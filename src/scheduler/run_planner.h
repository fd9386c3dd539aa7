// Run planning: which runs are due, over which data interval and which
// partitions, for schedules, catch-up, manual triggers and backfills.
//
// Rules (docs/scheduler.md states them for users):
//  - A partition is a calendar day in the pipeline's partition zone; it ENDS
//    at the next local midnight. A run fired at T covers the partitions that
//    ended at or before T and after the previous fire time: postings_daily
//    (00:00 UTC, KST days) fired on D+1 at 00:00 UTC covers KST day D, which
//    ended at 15:00 UTC on D. Its data interval is [start of D, end of D).
//  - Catch-up (catchup: true): every missing day (no partition row) from
//    start_date — or, without one, from the day after the last day a
//    scheduled or catch-up run covered — to the last ended day (never past
//    end_date) is queued as ONE
//    run over the whole range, since the postings list has no date filter and
//    one pass collects any range; each day keeps its own partition status.
//    Days already done inside the range are collected again by that pass but
//    their status is left alone. A day another run has queued, running or
//    deferred splits the range: it is never queued twice.
//    With catchup: false only the latest fire's own days are considered.
//  - Unpartitioned pipelines: a run per due fire time, data interval
//    [previous fire, fire); with catch-up, missed fires fold into one run
//    over [last run's fire, latest fire).
//  - Backfill: the days from..to, each queued or not by the reprocess mode
//    (missing: days with no status; failed: those and failed days; all: every
//    day not active), grouped into runs as for catch-up.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/status.h"
#include "scheduler/pipelines.h"
#include "scheduler/task_state.h"

namespace silverwork::scheduler {

struct DayRange {
  Date first;
  Date last;  // inclusive
  bool operator==(const DayRange&) const = default;
};

struct DataInterval {
  SysSeconds start;
  SysSeconds end;  // exclusive
};

// A task of a run as queued: the DAG and retry policy are kept with the run,
// so editing pipelines.yml does not change runs already queued.
struct TaskPlan {
  std::string name;
  TaskKind kind = TaskKind::kBuild;
  std::vector<std::string> upstream;
  RetryPolicy retry;
};

struct RunPlan {
  std::string pipeline;
  RunKind kind = RunKind::kScheduled;
  // scheduled, catchup: the fire time; manual, backfill: when it was asked for.
  SysSeconds logical_time;
  DataInterval interval;
  // The partition days the run owns, ascending; empty without partitions.
  // The run's window is days.front()..days.back(); days inside the window
  // that it does not own are collected again but keep their status.
  std::vector<Date> days;
  // Scheduled and catch-up runs: interval end + the pipeline's deadline.
  std::optional<SysSeconds> deadline_at;
  std::vector<TaskPlan> tasks;  // in pipeline order (upstream first)
  std::string request_id;       // manual and backfill runs: the request
};

// One day's row in _sw_partitions.
struct PartitionState {
  PartitionStatus status = PartitionStatus::kQueued;
  std::string run_id;
};
// The days that have a row; a day absent from the map is missing.
using PartitionMap = std::map<Date, PartitionState>;

// The last day in `zone` that ended at or before `instant`.
Date LastEndedDay(const TimeZone& zone, SysSeconds instant);
// [start of first, start of the day after last) in `zone`.
DataInterval IntervalOfDays(const TimeZone& zone, Date first, Date last);

// The tasks of a pipeline as a run queues them.
std::vector<TaskPlan> TaskPlansOf(const PipelineSpec& pipeline);

// What the scheduler knows when planning a pipeline's scheduled runs
// (SchedulerStore::ScheduleHistoryOf reads it).
struct ScheduleHistory {
  // The latest fire time a scheduled or catch-up run was queued for.
  std::optional<SysSeconds> last_fire;
  // Partitioned pipelines: the last day a scheduled or catch-up run covered.
  // Catch-up without start_date resumes after it, so backfills and manual
  // runs of old days never pull the days between them into a catch-up.
  std::optional<Date> last_scheduled_day;
  // Partitioned pipelines: every partition row of the pipeline.
  PartitionMap partitions;
};

// The scheduled or catch-up runs due at `now` (usually none or one).
std::vector<RunPlan> PlanScheduledRuns(const PipelineSpec& pipeline, SysSeconds now,
                                       const ScheduleHistory& history);

// A manual run (`silverwork trigger P [--date D]`). Partitioned: the day D,
// or without it the last ended day; a day that has not ended yet is refused
// (a partition is done only when its whole day is in). Unpartitioned: the
// local day D, or [the latest fire at or before now, now).
Result<RunPlan> PlanTriggeredRun(const PipelineSpec& pipeline, SysSeconds now,
                                 std::optional<Date> date, std::string request_id = {});

enum class ReprocessMode { kMissing, kFailed, kAll };
const char* ReprocessModeName(ReprocessMode mode);
// "missing", "failed" or "all"; anything else is kInvalidInput saying so.
Result<ReprocessMode> ParseReprocessMode(std::string_view text);

struct BackfillDay {
  Date day;
  std::optional<PartitionStatus> status;  // nullopt: missing
  std::string run_id;                     // the run that last owned the day
  bool queue = false;
  std::string reason;  // why it is queued or left alone, in words
};

struct BackfillPlan {
  std::vector<BackfillDay> days;  // every day of the range, ascending
  std::vector<RunPlan> runs;      // what queueing it creates; empty when nothing to do
};

// The longest backfill accepted at once.
inline constexpr int kMaxBackfillDays = 3660;

// Plans `silverwork backfill P --from A --to B --reprocess M`; the dry run
// prints `days`. Refuses unpartitioned pipelines, from > to, ranges longer
// than kMaxBackfillDays and days that have not ended yet.
Result<BackfillPlan> PlanBackfill(const PipelineSpec& pipeline, DayRange range, ReprocessMode mode,
                                  const PartitionMap& partitions, SysSeconds now,
                                  std::string request_id = {});

// The days a collect_postings task collects in a run: the run's window for
// `days: partitions`; for `days: today` the Korean day holding the last
// second of the run's data interval.
DayRange CollectionDays(const TaskSpec& task, std::optional<DayRange> run_window,
                        const DataInterval& interval);

}  // namespace silverwork::scheduler
