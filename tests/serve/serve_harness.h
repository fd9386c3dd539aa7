// The server under test: one fixture warehouse built by the real SQL
// project on the engine under test (shared by every test of a suite, since
// building takes a moment),
// a Server on a free loopback port with a fake clock, an HTTP client, and SQL
// helpers that compute what an endpoint should answer straight from the
// marts.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "scoped_temp_dir.h"
#include "serve/serve_fixture.h"
#include "serve/server.h"
#include "warehouse_under_test.h"

namespace silverwork::serve::testing {

namespace fs = std::filesystem;
using nlohmann::json;

// One temporary folder per test (the suites' shared ScopedTempDir).
using TempFolder = ScopedTempDir;

// A SQLite warehouse file, as WarehouseOptions.
inline WarehouseOptions SqliteFile(const fs::path& path, bool read_only = false) {
  return {.engine = "sqlite", .location = path.string(), .read_only = read_only};
}

// Builds the fixture warehouse once per process (lazily) at a fixed size, on
// the engine under test (SILVERWORK_TEST_ENGINE: tests/CMakeLists.txt runs
// the suite's warehouse-reading tests a second time on PostgreSQL).
class SharedFixture {
 public:
  static const SharedFixture& Get() {
    static const SharedFixture fixture;
    return fixture;
  }
  WarehouseOptions options(bool read_only = false) const { return warehouse_.Options(read_only); }
  // The SQLite file, for the tests that copy it to change it and stay on
  // SQLite (left out of engine_env_filter_serve); the others use FixtureCopy.
  fs::path warehouse_path() const {
    EXPECT_EQ(warehouse_.engine(), "sqlite") << "this test copies the SQLite fixture file; leave "
                                                "it out of engine_env_filter_serve";
    return warehouse_.Options().location;
  }
  const Status& status() const { return status_; }

 private:
  SharedFixture() : warehouse_(EngineFromEnvironment()) {
    status_ = serve_fixture::BuildFixtureWarehouse(warehouse_.Options(), {}, SILVERWORK_SOURCE_DIR,
                                                   folder_.path() / "artifacts");
  }
  TempFolder folder_;
  WarehouseUnderTest warehouse_;
  Status status_;
};

// A copy of the shared fixture a test may change, on the engine under test:
// the SQLite file copied, or on PostgreSQL a schema of its own holding a copy
// of every table (with its keys and indexes) and view of the fixture's schema.
class FixtureCopy {
 public:
  FixtureCopy() : place_(EngineFromEnvironment()) {
    const WarehouseOptions fixture = SharedFixture::Get().options();
    if (place_.engine() == "sqlite") {
      fs::copy_file(fixture.location, place_.Options().location);
    } else {
      CopySchema(fixture);
    }
  }

  const std::string& engine() const { return place_.engine(); }
  WarehouseOptions options(bool read_only = false) const { return place_.Options(read_only); }
  // A connection for writing; null (and a test failure) when it does not open.
  std::unique_ptr<Warehouse> Open() const { return place_.Open(); }

 private:
  // Tables first made LIKE the fixture's and filled, views created again
  // from their definitions, in the fixture's order of creation (a view comes
  // after what it reads). The definitions are read with the fixture's schema
  // as the current one, so they name relations without it and read the copy.
  void CopySchema(const WarehouseOptions& fixture) {
    auto from = OpenWarehouse(fixture);
    ASSERT_TRUE(from.ok()) << from.status().ToString();
    auto into = place_.Open();
    ASSERT_NE(into, nullptr);
    auto schema = (*from)->QueryAll("SELECT quote_ident(current_schema())");
    ASSERT_TRUE(schema.ok()) << schema.status().ToString();
    const std::string source = ValueToString(schema->rows.at(0).at(0));
    auto relations = (*from)->QueryAll(
        "SELECT quote_ident(relname), relkind::text, "
        "CASE relkind WHEN 'v' THEN pg_get_viewdef(oid) END FROM pg_class "
        "WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'v') "
        "ORDER BY oid");
    ASSERT_TRUE(relations.ok()) << relations.status().ToString();
    for (const Row& relation : relations->rows) {
      const std::string name = ValueToString(relation.at(0));
      const std::string sql = ValueToString(relation.at(1)) == "v"
                                  ? "CREATE VIEW " + name + " AS " + ValueToString(relation.at(2))
                                  : "CREATE TABLE " + name + " (LIKE " + source + "." + name +
                                        " INCLUDING ALL); " + "INSERT INTO " + name +
                                        " SELECT * FROM " + source + "." + name;
      Status copied = into->Execute(sql);
      ASSERT_TRUE(copied.ok()) << copied.ToString();
    }
  }

  WarehouseUnderTest place_;
};

// The one value a SQL query answers against the fixture. A query that
// answers no row, or NULL, fails the test: where none means zero, the query
// says so (coalesce). The failed value is never a count an endpoint gives.
inline double SqlNumber(const WarehouseOptions& warehouse_options, const std::string& sql,
                        std::vector<Value> params = {}) {
  constexpr double kFailed = std::numeric_limits<double>::quiet_NaN();
  auto warehouse = OpenWarehouse(warehouse_options);
  if (!warehouse.ok()) {
    ADD_FAILURE() << warehouse.status().ToString();
    return kFailed;
  }
  auto result = (*warehouse)->QueryAll(sql, params);
  if (!result.ok()) {
    ADD_FAILURE() << result.status().ToString() << "\n" << sql;
    return kFailed;
  }
  if (result->rows.empty() || IsNull(result->rows[0][0])) {
    ADD_FAILURE() << (result->rows.empty() ? "no row" : "NULL") << " from: " << sql;
    return kFailed;
  }
  const Value& value = result->rows[0][0];
  if (const auto* real = std::get_if<double>(&value)) return *real;
  return static_cast<double>(std::get<int64_t>(value));
}

inline int64_t SqlInteger(const WarehouseOptions& warehouse_options, const std::string& sql,
                          std::vector<Value> params = {}) {
  const double value = SqlNumber(warehouse_options, sql, std::move(params));
  return value == value ? static_cast<int64_t>(value) : std::numeric_limits<int64_t>::min();
}

// The job ids of the CSV's rows, in order; checks the header line.
inline std::vector<std::string> CsvJobIds(const std::string& csv) {
  EXPECT_TRUE(csv.starts_with("\xEF\xBB\xBFjob_id,title,")) << csv.substr(0, 100);
  std::vector<std::string> ids;
  for (size_t line = csv.find("\r\n") + 2; line < csv.size(); line = csv.find("\r\n", line) + 2) {
    ids.push_back(csv.substr(line, csv.find(',', line) - line));
  }
  return ids;
}

// The fixture's data is as of its build day; the fake clock stands at noon
// of it, so timestamps the server makes are known.
inline std::chrono::system_clock::time_point FixtureNoon() {
  return serve_fixture::FixtureToday({}) + std::chrono::hours(12);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& fixture = SharedFixture::Get();
    ASSERT_TRUE(fixture.status().ok()) << fixture.status().ToString();
    StartServer(fixture.options(), std::nullopt);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  // The options the tests' servers run with: a free port, four workers,
  // the fake clock, no reloader (tests drive CheckWarehouse themselves).
  ServeOptions TestOptions(const WarehouseOptions& warehouse) {
    ServeOptions options;
    options.warehouse = warehouse;
    options.port = 0;
    options.threads = 4;
    options.reload_interval = std::chrono::milliseconds(0);
    options.clock = &clock_;
    return options;
  }

  void StartServer(const WarehouseOptions& warehouse, std::optional<fs::path> web_dir) {
    ServeOptions options = TestOptions(warehouse);
    options.web_dir = std::move(web_dir);
    StartServer(std::move(options));
  }

  void StartServer(ServeOptions options) {
    if (server_) server_->Stop();
    auto created = Server::Create(std::move(options));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(created).value();
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(30, 0);
  }

  fs::path warehouse_path() const { return SharedFixture::Get().warehouse_path(); }
  WarehouseOptions fixture_options() const { return SharedFixture::Get().options(); }

  // GETs `path` and returns the parsed body; expects `status`.
  json GetJson(const std::string& path, int status = 200) {
    auto response = client_->Get(path);
    EXPECT_TRUE(response) << path << ": " << httplib::to_string(response.error());
    if (!response) return json();
    EXPECT_EQ(response->status, status) << path << ": " << response->body;
    EXPECT_TRUE(response->get_header_value("Content-Type").starts_with("application/json")) << path;
    return json::parse(response->body, nullptr, false);
  }
  json Data(const std::string& path) { return GetJson(path)["data"]; }
  int64_t Sql(const std::string& sql, std::vector<Value> params = {}) {
    return SqlInteger(SharedFixture::Get().options(true), sql, std::move(params));
  }
  // The first column of every row `sql` answers over the fixture, as text.
  std::vector<std::string> SqlColumn(const std::string& sql) {
    auto warehouse = OpenWarehouse(SharedFixture::Get().options(true));
    EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    if (!warehouse.ok()) return {};
    auto result = (*warehouse)->QueryAll(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << sql;
    std::vector<std::string> column;
    if (result.ok()) {
      for (const Row& row : result->rows) column.push_back(ValueToString(row[0]));
    }
    return column;
  }

  FakeClock clock_{FixtureNoon()};
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace silverwork::serve::testing
