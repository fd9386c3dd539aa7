#include "scheduler/run_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace silverwork::scheduler {
namespace {

using std::chrono::seconds;

bool IsActiveDay(const PartitionMap& partitions, Date day) {
  auto found = partitions.find(day);
  return found != partitions.end() && IsActive(found->second.status);
}

RunPlan BaseRun(const PipelineSpec& pipeline, RunKind kind, SysSeconds logical_time,
                DataInterval interval, std::string request_id) {
  RunPlan run;
  run.pipeline = pipeline.name;
  run.kind = kind;
  run.logical_time = logical_time;
  run.interval = interval;
  // Deadlines watch the schedule; a manual run or backfill of old days would
  // be "late" the moment it is queued.
  const bool scheduled = kind == RunKind::kScheduled || kind == RunKind::kCatchup;
  if (pipeline.deadline && scheduled) run.deadline_at = interval.end + *pipeline.deadline;
  run.tasks = TaskPlansOf(pipeline);
  run.request_id = std::move(request_id);
  return run;
}

// Days to queue -> runs: one run per stretch not interrupted by a day that
// another run holds active (so no active day falls inside a run's window).
std::vector<std::vector<Date>> GroupIntoRuns(const std::vector<Date>& chosen,
                                             const PartitionMap& partitions) {
  std::vector<std::vector<Date>> groups;
  for (Date day : chosen) {
    bool split = groups.empty();
    if (!split) {
      for (Date between = groups.back().back().AddDays(1); between < day;
           between = between.AddDays(1))
        split = split || IsActiveDay(partitions, between);
    }
    if (split) groups.emplace_back();
    groups.back().push_back(day);
  }
  return groups;
}

std::vector<RunPlan> RunsForDays(const PipelineSpec& pipeline, const std::vector<Date>& chosen,
                                 const PartitionMap& partitions, SysSeconds logical_time,
                                 const std::function<RunKind(const std::vector<Date>&)>& kind_of,
                                 const std::string& request_id) {
  std::vector<RunPlan> runs;
  for (std::vector<Date>& run_days : GroupIntoRuns(chosen, partitions)) {
    DataInterval interval =
        IntervalOfDays(*pipeline.partitions->zone, run_days.front(), run_days.back());
    RunPlan run = BaseRun(pipeline, kind_of(run_days), logical_time, interval, request_id);
    run.days = std::move(run_days);
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<RunPlan> PlanPartitionedRuns(const PipelineSpec& pipeline, SysSeconds fire,
                                         const ScheduleHistory& history) {
  const PartitionMap& partitions = history.partitions;
  const TimeZone& zone = *pipeline.partitions->zone;
  Date last_day = LastEndedDay(zone, fire);
  // The fire's own days: those that ended since the previous fire.
  Date own_first = last_day;
  if (auto previous = pipeline.schedule.PreviousBefore(fire, *pipeline.timezone))
    own_first = LastEndedDay(zone, *previous).AddDays(1);
  if (pipeline.end_date) last_day = std::min(last_day, *pipeline.end_date);

  Date lower = own_first;
  if (pipeline.catchup) {
    if (pipeline.start_date) {
      lower = *pipeline.start_date;
    } else if (history.last_scheduled_day) {
      lower = std::min(own_first, history.last_scheduled_day->AddDays(1));
    }
  }
  if (pipeline.start_date) lower = std::max(lower, *pipeline.start_date);

  std::vector<Date> missing;
  for (Date day = lower; day <= last_day; day = day.AddDays(1))
    if (!partitions.contains(day)) missing.push_back(day);
  auto kind_of = [&](const std::vector<Date>& run_days) {
    return run_days.front() >= own_first ? RunKind::kScheduled : RunKind::kCatchup;
  };
  return RunsForDays(pipeline, missing, partitions, fire, kind_of, {});
}

std::vector<RunPlan> PlanUnpartitionedRuns(const PipelineSpec& pipeline, SysSeconds fire,
                                           std::optional<SysSeconds> last_fire) {
  const TimeZone& zone = *pipeline.timezone;
  if (pipeline.start_date && fire < zone.StartOfDay(*pipeline.start_date)) return {};
  if (pipeline.end_date) {
    auto last_allowed =
        pipeline.schedule.PreviousBefore(zone.StartOfDay(pipeline.end_date->AddDays(1)), zone);
    if (!last_allowed) return {};
    fire = std::min(fire, *last_allowed);
  }
  if (last_fire && *last_fire >= fire) return {};
  const SysSeconds previous = pipeline.schedule.PreviousBefore(fire, zone).value_or(fire);
  SysSeconds start = previous;
  if (pipeline.catchup && last_fire) start = std::min(previous, *last_fire);
  if (pipeline.catchup && !last_fire && pipeline.start_date)
    start = std::min(previous, zone.StartOfDay(*pipeline.start_date));
  RunKind kind = start < previous ? RunKind::kCatchup : RunKind::kScheduled;
  return {BaseRun(pipeline, kind, fire, {start, fire}, {})};
}

}  // namespace

Date LastEndedDay(const TimeZone& zone, SysSeconds instant) {
  return zone.LocalDate(instant).AddDays(-1);
}

DataInterval IntervalOfDays(const TimeZone& zone, Date first, Date last) {
  return {zone.StartOfDay(first), zone.StartOfDay(last.AddDays(1))};
}

std::vector<TaskPlan> TaskPlansOf(const PipelineSpec& pipeline) {
  std::vector<TaskPlan> tasks;
  for (const TaskSpec& task : pipeline.tasks)
    tasks.push_back({task.name, task.kind, task.after, task.retry});
  return tasks;
}

std::vector<RunPlan> PlanScheduledRuns(const PipelineSpec& pipeline, SysSeconds now,
                                       const ScheduleHistory& history) {
  auto fire = pipeline.schedule.LatestAtOrBefore(now, *pipeline.timezone);
  if (!fire) return {};
  if (pipeline.partitions) return PlanPartitionedRuns(pipeline, *fire, history);
  return PlanUnpartitionedRuns(pipeline, *fire, history.last_fire);
}

Result<RunPlan> PlanTriggeredRun(const PipelineSpec& pipeline, SysSeconds now,
                                 std::optional<Date> date, std::string request_id) {
  if (!pipeline.partitions) {
    const TimeZone& zone = *pipeline.timezone;
    DataInterval interval{now, now};
    if (date) {
      interval = IntervalOfDays(zone, *date, *date);
    } else if (auto fire = pipeline.schedule.LatestAtOrBefore(now, zone)) {
      interval.start = *fire;
    }
    return BaseRun(pipeline, RunKind::kManual, now, interval, std::move(request_id));
  }
  const TimeZone& zone = *pipeline.partitions->zone;
  const Date latest = LastEndedDay(zone, now);
  const Date day = date.value_or(latest);
  if (day > latest)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("day {} of pipeline '{}' has not ended yet in {}", day.Iso(),
                              pipeline.name, zone.name()),
                  fmt::format("a partition runs once its whole day is in; the latest day you can "
                              "run now is {}",
                              latest.Iso()));
  RunPlan run = BaseRun(pipeline, RunKind::kManual, now, IntervalOfDays(zone, day, day),
                        std::move(request_id));
  run.days = {day};
  return run;
}

const char* ReprocessModeName(ReprocessMode mode) {
  switch (mode) {
    case ReprocessMode::kMissing:
      return "missing";
    case ReprocessMode::kFailed:
      return "failed";
    case ReprocessMode::kAll:
      return "all";
  }
  return "missing";
}

Result<ReprocessMode> ParseReprocessMode(std::string_view text) {
  for (ReprocessMode mode : {ReprocessMode::kMissing, ReprocessMode::kFailed, ReprocessMode::kAll})
    if (text == ReprocessModeName(mode)) return mode;
  return Status(ErrorCode::kInvalidInput, fmt::format("reprocess mode '{}' is not known", text),
                "use missing (days never run), failed (those and failed days) or all (every day "
                "not already queued or running)");
}

namespace {

// Whether a backfill in `mode` runs a day with this status, and why.
std::pair<bool, std::string> BackfillDecision(const PartitionState* state, ReprocessMode mode) {
  if (state == nullptr) return {true, "missing"};
  const char* status = PartitionStatusName(state->status);
  if (IsActive(state->status))
    return {false, fmt::format("already {} in run {}", status, state->run_id)};
  if (mode == ReprocessMode::kAll) return {true, fmt::format("{}; reprocess all", status)};
  if (state->status == PartitionStatus::kFailed && mode == ReprocessMode::kFailed)
    return {true, "failed; reprocess failed"};
  return {false, fmt::format("{} in run {}; --reprocess {} runs it again", status, state->run_id,
                             state->status == PartitionStatus::kFailed ? "failed" : "all")};
}

}  // namespace

Result<BackfillPlan> PlanBackfill(const PipelineSpec& pipeline, DayRange range, ReprocessMode mode,
                                  const PartitionMap& partitions, SysSeconds now,
                                  std::string request_id) {
  if (!pipeline.partitions)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("pipeline '{}' has no partitions to backfill", pipeline.name),
                  "backfills run days of partitioned pipelines (partitions: {by: day}); use "
                  "`silverwork trigger` with --date for this one");
  if (range.last < range.first)
    return Status(
        ErrorCode::kInvalidInput,
        fmt::format("backfill from {} to {} runs backwards", range.first.Iso(), range.last.Iso()),
        "give --from the earlier day and --to the later one");
  if (range.first.DaysUntil(range.last) >= kMaxBackfillDays)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("backfill of {} days is longer than {} days",
                              range.first.DaysUntil(range.last) + 1, kMaxBackfillDays),
                  "split it into several backfills");
  const Date latest = LastEndedDay(*pipeline.partitions->zone, now);
  if (range.last > latest)
    return Status(ErrorCode::kInvalidInput,
                  fmt::format("day {} has not ended yet in {}", range.last.Iso(),
                              pipeline.partitions->zone->name()),
                  fmt::format("backfill up to {} at the latest", latest.Iso()));

  BackfillPlan plan;
  std::vector<Date> chosen;
  for (Date day = range.first; day <= range.last; day = day.AddDays(1)) {
    auto found = partitions.find(day);
    const PartitionState* state = found == partitions.end() ? nullptr : &found->second;
    auto [queue, reason] = BackfillDecision(state, mode);
    BackfillDay entry{day, std::nullopt, {}, queue, std::move(reason)};
    if (state) {
      entry.status = state->status;
      entry.run_id = state->run_id;
    }
    if (queue) chosen.push_back(day);
    plan.days.push_back(std::move(entry));
  }
  auto backfill = [](const std::vector<Date>&) { return RunKind::kBackfill; };
  plan.runs = RunsForDays(pipeline, chosen, partitions, now, backfill, request_id);
  return plan;
}

DayRange CollectionDays(const TaskSpec& task, std::optional<DayRange> run_window,
                        const DataInterval& interval) {
  if (task.days == CollectDays::kPartitions && run_window) return *run_window;
  const Date today = Date::KoreaDay(interval.end - seconds(1));
  return {today, today};
}

}  // namespace silverwork::scheduler
