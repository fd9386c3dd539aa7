// TaskKind: the kinds of work a pipeline task does, and their names — the
// `silverwork task run KIND` argument, the `kind:` of a task in
// pipelines.yml, and what the scheduler's store and JSON say. One enum for
// the pipeline library (tasks.h: one entry point per kind) and the scheduler
// (scheduler/pipelines.h: which kinds pipelines.yml accepts, with which
// keys). The names are defined in tasks.cc, beside each kind's runner verb.
//
// Plain values and pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace silverwork {

enum class TaskKind {
  kCollectPostings,   // postings of a range of KST days, list and details
  kCollectProjects,   // every projects file the OpenAPI document lists (or the pins)
  kDiscoverProjects,  // a sensor: has a projects file changed since the last collection?
  kBuild,             // the runner verbs, with a selection
  kRun,
  kTest,
  kSeed,
  kSnapshot,
  kReload,  // rebuild the raw tables from the lake
  kDocs,    // manifest.json and lineage.dot
};

// "collect_postings", "collect_projects", "discover_projects", "build",
// "run", "test", "seed", "snapshot", "reload", "docs".
const char* TaskKindName(TaskKind kind);
// kInvalidInput listing the kinds when `name` is none of them.
Result<TaskKind> TaskKindNamed(std::string_view name);

}  // namespace silverwork
