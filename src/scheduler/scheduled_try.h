// A try as its child process runs it: `silverwork task run --run R --task T
// --try N`.
//
// The child reads what to do from the scheduler's state and pipelines.yml —
// the run's days and data interval from the store, the task's kind and
// parameters (selector, `days:`, ...) from the task's definition — calls the
// pipeline library's entry point for the kind, and tells the scheduler how
// it went by its exit code (task_state.h: 0 done, 1 failed, 2 cannot run as
// defined, 3 quota spent, 4 a sensor found nothing new) and by the result
// file next to its log (task_result.h). It writes no run state: the
// scheduler is the only writer of runs, tasks and tries.
//
// A collect_postings task always names its days explicitly (the run's
// window, or the Korean day of its interval's end for `days: today`), so a
// retry after midnight collects the same days and resumes from the same
// checkpoint.
//
// Stateless free functions; thread-compatible.
#pragma once

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "pipeline/tasks.h"
#include "scheduler/pipelines.h"
#include "scheduler/run_planner.h"
#include "scheduler/task_result.h"

namespace silverwork::scheduler {

struct ScheduledTry {
  std::string run_id;
  std::string task;
  int try_number = 0;
};

struct ScheduledTryOutcome {
  int exit_code = kTaskExitFailure;
  // What the task did, for printing; unset when it could not start.
  std::optional<TaskReport> report;
  // What the result file says (also when it could not be written).
  TaskResult result;
};

// The pipeline library's request for a task of a run.
Result<TaskRequest> TaskRequestFor(const TaskSpec& task, std::optional<DayRange> run_window,
                                   const DataInterval& interval);

// Runs the try and writes its result file (next to the log the scheduler
// recorded for it). Only a try the store shows running is run: a try started
// by hand, twice, or after the scheduler gave up on it is refused (exit 2).
ScheduledTryOutcome RunScheduledTry(const Config& config, Clock& clock, const ScheduledTry& which);

}  // namespace silverwork::scheduler
