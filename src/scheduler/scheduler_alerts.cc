#include "scheduler/scheduler_alerts.h"

#include <fmt/format.h>

namespace silverwork::scheduler {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::optional<milliseconds> RunDuration(const RunRecord& run) {
  if (!run.started_at || !run.ended_at) return std::nullopt;
  return duration_cast<milliseconds>(*run.ended_at - *run.started_at);
}

AlertEvent BaseEvent(AlertKind kind, const RunRecord& run, LogicalDates dates, TimePoint now) {
  AlertEvent event;
  event.kind = kind;
  event.pipeline = run.pipeline;
  event.run_id = run.run_id;
  event.dates = dates;
  event.occurred_at = now;
  return event;
}

}  // namespace

AlertReporter::AlertReporter(SchedulerStore& store, AlertOutbox& outbox,
                             const PipelinesFile& pipelines, Clock& clock)
    : store_(store), outbox_(outbox), pipelines_(pipelines), clock_(clock) {}

Result<int> AlertReporter::EnqueueOnce(const AlertEvent& event) {
  const std::string key = AlertEventKey(event);
  if (reported_.contains(key)) return 0;
  SW_ASSIGN_OR_RETURN(int queued, outbox_.Enqueue(event));
  reported_.insert(key);
  return queued;
}

LogicalDates AlertReporter::DatesOf(const RunRecord& run) const {
  if (run.window) return {run.window->first, run.window->last};
  // Unpartitioned: the days of the data interval in the pipeline's zone.
  const PipelineSpec* pipeline = pipelines_.Find(run.pipeline);
  const SysSeconds last_second = std::max(run.interval.start, run.interval.end - seconds(1));
  if (pipeline == nullptr) return {Date::KoreaDay(run.interval.start), Date::KoreaDay(last_second)};
  const TimeZone& zone = pipeline->DayZone();
  return {zone.LocalDate(run.interval.start), zone.LocalDate(last_second)};
}

Result<int> AlertReporter::TryEnded(const EndedTry& ended, const TryFinish& finish) {
  const TimePoint now = clock_.Now();
  const RunRecord& run = finish.run;
  const LogicalDates dates = DatesOf(run);
  SW_ASSIGN_OR_RETURN(int queued, SourcesChecked(ended, run, dates));
  if (finish.transition.final_failure) {
    AlertEvent event = BaseEvent(AlertKind::kTaskFailed, run, dates, now);
    event.task = ended.task;
    event.try_number = ended.try_number;
    event.max_tries = ended.max_tries;
    event.error = ended.error.ok() ? Status(ErrorCode::kInternal, finish.transition.message,
                                            finish.transition.hint)
                                   : ended.error;
    event.duration = duration_cast<milliseconds>(now - ended.started_at);
    SW_ASSIGN_OR_RETURN(int added, outbox_.Enqueue(event));
    queued += added;
  }
  if (run.state == finish.run_state_before) return queued;
  if (run.state == RunState::kFailed) {
    AlertEvent event = BaseEvent(AlertKind::kRunFailed, run, dates, now);
    if (finish.transition.task_state == TaskState::kFailed) event.task = ended.task;
    const ErrorCode category = ended.error.ok() ? ErrorCode::kInternal : ended.error.code();
    event.error = Status(category, run.message, run.hint);
    event.duration = RunDuration(run);
    SW_ASSIGN_OR_RETURN(int added, outbox_.Enqueue(event));
    queued += added;
  }
  if (run.state == RunState::kSuccess) {
    SW_ASSIGN_OR_RETURN(int failed_before,
                        store_.FailedRunsSinceLastSuccess(run.pipeline, run.run_id));
    for (AlertKind kind : {AlertKind::kRecovered, AlertKind::kSucceeded}) {
      if (kind == AlertKind::kRecovered && failed_before == 0) continue;
      AlertEvent event = BaseEvent(kind, run, dates, now);
      event.failures_before = kind == AlertKind::kRecovered ? failed_before : 0;
      event.duration = RunDuration(run);
      SW_ASSIGN_OR_RETURN(int added, outbox_.Enqueue(event));
      queued += added;
    }
  }
  return queued;
}

Result<int> AlertReporter::SourcesChecked(const EndedTry& ended, const RunRecord& run,
                                          LogicalDates dates) {
  const TimePoint now = clock_.Now();
  int queued = 0;
  for (const FreshnessCheck& check : ended.freshness) {
    const bool stale = check.status == "warn" || check.status == "error";
    if (!stale && check.status != "pass") continue;  // skipped: it says nothing
    SW_ASSIGN_OR_RETURN(std::optional<TimePoint> stale_since,
                        store_.SourceStaleSince(check.source));
    if (stale == stale_since.has_value()) continue;  // no change: announced already
    AlertEvent event = BaseEvent(stale ? AlertKind::kSourceStale : AlertKind::kSourceFresh, run,
                                 dates, now);
    event.task = ended.task;
    event.try_number = ended.try_number;
    event.max_tries = ended.max_tries;
    event.source = check.source;
    event.freshness = check.message;
    // Whole seconds: the key read back from the store after a restart
    // must be the one made now.
    event.stale_since = stale ? std::chrono::floor<seconds>(now) : *stale_since;
    SW_RETURN_IF_ERROR(store_.SetSourceStaleSince(
        check.source, stale ? event.stale_since : std::optional<TimePoint>()));
    SW_ASSIGN_OR_RETURN(int added, outbox_.Enqueue(event));
    queued += added;
  }
  return queued;
}

Result<int> AlertReporter::CheckLateWork(const std::map<std::string, bool>& paused) {
  SW_ASSIGN_OR_RETURN(int deadlines, CheckDeadlines(paused));
  SW_ASSIGN_OR_RETURN(int deferrals, CheckDeferrals());
  return deadlines + deferrals;
}

Result<int> AlertReporter::CheckDeadlines(const std::map<std::string, bool>& paused) {
  const TimePoint now = clock_.Now();
  int queued = 0;
  SW_ASSIGN_OR_RETURN(std::vector<RunRecord> late, store_.RunsPastDeadline());
  for (const RunRecord& run : late) {
    // A paused pipeline's run cannot go on: no alarm for what was asked for.
    if (auto flag = paused.find(run.pipeline); flag != paused.end() && flag->second) continue;
    AlertEvent event = BaseEvent(AlertKind::kDeadlineMissed, run, DatesOf(run), now);
    event.deadline = run.deadline_at;
    SW_ASSIGN_OR_RETURN(int added, EnqueueOnce(event));
    queued += added;
  }
  return queued;
}

Result<int> AlertReporter::CheckDeferrals() {
  const TimePoint now = clock_.Now();
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> waiting,
                      store_.TasksDeferredSince(now - kLongDeferral));
  int queued = 0;
  for (const TaskInstanceRecord& task : waiting) {
    SW_ASSIGN_OR_RETURN(std::optional<RunRecord> run, store_.GetRun(task.run_id));
    if (!run) continue;
    AlertEvent event = BaseEvent(AlertKind::kLongDeferral, *run, DatesOf(*run), now);
    event.task = task.task;
    event.try_number = task.try_number;
    event.max_tries = task.retry.retries + 1;
    event.deferred_since = task.deferred_since;
    event.error = Status(ErrorCode::kQuotaExhausted, task.message, task.hint);
    SW_ASSIGN_OR_RETURN(int added, EnqueueOnce(event));
    queued += added;
  }
  return queued;
}

}  // namespace silverwork::scheduler
