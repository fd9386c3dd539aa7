// The server's own surface: the postings table and CSV, bad input of every
// kind, limits, health, metrics, the dashboard's files, and reloading.
#include <fstream>
#include <thread>

#include "serve/serve_harness.h"

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
  const std::string filters = "province=KR-26&preference=3&year_from=2022";
  auto response = client_->Get(("/api/v1/postings.csv?" + filters).c_str());
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  EXPECT_TRUE(response->get_header_value("Content-Type").starts_with("text/csv"));
  EXPECT_NE(response->get_header_value("Content-Disposition").find("attachment"),
            std::string::npos);
  const std::string& csv = response->body;
  ASSERT_TRUE(csv.starts_with("\xEF\xBB\xBFjob_id,title,"));
  const int64_t lines = std::count(csv.begin(), csv.end(), '\n');
  json page = Data("/api/v1/postings?" + filters + "&page_size=200");
  EXPECT_EQ(lines - 1, page["total"].get<int64_t>());
  EXPECT_EQ(response->get_header_value("X-Silverwork-Rows"), std::to_string(lines - 1));
  // Same rows, same order.
  size_t position = csv.find("\r\n") + 2;
  for (const auto& row : page["rows"]) {
    EXPECT_EQ(csv.compare(position, row[0].get<std::string>().size(), row[0].get<std::string>()),
              0);
    position = csv.find("\r\n", position) + 2;
  }
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

TEST_F(Api, MethodsPathsAndSizesAreLimited) {
  auto post = client_->Post("/api/v1/kpis", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");

  json missing = GetJson("/api/v1/nothing-here", 404);
  EXPECT_EQ(missing["error"]["code"], "not_found");

  auto long_uri = client_->Get(("/api/v1/kpis?q=" + std::string(9000, 'a')).c_str());
  ASSERT_TRUE(long_uri);
  EXPECT_EQ(long_uri->status, 414);

  // Bodies are refused by size before anything reads them.
  auto large_body = client_->Post("/api/v1/kpis", std::string(10'000, 'x'), "text/plain");
  ASSERT_TRUE(large_body);
  EXPECT_EQ(large_body->status, 413);
}

// ---- health, metrics, dashboard ----------------------------------------------

TEST_F(Api, HealthAndMetrics) {
  json health = GetJson("/healthz");
  EXPECT_EQ(health["status"], "ok");
  EXPECT_EQ(health["postings"], 3000);

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
  EXPECT_NE(text.find("silverwork_process_resident_memory_bytes "), std::string::npos);
}

TEST_F(Api, ServesTheDashboardFilesAndNothingElse) {
  TempFolder web;
  std::filesystem::create_directories(web.path() / "assets");
  std::ofstream(web.path() / "index.html") << "<!doctype html><title>silverwork</title>";
  std::ofstream(web.path() / "assets" / "index-abc123.js") << "console.log('hi')";
  StartServer(warehouse_path(), web.path());

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
  EXPECT_EQ(index->status, 503);
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

TEST_F(Api, ReloadsWhenTheWarehouseChanges) {
  TempFolder folder;
  const auto copy = folder.path() / "copy.db";
  std::filesystem::copy_file(warehouse_path(), copy);
  StartServer(copy, std::nullopt, std::chrono::milliseconds(50));
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
  {
    auto warehouse = OpenWarehouse({.engine = "sqlite", .location = copy.string()});
    ASSERT_TRUE(warehouse.ok());
    ASSERT_TRUE(
        (*warehouse)->Execute("DELETE FROM fct_job_postings WHERE iso_code = 'KR-11'").ok());
  }
  const int64_t expected = SqlInteger(copy, "SELECT count(*) FROM fct_job_postings");
  ASSERT_LT(expected, 3000);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int64_t served = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    served = Data("/api/v1/kpis")["postings"];
    if (served == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(served, expected);
  EXPECT_EQ(Data("/api/v1/postings?province=KR-11")["total"], 0);
}

// Opening a checkpointed warehouse creates an empty write-ahead log; that is
// no change, so the server must not reload (a reload of 1M postings costs
// seconds of CPU).
TEST_F(Api, AnUnchangedWarehouseIsNotReloaded) {
  TempFolder folder;
  const auto copy = folder.path() / "copy.db";
  std::filesystem::copy_file(warehouse_path(), copy);  // no -wal beside it
  StartServer(copy, std::nullopt, std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));  // 16 intervals
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("silverwork_snapshot_reloads_total{result=\"ok\"} 1\n"),
            std::string::npos)
      << metrics->body;
}

TEST_F(Api, ABrokenWarehouseKeepsThePreviousSnapshot) {
  TempFolder folder;
  const auto copy = folder.path() / "copy.db";
  std::filesystem::copy_file(warehouse_path(), copy);
  StartServer(copy, std::nullopt);
  {
    auto warehouse = OpenWarehouse({.engine = "sqlite", .location = copy.string()});
    ASSERT_TRUE(warehouse.ok());
    ASSERT_TRUE((*warehouse)->Execute("DROP TABLE mart_per_capita").ok());
  }
  Status reloaded = server_->Reload();
  EXPECT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.message().find("mart_per_capita"), std::string::npos);
  EXPECT_EQ(Data("/api/v1/kpis")["postings"], 3000);
}

}  // namespace
}  // namespace silverwork::serve::testing
