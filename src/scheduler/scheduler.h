// Scheduler: runs the pipelines of pipelines.yml — one pass at a time.
//
// Tick() does all the work due at the clock's now, in this order:
//  1. keeps the lease (renewed every third of its time to live; a scheduler
//     that lost it does nothing more);
//  2. records the tries that ended (their outcome decides retries,
//     deferrals, the run and its days; alerts commit with each change) and
//     stops the tries past their timeout (SIGTERM, then SIGKILL: a failed
//     try);
//  3. answers pending requests (trigger, backfill, clear, pause, unpause);
//  4. queues what each unpaused pipeline's schedule made due: missed days
//     as ONE catch-up run over the range, the latest interval when catch-up
//     is off, never a day another run holds;
//  5. starts the tasks that are ready — upstream done, next attempt time
//     reached (a quota deferral resumes after 00:00 KST) — within the
//     pipeline's max_active_runs and the scheduler's max_parallel_tasks,
//     and the stage of the startup gate when there is one;
//  6. on each poll: alerts for deadlines missed and deferrals over a day,
//     and (hourly) removes try logs older than the retention.
// TickReport::next_due says when it has work again unless a try ends first.
//
// Everything that matters is in the warehouse (SchedulerStore): Start()
// takes the lease and settles the tries an earlier scheduler left
// "running" — a result file the child wrote says how it ended; a process
// group still alive is stopped; otherwise the try is lost, a failed try
// that is retried (a collection resumes from its checkpoint). Nothing is
// run twice at once and no day is queued twice.
//
// Time comes from the injected Clock; processes from the TaskLauncher; so
// tests drive Tick() on a FakeClock with an in-process launcher.
//
// Thread-compatible: one thread drives a scheduler (the launcher requires
// it), with its own warehouse connection.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "common/clock.h"
#include "common/config.h"
#include "scheduler/alerts_outbox.h"
#include "scheduler/pipelines.h"
#include "scheduler/scheduler_alerts.h"
#include "scheduler/scheduler_requests.h"
#include "scheduler/scheduler_store.h"
#include "scheduler/startup_gate.h"
#include "scheduler/task_launcher.h"

namespace silverwork::scheduler {

struct SchedulerOptions {
  std::filesystem::path logs_dir = "var/logs";
  std::chrono::hours log_retention{24 * 30};
  // Requests, deadlines and deferrals are looked at this often.
  std::chrono::milliseconds poll_interval{2'000};
  std::chrono::seconds lease_ttl{60};
  int max_parallel_tasks = 2;
  LeaseClaim claim;  // who this scheduler is: holder id, host, pid
  // When set, tasks start in its stages (startup_gate.h: `silverwork
  // standalone`'s first catch-up); it must outlive the scheduler.
  StartupGate* gate = nullptr;
  // Called on the scheduler's thread after a try ended, whatever its end
  // (success, failure, deferral, skip, stop), once its state is committed:
  // `silverwork standalone` reloads its dashboard's status, since a failed
  // collection may have committed rows too. Keep it short.
  std::function<void(const std::string& pipeline, const std::string& task, TryState ended)>
      on_try_ended;

  static SchedulerOptions FromConfig(const SchedulerConfig& config, LeaseClaim claim);
};

struct TickReport {
  // When there is work again, unless a try ends first.
  std::chrono::system_clock::time_point next_due;
  int tries_started = 0;
  int tries_ended = 0;
  int alerts_queued = 0;
  // Another process holds the lease now: stop at once, write nothing more.
  bool lease_lost = false;
};

// How the tasks whose tries this scheduler recorded stand after their last
// try (for `scheduler --once`'s exit code).
struct TaskTally {
  int succeeded = 0;  // success or skipped
  int failed = 0;     // failed, or up for retry after a failure or a stop
  int deferred = 0;   // waiting on the daily quota
};

class Scheduler {
 public:
  // REQUIRES: every argument outlives the scheduler; `pipelines` is loaded
  // and checked (LoadCheckedPipelines).
  Scheduler(Warehouse& warehouse, Clock& clock, RandomSource& random,
            const PipelinesFile& pipelines, TaskLauncher& launcher, AlertOutbox& outbox,
            SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Creates the state tables if needed and tries to take the lease (from a
  // holder on this host whose process is gone, at once). Not acquired: the
  // outcome names the holder, and nothing was changed.
  Result<LeaseOutcome> AcquireLease();
  // After AcquireLease: settles the tries an earlier scheduler left running.
  Status Recover();
  // All the work due now; see the file comment. An error is the
  // warehouse's: nothing half-done is lost, and the next Tick() goes on.
  Result<TickReport> Tick();

  // No new try starts from now on (SIGTERM); running ones go on.
  void StopStartingTries();
  // Asks every running try to stop; each ends as stopped (up for retry at
  // once, no retry spent) through later Ticks.
  void StopRunningTries();
  size_t RunningTries() const { return in_flight_.size(); }
  // Gives the lease up; nothing more may be written afterwards.
  Status ReleaseLease();

  TaskTally Tally() const;

  // "another scheduler holds this warehouse: <id> on host H, pid P, since
  // T, its lease until U" with what to do.
  static Status LeaseHeldError(const LeaseHolder& holder);

 private:
  // A try this process started (or found running at Recover()).
  struct InFlight {
    TryRecord attempt;
    std::string pipeline;
    RetryPolicy retry;
    enum class Stop { kNone, kTimeout, kShutdown } stop = Stop::kNone;
  };

  Status KeepLease(TickReport& report);
  Status RecordEndedTries(TickReport& report);
  void StopTimedOutTries();
  Status AnswerRequests();
  Status QueueDueRuns();
  Status AdvanceGate();
  Status StartReadyTries(TickReport& report);
  Status StartTry(const TaskInstanceRecord& task, TickReport& report);
  Status PeriodicChecks(TickReport& report);
  Status RemoveAgedLogs();
  Result<std::map<std::string, bool>> PausedPipelines();
  std::chrono::system_clock::time_point NextDue();

  // Records how a try ended, with its alerts, in one transaction.
  // `freshness`: the source freshness checks the try's result reported.
  Result<int> FinishTry(const InFlight& flight, const TryOutcome& outcome, const Status& error,
                        std::vector<FreshnessCheck> freshness = {});
  TryOutcome OutcomeOf(const TaskExit& exit, const InFlight& flight, Status& error) const;
  Status SettleOrphan(const TryRecord& attempt);

  Warehouse& warehouse_;
  Clock& clock_;
  const PipelinesFile& pipelines_;
  TaskLauncher& launcher_;
  SchedulerOptions options_;
  SchedulerStore store_;
  RequestAnswerer requests_;
  AlertReporter alerts_;

  bool starting_tries_ = true;
  std::optional<std::chrono::system_clock::time_point> lease_renewed_at_;
  std::map<TryKey, InFlight> in_flight_;
  std::vector<TaskExit> unrecorded_;  // ended, not yet recorded (a warehouse error)
  std::map<std::string, std::chrono::system_clock::time_point> next_plan_at_;
  std::chrono::system_clock::time_point next_checks_at_{};
  std::chrono::system_clock::time_point next_log_sweep_at_{};
  std::optional<TimePoint> logs_swept_until_;
  // run id / task -> the task's state after the last try this process recorded.
  std::map<std::pair<std::string, std::string>, TaskState> last_states_;
};

}  // namespace silverwork::scheduler
