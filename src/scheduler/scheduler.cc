#include "scheduler/scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "scheduler/task_result.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::duration_cast;
using std::chrono::system_clock;

constexpr std::chrono::hours kLogSweepInterval{1};

SysSeconds Seconds(system_clock::time_point instant) {
  return std::chrono::floor<std::chrono::seconds>(instant);
}

std::string Describe(const TryKey& key, std::string_view pipeline) {
  return fmt::format("try {} of {}.{} in run {}", key.try_number, pipeline, key.task, key.run_id);
}

TryKey KeyOf(const TryRecord& attempt) {
  return {attempt.run_id, attempt.task, attempt.try_number};
}

}  // namespace

SchedulerOptions SchedulerOptions::FromConfig(const SchedulerConfig& config, LeaseClaim claim) {
  SchedulerOptions options;
  options.logs_dir = config.logs_dir;
  options.log_retention = std::chrono::hours(24) * config.log_retention_days;
  options.poll_interval = std::chrono::milliseconds(config.poll_interval_ms);
  options.lease_ttl = std::chrono::seconds((config.lease_ttl_ms + 999) / 1000);
  options.max_parallel_tasks = config.max_parallel_tasks;
  options.claim = std::move(claim);
  return options;
}

Scheduler::Scheduler(Warehouse& warehouse, Clock& clock, RandomSource& random,
                     const PipelinesFile& pipelines, TaskLauncher& launcher, AlertOutbox& outbox,
                     SchedulerOptions options)
    : warehouse_(warehouse),
      clock_(clock),
      pipelines_(pipelines),
      launcher_(launcher),
      options_(std::move(options)),
      store_(warehouse, clock, random),
      requests_(warehouse, store_, pipelines, clock),
      alerts_(store_, outbox, pipelines, clock) {}

Scheduler::~Scheduler() = default;

Status Scheduler::LeaseHeldError(const LeaseHolder& holder) {
  return Status(
      ErrorCode::kInvalidInput,
      fmt::format("another scheduler holds this warehouse: {} on host {}, pid {}, "
                  "since {}; its lease runs until {}",
                  holder.holder_id, holder.host, holder.pid, FormatStoreTime(holder.acquired_at),
                  FormatStoreTime(holder.expires_at)),
      "one scheduler runs per warehouse; stop that one first (SIGTERM releases the "
      "lease), or wait: a lease its holder no longer renews expires");
}

Result<LeaseOutcome> Scheduler::AcquireLease() {
  SW_RETURN_IF_ERROR(store_.EnsureSchema());
  auto holder_is_gone = [this](const LeaseHolder& holder) {
    return holder.host == options_.claim.host && !launcher_.StillRunning(holder.pid, "");
  };
  SW_ASSIGN_OR_RETURN(LeaseOutcome outcome,
                      store_.AcquireLease(options_.claim, options_.lease_ttl, holder_is_gone));
  if (outcome.acquired) lease_renewed_at_ = clock_.Now();
  return outcome;
}

Status Scheduler::ReleaseLease() {
  lease_renewed_at_.reset();
  return store_.ReleaseLease(options_.claim.holder_id);
}

Status Scheduler::Recover() {
  SW_ASSIGN_OR_RETURN(std::vector<TryRecord> running, store_.RunningTries());
  for (const TryRecord& attempt : running) {
    if (in_flight_.contains(KeyOf(attempt))) continue;
    Status settled = SettleOrphan(attempt);
    // A try whose task is no longer running (state edited by hand) is left.
    if (settled.code() == ErrorCode::kInvalidInput) spdlog::error("{}", settled.ToString());
    if (!settled.ok() && settled.code() != ErrorCode::kInvalidInput) return settled;
  }
  return Status::Ok();
}

// A try the store shows running that no process of ours watches: it was
// started by a scheduler that died (or lost its lease).
Status Scheduler::SettleOrphan(const TryRecord& attempt) {
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> tasks,
                      store_.ListTaskInstances(attempt.run_id));
  InFlight flight{.attempt = attempt};
  for (const TaskInstanceRecord& task : tasks) {
    if (task.task != attempt.task) continue;
    flight.pipeline = task.pipeline;
    flight.retry = task.retry;
  }
  TryOutcome outcome = TryOutcome::Lost();
  const bool here = attempt.host == options_.claim.host;
  if (!here) {
    outcome.error = fmt::format("the try ran on host {} under a scheduler whose lease has expired",
                                attempt.host);
  } else if (attempt.pid && launcher_.StillRunning(*attempt.pid, attempt.process_start)) {
    SW_RETURN_IF_ERROR(launcher_.StopOrphan(*attempt.pid, attempt.process_start));
    outcome.error = fmt::format(
        "the try's process group (pid {}) was still running after the "
        "scheduler restarted, and was stopped",
        *attempt.pid);
  }
  Status error(ErrorCode::kCancelled, outcome.error, outcome.hint);
  // The child may have finished and said how before the scheduler died.
  auto result = ReadTaskResult(TaskResultPath(attempt.log_path));
  std::vector<FreshnessCheck> freshness;
  if (here && result.ok() && *result) {
    const TaskResult& said = **result;
    outcome = TryOutcome::Exited(said.exit_code, said.error.message(), said.error.hint());
    error = said.error;
    freshness = said.freshness;
  }
  spdlog::warn("{} was left running by an earlier scheduler: {}",
               Describe(KeyOf(attempt), flight.pipeline),
               outcome.kind == TryOutcome::Kind::kExited ? "it had finished" : outcome.error);
  return FinishTry(flight, outcome, error, std::move(freshness)).status();
}

Result<TickReport> Scheduler::Tick() {
  TickReport report;
  SW_RETURN_IF_ERROR(KeepLease(report));
  if (report.lease_lost) return report;
  SW_RETURN_IF_ERROR(RecordEndedTries(report));
  StopTimedOutTries();
  if (starting_tries_) {
    SW_RETURN_IF_ERROR(AnswerRequests());
    SW_RETURN_IF_ERROR(QueueDueRuns());
    SW_RETURN_IF_ERROR(AdvanceGate());
    SW_RETURN_IF_ERROR(StartReadyTries(report));
  }
  SW_RETURN_IF_ERROR(PeriodicChecks(report));
  report.next_due = NextDue();
  return report;
}

Status Scheduler::KeepLease(TickReport& report) {
  const system_clock::time_point now = clock_.Now();
  if (!lease_renewed_at_) {
    report.lease_lost = true;
    return Status::Ok();
  }
  if (now < *lease_renewed_at_ + options_.lease_ttl / 3) return Status::Ok();
  Result<bool> renewed = store_.RenewLease(options_.claim.holder_id, options_.lease_ttl);
  if (renewed.ok() && *renewed) {
    lease_renewed_at_ = now;
    return Status::Ok();
  }
  if (!renewed.ok()) {
    // A busy warehouse: try again next pass, while the lease still holds.
    spdlog::warn("cannot renew the scheduler's lease: {}", renewed.status().ToString());
    if (now < *lease_renewed_at_ + options_.lease_ttl) return Status::Ok();
  }
  spdlog::error("the scheduler's lease is no longer its own; stopping without writing more");
  lease_renewed_at_.reset();
  starting_tries_ = false;
  report.lease_lost = true;
  return Status::Ok();
}

TryOutcome Scheduler::OutcomeOf(const TaskExit& exit, const InFlight& flight, Status& error) const {
  const std::optional<TaskResult>& said = exit.result;
  error = said ? said->error : Status();
  // A try that finished on its own as it was being stopped keeps its end.
  if (!exit.signaled && (exit.exit_code == kTaskExitSuccess || exit.exit_code == kTaskExitQuota ||
                         exit.exit_code == kTaskExitNothingNew))
    return TryOutcome::Exited(exit.exit_code, error.message(), error.hint());
  if (flight.stop == InFlight::Stop::kTimeout) {
    TryOutcome outcome =
        TryOutcome::TimedOut(flight.retry.timeout.value_or(std::chrono::seconds(0)));
    error = Status(ErrorCode::kCancelled, outcome.error, outcome.hint);
    return outcome;
  }
  if (flight.stop == InFlight::Stop::kShutdown) {
    TryOutcome outcome = TryOutcome::Stopped();
    error = Status(ErrorCode::kCancelled, outcome.error, outcome.hint);
    return outcome;
  }
  if (exit.signaled) {
    TryOutcome outcome = TryOutcome::Signaled(exit.signal);
    error = Status(ErrorCode::kInternal, outcome.error, outcome.hint);
    return outcome;
  }
  if (error.ok())
    error = Status(ErrorCode::kInternal,
                   fmt::format("the task exited with code {} and left no result", exit.exit_code),
                   "see the try's log");
  return TryOutcome::Exited(exit.exit_code, error.message(), error.hint());
}

Result<int> Scheduler::FinishTry(const InFlight& flight, const TryOutcome& outcome,
                                 const Status& error, std::vector<FreshnessCheck> freshness) {
  const TryRecord& attempt = flight.attempt;
  Transaction transaction(warehouse_);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_ASSIGN_OR_RETURN(TryFinish finish,
                      store_.FinishTry(attempt.run_id, attempt.task, attempt.try_number, outcome));
  EndedTry ended{.pipeline = flight.pipeline,
                 .task = attempt.task,
                 .try_number = attempt.try_number,
                 .max_tries = flight.retry.retries + 1,
                 .started_at = attempt.started_at,
                 .error = error,
                 .freshness = std::move(freshness)};
  SW_ASSIGN_OR_RETURN(int alerts, alerts_.TryEnded(ended, finish));
  SW_RETURN_IF_ERROR(transaction.Commit());
  const TaskTransition& next = finish.transition;
  last_states_[{attempt.run_id, attempt.task}] = next.task_state;
  const std::string what = fmt::format(
      "{} ended: {} -> task {}, run {}", Describe(KeyOf(attempt), flight.pipeline),
      TryStateName(next.try_state), TaskStateName(next.task_state), RunStateName(finish.run.state));
  if (next.try_state == TryState::kSuccess || next.try_state == TryState::kSkipped)
    spdlog::info("{}", what);
  else
    spdlog::warn("{}{}{}", what, next.message.empty() ? "" : ": ", next.message);
  if (options_.on_try_ended) options_.on_try_ended(flight.pipeline, attempt.task, next.try_state);
  return alerts;
}

Status Scheduler::RecordEndedTries(TickReport& report) {
  for (TaskExit& exit : launcher_.CollectExits()) unrecorded_.push_back(std::move(exit));
  while (!unrecorded_.empty()) {
    const TaskExit& exit = unrecorded_.front();
    auto flight = in_flight_.find(exit.key);
    if (flight != in_flight_.end()) {
      Status error;
      const TryOutcome outcome = OutcomeOf(exit, flight->second, error);
      Result<int> alerts =
          FinishTry(flight->second, outcome, error,
                    exit.result ? exit.result->freshness : std::vector<FreshnessCheck>());
      if (!alerts.ok() && alerts.status().code() != ErrorCode::kInvalidInput)
        return alerts.status();  // kept in unrecorded_: recorded on a later pass
      if (!alerts.ok()) spdlog::error("{}", alerts.status().ToString());
      if (alerts.ok()) report.alerts_queued += *alerts;
      in_flight_.erase(flight);
      ++report.tries_ended;
    }
    unrecorded_.erase(unrecorded_.begin());
  }
  return Status::Ok();
}

void Scheduler::StopTimedOutTries() {
  const system_clock::time_point now = clock_.Now();
  for (auto& [key, flight] : in_flight_) {
    if (!flight.retry.timeout || flight.stop != InFlight::Stop::kNone) continue;
    if (now < flight.attempt.started_at + *flight.retry.timeout) continue;
    spdlog::warn("{} ran past its timeout of {} s: stopping its process group",
                 Describe(key, flight.pipeline), flight.retry.timeout->count());
    flight.stop = InFlight::Stop::kTimeout;
    launcher_.Terminate(key);
  }
}

void Scheduler::StopStartingTries() { starting_tries_ = false; }

void Scheduler::StopRunningTries() {
  starting_tries_ = false;
  for (auto& [key, flight] : in_flight_) {
    if (flight.stop != InFlight::Stop::kNone) continue;
    spdlog::info("stopping {} (the scheduler is shutting down)", Describe(key, flight.pipeline));
    flight.stop = InFlight::Stop::kShutdown;
    launcher_.Terminate(key);
  }
}

Status Scheduler::AnswerRequests() {
  SW_ASSIGN_OR_RETURN(AnsweredRequests answered, requests_.AnswerPending());
  const system_clock::time_point now = clock_.Now();
  for (const std::string& pipeline : answered.changed_pipelines) next_plan_at_[pipeline] = now;
  return Status::Ok();
}

Result<std::map<std::string, bool>> Scheduler::PausedPipelines() {
  SW_ASSIGN_OR_RETURN(auto overrides, store_.PausedOverrides());
  std::map<std::string, bool> paused;
  for (const PipelineSpec& pipeline : pipelines_.pipelines) {
    auto found = overrides.find(pipeline.name);
    paused[pipeline.name] = found != overrides.end() ? found->second : pipeline.paused;
  }
  return paused;
}

Status Scheduler::QueueDueRuns() {
  const system_clock::time_point now = clock_.Now();
  SW_ASSIGN_OR_RETURN(auto paused, PausedPipelines());
  for (const PipelineSpec& pipeline : pipelines_.pipelines) {
    auto due = next_plan_at_.find(pipeline.name);
    if (due != next_plan_at_.end() && now < due->second) continue;
    if (paused[pipeline.name]) {
      // Planned again when an unpause request arrives (AnswerRequests).
      next_plan_at_[pipeline.name] = system_clock::time_point::max();
      continue;
    }
    SW_ASSIGN_OR_RETURN(ScheduleHistory history,
                        store_.ScheduleHistoryOf(pipeline.name, pipeline.partitions.has_value()));
    for (const RunPlan& plan : PlanScheduledRuns(pipeline, Seconds(now), history)) {
      SW_ASSIGN_OR_RETURN(QueueOutcome queued, store_.QueueRun(plan));
      if (!queued.run_id) {
        spdlog::info("{}: not queued: {}", pipeline.name, DescribeConflicts(queued.conflicts));
        continue;
      }
      spdlog::info(
          "queued {} run {} of {}{}", RunKindName(plan.kind), *queued.run_id, pipeline.name,
          plan.days.empty() ? ""
                            : fmt::format(" for {} day(s) {}..{}", plan.days.size(),
                                          plan.days.front().Iso(), plan.days.back().Iso()));
    }
    std::optional<SysSeconds> next = pipeline.schedule.NextAfter(Seconds(now), *pipeline.timezone);
    next_plan_at_[pipeline.name] =
        next ? system_clock::time_point(*next) : system_clock::time_point::max();
  }
  return Status::Ok();
}

Status Scheduler::AdvanceGate() {
  if (options_.gate == nullptr || options_.gate->stage() == StartupGate::Stage::kOpen)
    return Status::Ok();
  SW_ASSIGN_OR_RETURN(bool moved, options_.gate->Advance(store_));
  if (moved) spdlog::info("startup gate: {}", StartupStageName(options_.gate->stage()));
  return Status::Ok();
}

Status Scheduler::StartReadyTries(TickReport& report) {
  const auto slots = [&] {
    return options_.max_parallel_tasks - static_cast<int>(launcher_.Running());
  };
  if (slots() <= 0) return Status::Ok();
  SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> ready, store_.ReadyTasks());
  if (ready.empty()) return Status::Ok();
  SW_ASSIGN_OR_RETURN(auto paused, PausedPipelines());
  std::map<std::string, int> running_runs;     // per pipeline, read when first needed
  std::map<std::string, RunState> run_states;  // per run, read when first needed
  for (const TaskInstanceRecord& task : ready) {
    if (slots() <= 0) break;
    if (paused[task.pipeline]) continue;
    if (options_.gate != nullptr && !options_.gate->MayStart(task)) continue;
    if (!run_states.contains(task.run_id)) {
      SW_ASSIGN_OR_RETURN(std::optional<RunRecord> run, store_.GetRun(task.run_id));
      run_states[task.run_id] = run ? run->state : RunState::kFailed;
    }
    const bool opens_run = run_states[task.run_id] == RunState::kQueued;
    if (opens_run) {
      if (!running_runs.contains(task.pipeline)) {
        SW_ASSIGN_OR_RETURN(running_runs[task.pipeline], store_.CountRunningRuns(task.pipeline));
      }
      const PipelineSpec* spec = pipelines_.Find(task.pipeline);
      if (running_runs[task.pipeline] >= (spec ? spec->max_active_runs : 1)) continue;
    }
    SW_RETURN_IF_ERROR(StartTry(task, report));
    if (opens_run) {
      ++running_runs[task.pipeline];
      run_states[task.run_id] = RunState::kRunning;
    }
  }
  return Status::Ok();
}

Status Scheduler::StartTry(const TaskInstanceRecord& task, TickReport& report) {
  Result<TryRecord> started =
      store_.StartTry(task.run_id, task.task, options_.claim.host, options_.logs_dir);
  if (!started.ok() && started.status().code() == ErrorCode::kInvalidInput)
    return Status::Ok();  // no longer ready
  if (!started.ok()) return started.status();
  InFlight flight{.attempt = *started, .pipeline = task.pipeline, .retry = task.retry};
  const TryKey key = KeyOf(flight.attempt);
  ++report.tries_started;
  Result<LaunchedTry> launched = launcher_.Launch({.key = key,
                                                   .pipeline = task.pipeline,
                                                   .log_path = flight.attempt.log_path,
                                                   .now = clock_.Now()});
  if (!launched.ok()) {
    spdlog::error("cannot start {}: {}", Describe(key, task.pipeline),
                  launched.status().ToString());
    TryOutcome outcome =
        TryOutcome::Exited(kTaskExitFailure, launched.status().message(), launched.status().hint());
    SW_ASSIGN_OR_RETURN(int alerts, FinishTry(flight, outcome, launched.status()));
    report.alerts_queued += alerts;
    return Status::Ok();
  }
  flight.attempt.pid = launched->pid;
  flight.attempt.process_start = launched->process_start;
  Status recorded = store_.RecordTryPid(key.run_id, key.task, key.try_number, launched->pid,
                                        launched->process_start);
  if (!recorded.ok())
    spdlog::warn("cannot record the pid of {}: {}", Describe(key, task.pipeline),
                 recorded.ToString());
  spdlog::info("started {} (pid {}, log {})", Describe(key, task.pipeline), launched->pid,
               flight.attempt.log_path);
  in_flight_.emplace(key, std::move(flight));
  return Status::Ok();
}

Status Scheduler::PeriodicChecks(TickReport& report) {
  const system_clock::time_point now = clock_.Now();
  if (now < next_checks_at_) return Status::Ok();
  next_checks_at_ = now + options_.poll_interval;
  SW_ASSIGN_OR_RETURN(auto paused, PausedPipelines());
  SW_ASSIGN_OR_RETURN(int alerts, alerts_.CheckLateWork(paused));
  report.alerts_queued += alerts;
  if (now < next_log_sweep_at_) return Status::Ok();
  next_log_sweep_at_ = now + kLogSweepInterval;
  return RemoveAgedLogs();
}

Status Scheduler::RemoveAgedLogs() {
  const TimePoint cutoff = clock_.Now() - options_.log_retention;
  SW_ASSIGN_OR_RETURN(std::vector<TryRecord> aged,
                      store_.TriesEndedBetween(logs_swept_until_, cutoff));
  int removed = 0;
  for (const TryRecord& attempt : aged) {
    if (attempt.log_path.empty()) continue;
    const std::filesystem::path log = attempt.log_path;
    std::error_code ignored;
    removed += std::filesystem::remove(log, ignored) ? 1 : 0;
    std::filesystem::remove(TaskResultPath(log), ignored);
    // The task's and the run's folders go with their last log (a folder
    // that still holds something is left alone).
    std::filesystem::remove(log.parent_path(), ignored);
    std::filesystem::remove(log.parent_path().parent_path(), ignored);
  }
  logs_swept_until_ = cutoff;
  if (removed > 0) spdlog::info("removed {} try logs older than the retention", removed);
  return Status::Ok();
}

system_clock::time_point Scheduler::NextDue() {
  const system_clock::time_point now = clock_.Now();
  system_clock::time_point next = now + options_.poll_interval;
  auto earlier = [&](system_clock::time_point candidate) { next = std::min(next, candidate); };
  for (const auto& [pipeline, at] : next_plan_at_) earlier(at);
  if (lease_renewed_at_) earlier(*lease_renewed_at_ + options_.lease_ttl / 3);
  for (const auto& [key, flight] : in_flight_)
    if (flight.retry.timeout && flight.stop == InFlight::Stop::kNone)
      earlier(flight.attempt.started_at + *flight.retry.timeout);
  if (auto kill = launcher_.NextDeadline())
    earlier(now + duration_cast<system_clock::duration>(*kill - clock_.Monotonic()));
  if (auto attempt = store_.NextAttemptTime(); attempt.ok() && *attempt) earlier(**attempt);
  return std::max(next, now);
}

TaskTally Scheduler::Tally() const {
  TaskTally tally;
  for (const auto& [task, state] : last_states_) {
    if (state == TaskState::kSuccess || state == TaskState::kSkipped) ++tally.succeeded;
    if (state == TaskState::kDeferred) ++tally.deferred;
    if (state == TaskState::kFailed || state == TaskState::kUpForRetry ||
        state == TaskState::kUpstreamFailed)
      ++tally.failed;
  }
  return tally;
}

}  // namespace silverwork::scheduler
