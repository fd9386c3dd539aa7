// The server's own surface: the postings table and CSV, bad input of every
// kind, limits, health, metrics, the dashboard's files, and reloading.
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <span>

#include "common/date.h"
#include "serve/peer_refusing_warehouse.h"
#include "serve/reloading_harness.h"

namespace silverwork::serve::testing {
namespace {

using Api = ServerTest;

std::string Encode(const std::string& text) { return httplib::detail::encode_query_param(text); }

// ---- table and CSV ----------------------------------------------------------

TEST_F(Api, TablePagesThroughTheFilteredPostingsNewestFirst) {
  json page = Data("/api/v1/postings?province=KR-41&shape=CM0103&page_size=10&page=2");
  EXPECT_EQ(page["total"], Sql("SELECT count(*) FROM fct_job_postings "
                               "WHERE iso_code = 'KR-41' AND employment_shape_code = 'CM0103'"));
  ASSERT_EQ(page["rows"].size(), 10u);
  EXPECT_EQ(page["columns"][0], "job_id");
  std::string previous = "9999";
  for (const auto& row : page["rows"]) {
    EXPECT_EQ(row[5], "경기도");
    EXPECT_LE(row[3].get<std::string>(), previous);
    previous = row[3];
  }
  json beyond = Data("/api/v1/postings?province=KR-41&page=100000");
  EXPECT_TRUE(beyond["rows"].empty());
  EXPECT_EQ(beyond["total"], Sql("SELECT count(*) FROM fct_job_postings WHERE iso_code = 'KR-41'"));
}

TEST_F(Api, TableSearchFindsTitlesAndEmployers) {
  json page = Data("/api/v1/postings?q=" + Encode("요양") + "&year_from=2024");
  EXPECT_EQ(page["total"], Sql("SELECT count(*) FROM fct_job_postings "
                               "WHERE (title LIKE '%요양%' OR employer LIKE '%요양%' OR "
                               "work_place_name LIKE '%요양%') AND start_year >= 2024"));
  EXPECT_GT(page["total"].get<int>(), 0);
  json by_id = Data("/api/v1/postings?q=K000000042");
  EXPECT_EQ(by_id["total"], 1);
}

TEST_F(Api, CsvHoldsExactlyTheFilteredRows) {
  auto response = client_->Get("/api/v1/postings.csv?province=KR-26&preference=3&year_from=2022");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_TRUE(response->get_header_value("Content-Type").starts_with("text/csv"));
  EXPECT_NE(response->get_header_value("Content-Disposition").find("attachment"),
            std::string::npos);
  const std::vector<std::string> expected = SqlColumn(
      "SELECT job_id FROM fct_job_postings WHERE iso_code = 'KR-26' AND start_year >= 2022 "
      "AND job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id = 3) "
      "ORDER BY start_date DESC, job_id");
  ASSERT_GT(expected.size(), 10u);
  EXPECT_EQ(CsvJobIds(response->body), expected);  // the same rows, newest first
  EXPECT_EQ(response->get_header_value("X-Silverwork-Rows"), std::to_string(expected.size()));
  EXPECT_EQ(response->get_header_value("X-Silverwork-Truncated"), "false");
}

TEST_F(Api, CsvIsCutAtItsRowLimitAndSaysSo) {
  EXPECT_EQ(ServeOptions{}.max_csv_rows, 200'000u);  // the documented limit
  ServeOptions options = TestOptions(fixture_options());
  options.max_csv_rows = 40;
  StartServer(std::move(options));
  const std::vector<std::string> gyeonggi = SqlColumn(
      "SELECT job_id FROM fct_job_postings WHERE iso_code = 'KR-41' ORDER BY start_date DESC, "
      "job_id");
  ASSERT_GT(gyeonggi.size(), 40u);
  auto cut = client_->Get("/api/v1/postings.csv?province=KR-41");
  ASSERT_TRUE(cut);
  EXPECT_EQ(CsvJobIds(cut->body), std::vector(gyeonggi.begin(), gyeonggi.begin() + 40));
  EXPECT_EQ(cut->get_header_value("X-Silverwork-Rows"), std::to_string(gyeonggi.size()));
  EXPECT_EQ(cut->get_header_value("X-Silverwork-Truncated"), "true");

  const std::vector<std::string> sejong = SqlColumn(
      "SELECT job_id FROM fct_job_postings WHERE iso_code = 'KR-50' ORDER BY "
      "start_date DESC, job_id");
  ASSERT_FALSE(sejong.empty());
  ASSERT_LE(sejong.size(), 40u);
  auto whole = client_->Get("/api/v1/postings.csv?province=KR-50");
  ASSERT_TRUE(whole);
  EXPECT_EQ(CsvJobIds(whole->body), sejong);
  EXPECT_EQ(whole->get_header_value("X-Silverwork-Truncated"), "false");
}

TEST_F(Api, CsvCellsThatASpreadsheetWouldRunAreDefused) {
  FixtureCopy copy;
  // A posting without preferences, so that every cell of its line is set here.
  const std::string job_id =
      SqlColumn(
          "SELECT job_id FROM fct_job_postings WHERE job_id NOT IN "
          "(SELECT job_id FROM int_posting_preferences) ORDER BY job_id LIMIT 1")
          .at(0);
  {
    auto warehouse = copy.Open();
    ASSERT_NE(warehouse, nullptr);
    const Value params[] = {job_id};
    ASSERT_TRUE(
        warehouse
            ->ExecuteWithParams(
                "UPDATE fct_job_postings SET title = '=HYPERLINK(\"http://x\",\"click\")', "
                "employer = '+82 1588', start_date = '2024-03-02', end_date = '2024-03-16', "
                "province_name = '서울특별시', work_place_name = '-1+2', "
                "employment_shape_name = 'a=b', job_class_name = '@SUM(A1)', "
                "headcount = 3, is_open = 0 WHERE job_id = ?",
                params)
            .ok());
  }
  StartServer(copy.options(), std::nullopt);
  auto response = client_->Get("/api/v1/postings.csv?q=" + job_id);
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);
  const std::string body = response->body;
  EXPECT_EQ(
      body.substr(body.find("\r\n") + 2),
      job_id +
          ",\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",\"'+82 1588\",2024-03-02,2024-03-16,"
          "서울특별시,\"'-1+2\",a=b,\"'@SUM(A1)\",3,0,\r\n");
}

TEST_F(Api, LargeResponsesAreGzippedNeverBrotli) {
  // cpp-httplib's brotli runs at its slowest quality; the server asks for gzip instead.
  httplib::Headers headers = {{"Accept-Encoding", "gzip, deflate, br"}};
  auto response = client_->Get("/api/v1/postings.csv", headers);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->get_header_value("Content-Encoding"), "br");
}

// ---- bad input --------------------------------------------------------------

struct BadRequest {
  std::string path;
  std::string parameter;
};

TEST_F(Api, BadParametersAre400sNamingTheParameter) {
  const BadRequest cases[] = {
      {"/api/v1/kpis?colour=red", "colour"},
      {"/api/v1/kpis?year_from=20x4", "year_from"},
      {"/api/v1/kpis?year_to=1800", "year_to"},
      {"/api/v1/kpis?year_from=2025&year_to=2021", "year_from"},
      {"/api/v1/kpis?year_from=2024&year_from=2025", "year_from"},
      {"/api/v1/kpis?province=KR-99", "province"},
      {"/api/v1/kpis?province=KR-11,", "province"},
      {"/api/v1/kpis?province=", "province"},
      {"/api/v1/kpis?shape=cm0101", "shape"},
      {"/api/v1/kpis?job_class=" + std::string(300, 'A'), "job_class"},
      {"/api/v1/kpis?preference=99", "preference"},
      {"/api/v1/kpis?project_type=" + Encode("공익"), "project_type"},
      {"/api/v1/postings/map?metric=rows", "metric"},
      {"/api/v1/projects/by-region-year?measure=budget", "measure"},
      {"/api/v1/postings?page=0", "page"},
      {"/api/v1/postings?page_size=500", "page_size"},
      {"/api/v1/postings?page=-1", "page"},
      {"/api/v1/postings?q=" + std::string(101, 'x'), "q"},
      {"/api/v1/postings.csv?page=2", "page"},
      {"/api/v1/filters?province=KR-11", "province"},
      {"/api/v1/postings/monthly?metric=postings", "metric"},
  };
  for (const auto& bad : cases) {
    json body = GetJson(bad.path, 400);
    EXPECT_EQ(body["error"]["parameter"], bad.parameter) << bad.path;
    EXPECT_EQ(body["error"]["code"], "invalid_parameter");
    EXPECT_NE(body["error"]["message"].get<std::string>().find(bad.parameter), std::string::npos);
    EXPECT_FALSE(body["error"]["hint"].get<std::string>().empty());
  }
}

TEST_F(Api, InjectionStringsAreHarmless) {
  const std::string attacks[] = {"KR-11' OR '1'='1",
                                 "KR-11); DROP TABLE fct_job_postings; --",
                                 "1 UNION SELECT * FROM _sw_runs",
                                 "<script>alert(1)</script>",
                                 "%' OR 1=1 --",
                                 std::string("KR-11\0x", 7)};
  for (const std::string& attack : attacks) {
    for (const char* parameter : {"province", "shape", "job_class", "preference", "project_type"}) {
      json body = GetJson(fmt::format("/api/v1/kpis?{}={}", parameter, Encode(attack)), 400);
      EXPECT_EQ(body["error"]["parameter"], parameter);
    }
    json search = Data("/api/v1/postings?q=" + Encode(attack));
    EXPECT_EQ(search["total"], 0) << attack;
  }
  EXPECT_EQ(Sql("SELECT count(*) FROM fct_job_postings"), 3000);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
}

TEST_F(Api, ListsHoldAtMost32Values) {
  std::string codes = "KR-11";
  for (int value = 2; value <= 32; ++value) codes += ",KR-11";
  EXPECT_EQ(GetJson("/api/v1/kpis?province=" + codes)["data"]["postings"],
            Sql("SELECT count(*) FROM fct_job_postings WHERE iso_code = 'KR-11'"));
  json error = GetJson("/api/v1/kpis?province=" + codes + ",KR-26", 400)["error"];
  EXPECT_EQ(error["parameter"], "province");
  EXPECT_NE(error["message"].get<std::string>().find("33 values given; at most 32"),
            std::string::npos)
      << error;
}

// ---- health, metrics, dashboard ----------------------------------------------

TEST_F(Api, HealthAndMetrics) {
  json health = GetJson("/healthz");
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["postings"], 3000);
  EXPECT_EQ(health["loaded_at"], "2025-03-31T12:00:00Z");  // the fake clock's time

  GetJson("/api/v1/kpis");
  GetJson("/api/v1/kpis?province=nowhere", 400);
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_TRUE(metrics->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  const std::string& text = metrics->body;
  EXPECT_NE(text.find("# TYPE silverwork_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("silverwork_http_requests_total{route=\"/api/v1/kpis\",code=\"2xx\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("silverwork_http_requests_total{route=\"/api/v1/kpis\",code=\"4xx\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("silverwork_http_request_duration_seconds_bucket{route=\"/api/v1/"
                      "kpis\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("silverwork_snapshot_postings 3000\n"), std::string::npos);
  EXPECT_NE(text.find("silverwork_snapshot_loaded_timestamp_seconds 1743422400.000\n"),
            std::string::npos);
  // The fake clock stands still: both requests took no time.
  EXPECT_NE(text.find("silverwork_http_request_duration_seconds_bucket{route=\"/api/v1/"
                      "kpis\",le=\"0.0005\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("silverwork_process_resident_memory_bytes "), std::string::npos);
}

TEST_F(Api, FreshnessAgesAreTakenAtEachRequestByTheServersClock) {
  // The fixture's newest start day, registered at 09:00 in Korea (00:00 UTC);
  // its one run (pipeline) ended at 01:20 UTC on the fixture's day.
  const std::string newest_day = SqlColumn("SELECT MAX(frDd) FROM raw_postings").at(0);
  const auto registered = ParseIsoInstant(newest_day.substr(0, 4) + "-" + newest_day.substr(4, 2) +
                                          "-" + newest_day.substr(6, 2) + "T09:00:00+09:00");
  ASSERT_TRUE(registered.ok());
  const int64_t newest_age =
      std::chrono::duration_cast<std::chrono::seconds>(FixtureNoon() - *registered).count();
  const int64_t run_age = int64_t{12 * 60 - 80} * 60;  // 12:00 - 01:20

  json freshness = Data("/api/v1/status/freshness")["postings"];
  EXPECT_EQ(freshness["as_of"], "2025-03-31T12:00:00Z");
  EXPECT_EQ(freshness["newest_posting"]["created_at"], FormatUtcTimestamp(*registered));
  EXPECT_EQ(freshness["newest_posting"]["created_at_known"], true);
  EXPECT_EQ(freshness["newest_posting"]["age_seconds"], newest_age);
  ASSERT_EQ(freshness["last_successes"].size(), 1u);
  EXPECT_EQ(freshness["last_successes"][0]["command"], "pipeline");
  EXPECT_EQ(freshness["last_successes"][0]["age_seconds"], run_age);

  // Nothing new arrives for an hour: the same snapshot, older figures (the
  // answer is not cached), in the API and in /metrics alike.
  clock_.Advance(std::chrono::hours(1));
  freshness = Data("/api/v1/status/freshness")["postings"];
  EXPECT_EQ(freshness["newest_posting"]["age_seconds"], newest_age + 3600);
  EXPECT_EQ(freshness["last_successes"][0]["age_seconds"], run_age + 3600);
  const std::string metrics = client_->Get("/metrics")->body;
  EXPECT_NE(metrics.find("# TYPE silverwork_newest_posting_age_seconds gauge\n"
                         "silverwork_newest_posting_age_seconds " +
                         std::to_string(newest_age + 3600) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("silverwork_last_success_age_seconds{command=\"pipeline\"} " +
                         std::to_string(run_age + 3600) + "\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("silverwork_last_success_timestamp_seconds{command=\"pipeline\"} " +
                         std::to_string(1743384000) + "\n"),  // 2025-03-31T01:20:00Z
            std::string::npos);
}

TEST_F(Api, ServesTheDashboardFilesAndNothingElse) {
  TempFolder web;
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.path() / "index.html") << "<!doctype html><title>silverwork</title>";
  std::ofstream(web.path() / "assets" / "index-abc123.js") << "console.log('hi')";
  StartServer(fixture_options(), web.path());

  auto index = client_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->body, "<!doctype html><title>silverwork</title>");
  EXPECT_TRUE(index->get_header_value("Content-Type").starts_with("text/html"));
  EXPECT_NE(index->get_header_value("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");

  auto script = client_->Get("/assets/index-abc123.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_TRUE(script->get_header_value("Content-Type").starts_with("application/javascript"));
  EXPECT_NE(script->get_header_value("Cache-Control").find("immutable"), std::string::npos);

  for (const char* outside :
       {"/../../etc/passwd", "/assets/../../fixture.db", "/%2e%2e/etc/passwd", "/nothing.js"}) {
    auto response = client_->Get(outside);
    ASSERT_TRUE(response);
    EXPECT_NE(response->status, 200) << outside;
    EXPECT_EQ(response->body.find("root:"), std::string::npos);
  }
}

TEST_F(Api, WithoutADashboardTheRootSaysHowToBuildIt) {
  auto index = client_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 404);
  EXPECT_NE(index->body.find("npm run build"), std::string::npos);
}

TEST(ServerStartup, MissingTablesFailWithWhatToRun) {
  TempFolder folder;
  {
    auto warehouse =
        OpenWarehouse({.engine = "sqlite", .location = (folder.path() / "empty.db").string()});
    ASSERT_TRUE(warehouse.ok());
    ASSERT_TRUE((*warehouse)->Execute("CREATE TABLE provinces (iso_code TEXT)").ok());
  }
  ServeOptions options;
  options.warehouse = {.engine = "sqlite", .location = (folder.path() / "empty.db").string()};
  options.port = 0;
  auto server = Server::Create(options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("employment_shapes"), std::string::npos);
  EXPECT_NE(server.status().hint().find("silverwork build"), std::string::npos);

  options.warehouse.location = (folder.path() / "absent.db").string();
  EXPECT_TRUE(Server::Create(options).status().IsNotFound());
}

// ---- reloading ---------------------------------------------------------------

TEST_F(Reloading, LoadsWhenABuildFinishesAndForNoOtherWrite) {
  StartServer(copy_.options(), std::nullopt);
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);
  Change("DELETE FROM fct_job_postings WHERE iso_code = 'KR-11'");  // a build still writing
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);
  WriteOtherThanABuild(1);
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);  // nothing half-built is served

  FinishBuild();
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloaded);
  EXPECT_EQ(GetJson("/healthz")["loaded_at"], "2025-03-31T13:00:00Z");
  const int64_t expected = CopyCount("SELECT count(*) FROM fct_job_postings");
  ASSERT_LT(expected, 3000);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], expected);
  EXPECT_EQ(Data("/api/v1/postings?province=KR-11")["total"], 0);
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);
  WriteOtherThanABuild(2);
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);
  EXPECT_EQ(ReloadCounts(),
            "silverwork_snapshot_reloads_total{result=\"ok\"} 2\n"
            "silverwork_snapshot_reloads_total{result=\"error\"} 0\n");
}

// A build rewrites fct_job_postings (an incremental merge deletes and
// re-inserts rows, so rowids move to other postings) well before it ends and
// serve reloads. A page asked for in between must still show the postings
// the snapshot chose, never the rows that now sit at their rowids (the
// freshness benchmark saw such a page list 14 postings twice, when rows were
// read by rowid); a posting the table no longer holds makes the server load
// the table as it is and answer from that.
TEST_F(Reloading, APageAskedForWhileABuildRewritesThePostingsShowsThePostingsItChose) {
  StartServer(copy_.options(), std::nullopt);
  Change("CREATE TABLE reshuffled AS SELECT * FROM fct_job_postings");
  Change("DELETE FROM fct_job_postings");
  Change("INSERT INTO fct_job_postings SELECT * FROM reshuffled ORDER BY job_id DESC");
  Change("DROP TABLE reshuffled");
  if (copy_.engine() == "sqlite") {  // PostgreSQL has no rowid to check
    ASSERT_EQ(CopyCount("SELECT count(*) FROM fct_job_postings WHERE rowid = 1 AND job_id = "
                        "(SELECT max(job_id) FROM fct_job_postings)"),
              1)
        << "rowids now name other postings";
  }

  json page = Data("/api/v1/postings?province=KR-41&page_size=50");
  ASSERT_EQ(page["rows"].size(), 50u);
  std::vector<std::string> listed;
  for (const auto& row : page["rows"]) listed.push_back(row[0]);
  std::vector<std::string> expected;
  auto copy = Writer();
  ASSERT_NE(copy, nullptr);
  auto rows = copy->QueryAll(
      "SELECT job_id FROM fct_job_postings WHERE iso_code = 'KR-41' "
      "ORDER BY start_date DESC, job_id LIMIT 50");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  for (const Row& row : rows->rows) expected.push_back(std::get<std::string>(row[0]));
  EXPECT_EQ(listed, expected);
  for (const auto& row : page["rows"]) EXPECT_EQ(row[5], "경기도") << row.dump();

  // A search reads the table as it is too: it finds the posting asked for.
  Change("CREATE TABLE reshuffled AS SELECT * FROM fct_job_postings");
  Change("DELETE FROM fct_job_postings");
  Change("INSERT INTO fct_job_postings SELECT * FROM reshuffled ORDER BY job_id");
  Change("DROP TABLE reshuffled");
  json found = Data("/api/v1/postings?q=" + expected.front());
  ASSERT_EQ(found["rows"].size(), 1u) << found.dump();
  EXPECT_EQ(found["rows"][0][0], expected.front());

  // A posting the snapshot chose is gone from the table: the page comes from
  // a snapshot of the table as it is now, without it.
  Change("DELETE FROM fct_job_postings WHERE job_id = '" + expected.front() + "'");
  json after = Data("/api/v1/postings?province=KR-41&page_size=50");
  ASSERT_EQ(after["rows"].size(), 50u) << after.dump();
  EXPECT_EQ(after["rows"][0][0], expected[1]);
  EXPECT_EQ(after["total"], page["total"].get<int64_t>() - 1);

  // The build has not finished: the generation it leaves still reloads.
  FinishBuild();
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloaded);
}

TEST_F(Reloading, AFailedLoadKeepsThePreviousSnapshotAndIsCounted) {
  StartServer(copy_.options(), std::nullopt);
  Change("DROP TABLE mart_per_capita");
  FinishBuild();
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloadFailed);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
  EXPECT_EQ(ReloadCounts(),
            "silverwork_snapshot_reloads_total{result=\"ok\"} 1\n"
            "silverwork_snapshot_reloads_total{result=\"error\"} 1\n");
  // Not retried until the next build.
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);

  Status reloaded = server_->Reload();
  EXPECT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.message().find("mart_per_capita"), std::string::npos);
  EXPECT_NE(ReloadCounts().find("{result=\"error\"} 2\n"), std::string::npos);
}

TEST_F(Reloading, AWarehouseThatCannotBeReadKeepsTheSnapshotServingUntilItAnswers) {
  auto refusing = std::make_shared<std::atomic<bool>>(false);
  ServeOptions options = TestOptions(copy_.options());
  options.open_warehouse = [refusing](const WarehouseOptions& warehouse) {
    if (*refusing)
      return Result<std::unique_ptr<Warehouse>>(
          Status(ErrorCode::kNetwork, "the test refuses connections"));
    return OpenWarehouse(warehouse);
  };
  StartServer(std::move(options));
  *refusing = true;
  FinishBuild();
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnreadable);
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnreadable);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
  *refusing = false;
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloaded);
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kUnchanged);
}

// Where a load reads on a second connection (PostgreSQL), one that cannot be
// opened fails the reload, saying so, and the server keeps serving its
// snapshot; on SQLite nothing asks for one and the reload loads.
TEST_F(Reloading, ASecondConnectionThatFailsKeepsThePreviousSnapshotServing) {
  auto refuse_peers = std::make_shared<std::atomic<bool>>(false);
  ServeOptions options = TestOptions(copy_.options());
  options.open_warehouse =
      [refuse_peers](const WarehouseOptions& warehouse) -> Result<std::unique_ptr<Warehouse>> {
    SW_ASSIGN_OR_RETURN(auto opened, OpenWarehouse(warehouse));
    if (!*refuse_peers) return opened;
    return std::unique_ptr<Warehouse>(std::make_unique<PeerRefusingWarehouse>(std::move(opened)));
  };
  StartServer(std::move(options));
  const int64_t busan = CopyCount("SELECT count(*) FROM fct_job_postings WHERE iso_code = 'KR-26'");
  ASSERT_GT(busan, 0);
  *refuse_peers = true;
  Change("DELETE FROM fct_job_postings WHERE iso_code = 'KR-26'");
  FinishBuild();
  if (copy_.engine() == "sqlite") {
    EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloaded);
    EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000 - busan);
    return;
  }
  EXPECT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloadFailed);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
  Status reloaded = server_->Reload();
  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.message().find("second connection"), std::string::npos)
      << reloaded.ToString();
  *refuse_peers = false;
  EXPECT_TRUE(server_->Reload().ok());
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000 - busan);
}

// The response cache's counters in /metrics: {hits, misses}.
std::pair<int64_t, int64_t> CacheCounts(httplib::Client& client) {
  const std::string metrics = client.Get("/metrics")->body;
  auto counter = [&](const std::string& name) -> int64_t {
    const size_t at = metrics.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name << " missing from /metrics";
    return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + name.size() + 2));
  };
  return {counter("silverwork_response_cache_hits_total"),
          counter("silverwork_response_cache_misses_total")};
}

TEST_F(Reloading, ChartAnswersAreCachedUntilANewSnapshotServes) {
  StartServer(copy_.options(), std::nullopt);
  const std::string busan = "/api/v1/kpis?province=KR-26";
  const int64_t busan_postings = CopyCount(
      "SELECT count(*) FROM fct_job_postings WHERE iso_code = 'KR-26'");
  ASSERT_GT(busan_postings, 0);
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{0}, int64_t{0}));

  const std::string computed = client_->Get(busan)->body;
  EXPECT_EQ(json::parse(computed)["data"]["postings"], busan_postings);
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{0}, int64_t{1}));
  EXPECT_EQ(client_->Get(busan)->body, computed);
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{1}, int64_t{1}));
  Data("/api/v1/status/freshness");  // never cached: its ages move with the clock
  Data("/api/v1/status/freshness");
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{1}, int64_t{1}));

  // A build that removes Busan's postings: the next snapshot's answer is
  // computed again (a cached one would still count them), then cached.
  Change("DELETE FROM fct_job_postings WHERE iso_code = 'KR-26'");
  FinishBuild();
  ASSERT_EQ(server_->CheckWarehouse(), WarehouseCheck::kReloaded);
  EXPECT_EQ(Data(busan)["postings"], 0);
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_EQ(Data(busan)["postings"], 0);
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{2}, int64_t{2}));
}

TEST_F(Reloading, WithoutACacheEveryChartAnswerIsComputed) {
  ServeOptions options = TestOptions(copy_.options());
  options.cache_entries = 0;
  StartServer(std::move(options));
  for (int request = 0; request < 3; ++request) Data("/api/v1/kpis");
  EXPECT_EQ(CacheCounts(*client_), std::make_pair(int64_t{0}, int64_t{3}));
}

TEST_F(Reloading, TheReloaderLooksEveryIntervalAndLoadsAFinishedBuild) {
  CheckLog checks;
  ServeOptions options = TestOptions(copy_.options());
  options.reload_interval = std::chrono::milliseconds(1);
  options.on_warehouse_check = checks.Recorder();
  StartServer(std::move(options));

  // Writes that are no build load nothing, however many looks see them (a
  // reload of a million postings costs seconds of CPU).
  Change("DELETE FROM fct_job_postings WHERE iso_code = 'KR-26'");
  WriteOtherThanABuild(1);
  const size_t written_at = checks.WaitUntil([](const auto&) { return true; }).size();
  const auto unchanged =
      checks.WaitUntil([&](const auto& seen) { return seen.size() >= written_at + 16; });
  EXPECT_EQ(std::count(unchanged.begin(), unchanged.end(), WarehouseCheck::kUnchanged),
            static_cast<std::ptrdiff_t>(unchanged.size()));
  EXPECT_NE(ReloadCounts().find("{result=\"ok\"} 1\n"), std::string::npos);

  FinishBuild();
  // The look in progress when the build finished may have begun before it;
  // the one after began later. Once such a look finds nothing new, the
  // snapshot serving was loaded after the build.
  const size_t finished_at = checks.WaitUntil([](const auto&) { return true; }).size();
  const auto seen = checks.WaitUntil([&](const auto& checks_so_far) {
    return checks_so_far.size() >= finished_at + 2 &&
           checks_so_far.back() == WarehouseCheck::kUnchanged;
  });
  const auto since_finish = std::span(seen).subspan(finished_at);
  EXPECT_EQ(std::count(since_finish.begin(), since_finish.end(), WarehouseCheck::kReloaded), 1);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], CopyCount("SELECT count(*) FROM fct_job_postings"));
  EXPECT_EQ(Data("/api/v1/postings?province=KR-26")["total"], 0);
}

}  // namespace
}  // namespace silverwork::serve::testing
