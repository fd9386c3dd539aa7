// The pipelines API under test: the shared fixture warehouse copied (on the
// engine under test, FixtureCopy) and
// filled with the scheduler's state of tests/serve/scheduler_fixture.h (as
// of the fake clock's noon), served with the shipped pipelines.yml and, by
// default, an operator token; POST helpers; and SQL over the scheduler's
// tables, which the tests compare the API's answers with.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "serve/scheduler_fixture.h"
#include "serve/serve_harness.h"

namespace silverwork::serve::testing {

inline constexpr const char* kOperatorToken = "op-token-7f3a9c21d4e85b60";

// Built once per process: the shared fixture plus the scheduler's state.
class PipelinesFixture {
 public:
  static const PipelinesFixture& Get() {
    static const PipelinesFixture fixture;
    return fixture;
  }
  WarehouseOptions warehouse(bool read_only = false) const { return copy_.options(read_only); }
  const fs::path& logs_dir() const { return logs_; }
  const Status& status() const { return status_; }

 private:
  PipelinesFixture() {
    const auto& shared = SharedFixture::Get();
    status_ = shared.status();
    if (!status_.ok()) return;
    logs_ = folder_.path() / "logs";
    auto warehouse = OpenWarehouse(copy_.options());
    status_ = warehouse.ok() ? serve_fixture::FillSchedulerState(**warehouse, PipelinesFile(),
                                                                 logs_, FixtureNoon())
                             : warehouse.status();
  }

 public:
  static fs::path PipelinesFile() { return fs::path(SILVERWORK_SOURCE_DIR) / "pipelines.yml"; }

 private:
  TempFolder folder_;
  FixtureCopy copy_;
  fs::path logs_;
  Status status_;
};

class PipelinesApiTest : public ServerTest {
 protected:
  void SetUp() override {
    const auto& fixture = PipelinesFixture::Get();
    ASSERT_TRUE(fixture.status().ok()) << fixture.status().ToString();
    StartServer(PipelinesOptions(kOperatorToken));
  }

  ServeOptions PipelinesOptions(
      std::string token, const WarehouseOptions& warehouse = PipelinesFixture::Get().warehouse()) {
    ServeOptions options = TestOptions(warehouse);
    options.pipelines_file = PipelinesFixture::PipelinesFile();
    options.api_token = std::move(token);
    return options;
  }

  // POSTs `body` (JSON) with `token` as bearer ("" sends no Authorization).
  httplib::Result Post(const std::string& path, const std::string& body = "",
                       const std::string& token = kOperatorToken) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client_->Post(path, headers, body, "application/json");
  }

  // The parsed body of a POST answered with `status`.
  json PostJson(const std::string& path, const std::string& body, int status,
                const std::string& token = kOperatorToken) {
    auto response = Post(path, body, token);
    EXPECT_TRUE(response) << path;
    if (!response) return json();
    EXPECT_EQ(response->status, status) << path << " " << body << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }

  // Every row `sql` answers over the pipelines fixture, each value as text ("" for NULL).
  std::vector<std::vector<std::string>> SqlRows(const std::string& sql,
                                                std::vector<Value> params = {}) {
    auto warehouse = OpenWarehouse(PipelinesFixture::Get().warehouse(/*read_only=*/true));
    EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    if (!warehouse.ok()) return {};
    auto result = (*warehouse)->QueryAll(sql, params);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << sql;
    std::vector<std::vector<std::string>> rows;
    if (!result.ok()) return rows;
    for (const Row& row : result->rows) {
      std::vector<std::string> texts;
      for (const Value& value : row) texts.push_back(IsNull(value) ? "" : ValueToString(value));
      rows.push_back(std::move(texts));
    }
    return rows;
  }
  std::vector<std::string> SqlTexts(const std::string& sql, std::vector<Value> params = {}) {
    std::vector<std::string> column;
    for (auto& row : SqlRows(sql, std::move(params))) column.push_back(row.at(0));
    return column;
  }
  int64_t SqlCount(const std::string& sql, std::vector<Value> params = {}) {
    return SqlInteger(PipelinesFixture::Get().warehouse(/*read_only=*/true), sql,
                      std::move(params));
  }

  // The newest postings_daily run whose window ends `days_before` the last ended day.
  std::string DailyRunEnding(int days_before) {
    const std::string day = LastDay().AddDays(-days_before).Iso();
    auto ids = SqlTexts(
        "SELECT run_id FROM _sw_sched_runs WHERE pipeline = 'postings_daily' AND partition_to = ? "
        "ORDER BY queued_at DESC",
        {Value(day)});
    EXPECT_FALSE(ids.empty()) << "no postings_daily run ends on " << day;
    return ids.empty() ? "" : ids.front();
  }

  // The KST day that ended last at the fake clock's noon.
  static Date LastDay() { return Date::KoreaDay(FixtureNoon()).AddDays(-1); }
};

}  // namespace silverwork::serve::testing
