// The one place subsystems meet: turns the config and the command line into
// a warehouse, a lake writer, API clients and collectors, and turns their
// outcomes into exit codes and the one user-facing error shape.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli/cli.h"
#include "cli/command.h"
#include "common/config.h"
#include "common/date.h"
#include "ingest/postings_collector.h"
#include "ingest/projects_collector.h"
#include "lake/lake.h"
#include "simulator/simulator.h"
#include "transform/transform_project.h"
#include "warehouse/warehouse.h"

namespace silverwork {

// Loads the config named by --config / SILVERWORK_CONFIG / ./silverwork.toml.
Result<Config> LoadCliConfig(const CliContext& context);

// Sets up logging from the context (level, optional file from config).
void SetUpLogging(const CliContext& context, const Config& config);

// "20261125T160102.345Z-1a2b": sorts by start time, and sorts above
// `latest_existing` (the newest run id in the lake).
std::string NewRunId(const std::string& latest_existing);

// Prints the error in the user-facing shape and returns the exit code for
// it (3 for a spent quota: progress kept, run again later).
int ReportFailure(const Status& status);

// Everything one collection run holds. Owns the embedded simulator when the
// run uses one.
class CollectionRun {
 public:
  // When no base URL and no key are configured and `allow_simulator` is
  // set, starts the built-in simulator on a free loopback port and points
  // both sources at it.
  static Result<std::unique_ptr<CollectionRun>> Start(Config config, std::string command,
                                                      bool allow_simulator);
  ~CollectionRun();
  CollectionRun(const CollectionRun&) = delete;
  CollectionRun& operator=(const CollectionRun&) = delete;

  CollectOutcome CollectPostings(Date from, Date to, bool skip_details);
  ProjectsOutcome CollectProjects();
  // Records the run's end in _sw_runs and closes the lake.
  Status Finish(const Status& status);

  Warehouse& warehouse() { return *warehouse_; }
  const Config& config() const { return config_; }
  const std::string& run_id() const { return run_id_; }
  bool uses_simulator() const { return simulator_ != nullptr; }

 private:
  CollectionRun() = default;
  ApiCallerOptions CallerOptions(const std::string& base_url, int64_t timeout_ms, int max_attempts,
                                 int64_t backoff_base_ms, int64_t backoff_max_ms) const;

  Config config_;
  std::string command_;
  std::string run_id_;
  std::unique_ptr<Simulator> simulator_;
  std::unique_ptr<ServiceKey> key_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<LakeWriter> lake_;
  std::unique_ptr<ResponseSink> sink_;
  std::unique_ptr<CollectorEnvironment> environment_;
  PostingsCollectStats postings_stats_;
  ProjectsCollectStats projects_stats_;
  std::optional<Date> window_from_, window_to_;
};

// One-paragraph summaries of collection outcomes, on stdout.
void PrintPostingsOutcome(const Date& from, const Date& to, const CollectOutcome& outcome);
void PrintProjectsOutcome(const ProjectsOutcome& outcome);

// Nodes a build runs at once unless told: one per core, at most 4 (SQLite
// has one writer at a time; more workers only compute further ahead).
int DefaultTransformThreads();

// Runs one runner verb ("build", "run", "test", "seed", "snapshot") over the
// configured project and warehouse.
Result<transform::RunResults> RunTransform(const Config& config, const std::string& verb_name,
                                           transform::RunOptions options);

// Prints what the raw tables hold (rows per source, per year, recent runs).
Status PrintWarehouseSummary(Warehouse& warehouse, std::FILE* out);

// A few lines from the marts: postings and target jobs of the newest years,
// the top provinces, the employment-shape mix and the top preferences.
Status PrintMartSummary(Warehouse& warehouse, std::FILE* out);

}  // namespace silverwork
