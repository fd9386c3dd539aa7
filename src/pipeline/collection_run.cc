#include "pipeline/collection_run.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "ingest/lake_sink.h"
#include "ingest/raw_tables.h"
#include "pipeline/run_id.h"
#include "pipeline/warehouse_options.h"

namespace silverwork {
namespace {

ApiCallerOptions CallerOptions(const std::string& base_url, int64_t timeout_ms, int max_attempts,
                               int64_t backoff_base_ms, int64_t backoff_max_ms) {
  ApiCallerOptions options;
  options.base_url = base_url;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.retry.max_attempts = max_attempts;
  options.retry.base_delay = std::chrono::milliseconds(backoff_base_ms);
  options.retry.max_delay = std::chrono::milliseconds(backoff_max_ms);
  return options;
}

// The newest run already landed in the lake or recorded in the ledger: a new
// run id must sort above both.
Result<std::string> NewestKnownRun(const std::string& lake_path, RunLedger& ledger) {
  SW_ASSIGN_OR_RETURN(std::string newest, ledger.NewestRunId());
  if (auto runs = LakeReader(lake_path).Runs(); runs.ok() && !runs->empty())
    newest = std::max(newest, runs->back());
  return newest;
}

}  // namespace

CollectionRun::CollectionRun(Config config, Clock& clock, std::string command)
    : config_(std::move(config)), clock_(clock), command_(std::move(command)) {}

Result<std::unique_ptr<CollectionRun>> CollectionRun::Start(Config config, Clock& clock,
                                                            CollectionRunOptions options) {
  std::unique_ptr<CollectionRun> run(
      new CollectionRun(std::move(config), clock, std::move(options.command)));
  SW_RETURN_IF_ERROR(run->ResolveEndpoints(options.allow_simulator));
  SW_RETURN_IF_ERROR(run->OpenStores());
  SW_RETURN_IF_ERROR(run->ledger_->RecordStart(run->run_id_, run->command_));
  spdlog::info("run {} started", run->run_id_);
  return run;
}

Status CollectionRun::ResolveEndpoints(bool allow_simulator) {
  bool no_endpoint = config_.postings.base_url.empty() && config_.projects.base_url.empty();
  std::string key = config_.service_key;
  if (no_endpoint && key.empty()) {
    if (!allow_simulator) {
      return Status(ErrorCode::kInvalidInput, "no service key and no base URL are configured",
                    "set DATA_GO_KR_SERVICE_KEY to collect from data.go.kr, or set "
                    "[postings] and [projects] base_url to a simulator (silverwork simulate)");
    }
    SimulatorOptions options;
    options.service_key = std::string(kSimulatorDemoKey);
    options.clock = &clock_;
    SW_ASSIGN_OR_RETURN(simulator_, Simulator::Start(options));
    key = options.service_key;
    config_.postings.base_url = simulator_->base_url();
    config_.projects.base_url = simulator_->base_url();
    config_.projects.openapi_url = simulator_->base_url() + kSimulatorProjectsDocumentPath;
    // The built-in simulator has no quota: don't wait on the real one's.
    config_.postings.calls_per_second = 0;
    config_.postings.calls_per_day = 0;
    config_.projects.calls_per_second = 0;
    config_.projects.calls_per_day = 0;
    spdlog::info("no service key or base URL configured: using the built-in simulator at {}",
                 simulator_->base_url());
  }
  if (key.empty()) {
    return Status(ErrorCode::kAuth, "no service key is configured",
                  "set DATA_GO_KR_SERVICE_KEY (or service_key_file in the config) to your "
                  "data.go.kr key; either the encoded or the decoded form works");
  }
  if (config_.postings.base_url.empty()) config_.postings.base_url = Config::kRealPostingsBaseUrl;
  if (config_.projects.base_url.empty()) config_.projects.base_url = Config::kRealProjectsBaseUrl;
  key_ = std::make_unique<ServiceKey>(key);
  return Status::Ok();
}

Status CollectionRun::OpenStores() {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(config_.warehouse_path).parent_path(),
                                      ignored);
  SW_ASSIGN_OR_RETURN(warehouse_, OpenWarehouse(WarehouseOptionsFor(config_)));
  SW_RETURN_IF_ERROR(EnsureRawTables(*warehouse_));
  ledger_ = std::make_unique<RunLedger>(*warehouse_, clock_);
  SW_RETURN_IF_ERROR(ledger_->EnsureTable());
  SW_ASSIGN_OR_RETURN(std::string newest, NewestKnownRun(config_.lake_path, *ledger_));
  SW_ASSIGN_OR_RETURN(run_id_, RunIdGenerator(clock_).Next(newest));
  SW_ASSIGN_OR_RETURN(
      lake_, LakeWriter::Open(
                 {.root = config_.lake_path, .run_id = run_id_, .fsync = config_.lake_fsync}));
  sink_ = std::make_unique<LakeSink>(*lake_);
  environment_ = std::make_unique<CollectorEnvironment>(
      CollectorEnvironment{*warehouse_, *lake_, *sink_, *key_, clock_,
                           [http = HttpClientOptions{.ca_file = config_.http.ca_file}] {
                             return CreateHttpClient(http);
                           },
                           run_id_});
  return Status::Ok();
}

CollectionRun::~CollectionRun() {
  if (lake_) (void)lake_->Close();
  if (simulator_) simulator_->Stop();
}

CollectOutcome CollectionRun::CollectPostings(const CollectionWindow& window, bool skip_details) {
  const PostingsConfig& postings = config_.postings;
  PostingsCollectorOptions options;
  options.from = window.from;
  options.to = window.to;
  options.lookback_days = postings.lookback_days;
  options.max_reach_back_days = postings.max_reach_back_days;
  options.reserved_calls_per_day = postings.reserved_calls_per_day;
  options.rows_per_page = postings.rows_per_page;
  options.concurrency = postings.concurrency;
  options.batch_size = postings.batch_size;
  options.skip_details = skip_details;
  options.caller = CallerOptions(postings.base_url, postings.timeout_ms, postings.max_attempts,
                                 postings.backoff_base_ms, postings.backoff_max_ms);
  options.budget = {.calls_per_second = postings.calls_per_second,
                    .calls_per_day = postings.calls_per_day};
  window_ = window;
  PostingsCollector collector(options, *environment_);
  CollectOutcome outcome = collector.Run();
  postings_stats_ = outcome.stats;
  return outcome;
}

ProjectsOutcome CollectionRun::CollectProjects() {
  const ProjectsConfig& projects = config_.projects;
  ProjectsCollectorOptions options;
  options.openapi_url = projects.openapi_url;
  options.files = projects.files;
  options.column_aliases = projects.column_aliases;
  options.per_page = projects.per_page;
  options.concurrency = projects.concurrency;
  options.caller = CallerOptions(projects.base_url, projects.timeout_ms, projects.max_attempts,
                                 config_.postings.backoff_base_ms, config_.postings.backoff_max_ms);
  options.budget = {.calls_per_second = projects.calls_per_second,
                    .calls_per_day = projects.calls_per_day};
  ProjectsCollector collector(options, *environment_);
  ProjectsOutcome outcome = collector.Run();
  projects_stats_ = outcome.stats;
  return outcome;
}

RunFigures CollectionRun::Figures() const {
  return RunFigures{.window_from = window_ ? std::optional<Date>(window_->from) : std::nullopt,
                    .window_to = window_ ? std::optional<Date>(window_->to) : std::nullopt,
                    .list_pages = postings_stats_.list_pages,
                    .postings_listed = postings_stats_.postings_listed,
                    .details_loaded = postings_stats_.details_loaded,
                    .projects_loaded = projects_stats_.rows_loaded,
                    .calls = postings_stats_.calls + projects_stats_.calls};
}

Status CollectionRun::Finish(const Status& status) {
  Status closed = lake_->Close();
  SW_RETURN_IF_ERROR(ledger_->RecordEnd(run_id_, status, Figures()));
  return closed;
}

}  // namespace silverwork
