// RunScheduler: `silverwork scheduler [--once]` — the Scheduler driven in
// real time, as a long-running process.
//
// It loads and checks pipelines.yml, takes the warehouse's lease (a second
// scheduler exits saying who holds it; a CLI verb holding it for a moment
// is waited for), settles what a killed scheduler left running, then ticks
// the Scheduler and sleeps until the next thing is due — a fire time, a
// retry, a poll, a timeout — or a task process ends, or a signal comes:
// one poll() over a signalfd and a pidfd per child, never a busy wait.
// Alerts are delivered by a thread of their own on its own connection, so
// a slow webhook never holds up scheduling.
//
// SIGTERM or SIGINT: no new tries start; running ones may finish within
// [scheduler] shutdown_grace_ms, then are stopped (SIGTERM to their group,
// SIGKILL after kill_grace_ms) and marked for an immediate retry that
// spends nothing; the lease is released. A second signal skips the grace.
//
// `once`: does the work due now (what is queued, due and startable, and
// the tasks that become ready as it goes), waits for it, delivers the
// alerts due, and returns: for cron and tests.
//
// Call it from the main thread, before any other thread is started: it
// blocks SIGTERM and SIGINT for the threads it starts (PR_SET_PDEATHSIG of
// the task processes also ties them to the calling thread).
#pragma once

#include <functional>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "scheduler/task_state.h"

namespace silverwork::scheduler {

struct SchedulerRunOptions {
  bool once = false;
  // The config file the task processes are started with (--config); empty:
  // they find it as this process did (SILVERWORK_CONFIG, ./silverwork.toml).
  std::string config_path;
  // The clock is shifted (SILVERWORK_NOW): each task starts at its now.
  bool clock_shifted = false;
  // Tasks start in the stages of a StartupGate (collections, then whole-
  // project builds, then everything): `silverwork standalone`.
  bool startup_gate = false;
  // SchedulerOptions::on_try_ended.
  std::function<void(const std::string& pipeline, const std::string& task, TryState ended)>
      on_try_ended;
};

// Exit codes of `scheduler --once` beyond 0 and 1 (task_state.h's for
// tasks): every task it recorded succeeded but some wait on the quota.
inline constexpr int kSchedulerExitDeferred = 3;

// Runs until stopped; returns the process's exit code: 0 after a clean stop
// (and for `once` when every task it ran ended success or skipped), 1 when
// a task failed (`once`) or the lease was lost, kSchedulerExitDeferred when
// some only wait on the daily quota (`once`). An error when it could not
// start (pipelines.yml, the warehouse, the lease held by another).
Result<int> RunScheduler(const Config& config, Clock& clock, const SchedulerRunOptions& options);

}  // namespace silverwork::scheduler
