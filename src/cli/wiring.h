// What every command shares: the config and logging set up from the command
// line, the one user-facing error shape and its exit codes, and the printing
// of outcomes. The work itself lives in pipeline/ (runs and tasks) and the
// subsystems below it; commands only parse flags, call it and print.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/command.h"
#include "common/config.h"
#include "ingest/postings_collector.h"
#include "ingest/projects_collector.h"
#include "ingest/reloader.h"
#include "pipeline/collection_window.h"
#include "pipeline/tasks.h"
#include "pipeline/transform_run.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// Loads the config named by --config / SILVERWORK_CONFIG / ./silverwork.toml.
Result<Config> LoadCliConfig(const CliContext& context);


// Sets up logging from the context (level, optional file from config).
void SetUpLogging(const CliContext& context, const Config& config);

// LoadCliConfig, then SetUpLogging. On failure reports the error, sets
// context.exit_code and returns nullopt.
std::optional<Config> StartCommand(CliContext& context);

// Prints the error in the user-facing shape and returns the exit code for
// it (3 for a spent quota: progress kept, run again later).
int ReportFailure(const Status& status);

// kExitOk for OK, else ReportFailure(status).
int ExitCodeFor(const Status& status);

// The runner's flags, shared by build/run/test/seed/snapshot/ls/docs and
// `task run`.
struct TransformFlags {
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> vars;
  bool full_refresh = false;
  bool no_state = false;
  bool fail_fast = false;
  int threads = DefaultTransformThreads();
  std::string project_dir;
};
// Selection flags always; with `runs_models`, also the flags of the verbs
// that build (vars, full refresh, state, fail fast, threads).
void AddTransformFlags(CLI::App& command, TransformFlags& flags, bool runs_models);
transform::RunOptions TransformOptionsFrom(const TransformFlags& flags);

// One-paragraph summaries of outcomes, on stdout.
void PrintPostingsOutcome(const CollectionWindow& window, const PostingsCollectStats& stats);
void PrintProjectsOutcome(const ProjectsCollectStats& stats);
void PrintReloadOutcome(const ReloadStats& stats);
// The summary of a task's own details (nothing when it has none).
void PrintTaskDetails(const TaskReport& report);

// Prints what the raw tables hold (rows per source and per year).
Status PrintWarehouseSummary(Warehouse& warehouse, std::FILE* out);

// A few lines from the marts: postings and target jobs of the newest years,
// the top provinces, the employment-shape mix and the top preferences.
Status PrintMartSummary(Warehouse& warehouse, std::FILE* out);

}  // namespace silverwork
