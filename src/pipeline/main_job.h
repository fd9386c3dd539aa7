// The main job: collect, then build, in one process.
//
// `silverwork pipeline` runs it: one collection run (postings of the last N
// Korean days, then every projects file; from the built-in simulator when no
// service key or base URL is configured), recorded in the run ledger, then a
// build of the whole SQL project with its data tests. A listener hears each
// step as it ends, so the CLI can print as the job goes and a scheduler can
// log. The job stops at the first failure; a spent quota stops it with
// kQuotaExhausted and its progress saved.
//
// Not thread-safe: one job per thread; the listener is called on it.
#pragma once

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "ingest/postings_collector.h"
#include "ingest/projects_collector.h"
#include "pipeline/collection_window.h"
#include "pipeline/transform_run.h"
#include "transform/run_results.h"
#include "warehouse/warehouse.h"

namespace silverwork {

struct MainJobOptions {
  int days = 30;  // postings of the last `days` Korean days, today included
  int build_threads = DefaultTransformThreads();
};

// Each step is reported at most once, in this order, and only if the steps
// before it succeeded (PostingsCollected and Built are reported whatever
// their outcome). An error returned by a listener stops the job with it.
class MainJobListener {
 public:
  virtual ~MainJobListener() = default;
  virtual void PostingsCollected(const CollectionWindow& /*window*/,
                                 const CollectOutcome& /*outcome*/) {}
  virtual void ProjectsCollected(const ProjectsOutcome& /*outcome*/) {}
  // The collection succeeded and is recorded in the ledger.
  virtual Status Collected(Warehouse& /*warehouse*/) { return Status::Ok(); }
  // The build ran; some of its nodes may have failed (the job then fails
  // after this call).
  virtual Status Built(const transform::RunResults& /*results*/, Warehouse& /*warehouse*/) {
    return Status::Ok();
  }
};

// REQUIRES: `clock` outlives the call.
Status RunMainJob(const Config& config, Clock& clock, const MainJobOptions& options,
                  MainJobListener& listener);

}  // namespace silverwork
