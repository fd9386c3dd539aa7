// StartupGate: the order of the first catch-up on a fresh warehouse.
//
// The shipped pipelines assume a warehouse that has been built once: the
// partial builds (`source:raw.raw_postings+`, `source:raw.raw_projects+`)
// need the seeds loaded and both raw tables filled (their models and source
// checks read both). On a fresh warehouse, started all at once, they would
// race the collections and fail. `silverwork standalone` therefore hands
// its scheduler a gate that lets tasks start in three stages:
//   1. kCollect: only collection tasks (collect_postings, collect_projects,
//      discover_projects);
//   2. kFullBuild: also builds of the whole project (kind build with no
//      select and no exclude: models_daily), which load the seeds and build
//      every model once both sources are in;
//   3. kOpen: everything, as `silverwork scheduler` runs without a gate.
// Runs are queued and requests answered as usual at every stage; only task
// starts wait. A stage ends when none of the tasks it lets start is still
// waiting (with every upstream task also allowed), queued or running in an
// unfinished run: a failed or deferred collection does not hold the gate.
// Nothing is stored: a restart begins at kCollect again, which on a built
// warehouse ends at the first pass that finds nothing collecting.
//
// Thread-safety: MayStart and Advance belong to the scheduler's thread;
// stage() may be read from any thread.
#pragma once

#include <atomic>

#include "common/status.h"
#include "scheduler/pipelines.h"
#include "scheduler/scheduler_store.h"

namespace silverwork::scheduler {

class StartupGate {
 public:
  enum class Stage { kCollect, kFullBuild, kOpen };

  // REQUIRES: `pipelines` outlives the gate.
  explicit StartupGate(const PipelinesFile& pipelines) : pipelines_(pipelines) {}

  bool MayStart(const TaskInstanceRecord& task) const;
  // Moves to the next stage(s) when the current one has nothing left;
  // true when the stage changed.
  Result<bool> Advance(SchedulerStore& store);
  Stage stage() const { return stage_.load(); }

 private:
  bool Allowed(Stage stage, const std::string& pipeline, const std::string& task,
               TaskKind kind) const;
  Result<bool> StageHasWork(SchedulerStore& store, Stage stage) const;

  const PipelinesFile& pipelines_;
  std::atomic<Stage> stage_{Stage::kCollect};
};

const char* StartupStageName(StartupGate::Stage stage);

}  // namespace silverwork::scheduler
