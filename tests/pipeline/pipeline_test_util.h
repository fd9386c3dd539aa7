// Helpers for the pipeline tests: instants in Korea for fake clocks, and a
// config that collects from a simulator into a temporary folder.
#pragma once

#include <chrono>
#include <string>

#include "common/config.h"
#include "common/date.h"
#include "simulator/simulator.h"
#include "warehouse/warehouse.h"

namespace silverwork::testing {

// `day` at hh:mm:ss in Korea (UTC+9), as an instant.
inline std::chrono::system_clock::time_point KoreaTime(Date day, int hour, int minute = 0,
                                                       int second = 0) {
  return std::chrono::system_clock::time_point(day.sys_days()) + std::chrono::hours(hour - 9) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

// Points `config` at the warehouse `options` name (a harness's warehouse
// under test: a SQLite file or a PostgreSQL schema).
inline void UseWarehouse(Config& config, const WarehouseOptions& options) {
  config.warehouse_engine = options.engine;
  if (options.engine == "sqlite") {
    config.warehouse_path = options.location;
  } else {
    config.warehouse_url = options.location;
    config.warehouse_password_file = options.password_file;
  }
}

// Collects from `base_url` with `key` into `folder` (warehouse.db, lake/,
// artifacts/), small pages, no rate limits, short retry delays; the projects
// files are pinned and the simulator's OpenAPI document lists them.
inline Config SimulatorConfig(const std::string& folder, const std::string& base_url,
                              const std::string& key) {
  Config config = DefaultConfig();
  config.warehouse_path = folder + "/warehouse.db";
  config.lake_path = folder + "/lake";
  config.lake_fsync = false;
  config.artifacts_dir = folder + "/artifacts";
  config.service_key = key;
  config.postings.base_url = base_url;
  config.postings.rows_per_page = 100;
  config.postings.concurrency = 4;
  config.postings.calls_per_second = 0;
  config.postings.calls_per_day = 0;
  config.postings.lookback_days = 2;
  config.postings.batch_size = 50;
  config.postings.backoff_base_ms = 2;
  config.postings.backoff_max_ms = 20;
  config.postings.timeout_ms = 3000;
  config.projects.base_url = base_url;
  config.projects.openapi_url = base_url + kSimulatorProjectsDocumentPath;
  config.projects.per_page = 50;
  config.projects.calls_per_second = 0;
  config.projects.calls_per_day = 0;
  config.projects.files.clear();
  for (const auto& [year, file_id] : KnownProjectFiles()) config.projects.files[year] = file_id;
  return config;
}

}  // namespace silverwork::testing
