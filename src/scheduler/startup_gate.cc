#include "scheduler/startup_gate.h"

#include <map>

namespace silverwork::scheduler {
namespace {

bool IsCollection(TaskKind kind) {
  return kind == TaskKind::kCollectPostings || kind == TaskKind::kCollectProjects ||
         kind == TaskKind::kDiscoverProjects;
}

}  // namespace

const char* StartupStageName(StartupGate::Stage stage) {
  switch (stage) {
    case StartupGate::Stage::kCollect:
      return "collect";
    case StartupGate::Stage::kFullBuild:
      return "full build";
    case StartupGate::Stage::kOpen:
      return "open";
  }
  return "open";
}

bool StartupGate::Allowed(Stage stage, const std::string& pipeline, const std::string& task,
                          TaskKind kind) const {
  if (stage == Stage::kOpen || IsCollection(kind)) return true;
  if (stage == Stage::kCollect || kind != TaskKind::kBuild) return false;
  const PipelineSpec* spec = pipelines_.Find(pipeline);
  const TaskSpec* definition = spec ? spec->FindTask(task) : nullptr;
  return definition != nullptr && definition->select.empty() && definition->exclude.empty();
}

bool StartupGate::MayStart(const TaskInstanceRecord& task) const {
  return Allowed(stage(), task.pipeline, task.task, task.kind);
}

Result<bool> StartupGate::StageHasWork(SchedulerStore& store, Stage stage) const {
  SW_ASSIGN_OR_RETURN(std::vector<RunRecord> running,
                      store.ListRuns({.state = RunState::kRunning, .limit = 100'000}));
  SW_ASSIGN_OR_RETURN(std::vector<RunRecord> queued,
                      store.ListRuns({.state = RunState::kQueued, .limit = 100'000}));
  std::map<std::string, int> running_runs;
  for (const RunRecord& run : running) ++running_runs[run.pipeline];
  // A queued run of a pipeline at its max_active_runs cannot start before
  // a running one ends (which may wait on this gate): it holds nothing.
  std::vector<RunRecord> runs = std::move(running);
  for (RunRecord& run : queued) {
    const PipelineSpec* spec = pipelines_.Find(run.pipeline);
    if (running_runs[run.pipeline] < (spec ? spec->max_active_runs : 1))
      runs.push_back(std::move(run));
  }
  {
    for (const RunRecord& run : runs) {
      SW_ASSIGN_OR_RETURN(std::vector<TaskInstanceRecord> tasks,
                          store.ListTaskInstances(run.run_id));
      std::map<std::string, const TaskInstanceRecord*> by_name;
      for (const TaskInstanceRecord& task : tasks) by_name[task.task] = &task;
      for (const TaskInstanceRecord& task : tasks) {
        if (!Allowed(stage, task.pipeline, task.task, task.kind)) continue;
        if (task.state == TaskState::kQueued || task.state == TaskState::kRunning) return true;
        if (task.state != TaskState::kWaiting) continue;
        bool reachable = true;  // every upstream task may start at this stage
        for (const std::string& upstream : task.upstream) {
          const TaskInstanceRecord* before = by_name[upstream];
          reachable = reachable && before != nullptr &&
                      Allowed(stage, before->pipeline, before->task, before->kind);
        }
        if (reachable) return true;
      }
    }
  }
  return false;
}

Result<bool> StartupGate::Advance(SchedulerStore& store) {
  const Stage before = stage();
  Stage stage = before;
  while (stage != Stage::kOpen) {
    SW_ASSIGN_OR_RETURN(bool has_work, StageHasWork(store, stage));
    if (has_work) break;
    stage = stage == Stage::kCollect ? Stage::kFullBuild : Stage::kOpen;
  }
  stage_.store(stage);
  return stage != before;
}

}  // namespace silverwork::scheduler
