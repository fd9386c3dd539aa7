#include "cli/wiring.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "common/log.h"
#include "ingest/lake_sink.h"
#include "ingest/raw_tables.h"

namespace silverwork {

Result<Config> LoadCliConfig(const CliContext& context) {
  std::string path = context.config_path;
  if (path.empty()) {
    if (const char* env = std::getenv("SILVERWORK_CONFIG"); env != nullptr && *env != '\0') {
      path = env;
    } else if (std::filesystem::exists("silverwork.toml")) {
      path = "silverwork.toml";
    }
  }
  return LoadConfig(path);
}

void SetUpLogging(const CliContext& context, const Config& config) {
  LogLevel level = LogLevel::kInfo;
  if (context.log_level == "debug") level = LogLevel::kDebug;
  if (context.log_level == "warn") level = LogLevel::kWarn;
  if (context.log_level == "error") level = LogLevel::kError;
  InitLogging({.level = level, .file = config.log_file});
}

std::string NewRunId(const std::string& latest_existing) {
  // Replaying the lake relies on run ids sorting in start order, so an id
  // carries milliseconds and is always above the newest run already landed.
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(random() & 0xffff));
  while (true) {
    auto now = std::chrono::system_clock::now();
    auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::string stamp = FormatUtcTimestamp(now);  // 2026-11-25T16:01:02Z
    std::string compact;
    for (char ch : stamp.substr(0, stamp.size() - 1))
      if (ch != '-' && ch != ':') compact.push_back(ch);
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis.count()));
    std::string id = compact + fraction + "-" + suffix;
    if (id > latest_existing) return id;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

int ReportFailure(const Status& status) {
  std::fprintf(stderr, "%s\n", RedactSecrets(status.ToUserMessage()).c_str());
  return status.IsQuotaExhausted() ? kExitResumeLater : kExitFailure;
}

Result<std::unique_ptr<CollectionRun>> CollectionRun::Start(Config config, std::string command,
                                                            bool allow_simulator) {
  std::unique_ptr<CollectionRun> run(new CollectionRun());
  run->command_ = std::move(command);
  std::string latest_run;
  if (auto runs = LakeReader(config.lake_path).Runs(); runs.ok() && !runs->empty())
    latest_run = runs->back();
  run->run_id_ = NewRunId(latest_run);
  bool no_endpoint = config.postings.base_url.empty() && config.projects.base_url.empty();
  std::string key = config.service_key;
  if (no_endpoint && key.empty()) {
    if (!allow_simulator) {
      return Status(ErrorCode::kInvalidInput, "no service key and no base URL are configured",
                    "set DATA_GO_KR_SERVICE_KEY to collect from data.go.kr, or set "
                    "[postings] and [projects] base_url to a simulator (silverwork simulate)");
    }
    SimulatorOptions options;
    options.service_key = std::string(kSimulatorDemoKey);
    SW_ASSIGN_OR_RETURN(run->simulator_, Simulator::Start(options));
    key = options.service_key;
    config.postings.base_url = run->simulator_->base_url();
    config.projects.base_url = run->simulator_->base_url();
    // The built-in simulator has no quota: don't wait on the real one's.
    config.postings.calls_per_second = 0;
    config.postings.calls_per_day = 0;
    config.projects.calls_per_second = 0;
    config.projects.calls_per_day = 0;
    spdlog::info("no service key or base URL configured: using the built-in simulator at {}",
                 run->simulator_->base_url());
  }
  if (key.empty()) {
    return Status(ErrorCode::kAuth, "no service key is configured",
                  "set DATA_GO_KR_SERVICE_KEY (or service_key_file in the config) to your "
                  "data.go.kr key; either the encoded or the decoded form works");
  }
  if (config.postings.base_url.empty()) config.postings.base_url = Config::kRealPostingsBaseUrl;
  if (config.projects.base_url.empty()) config.projects.base_url = Config::kRealProjectsBaseUrl;
  run->key_ = std::make_unique<ServiceKey>(key);

  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(config.warehouse_path).parent_path(),
                                      ignored);
  SW_ASSIGN_OR_RETURN(run->warehouse_, OpenWarehouse({.engine = config.warehouse_engine,
                                                      .location = config.warehouse_path}));
  SW_RETURN_IF_ERROR(EnsureRawTables(*run->warehouse_));
  SW_ASSIGN_OR_RETURN(run->lake_, LakeWriter::Open({.root = config.lake_path,
                                                    .run_id = run->run_id_,
                                                    .fsync = config.lake_fsync}));
  run->sink_ = std::make_unique<LakeSink>(*run->lake_);
  run->environment_ = std::make_unique<CollectorEnvironment>(
      CollectorEnvironment{*run->warehouse_, *run->lake_, *run->sink_, *run->key_, DefaultClock(),
                           [http = HttpClientOptions{.ca_file = config.http.ca_file}] {
                             return CreateHttpClient(http);
                           },
                           run->run_id_});
  run->config_ = std::move(config);

  std::vector<Value> row{run->run_id_, run->command_,
                         FormatUtcTimestamp(std::chrono::system_clock::now()),
                         std::string("running")};
  SW_RETURN_IF_ERROR(run->warehouse_
                         ->ExecuteWithParams("INSERT INTO _sw_runs(run_id, command, started_at, "
                                             "status) VALUES (?, ?, ?, ?)",
                                             row)
                         .status());
  spdlog::info("run {} started", run->run_id_);
  return run;
}

CollectionRun::~CollectionRun() {
  if (lake_) (void)lake_->Close();
  if (simulator_) simulator_->Stop();
}

ApiCallerOptions CollectionRun::CallerOptions(const std::string& base_url, int64_t timeout_ms,
                                              int max_attempts, int64_t backoff_base_ms,
                                              int64_t backoff_max_ms) const {
  ApiCallerOptions options;
  options.base_url = base_url;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.retry.max_attempts = max_attempts;
  options.retry.base_delay = std::chrono::milliseconds(backoff_base_ms);
  options.retry.max_delay = std::chrono::milliseconds(backoff_max_ms);
  return options;
}

CollectOutcome CollectionRun::CollectPostings(Date from, Date to, bool skip_details) {
  const PostingsConfig& postings = config_.postings;
  PostingsCollectorOptions options;
  options.from = from;
  options.to = to;
  options.lookback_days = postings.lookback_days;
  options.rows_per_page = postings.rows_per_page;
  options.concurrency = postings.concurrency;
  options.batch_size = postings.batch_size;
  options.skip_details = skip_details;
  options.caller = CallerOptions(postings.base_url, postings.timeout_ms, postings.max_attempts,
                                 postings.backoff_base_ms, postings.backoff_max_ms);
  options.budget = {.calls_per_second = postings.calls_per_second,
                    .calls_per_day = postings.calls_per_day};
  window_from_ = from;
  window_to_ = to;
  PostingsCollector collector(options, *environment_);
  CollectOutcome outcome = collector.Run();
  postings_stats_ = outcome.stats;
  return outcome;
}

ProjectsOutcome CollectionRun::CollectProjects() {
  const ProjectsConfig& projects = config_.projects;
  ProjectsCollectorOptions options;
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

Status CollectionRun::Finish(const Status& status) {
  Status closed = lake_->Close();
  std::string state = status.ok() ? "success" : (status.IsQuotaExhausted() ? "stopped" : "failed");
  std::vector<Value> row{FormatUtcTimestamp(std::chrono::system_clock::now()),
                         state,
                         status.ok() ? Value{} : Value{RedactSecrets(status.message())},
                         window_from_ ? Value{window_from_->Iso()} : Value{},
                         window_to_ ? Value{window_to_->Iso()} : Value{},
                         postings_stats_.list_pages,
                         postings_stats_.postings_listed,
                         postings_stats_.details_loaded,
                         projects_stats_.rows_loaded,
                         postings_stats_.calls + projects_stats_.calls,
                         run_id_};
  SW_RETURN_IF_ERROR(warehouse_
                         ->ExecuteWithParams(
                             "UPDATE _sw_runs SET finished_at = ?, status = ?, message = ?, "
                             "window_from = ?, window_to = ?, list_pages = ?, postings_listed = ?, "
                             "details_loaded = ?, projects_loaded = ?, calls = ? WHERE run_id = ?",
                             row)
                         .status());
  return closed;
}

Status PrintWarehouseSummary(Warehouse& warehouse, std::FILE* out) {
  SW_RETURN_IF_ERROR(EnsureRawTables(warehouse));
  SW_ASSIGN_OR_RETURN(QueryResult postings,
                      warehouse.QueryAll("SELECT COUNT(*), COUNT(_detail_status), "
                                         "SUM(CASE WHEN deadline = '접수중' THEN 1 ELSE 0 END), "
                                         "MIN(frDd), MAX(frDd) FROM raw_postings"));
  const Row& row = postings.rows.at(0);
  std::fprintf(out, "raw_postings: %s postings (%s with details, %s open), start dates %s .. %s\n",
               ValueToString(row[0]).c_str(), ValueToString(row[1]).c_str(),
               ValueToString(row[2]).c_str(), ValueToString(row[3]).c_str(),
               ValueToString(row[4]).c_str());
  SW_ASSIGN_OR_RETURN(QueryResult projects,
                      warehouse.QueryAll("SELECT _file_year, COUNT(*), "
                                         "SUM(CASE WHEN delYn = 'Y' THEN 1 ELSE 0 END) "
                                         "FROM raw_projects GROUP BY _file_year ORDER BY 1"));
  std::fprintf(out, "raw_projects:");
  if (projects.rows.empty()) std::fprintf(out, " none");
  for (const auto& year : projects.rows) {
    std::fprintf(out, " %s: %s rows (%s deleted);", ValueToString(year[0]).c_str(),
                 ValueToString(year[1]).c_str(), ValueToString(year[2]).c_str());
  }
  std::fprintf(out, "\n");
  return Status::Ok();
}

void PrintPostingsOutcome(const Date& from, const Date& to, const CollectOutcome& outcome) {
  const auto& stats = outcome.stats;
  std::printf(
      "postings %s..%s: %lld in window; %lld list pages (%lld items), %lld of %lld details "
      "loaded, %lld failed, %lld calls (list %.1f s, details %.1f s)%s\n",
      from.Iso().c_str(), to.Iso().c_str(), static_cast<long long>(stats.postings_in_window),
      static_cast<long long>(stats.list_pages), static_cast<long long>(stats.postings_listed),
      static_cast<long long>(stats.details_loaded), static_cast<long long>(stats.details_needed),
      static_cast<long long>(stats.details_failed), static_cast<long long>(stats.calls),
      stats.list_seconds, stats.detail_seconds, stats.resumed ? " (resumed)" : "");
}

void PrintProjectsOutcome(const ProjectsOutcome& outcome) {
  const auto& stats = outcome.stats;
  std::printf("projects: %lld rows from %lld files (%lld pages, %lld calls)",
              static_cast<long long>(stats.rows_loaded), static_cast<long long>(stats.files),
              static_cast<long long>(stats.pages), static_cast<long long>(stats.calls));
  for (const auto& [year, rows] : stats.rows_per_year)
    std::printf("; %d: %lld", year, static_cast<long long>(rows));
  if (stats.rows_rejected > 0)
    std::printf("; %lld rows without a key skipped", static_cast<long long>(stats.rows_rejected));
  std::printf("\n");
  for (const auto& [file_id, names] : stats.unknown_columns) {
    std::printf("  unknown columns in %s:", file_id.c_str());
    for (const auto& name : names) std::printf(" %s", name.c_str());
    std::printf(" (kept in raw_projects._extra)\n");
  }
}

Status PrintMartSummary(Warehouse& warehouse, std::FILE* out) {
  struct Section {
    const char* title;
    const char* sql;
  };
  static constexpr Section kSections[] = {
      {"postings and target jobs per year",
       "SELECT year, SUM(postings), SUM(target_jobs) FROM mart_jobs_vs_postings GROUP BY year "
       "ORDER BY year DESC LIMIT 5"},
      {"top provinces by postings, newest year",
       "SELECT province_name, postings, target_jobs FROM mart_top_regions WHERE year = "
       "(SELECT MAX(year) FROM mart_top_regions WHERE postings > 0) ORDER BY postings_rank "
       "LIMIT 3"},
      {"employment shapes, newest year",
       "SELECT employment_shape_name, postings, share_pct || '%' FROM mart_postings_by_shape_year "
       "WHERE year = (SELECT MAX(year) FROM mart_postings_by_shape_year) ORDER BY postings DESC"},
      {"top preferences",
       "SELECT category, SUM(postings) FROM mart_preference_counts GROUP BY category "
       "ORDER BY 2 DESC LIMIT 5"},
      {"target jobs by years of continuation",
       "SELECT continuation_years || 'y', SUM(target_jobs) FROM mart_continuity "
       "GROUP BY continuation_years ORDER BY continuation_years LIMIT 5"},
  };
  for (const auto& section : kSections) {
    std::fprintf(out, "%s:", section.title);
    SW_RETURN_IF_ERROR(warehouse.Query(section.sql, {}, [&](const Row& row) {
      std::string cells;
      for (const auto& value : row) cells += (cells.empty() ? "" : " ") + ValueToString(value);
      std::fprintf(out, "  %s;", cells.c_str());
      return Status::Ok();
    }));
    std::fprintf(out, "\n");
  }
  return Status::Ok();
}

}  // namespace silverwork
