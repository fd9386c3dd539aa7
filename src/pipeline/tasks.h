// Tasks: one entry point per kind of work a pipeline runs.
//
// The CLI's commands and the scheduler both call these. The scheduler runs
// each task as a child process of the same binary (`silverwork task run KIND
// ...`, see cli/task_command.cc), which calls RunTask() and exits 0 when the
// task succeeded, 3 when it stopped on the daily quota, 4 when a sensor
// (discover_projects) found nothing new (TaskReport::NothingNew()) and 1
// otherwise.
//
// Every entry point takes the Config, a Clock and the kind's parameters, and
// returns a TaskReport: how it ended, the id of the run it made, its figures
// (calls spent, rows loaded, nodes built ...) and the kind's own details for
// printing. A task never throws and never exits the process.
//
// Thread-safety: entry points share no state; two tasks writing the same
// SQLite warehouse at once take turns on its write lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "ingest/postings_collector.h"
#include "ingest/projects_collector.h"
#include "ingest/projects_discovery.h"
#include "ingest/reloader.h"
#include "pipeline/collection_window.h"
#include "pipeline/task_kind.h"
#include "pipeline/transform_run.h"
#include "transform/run_results.h"

namespace silverwork {

// The runner verb of a build/run/test/seed/snapshot task.
std::optional<TransformVerb> TransformVerbOf(TaskKind kind);

struct TaskFigure {
  std::string name;
  int64_t value = 0;
};

// What a postings collection covered and did.
struct PostingsTaskDetails {
  CollectionWindow window;
  PostingsCollectStats stats;
};

struct TaskReport {
  TaskKind kind = TaskKind::kCollectPostings;
  // OK: done. kQuotaExhausted: stopped on the daily quota with its progress
  // saved; the same task resumes after 00:00 KST. Anything else: failed, and
  // the status says why and what to do.
  Status status;
  // The collection run (its row in _sw_runs, its lake folder) or the runner
  // invocation; empty when the task failed before starting one.
  std::string run_id;
  // Per kind, in a fixed order; "elapsed_ms" always comes last.
  std::vector<TaskFigure> figures;
  // The kind's own results for printing: PostingsTaskDetails for
  // collect_postings, ProjectsCollectStats for collect_projects,
  // ProjectsDiscovery for discover_projects, RunResults for the runner verbs,
  // ReloadStats for reload; monostate when the task failed before doing
  // anything (and always for docs).
  std::variant<std::monostate, PostingsTaskDetails, ProjectsCollectStats, ProjectsDiscovery,
               transform::RunResults, ReloadStats>
      details;

  std::optional<int64_t> Figure(std::string_view name) const;
  // True when a sensor succeeded and found nothing to act on (discover_projects:
  // no projects file changed since the last collection); the scheduler then
  // skips the rest of the run (`task run` exits 4).
  bool NothingNew() const;
};

// A source freshness check that a build or test task made (a node of
// resource type "source" in its run_results): a source's newest loaded_at
// against its `freshness` policy in models/sources.yml. "warn" leaves the
// task successful, "error" fails it (so the scheduler alerts on it as a
// failed task). The scheduler reads the checks from the try's result file
// and raises source_stale / source_fresh when a source's state changes.
struct FreshnessCheck {
  std::string source;   // its unique id, e.g. "source.silverwork.raw.raw_postings"
  std::string status;   // "pass", "warn" or "error"
  std::string message;  // e.g. "latest _loaded_at = … is 3.5 hours old (warn after 3 hours, …)"
};
// The checks of a build or test task, in run order; empty for other kinds.
std::vector<FreshnessCheck> FreshnessChecks(const TaskReport& report);

// The report as one line of JSON: {"task", "status" ("success", "failed" or
// "stopped", as in _sw_runs), "run_id", "figures": {name: value}, for a task
// that checked source freshness "freshness": [{"source", "status",
// "message"}], and, unless it succeeded, "error": {"code", "message",
// "hint"}}, secrets redacted.
std::string TaskReportJson(const TaskReport& report);

TaskReport CollectPostingsTask(const Config& config, Clock& clock, const CollectionWindow& window,
                               bool skip_details = false);
TaskReport CollectProjectsTask(const Config& config, Clock& clock);
// Reads [projects] openapi_url (without the service key) and compares it with
// the registry the last collection left in the warehouse; collects, lands
// and writes nothing. OK with a ProjectsDiscovery whether or not something
// changed: NothingNew() and the figure "changed" (0 or 1) say which. A
// document that cannot be read, or an empty openapi_url, fails the task.
TaskReport DiscoverProjectsTask(const Config& config, Clock& clock);
// `verb` over the nodes `options` selects; failing nodes make the status an
// error (the results say which).
TaskReport TransformTask(const Config& config, Clock& clock, TransformVerb verb,
                         transform::RunOptions options);
TaskReport ReloadTask(const Config& config, Clock& clock);
TaskReport DocsTask(const Config& config, Clock& clock, transform::RunOptions options);

// Any kind, from its parameters; what `silverwork task run` calls.
struct TaskRequest {
  TaskKind kind = TaskKind::kCollectPostings;
  // collect_postings: REQUIRED. Other kinds: must be unset.
  std::optional<CollectionWindow> window;
  bool skip_details = false;  // collect_postings only
  // The runner verbs and docs: selection, exclusions, threads, full refresh.
  transform::RunOptions transform;
};
TaskReport RunTask(const Config& config, Clock& clock, const TaskRequest& request);

}  // namespace silverwork
