// AlertReporter: the alert events the scheduler raises, built from its state
// changes and queued in the alert outbox (alerts_outbox.h).
//
//  - a try's end (TryEnded, called inside the transaction of FinishTry so
//    the alert commits with the change): task_failed when it failed on its
//    last try; run_failed when the run became failed; recovered when the run
//    succeeded after failed runs of its pipeline; succeeded (the outbox
//    keeps it only with [alerts] on_success); and, from the source freshness
//    checks a build or test try made, source_stale when a source's check
//    warns or fails while it was fresh, source_fresh when it passes again
//    (one episode each, recorded in the store, so an hourly build of a
//    source that stays stale raises nothing new);
//  - a look at the clock (CheckLateWork, on every poll): deadline_missed for
//    a scheduled or catch-up run not done by its deadline (a run is queued
//    in the pass its fire time comes, so every late day has one), and
//    long_deferral for a task waiting on the daily quota for over a day.
// Every event has a stable key (alerts.h), so reporting it again — on the
// next poll, after a restart — queues nothing new; for the periodic checks a
// set of keys already queued spares the warehouse the repeats.
//
// Thread-compatible: used by the scheduler's thread with its connection.
#pragma once

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "scheduler/alerts.h"
#include "scheduler/alerts_outbox.h"
#include "scheduler/pipelines.h"
#include "scheduler/scheduler_store.h"
#include "scheduler/task_result.h"

namespace silverwork::scheduler {

// What the reporter needs to know about the try that ended.
struct EndedTry {
  std::string pipeline;
  std::string task;
  int try_number = 0;
  int max_tries = 0;  // retries + 1
  TimePoint started_at;
  // The failure's category, message and hint (OK when it did not fail).
  Status error;
  // The source freshness checks the try made (TaskResult::freshness).
  std::vector<FreshnessCheck> freshness;
};

class AlertReporter {
 public:
  // REQUIRES: every argument outlives the reporter.
  AlertReporter(SchedulerStore& store, AlertOutbox& outbox, const PipelinesFile& pipelines,
                Clock& clock);
  AlertReporter(const AlertReporter&) = delete;
  AlertReporter& operator=(const AlertReporter&) = delete;

  // The events a finished try raises; returns how many were queued.
  Result<int> TryEnded(const EndedTry& ended, const TryFinish& finish);
  // Deadlines passed and deferrals over a day, as of now.
  // `paused`: pipeline -> paused now (their runs raise no deadline alarm).
  Result<int> CheckLateWork(const std::map<std::string, bool>& paused);

  // How long a deferral lasts before it is reported.
  static constexpr std::chrono::hours kLongDeferral{24};

 private:
  // Queues an event of the periodic checks unless this process queued it.
  Result<int> EnqueueOnce(const AlertEvent& event);
  LogicalDates DatesOf(const RunRecord& run) const;
  Result<int> CheckDeadlines(const std::map<std::string, bool>& paused);
  Result<int> CheckDeferrals();
  // source_stale / source_fresh for the sources whose state changed.
  Result<int> SourcesChecked(const EndedTry& ended, const RunRecord& run, LogicalDates dates);

  SchedulerStore& store_;
  AlertOutbox& outbox_;
  const PipelinesFile& pipelines_;
  Clock& clock_;
  std::set<std::string> reported_;  // keys EnqueueOnce queued (committed)
};

}  // namespace silverwork::scheduler
