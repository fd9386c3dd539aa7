// SchedulerSimulation: fills a warehouse with the state a scheduler would
// leave after running the pipelines of a pipelines.yml for a while — runs
// planned on their schedules (with catch-up after a downtime), tasks started
// as they become ready under max_active_runs, tries ended by a script
// (exit codes, durations, errors, hints), retries and quota deferrals as the
// store decides them, and a log file per try. Time is a FakeClock that jumps
// from event to event up to `now`; a try still going at `now` is left
// running with its log written up to then.
//
// Only SchedulerStore's own methods write the state, so what the API reads
// is what the real scheduler would have written. For the serve tests, the
// browser-test fixture and the grid benchmark. Header-only; not thread-safe.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "scheduler/pipelines.h"
#include "scheduler/run_planner.h"
#include "scheduler/scheduler_store.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve_fixture {

using scheduler::SysSeconds;
using SimTime = std::chrono::system_clock::time_point;

// What one scripted try does.
struct ScriptedTry {
  std::chrono::seconds duration{60};
  int exit_code = 0;  // 0 success, 1 failure, 3 quota spent, 4 nothing new
  std::string error;
  std::string hint;
  std::vector<std::string> log_lines;  // spread over the try's duration
};

using TryScript = std::function<ScriptedTry(
    const scheduler::RunRecord& run, const scheduler::TaskInstanceRecord& task, int try_number)>;

struct SimulationOptions {
  SimTime now;                            // the state is as of this instant
  std::filesystem::path logs_dir;         // try logs go under it
  std::map<std::string, SimTime> starts;  // pipeline -> first instant it is scheduled
  // Pipeline -> [from, to): fire times in it are missed (the scheduler was down).
  std::map<std::string, std::pair<SimTime, SimTime>> downtimes;
  std::map<std::string, SimTime> pauses;  // pipeline -> when an operator paused it
};

class SchedulerSimulation {
 public:
  SchedulerSimulation(Warehouse& warehouse, const scheduler::PipelinesFile& pipelines,
                      SimulationOptions options, TryScript script)
      : pipelines_(pipelines),
        options_(std::move(options)),
        script_(std::move(script)),
        clock_(Earliest()),
        store_(warehouse, clock_, random_) {}

  scheduler::SchedulerStore& store() { return store_; }
  Clock& clock() { return clock_; }

  // Moves the clock to `instant` (never backwards).
  void AdvanceTo(SimTime instant) {
    if (instant > clock_.Now()) clock_.Advance(instant - clock_.Now());
  }

  // Queues `plan` now; fails when a day is taken.
  Result<std::string> Queue(const scheduler::RunPlan& plan) {
    SW_ASSIGN_OR_RETURN(auto outcome, store_.QueueRun(plan));
    if (!outcome.run_id) return Status(ErrorCode::kInternal, "the simulated run was refused");
    return *outcome.run_id;
  }

  // Runs every event up to `until` (at most options.now); call again to go on.
  Status RunUntil(SimTime until) {
    if (!started_) {
      started_ = true;
      SW_RETURN_IF_ERROR(store_.EnsureSchema());
      for (const scheduler::PipelineSpec& pipeline : pipelines_.pipelines) {
        const auto start = options_.starts.find(pipeline.name);
        if (start == options_.starts.end()) continue;
        if (auto fire = pipeline.schedule.NextAfter(Seconds(start->second), *pipeline.timezone))
          next_fire_[pipeline.name] = *fire;
      }
    }
    until = std::min(until, options_.now);
    for (;;) {
      SW_ASSIGN_OR_RETURN(std::optional<SimTime> next, NextEvent());
      if (!next || *next > until) break;
      AdvanceTo(*next);
      SW_RETURN_IF_ERROR(FinishDueTries());
      SW_RETURN_IF_ERROR(ApplyPauses());
      SW_RETURN_IF_ERROR(FireDuePipelines());
      SW_RETURN_IF_ERROR(StartReadyTasks());
    }
    AdvanceTo(until);
    return Status::Ok();
  }

  // Starts every ready task that may start now (also for runs queued by hand).
  Status StartReadyTasks() {
    SW_ASSIGN_OR_RETURN(auto ready, store_.ReadyTasks());
    for (const scheduler::TaskInstanceRecord& task : ready) {
      SW_ASSIGN_OR_RETURN(auto run, store_.GetRun(task.run_id));
      const scheduler::PipelineSpec* pipeline = pipelines_.Find(task.pipeline);
      SW_ASSIGN_OR_RETURN(int running, store_.CountRunningRuns(task.pipeline));
      if (run->state != scheduler::RunState::kRunning && pipeline != nullptr &&
          running >= pipeline->max_active_runs)
        continue;
      SW_ASSIGN_OR_RETURN(
          auto attempt, store_.StartTry(task.run_id, task.task, "fixture-host", options_.logs_dir));
      SW_ASSIGN_OR_RETURN(auto started, store_.GetRun(task.run_id));
      ScriptedTry scripted = script_(*started, task, attempt.try_number);
      SW_RETURN_IF_ERROR(WriteLog(attempt, scripted));
      running_.push_back({attempt.started_at + scripted.duration, attempt, std::move(scripted)});
    }
    return Status::Ok();
  }

 private:
  struct RunningTry {
    SimTime ends;
    scheduler::TryRecord attempt;
    ScriptedTry scripted;
  };

  static SysSeconds Seconds(SimTime instant) {
    return std::chrono::floor<std::chrono::seconds>(instant);
  }

  SimTime Earliest() const {
    SimTime earliest = options_.now;
    for (const auto& [name, start] : options_.starts) earliest = std::min(earliest, start);
    return earliest;
  }

  Result<std::optional<SimTime>> NextEvent() {
    std::optional<SimTime> next;
    const auto consider = [&](SimTime instant) {
      if (!next || instant < *next) next = instant;
    };
    for (const auto& [name, fire] : next_fire_) consider(fire);
    for (const RunningTry& running : running_) consider(running.ends);
    SW_ASSIGN_OR_RETURN(auto attempt, store_.NextAttemptTime());
    if (attempt) consider(*attempt);
    return next;
  }

  Status FinishDueTries() {
    const SimTime now = clock_.Now();
    std::vector<RunningTry> due;
    for (auto entry = running_.begin(); entry != running_.end();) {
      if (entry->ends <= now) {
        due.push_back(std::move(*entry));
        entry = running_.erase(entry);
      } else {
        ++entry;
      }
    }
    for (const RunningTry& running : due) {
      const ScriptedTry& scripted = running.scripted;
      SW_RETURN_IF_ERROR(
          store_
              .FinishTry(
                  running.attempt.run_id, running.attempt.task, running.attempt.try_number,
                  scheduler::TryOutcome::Exited(scripted.exit_code, scripted.error, scripted.hint))
              .status());
    }
    return Status::Ok();
  }

  Status ApplyPauses() {
    for (auto pause = options_.pauses.begin(); pause != options_.pauses.end();) {
      if (pause->second > clock_.Now()) {
        ++pause;
        continue;
      }
      SW_RETURN_IF_ERROR(store_.SetPaused(pause->first, true));
      next_fire_.erase(pause->first);
      pause = options_.pauses.erase(pause);
    }
    return Status::Ok();
  }

  Status FireDuePipelines() {
    const SimTime now = clock_.Now();
    for (auto entry = next_fire_.begin(); entry != next_fire_.end();) {
      const auto& name = entry->first;
      SysSeconds& fire = entry->second;
      if (fire > now) {
        ++entry;
        continue;
      }
      const scheduler::PipelineSpec& pipeline = *pipelines_.Find(name);
      const auto down = options_.downtimes.find(name);
      const bool missed = down != options_.downtimes.end() && fire >= down->second.first &&
                          fire < down->second.second;
      if (!missed) {
        SW_ASSIGN_OR_RETURN(auto history,
                            store_.ScheduleHistoryOf(name, pipeline.partitions.has_value()));
        for (const scheduler::RunPlan& plan :
             scheduler::PlanScheduledRuns(pipeline, fire, history)) {
          SW_RETURN_IF_ERROR(store_.QueueRun(plan).status());
        }
      }
      const auto next = pipeline.schedule.NextAfter(fire, *pipeline.timezone);
      if (next) {
        fire = *next;
        ++entry;
      } else {
        entry = next_fire_.erase(entry);
      }
    }
    return Status::Ok();
  }

  // The try's log: its lines spread over its duration, those after `now` left out.
  Status WriteLog(const scheduler::TryRecord& attempt, const ScriptedTry& scripted) const {
    std::filesystem::create_directories(std::filesystem::path(attempt.log_path).parent_path());
    std::ofstream log(attempt.log_path, std::ios::trunc);
    const auto& lines = scripted.log_lines;
    for (size_t index = 0; index < lines.size(); ++index) {
      const SimTime at =
          attempt.started_at + scripted.duration * static_cast<int64_t>(index) /
                                   static_cast<int64_t>(std::max<size_t>(1, lines.size()));
      if (at > options_.now) break;
      log << fmt::format("{} {}\n", scheduler::FormatStoreTime(at), lines[index]);
    }
    if (!log) {
      return Status(ErrorCode::kIO, fmt::format("cannot write the log {}", attempt.log_path),
                    "check the fixture's logs folder");
    }
    return Status::Ok();
  }

  const scheduler::PipelinesFile& pipelines_;
  SimulationOptions options_;
  TryScript script_;
  FakeClock clock_;
  scheduler::SeededRandom random_{20250331};
  scheduler::SchedulerStore store_;
  bool started_ = false;
  std::map<std::string, SysSeconds> next_fire_;
  std::vector<RunningTry> running_;
};

}  // namespace silverwork::serve_fixture
