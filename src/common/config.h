// Config: everything silverwork reads from silverwork.toml and the
// environment. Unknown keys are rejected with their path, so a typo never
// silently falls back to a default.
//
// Secrets: the service key comes from DATA_GO_KR_SERVICE_KEY or from a file
// named by `service_key_file` (never from argv, never inline in the config,
// whose contents end up in bug reports); likewise the PostgreSQL password
// (PGPASSWORD, ~/.pgpass, or [warehouse] password_file, read by the engine).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace silverwork {

struct PostingsConfig {
  std::string base_url;  // empty: the real portal when a key is set
  int64_t rows_per_page = 1000;
  int concurrency = 10;              // detail calls in flight
  double calls_per_second = 25;      // shared by all workers (0: unlimited)
  int64_t calls_per_day = 10'000;    // per operation, the development key's quota (0: unlimited)
  // Of calls_per_day, the calls per operation a day that only collections of
  // today or yesterday may spend: a backfill of older days stops short of
  // them, so the hourly and daily runs always have their share.
  int64_t reserved_calls_per_day = 1'000;
  int lookback_days = 3;             // re-check this many days before the window
  // The list reaches back to the oldest posting the warehouse holds as open,
  // but never more than this many days before today (a posting the portal
  // dropped while open must not make every run page further back).
  int max_reach_back_days = 90;
  int64_t timeout_ms = 10'000;
  int max_attempts = 5;
  int64_t backoff_base_ms = 500;
  int64_t backoff_max_ms = 30'000;
  int64_t batch_size = 500;  // detail rows committed per transaction
};

struct ProjectsConfig {
  std::string base_url;  // empty: the real odcloud API when a key is set
  // The dataset's OpenAPI document, which lists its files (read without the
  // key). Empty: don't read it; collect the pins only.
  std::string openapi_url;  // set to Config::kRealProjectsDocumentUrl by DefaultConfig()
  int64_t per_page = 500;
  int concurrency = 4;
  double calls_per_second = 10;
  int64_t calls_per_day = 10'000;
  int64_t timeout_ms = 30'000;
  int max_attempts = 5;
  // Pins, year -> file id: when any are set, only these files are collected,
  // each under the year it is pinned to. Empty: every file the document lists.
  std::map<int, std::string> files;
  // canonical column -> extra Korean names, on top of the built-in aliases.
  std::map<std::string, std::vector<std::string>> column_aliases;
};

// Where and how the scheduler sends alerts (docs/scheduler.md, section
// Alerts). The webhook URLs are secrets: they come from the environment or
// from a file the config names, never from the config text.
struct AlertsConfig {
  // The dashboard's address, for links to task logs; empty: no links.
  std::string base_url;
  bool on_success = false;  // also announce successful runs
  // Announce a source going stale (its freshness check in models/sources.yml
  // warned or failed) and becoming fresh again, once per stale episode.
  bool on_stale_source = true;
  // Resolved secrets; empty when that sink is not configured.
  std::string slack_webhook_url;  // SILVERWORK_SLACK_WEBHOOK_URL or slack_webhook_url_file
  std::string webhook_url;        // SILVERWORK_ALERT_WEBHOOK_URL or webhook_url_file
  int64_t timeout_ms = 10'000;
  int max_attempts = 10;  // per alert and sink, for 5xx answers and transport errors
  int64_t backoff_base_ms = 5'000;
  int64_t backoff_max_ms = 900'000;
};

// How `silverwork scheduler` runs (docs/scheduler.md, "Running it").
struct SchedulerConfig {
  std::string pipelines_file;          // empty: <project_dir>/pipelines.yml
  std::string logs_dir = "var/logs";   // var/logs/<pipeline>/<run_id>/<task>/<try>.log
  int log_retention_days = 30;         // older try logs are removed
  int64_t poll_interval_ms = 2'000;    // requests, deadlines: how often they are looked at
  int64_t lease_ttl_ms = 60'000;       // renewed every third of it
  int64_t shutdown_grace_ms = 60'000;  // SIGTERM: how long running tasks may finish
  int64_t kill_grace_ms = 10'000;      // stopping a task: SIGTERM, this long, then SIGKILL
  int max_parallel_tasks = 2;          // task processes at once, every pipeline together
};

struct HttpConfig {
  // A PEM file of CA certificates trusted for https besides the system's
  // (a private CA, or a TLS-inspecting proxy's); empty: the system's only.
  std::string ca_file;
};

// `silverwork serve`'s operator token: writes to the API (trigger, clear,
// backfill, pause) need it as a bearer token. A secret, like the service key.
struct ServeConfig {
  // Resolved secret; empty: writes are refused (403). SILVERWORK_API_TOKEN
  // or the first line of [serve] api_token_file; at least 16 characters.
  std::string api_token;
};

struct Config {
  std::string warehouse_engine = "sqlite";
  std::string warehouse_path = "var/silverwork.db";  // engine = "sqlite"
  // engine = "postgres": a libpq URL without a password (empty: PG* variables),
  // the file holding the password (empty: PGPASSWORD or ~/.pgpass), and the
  // server-side statement timeout (0: none).
  std::string warehouse_url;
  std::string warehouse_password_file;
  int64_t warehouse_statement_timeout_ms = 0;
  std::string lake_path = "var/lake";
  bool lake_fsync = true;
  std::string project_dir = ".";  // the SQL project (models/, seeds/)
  std::string artifacts_dir = "var/artifacts";
  std::string log_file;
  PostingsConfig postings;
  ProjectsConfig projects;
  AlertsConfig alerts;
  SchedulerConfig scheduler;
  HttpConfig http;
  ServeConfig serve;
  // Resolved secret; empty when none is configured.
  std::string service_key;
  // Where the config was read from (empty: defaults only).
  std::string source_path;

  // The real portal's base URLs.
  static constexpr const char* kRealPostingsBaseUrl = "http://apis.data.go.kr";
  static constexpr const char* kRealProjectsBaseUrl = "https://api.odcloud.kr";
  // The projects dataset's OpenAPI document (another host than the data).
  static constexpr const char* kRealProjectsDocumentUrl =
      "https://infuser.odcloud.kr/oas/docs?namespace=15050148/v1";
};

// The built-in defaults: no pinned projects files (the document lists them).
Config DefaultConfig();

// Loads `path` over the defaults (an empty path: defaults only), then
// applies the environment (DATA_GO_KR_SERVICE_KEY, SILVERWORK_WAREHOUSE,
// SILVERWORK_LAKE, SILVERWORK_SLACK_WEBHOOK_URL, SILVERWORK_ALERT_WEBHOOK_URL,
// SILVERWORK_API_TOKEN).
// Relative paths in the file resolve against the current directory. Webhook
// URLs and the API token are registered as secrets (common/log.h) as soon as
// they are read.
Result<Config> LoadConfig(const std::string& path);

// Parses TOML text over `base` (exposed for tests).
Result<Config> ParseConfigText(const std::string& text, const std::string& origin, Config base);

}  // namespace silverwork
