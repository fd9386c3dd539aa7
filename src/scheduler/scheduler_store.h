// SchedulerStore: every read and write of the scheduler's state in the
// warehouse — runs, task instances and their tries, partitions, pipeline
// flags, the scheduler lease and the request table.
//
// State lives in the warehouse (through the Warehouse interface only, with
// portable SQL: `?` placeholders, fixed-width ISO-8601 UTC text timestamps so
// text order is time order, conditional UPDATE/INSERT instead of engine
// upserts) so that nothing essential is only in memory: a scheduler killed at
// any moment restarts from these tables, and a PostgreSQL warehouse will
// carry them for several schedulers later.
//
// Tables (docs/scheduler.md describes every column):
//   _sw_sched_runs          one row per run
//   _sw_task_instances      one row per task of a run
//   _sw_task_tries          one row per try of a task instance
//   _sw_partitions          one row per (pipeline, day) ever queued
//   _sw_pipeline_flags      paused overrides set by pause/unpause
//   _sw_scheduler_lease     the one scheduler allowed to run state
//   _sw_scheduler_requests  trigger/clear/backfill/pause/unpause requests
//
// Writers: the scheduler is the only writer of run state (runs, task
// instances, tries, partitions, flags). `serve` and the CLI verbs write only
// SubmitRequest(); the scheduler polls PendingRequests(), acts and answers
// with AnswerRequest(); the submitter reads the answer with GetRequest().
//
// Atomicity: QueueRun (the run, its task instances and its partitions),
// StartTry, FinishTry (the try, the instance, the tasks after it, the run and
// its partitions) and ClearRun each commit in one transaction. Called while
// the caller holds a transaction open on the same warehouse, each becomes a
// savepoint inside it instead: the scheduler commits a request's runs with
// its answer, and a finished try with the alerts it raises, all or nothing. A day that is
// queued, running or deferred in one run is never queued by another: QueueRun
// claims each day with a conditional UPDATE (or an INSERT guarded by the
// primary key) and rolls everything back when any day is taken.
//
// Thread-safety: NOT thread-safe, like the Warehouse it uses; one store per
// connection. Several stores (processes) may share one warehouse.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/date.h"
#include "common/status.h"
#include "scheduler/run_planner.h"
#include "scheduler/task_state.h"
#include "warehouse/warehouse.h"

namespace silverwork::scheduler {

using TimePoint = std::chrono::system_clock::time_point;

// "2026-11-25T01:00:09.123Z": UTC, milliseconds, always 24 characters.
std::string FormatStoreTime(TimePoint instant);
Result<TimePoint> ParseStoreTime(std::string_view text);

// var/logs/<pipeline>/<run_id>/<task>/<try>.log under `logs_root`.
std::filesystem::path TaskLogPath(const std::filesystem::path& logs_root, std::string_view pipeline,
                                  std::string_view run_id, std::string_view task, int try_number);

struct RunRecord {
  std::string run_id;
  std::string pipeline;
  RunKind kind = RunKind::kScheduled;
  SysSeconds logical_time;
  DataInterval interval;
  std::optional<DayRange> window;  // partitioned runs: first..last day
  int partition_count = 0;         // days the run was queued to own
  RunState state = RunState::kQueued;
  TimePoint queued_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> ended_at;
  std::optional<SysSeconds> deadline_at;
  std::string request_id;
  std::string message;  // a failed run: which task failed and why
  std::string hint;
};

struct TaskInstanceRecord {
  std::string run_id;
  std::string task;
  std::string pipeline;
  TaskKind kind = TaskKind::kBuild;
  int position = 0;  // order in the pipeline (upstream first)
  std::vector<std::string> upstream;
  RetryPolicy retry;
  TaskState state = TaskState::kWaiting;
  int try_number = 0;                        // tries started so far (each has a log)
  int failures = 0;                          // failed tries, counted against retries
  std::optional<TimePoint> next_attempt_at;  // up_for_retry, deferred
  std::optional<TimePoint> started_at;       // first try
  std::optional<TimePoint> ended_at;         // when it became terminal
  std::optional<TimePoint> deferred_since;   // start of the current deferral
  std::string message;
  std::string hint;
};

struct TryRecord {
  std::string run_id;
  std::string task;
  int try_number = 0;
  TryState state = TryState::kRunning;
  TimePoint started_at;
  std::optional<TimePoint> ended_at;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::optional<int64_t> pid;
  std::string host;
  std::string log_path;
  std::string error;
  std::string hint;
  // Identifies the process beyond its pid (which the system reuses): the
  // boot and the start time, as ProcessStartOf() reads them; empty when
  // unknown.
  std::string process_start;
};

struct PartitionRecord {
  Date day;
  PartitionStatus status = PartitionStatus::kQueued;
  std::string run_id;
  TimePoint updated_at;
};

struct RunFilter {
  std::string pipeline;  // empty: every pipeline
  std::optional<RunState> state;
  int limit = 50;
  int offset = 0;
};

// A day QueueRun could not take because another run holds it.
struct PartitionConflict {
  Date day;
  PartitionStatus status = PartitionStatus::kQueued;
  std::string run_id;
};

struct QueueOutcome {
  std::optional<std::string> run_id;         // set when queued
  std::vector<PartitionConflict> conflicts;  // set when refused (nothing written)
};

// What FinishTry did, for the loop's log lines and alerts.
struct TryFinish {
  TaskTransition transition;
  RunState run_state_before = RunState::kQueued;
  RunRecord run;  // after the change
};

// Reports (SchedulerStore's report reads): tasks of many runs, runs per
// pipeline and state, the timings of ended tries, deferrals.
// A task instance as the grid shows it (ListTaskSummaries).
struct TaskSummary {
  std::string run_id;
  std::string task;
  int position = 0;
  TaskState state = TaskState::kWaiting;
  int try_number = 0;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> ended_at;
};

struct RunStateCount {
  std::string pipeline;
  RunState state = RunState::kQueued;
  int64_t runs = 0;
};

struct TryTiming {
  std::string pipeline;
  std::string task;
  TryState state = TryState::kSuccess;
  TimePoint started_at;
  TimePoint ended_at;
};

struct DeferralCount {
  std::string pipeline;
  int64_t deferred_tries = 0;  // tries that ended because the quota was spent, ever
  int64_t deferred_now = 0;    // task instances waiting out the quota now
};

struct LeaseHolder {
  std::string holder_id;
  std::string host;
  int64_t pid = 0;
  TimePoint acquired_at;
  TimePoint renewed_at;
  TimePoint expires_at;
};

struct LeaseClaim {
  std::string holder_id;  // unique per scheduler process, e.g. host:pid:random
  std::string host;
  int64_t pid = 0;
};

struct LeaseOutcome {
  bool acquired = false;
  LeaseHolder holder;  // the holder now: us when acquired, else the other one
};

enum class RequestKind { kTrigger, kClear, kBackfill, kPause, kUnpause };
enum class RequestState { kPending, kDone, kRejected };
const char* RequestKindName(RequestKind kind);
const char* RequestStateName(RequestState state);

struct SchedulerRequest {
  std::string request_id;  // set by SubmitRequest
  RequestKind kind = RequestKind::kTrigger;
  std::string pipeline;
  std::string run_id;                                 // clear
  std::optional<Date> date;                           // trigger --date
  std::optional<DayRange> range;                      // backfill
  ReprocessMode reprocess = ReprocessMode::kMissing;  // backfill
  std::string requested_by;                           // "serve", "cli", ...
  TimePoint requested_at;                             // set by SubmitRequest
  RequestState state = RequestState::kPending;
  std::optional<TimePoint> answered_at;
  std::string message;  // the answer, in words
  std::string hint;
  std::vector<std::string> run_ids;  // runs the request created or cleared
};

class SchedulerStore {
 public:
  // REQUIRES: warehouse, clock and random outlive the store.
  SchedulerStore(Warehouse& warehouse, Clock& clock, RandomSource& random);
  SchedulerStore(const SchedulerStore&) = delete;
  SchedulerStore& operator=(const SchedulerStore&) = delete;

  // Creates or widens the tables (needs a writable connection).
  Status EnsureSchema();
  // Whether EnsureSchema ever ran on this warehouse (readers check first).
  Result<bool> HasSchema();

  // ---- Runs (scheduler only) ----
  // Queues a run, its task instances (tasks without upstream queued, the
  // rest waiting) and claims its days, atomically. A day another run holds
  // active refuses the whole run (outcome.conflicts, nothing written).
  Result<QueueOutcome> QueueRun(const RunPlan& plan);
  // Resets a run's failed and upstream_failed tasks (with fresh retries) so
  // they run again, and takes back the days still pointing at the run.
  // kInvalidInput when the run has no failed task.
  Result<RunRecord> ClearRun(std::string_view run_id);

  // ---- Tries (scheduler only) ----
  // Starts the next try of a task that is queued, or up_for_retry/deferred
  // and due: marks it running, records the try (with its log path under
  // `logs_root`) and marks the run and its days running. kInvalidInput when
  // the task is not ready (someone else started it).
  Result<TryRecord> StartTry(std::string_view run_id, std::string_view task,
                             const std::string& host, const std::filesystem::path& logs_root);
  // The child's pid and start (TryRecord::process_start), once it is spawned.
  Status RecordTryPid(std::string_view run_id, std::string_view task, int try_number, int64_t pid,
                      const std::string& process_start = {});
  // Ends a running try by its outcome (DecideAfterTry), moves the tasks
  // after it along, and updates the run and its days.
  Result<TryFinish> FinishTry(std::string_view run_id, std::string_view task, int try_number,
                              const TryOutcome& outcome);

  // ---- Reads ----
  Result<std::optional<RunRecord>> GetRun(std::string_view run_id);
  // Newest first (by queue time).
  Result<std::vector<RunRecord>> ListRuns(const RunFilter& filter);
  Result<std::vector<TaskInstanceRecord>> ListTaskInstances(std::string_view run_id);
  // Every try of a run (or of one task of it), by task position then try.
  Result<std::vector<TryRecord>> ListTries(std::string_view run_id, std::string_view task = {});
  // Days of a pipeline, ascending; `range` limits them.
  Result<std::vector<PartitionRecord>> ListPartitions(std::string_view pipeline,
                                                      std::optional<DayRange> range = {});
  Result<PartitionMap> PartitionMapOf(std::string_view pipeline);
  // What PlanScheduledRuns needs: the latest fire and last day of the
  // pipeline's scheduled or catch-up runs, and (`partitioned`) every day.
  Result<ScheduleHistory> ScheduleHistoryOf(std::string_view pipeline, bool partitioned);
  // Runs in state running.
  Result<int> CountRunningRuns(std::string_view pipeline);
  // Task instances that may start now: queued, or up_for_retry/deferred with
  // next_attempt_at reached; oldest run first, then pipeline order.
  Result<std::vector<TaskInstanceRecord>> ReadyTasks(int limit = 100);
  // The earliest next_attempt_at still in the future, to sleep until.
  Result<std::optional<TimePoint>> NextAttemptTime();
  // Tries in state running (to watch timeouts and, after a restart, to find
  // those whose process is gone).
  Result<std::vector<TryRecord>> RunningTries();
  // Runs not finished although their deadline_at has passed.
  Result<std::vector<RunRecord>> RunsPastDeadline();
  // Failed runs of the pipeline that ended after its last successful run
  // other than `except_run_id` (the run that just succeeded): the
  // "recovered" alert's count.
  Result<int> FailedRunsSinceLastSuccess(std::string_view pipeline, std::string_view except_run_id);
  // Tries that ended in [since, before) — all before `before` without
  // `since`: those whose logs have aged out.
  Result<std::vector<TryRecord>> TriesEndedBetween(std::optional<TimePoint> since,
                                                   TimePoint before);
  // Task instances deferred since `before` or earlier (the "deferred for
  // over a day" alert).
  Result<std::vector<TaskInstanceRecord>> TasksDeferredSince(TimePoint before);

  // ---- Reports (serve's API and /metrics; store_reports.cc) ----
  // The state of every task of the given runs of `pipeline`, by run id then
  // task position: the grid reads a page of ListRuns, then this, in one
  // range query over the runs' ids whatever the page's size.
  Result<std::vector<TaskSummary>> ListTaskSummaries(std::string_view pipeline,
                                                     std::span<const std::string> run_ids);
  // Runs per pipeline and state.
  Result<std::vector<RunStateCount>> CountRunsByState();
  // Every try that has ended, with its pipeline.
  Result<std::vector<TryTiming>> EndedTryTimings();
  // Deferrals per pipeline that has task instances.
  Result<std::vector<DeferralCount>> CountDeferrals();

  // ---- Pipeline flags (scheduler only) ----
  Status SetPaused(std::string_view pipeline, bool paused);
  // Pipelines whose paused state was set by pause/unpause.
  Result<std::map<std::string, bool>> PausedOverrides();

  // ---- Stale sources (the stale-source alerts; store_control.cc) ----
  // Since when `source` (a freshness-checked source's unique id) has been
  // stale, as the scheduler last recorded it; nullopt while it is fresh. In
  // `_sw_state`, so an episode outlives a restart and is announced once.
  Result<std::optional<TimePoint>> SourceStaleSince(std::string_view source);
  // Records the start of a stale episode, or its end (nullopt).
  Status SetSourceStaleSince(std::string_view source, std::optional<TimePoint> since);

  // ---- Lease ----
  // Takes the lease when it is free, expired, already ours, or held by a
  // holder `holder_is_gone` says is dead (same host, no such pid). Atomic:
  // two processes can never both acquire it.
  Result<LeaseOutcome> AcquireLease(
      const LeaseClaim& claim, std::chrono::seconds ttl,
      const std::function<bool(const LeaseHolder&)>& holder_is_gone = nullptr);
  // Extends our lease; false when it is no longer ours (stop scheduling).
  Result<bool> RenewLease(std::string_view holder_id, std::chrono::seconds ttl);
  Status ReleaseLease(std::string_view holder_id);
  Result<std::optional<LeaseHolder>> CurrentLeaseHolder();

  // ---- Requests ----
  // Any process. Returns the request id.
  Result<std::string> SubmitRequest(SchedulerRequest request);
  // Oldest first.
  Result<std::vector<SchedulerRequest>> PendingRequests(int limit = 100);
  // Scheduler only: answers a pending request once (false when it was not
  // pending any more).
  Result<bool> AnswerRequest(std::string_view request_id, RequestState state,
                             const std::string& message, const std::string& hint,
                             const std::vector<std::string>& run_ids);
  Result<std::optional<SchedulerRequest>> GetRequest(std::string_view request_id);

 private:
  TimePoint Now() { return clock_.Now(); }
  // "20261125T160102.345Z-9f3a0c1e": sorts by creation time and lies above
  // every id already in `table`, even when the clock stands still or steps
  // back (the next id after the latest one then).
  Result<std::string> NewIdAbove(std::string_view table, std::string_view column);

  // Shared steps of the write paths (store_tasks.cc); each runs inside the
  // caller's transaction.
  Status InsertTaskInstances(const std::string& run_id, const RunPlan& plan, TimePoint now);
  Result<std::vector<PartitionConflict>> ClaimDays(const std::string& run_id, const RunPlan& plan,
                                                   TimePoint now);
  Result<TaskInstanceRecord> ReadTaskInstance(std::string_view run_id, std::string_view task);
  Status AdvanceWaitingTasks(std::string_view run_id, TimePoint now);
  Result<RunRecord> RefreshRun(std::string_view run_id, TimePoint now);

  Warehouse& warehouse_;
  Clock& clock_;
  RandomSource& random_;
};

}  // namespace silverwork::scheduler
