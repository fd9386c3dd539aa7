// PipelinesApi: the scheduler's pipelines, runs, tasks, tries, partitions and
// logs under /api/v1 — what an operator used to read in Airflow's UI — and
// the writes that reach the scheduler: trigger, clear (rerun failed tasks),
// backfill, pause and unpause.
//
//   GET  /api/v1/pipelines                               every pipeline, its schedule and state
//   GET  /api/v1/pipelines/{p}/runs?state=&limit=&offset=  runs, newest first
//   GET  /api/v1/pipelines/{p}/grid?limit=&offset=       tasks x runs, for the grid
//   GET  /api/v1/pipelines/{p}/partitions?from=&to=      days and their status
//   GET  /api/v1/runs/{run}                              a run, its tasks and every try
//   GET  /api/v1/runs/{run}/tasks/{task}/logs/{try}      a try's log (text; tail, offset)
//   GET  /api/v1/requests/{id}                           a write request and its answer
//   GET  /api/v1/operator                                whether writes are on and the token works
//   POST /api/v1/pipelines/{p}/trigger | backfills | pause | unpause
//   POST /api/v1/runs/{run}/clear
//
// Reads go through the server's read-only connections (SchedulerStore's read
// methods). The scheduler stays the only writer of run state: a write only
// inserts a row into the request table (SchedulerStore::SubmitRequest)
// through a connection opened for it, after checking the bearer token
// (operator_token.h) and validating what the scheduler would refuse anyway,
// and answers 202 with the request's id and where to poll its answer.
//
// Thread-safe: routes run on the server's worker threads.
#pragma once

#include <httplib.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "scheduler/scheduler_store.h"
#include "serve/operator_token.h"
#include "serve/pipelines_source.h"
#include "serve/warehouse_pool.h"
#include "warehouse/warehouse.h"

namespace silverwork::serve {

struct PipelinesApiOptions {
  WarehouseOptions warehouse;  // the served warehouse (writes open it writable)
  WarehouseFactory open_warehouse;
  std::optional<std::filesystem::path> pipelines_file;  // none: no pipelines
  std::string api_token;                                // empty: writes are refused (403)
  Clock* clock = nullptr;                               // REQUIRES: set, outlives the API
};

class PipelinesApi {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  struct Route {
    bool post = false;
    std::string name;     // for metrics and the endpoint list: "/api/v1/runs/{run_id}"
    std::string pattern;  // a regular expression over the whole path
    std::string summary;
    Handler handler;
  };

  // REQUIRES: `pool` outlives the API.
  PipelinesApi(PipelinesApiOptions options, WarehousePool& pool);
  PipelinesApi(const PipelinesApi&) = delete;
  PipelinesApi& operator=(const PipelinesApi&) = delete;

  // Every route, reads first. The handlers capture `this`.
  std::vector<Route> Routes();

 private:
  using Store = scheduler::SchedulerStore;
  // Runs `read` over a store on a pooled read-only connection; `has_schema`
  // is false on a warehouse the scheduler never ran on (reads answer empty).
  // A failure answers with its status.
  void WithStore(const httplib::Request& req, httplib::Response& res,
                 const std::function<Status(Store& store, bool has_schema)>& read);
  // The run `run_id`, or nullopt after answering 404.
  static Result<std::optional<scheduler::RunRecord>> RunOr404(Store& store, bool has_schema,
                                                              const std::string& run_id,
                                                              httplib::Response& res);
  // The pipelines file, or an error answer (false).
  bool LoadPipelines(const httplib::Request& req, httplib::Response& res,
                     std::shared_ptr<const scheduler::PipelinesFile>& file);
  // The pipeline named by the path's first group, or a 404 (null).
  const scheduler::PipelineSpec* FindPipeline(
      const httplib::Request& req, httplib::Response& res,
      std::shared_ptr<const scheduler::PipelinesFile>& file);

  // Reads (pipelines_api.cc).
  void ServePipelines(const httplib::Request& req, httplib::Response& res);
  void ServeRuns(const httplib::Request& req, httplib::Response& res);
  void ServeGrid(const httplib::Request& req, httplib::Response& res);
  void ServePartitions(const httplib::Request& req, httplib::Response& res);
  void ServeRun(const httplib::Request& req, httplib::Response& res);
  void ServeLog(const httplib::Request& req, httplib::Response& res);
  void ServeRequest(const httplib::Request& req, httplib::Response& res);
  void ServeOperator(const httplib::Request& req, httplib::Response& res);

  // Writes (pipelines_writes.cc).
  bool Authorized(const httplib::Request& req, httplib::Response& res);
  void Trigger(const httplib::Request& req, httplib::Response& res);
  void Backfill(const httplib::Request& req, httplib::Response& res);
  void SetPaused(const httplib::Request& req, httplib::Response& res, bool paused);
  void Clear(const httplib::Request& req, httplib::Response& res);
  Result<std::string> SubmitThroughWritableConnection(const scheduler::SchedulerRequest& request);
  // Inserts `request` through a writable connection and answers 202.
  void Submit(const httplib::Request& req, httplib::Response& res,
              scheduler::SchedulerRequest request, const nlohmann::json& extra = {});

  const PipelinesApiOptions options_;
  Clock& clock_;
  WarehousePool& pool_;
  PipelinesSource pipelines_;
  const OperatorToken token_;
};

}  // namespace silverwork::serve
