// CollectionRun: one collection run, from its start to its row in the run
// ledger.
//
// Start() resolves where to collect from (the configured portal or base URLs,
// or, when nothing is configured and the caller allows it, the built-in
// simulator on a free loopback port, whose "today" follows the run's clock),
// opens the warehouse and a lake writer under a new run id, and records the
// start in `_sw_runs`. The run then collects postings and/or projects, and
// Finish() records how it ended and closes the lake. Every response is landed
// in the lake before the rows loaded from it commit (see ingest/).
//
// A spent daily quota ends a collection with kQuotaExhausted: what was
// fetched is committed, the checkpoint says where to resume, and the ledger
// says "stopped". Not thread-safe: drive a run from one thread (the
// collectors manage their own workers).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/config.h"
#include "ingest/postings_collector.h"
#include "ingest/projects_collector.h"
#include "lake/lake.h"
#include "pipeline/collection_window.h"
#include "pipeline/run_ledger.h"
#include "simulator/simulator.h"
#include "warehouse/warehouse.h"

namespace silverwork {

struct CollectionRunOptions {
  // What the ledger says the run was, e.g. "collect postings", "pipeline".
  std::string command;
  // With no service key and no base URL configured, collect from the
  // built-in simulator instead of failing.
  bool allow_simulator = false;
};

class CollectionRun {
 public:
  // REQUIRES: `clock` outlives the run.
  static Result<std::unique_ptr<CollectionRun>> Start(Config config, Clock& clock,
                                                      CollectionRunOptions options);
  ~CollectionRun();
  CollectionRun(const CollectionRun&) = delete;
  CollectionRun& operator=(const CollectionRun&) = delete;

  // Postings whose start day is in `window`, list and (unless skipped)
  // details, resuming from the window's checkpoint if an earlier run stopped.
  CollectOutcome CollectPostings(const CollectionWindow& window, bool skip_details);
  // Every configured year's projects file.
  ProjectsOutcome CollectProjects();
  // Records the run's end (state from `status`, and what was collected) in
  // the ledger and closes the lake. Returns the first failure of the two.
  Status Finish(const Status& status);

  Warehouse& warehouse() { return *warehouse_; }
  // The config as the run uses it (base URLs resolved).
  const Config& config() const { return config_; }
  const std::string& run_id() const { return run_id_; }
  bool uses_simulator() const { return simulator_ != nullptr; }

 private:
  CollectionRun(Config config, Clock& clock, std::string command);
  Status ResolveEndpoints(bool allow_simulator);
  Status OpenStores();
  RunFigures Figures() const;

  Config config_;
  Clock& clock_;
  std::string command_;
  std::string run_id_;
  std::unique_ptr<Simulator> simulator_;
  std::unique_ptr<ServiceKey> key_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<RunLedger> ledger_;
  std::unique_ptr<LakeWriter> lake_;
  std::unique_ptr<ResponseSink> sink_;
  std::unique_ptr<CollectorEnvironment> environment_;
  PostingsCollectStats postings_stats_;
  ProjectsCollectStats projects_stats_;
  std::optional<CollectionWindow> window_;
};

}  // namespace silverwork
