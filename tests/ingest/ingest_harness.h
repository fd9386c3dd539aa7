// A small world for collection tests: a simulator on a loopback port, a
// temporary SQLite warehouse and lake, and collectors wired as the CLI does.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "ingest/lake_sink.h"
#include "ingest/postings_collector.h"
#include "ingest/projects_collector.h"
#include "ingest/raw_tables.h"
#include "simulator/postings.h"
#include "simulator/simulator.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork::testing {

inline const Date kToday = Date::FromYmd(2025, 6, 30);

// Noon in Korea on `day`: a run started then stays on that Korean day for
// twelve hours, so budgets kept per Korean day hold across a test's runs.
inline std::chrono::system_clock::time_point KoreaNoon(Date day) {
  return std::chrono::system_clock::time_point(day.sys_days()) + std::chrono::hours(3);
}

inline SimulatorOptions SmallWorldOptions() {
  SimulatorOptions options;
  options.worker_threads = 16;
  options.data.seed = 7;
  options.data.first_day = Date::FromYmd(2025, 4, 1);
  options.data.today = kToday;
  options.data.postings_per_day = 40;
  options.data.projects_per_year = 120;
  return options;
}

// Job ids of the postings whose frDd is in [from, to], from the simulator's
// generator itself (not from its API, and not through the collector's
// parsers): what a collection of that window must load. A posting never
// changes its start day, so any simulated today on or after `to` agrees.
inline std::set<std::string> GeneratedJobIds(const SimulatorDataOptions& data, Date from, Date to) {
  simulator::PostingsModel model(data.seed, data.postings_per_day, data.first_day);
  auto calendar = model.CalendarFor(to);
  std::set<std::string> ids;
  for (Date day = from; day <= to; day = day.AddDays(1)) {
    for (int64_t sequence = 0;; ++sequence) {
      std::optional<int64_t> index = calendar->IndexOf(day, sequence);
      if (!index) break;
      simulator::Posting posting = model.MakePosting(*calendar, *index);
      if (posting.start_day != day) throw std::logic_error("the calendar placed a posting wrongly");
      ids.insert(posting.job_id);
    }
  }
  return ids;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "silverwork-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class IngestHarness {
 public:
  explicit IngestHarness(SimulatorOptions options = SmallWorldOptions())
      : options_(std::move(options)) {
    auto started = Simulator::Start(options_);
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    simulator = std::move(started).value();
    key = std::make_unique<ServiceKey>(options_.service_key.empty() ? kSimulatorDemoKey
                                                                    : options_.service_key);
    OpenWarehouse();
  }
  ~IngestHarness() { CloseRun(); }

  // A connection to the warehouse under test: on SQLite the file at
  // WarehousePath(), on PostgreSQL (SILVERWORK_TEST_ENGINE, see
  // EngineFromEnvironment) a schema of the test's own.
  void OpenWarehouse() {
    auto opened = silverwork::OpenWarehouse(WarehouseOptions());
    if (!opened.ok()) throw std::runtime_error(opened.status().ToString());
    warehouse = std::move(opened).value();
  }
  silverwork::WarehouseOptions WarehouseOptions() const {
#ifdef SILVERWORK_HAVE_POSTGRES
    if (schema_ != nullptr) return schema_->Options();
#endif
    return {.engine = "sqlite", .location = WarehousePath()};
  }
  std::string WarehousePath() const { return dir.path() + "/warehouse.db"; }
  std::string LakePath() const { return dir.path() + "/lake"; }

  // Opens a lake writer and environment for a new run.
  CollectorEnvironment& NewRun(const std::string& run_id) {
    CloseRun();
    auto writer = LakeWriter::Open({.root = LakePath(),
                                    .run_id = run_id,
                                    .fsync = lake_fsync,
                                    .file_system = lake_file_system});
    if (!writer.ok()) throw std::runtime_error(writer.status().ToString());
    lake = std::move(writer).value();
    sink = std::make_unique<LakeSink>(*lake);
    environment = std::make_unique<CollectorEnvironment>(CollectorEnvironment{
        *warehouse, *lake, *sink, *key, *run_clock, [] { return CreateHttpClient(); }, run_id});
    return *environment;
  }
  void CloseRun() {
    if (lake) {
      EXPECT_TRUE(lake->Close().ok());
    }
    environment.reset();
    sink.reset();
    lake.reset();
  }

  ApiCallerOptions Caller() const {
    ApiCallerOptions caller;
    caller.base_url = simulator->base_url();
    caller.timeout = std::chrono::milliseconds(2000);
    caller.retry.base_delay = std::chrono::milliseconds(2);
    caller.retry.max_delay = std::chrono::milliseconds(20);
    caller.retry.rate_limited_delay = std::chrono::milliseconds(5);
    caller.jitter_seed = 1;
    return caller;
  }

  PostingsCollectorOptions Postings(Date from, Date to) const {
    PostingsCollectorOptions postings;
    postings.from = from;
    postings.to = to;
    postings.lookback_days = 2;
    postings.rows_per_page = 100;
    postings.concurrency = 4;
    postings.batch_size = 50;
    postings.caller = Caller();
    return postings;
  }

  ProjectsCollectorOptions Projects() const {
    ProjectsCollectorOptions projects;
    for (const auto& [year, file_id] : KnownProjectFiles()) projects.files[year] = file_id;
    projects.per_page = 50;
    projects.concurrency = 2;
    projects.caller = Caller();
    return projects;
  }

  CollectOutcome CollectPostings(const std::string& run_id,
                                 const PostingsCollectorOptions& options) {
    PostingsCollector collector(options, NewRun(run_id));
    CollectOutcome outcome = collector.Run();
    CloseRun();
    return outcome;
  }

  ProjectsOutcome CollectProjects(const std::string& run_id,
                                  const ProjectsCollectorOptions& options) {
    ProjectsCollector collector(options, NewRun(run_id));
    ProjectsOutcome outcome = collector.Run();
    CloseRun();
    return outcome;
  }

  // Ground truth: job ids of the postings whose frDd is in [from, to].
  std::set<std::string> TruthJobIds(Date from, Date to) const {
    return GeneratedJobIds(options_.data, from, to);
  }

  // One list item as the portal shows it now.
  struct ListedPosting {
    std::string job_id, start, end, deadline;  // jobId, frDd, toDd, deadline
  };
  // The simulator's list, newest first, down to the first page holding a
  // posting that started before `oldest` (all of it when unset).
  std::vector<ListedPosting> TruthList(std::optional<Date> oldest = std::nullopt) const {
    std::vector<ListedPosting> listed;
    auto http = CreateHttpClient();
    const std::string low = oldest ? oldest->Compact() : std::string();
    for (int64_t page = 1;; ++page) {
      std::string url = simulator->base_url() +
                        "/B552474/SenuriService/getJobList?pageNo=" + std::to_string(page) +
                        "&numOfRows=1000&serviceKey=" + key->ForUrl();
      auto response = http->Get(url, "truth", std::chrono::milliseconds(5000));
      if (!response.ok()) throw std::runtime_error(response.status().ToString());
      auto parsed = ParseSenuriXml(response->body, response->status, "truth");
      if (!parsed.ok()) throw std::runtime_error(parsed.status().ToString());
      bool passed = false;
      for (const auto& item : parsed->items) {
        listed.push_back({*FindField(item, "jobId"), *FindField(item, "frDd"),
                          *FindField(item, "toDd"), *FindField(item, "deadline")});
        passed = passed || listed.back().start < low;
      }
      if (parsed->items.empty() || passed) break;
    }
    return listed;
  }

  std::set<std::string> LoadedJobIds(Date from, Date to, bool with_details) const {
    std::set<std::string> ids;
    std::vector<Value> params{from.Compact(), to.Compact()};
    std::string sql = "SELECT jobId FROM raw_postings WHERE frDd >= ? AND frDd <= ?";
    if (with_details) sql += " AND _detail_status = 'ok' AND _detail_list_hash = _list_hash";
    auto status = warehouse->Query(sql, params, [&](const Row& row) {
      ids.insert(std::get<std::string>(row[0]));
      return Status::Ok();
    });
    if (!status.ok()) throw std::runtime_error(status.ToString());
    return ids;
  }

  // Every row of a table (those `where` selects), sorted, without load-time
  // columns: two tables with equal digests hold the same data.
  std::string TableDigest(const std::string& table, const std::string& where = "") const {
    auto columns = warehouse->DescribeTable(table);
    if (!columns.ok()) throw std::runtime_error(columns.status().ToString());
    std::string select;
    for (const auto& column : *columns) {
      if (column.name.find("loaded_at") != std::string::npos) continue;
      if (column.name.find("run_id") != std::string::npos) continue;
      select += (select.empty() ? "" : ", ") + std::string("\"") + column.name + "\"";
    }
    std::string digest;
    std::string filter = where.empty() ? "" : " WHERE " + where;
    auto status =
        warehouse->Query("SELECT " + select + " FROM " + table + filter + " ORDER BY 1, 2, 3", {},
                         [&](const Row& row) {
                           for (const auto& value : row) {
                             digest += IsNull(value) ? "∅" : ValueToString(value);
                             digest += '|';
                           }
                           digest += '\n';
                           return Status::Ok();
                         });
    if (!status.ok()) throw std::runtime_error(status.ToString());
    return digest;
  }

  // A projects file's row count as the simulator serves it now (totalCount).
  int64_t ProjectFileRows(const std::string& file_id) const {
    auto response =
        CreateHttpClient()->Get(simulator->base_url() + "/api/15050148/v1/uddi:" + file_id +
                                    "?page=1&perPage=1&serviceKey=" + key->ForUrl(),
                                "truth", std::chrono::milliseconds(5000));
    EXPECT_TRUE(response.ok());
    auto page = ParseOdcloudJson(response->body, response->status, "truth");
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->total_count : -1;
  }

  int64_t Count(const std::string& sql) const {
    auto result = warehouse->QueryAll(sql);
    if (!result.ok()) throw std::runtime_error(result.status().ToString());
    return std::get<int64_t>(result->rows.at(0).at(0));
  }

  TempDir dir;
#ifdef SILVERWORK_HAVE_POSTGRES
  // The test's schema when the engine under test is PostgreSQL.
  std::unique_ptr<ScopedPostgresSchema> schema_ =
      EngineFromEnvironment() == "postgres" ? std::make_unique<ScopedPostgresSchema>() : nullptr;
#endif
  // The collectors' clock: noon in Korea on kToday (the simulator's today),
  // advancing in real time, so that waits and timeouts stay real but a test
  // never straddles Korean midnight.
  ShiftedClock clock{KoreaNoon(kToday), DefaultClock()};
  // The clock runs see; a test may point it at a FakeClock of its own.
  Clock* run_clock = &clock;
  SimulatorOptions options_;
  std::unique_ptr<Simulator> simulator;
  std::unique_ptr<ServiceKey> key;
  std::unique_ptr<Warehouse> warehouse;
  // How runs open their lake: throwaway (no fsync) on the real files unless
  // a test watches durability.
  bool lake_fsync = false;
  FileSystem* lake_file_system = nullptr;
  std::unique_ptr<LakeWriter> lake;
  std::unique_ptr<ResponseSink> sink;
  std::unique_ptr<CollectorEnvironment> environment;
};

}  // namespace silverwork::testing
