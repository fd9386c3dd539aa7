// The server under test: one fixture warehouse built by the real SQL
// project (shared by every test of a suite, since building takes a moment),
// a Server on a free loopback port, an HTTP client, and SQL helpers that
// compute what an endpoint should answer straight from the marts.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "scoped_temp_dir.h"
#include "serve/serve_fixture.h"
#include "serve/server.h"

namespace silverwork::serve::testing {

namespace fs = std::filesystem;
using nlohmann::json;

// One temporary folder per test (the suites' shared ScopedTempDir).
using TempFolder = ScopedTempDir;

// Builds the fixture warehouse once per process (lazily) at a fixed size.
class SharedFixture {
 public:
  static const SharedFixture& Get() {
    static const SharedFixture fixture;
    return fixture;
  }
  const fs::path& warehouse_path() const { return path_; }
  const Status& status() const { return status_; }

 private:
  SharedFixture() {
    path_ = folder_.path() / "fixture.db";
    status_ = serve_fixture::BuildFixtureWarehouse(path_, {}, SILVERWORK_SOURCE_DIR,
                                                   folder_.path() / "artifacts");
  }
  TempFolder folder_;
  fs::path path_;
  Status status_;
};

// Answers a single-value SQL query against the fixture.
inline int64_t SqlInteger(const fs::path& warehouse_path, const std::string& sql,
                          std::vector<Value> params = {}) {
  auto warehouse =
      OpenWarehouse({.engine = "sqlite", .location = warehouse_path.string(), .read_only = true});
  EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  auto result = (*warehouse)->QueryAll(sql, params);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok() || result->rows.empty() || IsNull(result->rows[0][0])) return 0;
  const Value& value = result->rows[0][0];
  if (const auto* real = std::get_if<double>(&value)) return static_cast<int64_t>(*real);
  return std::get<int64_t>(value);
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& fixture = SharedFixture::Get();
    ASSERT_TRUE(fixture.status().ok()) << fixture.status().ToString();
    StartServer(fixture.warehouse_path(), std::nullopt);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  void StartServer(const fs::path& warehouse, std::optional<fs::path> web_dir,
                   std::chrono::milliseconds reload_interval = std::chrono::milliseconds(0)) {
    if (server_) server_->Stop();
    ServeOptions options;
    options.warehouse = {.engine = "sqlite", .location = warehouse.string()};
    options.port = 0;
    options.threads = 4;
    options.web_dir = std::move(web_dir);
    options.reload_interval = reload_interval;
    auto created = Server::Create(std::move(options));
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(created).value();
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(30, 0);
  }

  const fs::path& warehouse_path() const { return SharedFixture::Get().warehouse_path(); }

  // GETs `path` and returns the parsed body; expects `status`.
  json GetJson(const std::string& path, int status = 200) {
    auto response = client_->Get(path.c_str());
    EXPECT_TRUE(response) << path << ": " << httplib::to_string(response.error());
    if (!response) return json();
    EXPECT_EQ(response->status, status) << path << ": " << response->body;
    EXPECT_TRUE(response->get_header_value("Content-Type").starts_with("application/json")) << path;
    return json::parse(response->body, nullptr, false);
  }
  json Data(const std::string& path) { return GetJson(path)["data"]; }
  int64_t Sql(const std::string& sql, std::vector<Value> params = {}) {
    return SqlInteger(warehouse_path(), sql, std::move(params));
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace silverwork::serve::testing
