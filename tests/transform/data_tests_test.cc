// Generic and singular data tests, the audit table, severities, skipping
// downstream, and source freshness.
#include "transform/data_tests/data_tests.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/clock.h"
#include "transform/data_tests/freshness.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteProject;
using Strings = std::vector<std::string>;

std::chrono::system_clock::time_point At(int year, unsigned month, unsigned day, int hour = 0) {
  return std::chrono::sys_days(std::chrono::year(year) / month / day) + std::chrono::hours(hour);
}

class DataTestsTest : public ::testing::Test {
 protected:
  void SetUp() override { warehouse_ = testing::OpenTestWarehouse(dir_.path() / "warehouse.db"); }

  Result<RunResults> Command(const std::string& command, RunOptions options = {}) {
    auto project = TransformProject::Load(dir_.path());
    if (!project.ok()) return project.status();
    options.warehouse = warehouse_.get();
    options.clock = &clock_;
    options.show_progress = false;
    if (options.run_id.empty()) options.run_id = "run-" + std::to_string(++runs_);
    if (command == "build") return project->Build(options);
    if (command == "test") return project->Test(options);
    if (command == "seed") return project->Seed(options);
    return project->Run(options);
  }

  RunResults MustRun(const std::string& command, RunOptions options = {}) {
    auto results = Command(command, std::move(options));
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *results : RunResults{};
  }

  std::map<std::string, std::string> StatusById(const RunResults& results) {
    std::map<std::string, std::string> statuses;
    for (const NodeResult& node : results.nodes)
      statuses[node.unique_id] = NodeStatusName(node.status);
    return statuses;
  }

  TempDir dir_;
  FakeClock clock_{At(2024, 6, 1, 12)};
  std::unique_ptr<Warehouse> warehouse_;
  int runs_ = 0;
};

const std::map<std::string, std::string> kShop = {
    {"silverwork_project.yml", "name: shop\n"},
    {"seeds/customers.csv", "id,name,tier\n1,Kim,gold\n2,Lee,silver\n"},
    {"seeds/orders.csv", "id,customer_id,status,amount\n10,1,shipped,100\n11,2,placed,50\n"},
    {"seeds/properties.yml",
     "seeds:\n"
     "  - name: customers\n"
     "    columns:\n"
     "      - name: id\n"
     "        tests: [unique, not_null]\n"
     "      - name: tier\n"
     "        data_tests:\n"
     "          - accepted_values: {values: [gold, silver, bronze]}\n"
     "  - name: orders\n"
     "    columns:\n"
     "      - name: status\n"
     "        tests:\n"
     "          - accepted_values:\n"
     "              values: ['placed', 'shipped']\n"
     "      - name: customer_id\n"
     "        tests:\n"
     "          - relationships:\n"
     "              to: ref('customers')\n"
     "              field: id\n"},
    {"tests/assert_positive_amounts.sql",
     "select id, amount from {{ ref('orders') }} where amount < 0"},
};

TEST_F(DataTestsTest, EveryTestKindPassesAndFailsWithAuditRows) {
  WriteProject(dir_.path(), kShop);
  RunResults passing = MustRun("build", {.run_id = "good"});
  EXPECT_TRUE(passing.ok()) << passing.Summary();
  EXPECT_EQ(passing.Count(NodeStatus::kPass), 6) << passing.Summary();
  // NOLINTBEGIN(bugprone-suspicious-missing-comma): long expected rows split
  // over two lines on purpose; the check cannot count concatenations inside
  // std::string initializers, so it calls every split suspicious.
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT test_id, status, failures, rows_json, executed_at FROM "
                 "_sw_test_failures WHERE run_id = 'good' ORDER BY test_id"),
            (Strings{"test.shop.accepted_values_customers_tier|pass|0|[]|2024-06-01T12:00:00Z",
                     "test.shop.accepted_values_orders_status|pass|0|[]|2024-06-01T12:00:00Z",
                     "test.shop.assert_positive_amounts|pass|0|[]|2024-06-01T12:00:00Z",
                     "test.shop.not_null_customers_id|pass|0|[]|2024-06-01T12:00:00Z",
                     "test.shop.relationships_orders_customer_id__customers_id|pass|0|[]|"
                     "2024-06-01T12:00:00Z",
                     "test.shop.unique_customers_id|pass|0|[]|2024-06-01T12:00:00Z"}));
  // NOLINTEND(bugprone-suspicious-missing-comma)

  WriteFile(dir_.path(), "seeds/customers.csv",
            "id,name,tier\n1,Kim,gold\n2,Lee,silver\n2,Dup,bronze\n,NoId,gold\n");
  WriteFile(dir_.path(), "seeds/orders.csv",
            "id,customer_id,status,amount\n10,1,shipped,100\n11,9,lost,50\n12,2,placed,-5\n");
  RunResults failing = MustRun("build", {.run_id = "bad"});
  EXPECT_FALSE(failing.ok());
  EXPECT_EQ(failing.Count(NodeStatus::kFail), 5) << failing.Summary();
  EXPECT_EQ(failing.Find("test.shop.unique_customers_id")->message, "1 failing row");
  EXPECT_EQ(failing.Find("test.shop.unique_customers_id")->rows_affected, 1);
  // NOLINTBEGIN(bugprone-suspicious-missing-comma): as above.
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT test_id, status, failures, rows_json FROM _sw_test_failures "
                 "WHERE run_id = 'bad' ORDER BY test_id"),
            (Strings{"test.shop.accepted_values_customers_tier|pass|0|[]",
                     "test.shop.accepted_values_orders_status|fail|1|"
                     "[{\"n_records\":1,\"value_field\":\"lost\"}]",
                     "test.shop.assert_positive_amounts|fail|1|[{\"amount\":-5,\"id\":12}]",
                     "test.shop.not_null_customers_id|fail|1|"
                     "[{\"id\":null,\"name\":\"NoId\",\"tier\":\"gold\"}]",
                     "test.shop.relationships_orders_customer_id__customers_id|fail|1|"
                     "[{\"from_field\":9}]",
                     "test.shop.unique_customers_id|fail|1|"
                     "[{\"n_records\":2,\"unique_field\":2}]"}));
  // NOLINTEND(bugprone-suspicious-missing-comma)
  // The summary names every failure.
  const std::string summary = failing.Summary();
  for (const char* id : {"test.shop.unique_customers_id", "test.shop.not_null_customers_id",
                         "test.shop.accepted_values_orders_status",
                         "test.shop.relationships_orders_customer_id__customers_id",
                         "test.shop.assert_positive_amounts"})
    EXPECT_NE(summary.find(std::string("fail ") + id), std::string::npos) << summary;
}

TEST_F(DataTestsTest, AuditKeepsAtMostAHundredFailingRowsButCountsAll) {
  std::string csv = "id,flag\n";
  for (int i = 0; i < 150; ++i) csv += std::to_string(i) + ",\n";
  WriteProject(dir_.path(), {{"silverwork_project.yml", "name: shop\n"},
                             {"seeds/many.csv", csv},
                             {"seeds/p.yml",
                              "seeds:\n  - name: many\n    columns:\n      - name: "
                              "flag\n        tests: [not_null]\n"}});
  RunResults results = MustRun("build", {.run_id = "many"});
  EXPECT_EQ(results.Find("test.shop.not_null_many_flag")->rows_affected, 150);
  auto audit = warehouse_->QueryAll(
      "SELECT failures, rows_json FROM _sw_test_failures WHERE run_id = 'many'");
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_EQ(audit->rows.size(), 1u);
  EXPECT_EQ(ValueToString(audit->rows[0][0]), "150");
  EXPECT_EQ(nlohmann::json::parse(ValueToString(audit->rows[0][1])).size(), 100u);
}

const std::map<std::string, std::string> kLayers = {
    {"silverwork_project.yml", "name: shop\n"},
    {"seeds/orders.csv", "id,amount\n1,10\n1,20\n2,5\n"},
    {"seeds/customers.csv", "id\n1\n"},
    {"models/stg_orders.sql", "select id, amount from {{ ref('orders') }}"},
    {"models/fct_orders.sql",
     "{{ config(materialized='table') }}select sum(amount) as total from {{ ref('stg_orders') }}"},
    {"models/fct_report.sql", "select * from {{ ref('fct_orders') }}"},
    {"models/dim_customers.sql",
     "{{ config(materialized='table') }}select id from {{ ref('customers') }}"},
    {"models/schema.yml",
     "models:\n"
     "  - name: stg_orders\n"
     "    columns:\n"
     "      - name: id\n"
     "        tests:\n"
     "          - unique\n"
     "          - not_null\n"},
};

TEST_F(DataTestsTest, FailingErrorTestSkipsEverythingDownstreamOnly) {
  WriteProject(dir_.path(), kLayers);
  RunResults results = MustRun("build");
  EXPECT_EQ(StatusById(results),
            (std::map<std::string, std::string>{
                {"seed.shop.customers", "success"},
                {"seed.shop.orders", "success"},
                {"model.shop.stg_orders", "success"},
                {"test.shop.unique_stg_orders_id", "fail"},
                {"test.shop.not_null_stg_orders_id", "pass"},  // tests of the same model still run
                {"model.shop.fct_orders", "skipped"},
                {"model.shop.fct_report", "skipped"},
                {"model.shop.dim_customers", "success"},  // not downstream: still built
            }));
  EXPECT_EQ(results.Find("model.shop.fct_orders")->message,
            "skipped: test test.shop.unique_stg_orders_id failed on model.shop.stg_orders");
  EXPECT_EQ(results.Find("model.shop.fct_report")->message,
            "skipped: test test.shop.unique_stg_orders_id failed on model.shop.stg_orders");
  EXPECT_EQ(results.Summary(),
            "build finished in " + fmt::format("{:.2f}", results.elapsed_seconds) +
                "s: 8 nodes: 4 success, 1 pass, 1 fail, 2 skipped\n"
                "  fail test.shop.unique_stg_orders_id (models/schema.yml): 1 failing row\n"
                "  2 nodes skipped");
}

// With several workers a model still waits for the tests on what it reads,
// and the results come back in the manifest's order.
TEST_F(DataTestsTest, SeveralThreadsSkipTheSameNodesAndReportInDagOrder) {
  auto files = kLayers;
  files["models/other_report.sql"] = "select count(*) as n from {{ ref('stg_orders') }}";
  WriteProject(dir_.path(), files);
  RunResults sequential = MustRun("build", {.run_id = "one", .threads = 1});
  RunResults parallel = MustRun("build", {.run_id = "three", .threads = 3});
  EXPECT_EQ(StatusById(parallel), StatusById(sequential));
  EXPECT_EQ(StatusById(parallel)["model.shop.other_report"], "skipped");
  EXPECT_EQ(StatusById(parallel)["model.shop.dim_customers"], "success");
  ASSERT_EQ(parallel.nodes.size(), sequential.nodes.size());
  std::set<int> threads;
  for (size_t at = 0; at < parallel.nodes.size(); ++at) {
    const NodeResult& node = parallel.nodes[at];
    EXPECT_EQ(node.unique_id, sequential.nodes[at].unique_id);
    if (node.status == NodeStatus::kSkipped) {
      EXPECT_EQ(node.thread, 0) << node.unique_id;
    } else {
      EXPECT_GE(node.thread, 1) << node.unique_id;
      EXPECT_LE(node.thread, 3) << node.unique_id;
      threads.insert(node.thread);
    }
  }
  // The two seeds wait for nothing: they start at once, on two workers.
  EXPECT_GE(threads.size(), 2u);
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT status FROM _sw_test_failures WHERE run_id = 'three' "
                 "AND test_id = 'test.shop.unique_stg_orders_id'"),
            Strings{"fail"});
}

TEST_F(DataTestsTest, WarnSeverityRecordsAWarningAndSkipsNothing) {
  auto files = kLayers;
  files["models/schema.yml"] =
      "models:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests:\n"
      "          - unique:\n              config:\n                severity: warn\n";
  WriteProject(dir_.path(), files);
  RunResults results = MustRun("build", {.run_id = "warned"});
  EXPECT_TRUE(results.ok()) << results.Summary();
  EXPECT_EQ(StatusById(results)["test.shop.unique_stg_orders_id"], "warn");
  EXPECT_EQ(StatusById(results)["model.shop.fct_report"], "success");
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT status, failures FROM _sw_test_failures WHERE run_id = "
                 "'warned'"),
            Strings{"warn|1"});
}

TEST_F(DataTestsTest, ProjectLevelSeverityAndLegacySyntax) {
  auto files = kLayers;
  files["silverwork_project.yml"] = "name: shop\ntests:\n  +severity: warn\n";
  WriteProject(dir_.path(), files);
  EXPECT_EQ(StatusById(MustRun("build"))["test.shop.unique_stg_orders_id"], "warn");

  files["silverwork_project.yml"] = "name: shop\n";
  files["models/schema.yml"] =
      "models:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests:\n"
      "          - unique:\n              severity: warn\n";
  WriteProject(dir_.path(), files);
  EXPECT_EQ(StatusById(MustRun("build"))["test.shop.unique_stg_orders_id"], "warn");
}

TEST_F(DataTestsTest, ABrokenTestIsAnErrorAndBlocksDownstream) {
  auto files = kLayers;
  files["models/schema.yml"] =
      "models:\n  - name: stg_orders\n    columns:\n      - name: order_id\n        tests: "
      "[not_null]\n";
  WriteProject(dir_.path(), files);
  RunResults results = MustRun("build", {.run_id = "broken"});
  const NodeResult* test = results.Find("test.shop.not_null_stg_orders_order_id");
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(test->status, NodeStatus::kError);
  EXPECT_NE(test->message.find(testing::NoSuchColumnMessage("order_id")), std::string::npos)
      << test->message;
  EXPECT_EQ(StatusById(results)["model.shop.fct_orders"], "skipped");
  EXPECT_EQ(Rows(*warehouse_, "SELECT status FROM _sw_test_failures WHERE run_id = 'broken'"),
            Strings{"error"});
}

TEST_F(DataTestsTest, ModelErrorSkipsDescendantsAndTheirTests) {
  auto files = kLayers;
  files["models/stg_orders.sql"] = "select id, amount from {{ ref('orders') }} where";
  WriteProject(dir_.path(), files);
  RunResults results = MustRun("build");
  EXPECT_EQ(StatusById(results), (std::map<std::string, std::string>{
                                     {"seed.shop.customers", "success"},
                                     {"seed.shop.orders", "success"},
                                     {"model.shop.stg_orders", "error"},
                                     {"test.shop.unique_stg_orders_id", "skipped"},
                                     {"test.shop.not_null_stg_orders_id", "skipped"},
                                     {"model.shop.fct_orders", "skipped"},
                                     {"model.shop.fct_report", "skipped"},
                                     {"model.shop.dim_customers", "success"},
                                 }));
  EXPECT_EQ(results.Find("model.shop.fct_report")->message,
            "skipped: upstream model.shop.stg_orders failed");
}

TEST_F(DataTestsTest, FailFastSkipsTheRest) {
  auto files = kLayers;
  files["models/dim_customers.sql"] = "select nope from {{ ref('customers') }}";
  WriteProject(dir_.path(), files);
  RunResults results = MustRun("build", {.fail_fast = true});
  // stg_orders does not depend on dim_customers, which fails first.
  EXPECT_EQ(StatusById(results)["model.shop.dim_customers"], "error");
  EXPECT_EQ(StatusById(results)["model.shop.stg_orders"], "skipped");
  EXPECT_EQ(results.Find("model.shop.stg_orders")->message,
            "skipped: --fail-fast stopped the run after model.shop.dim_customers failed");
  EXPECT_EQ(results.Count(NodeStatus::kSkipped), 5);
}

// With several threads the nodes already running when a node fails still
// finish; nothing starts after it, and every node is reported. Which
// failure comes first (the broken model, or the failing unique test on
// another branch) depends on timing.
TEST_F(DataTestsTest, FailFastWithSeveralThreadsReportsEveryNode) {
  auto files = kLayers;
  files["models/dim_customers.sql"] = "select nope from {{ ref('customers') }}";
  WriteProject(dir_.path(), files);
  RunResults results = MustRun("build", {.fail_fast = true, .threads = 3});
  EXPECT_EQ(results.nodes.size(), 8u);
  std::set<std::string> failed;
  for (const NodeResult& node : results.nodes)
    if (node.status == NodeStatus::kError || node.status == NodeStatus::kFail)
      failed.insert(node.unique_id);
  ASSERT_FALSE(failed.empty());
  EXPECT_TRUE(failed.contains("model.shop.dim_customers") ||
              failed.contains("test.shop.unique_stg_orders_id"));
  EXPECT_EQ(StatusById(results)["model.shop.fct_report"], "skipped");
  for (const NodeResult& node : results.nodes) {
    if (node.status != NodeStatus::kSkipped) continue;
    const std::string prefix = "skipped: --fail-fast stopped the run after ";
    if (node.message.starts_with(prefix)) {
      std::string first = node.message.substr(prefix.size());
      first = first.substr(0, first.find(' '));
      EXPECT_TRUE(failed.contains(first)) << node.unique_id << ": " << node.message;
    } else {
      EXPECT_TRUE(node.message.starts_with("skipped: upstream") ||
                  node.message.starts_with("skipped: test"))
          << node.unique_id << ": " << node.message;
    }
  }
}

TEST_F(DataTestsTest, TestCommandRunsOnlyTests) {
  WriteProject(dir_.path(), kLayers);
  MustRun("seed");
  MustRun("run");
  RunResults results = MustRun("test", {.select = {"stg_orders"}});
  EXPECT_EQ(StatusById(results),
            (std::map<std::string, std::string>{{"test.shop.unique_stg_orders_id", "fail"},
                                                {"test.shop.not_null_stg_orders_id", "pass"}}));
}

const std::map<std::string, std::string> kFreshness = {
    {"silverwork_project.yml", "name: shop\n"},
    {"models/sources.yml",
     "sources:\n"
     "  - name: raw\n"
     "    loaded_at_field: _loaded_at\n"
     "    freshness:\n"
     "      warn_after: {count: 12, period: hour}\n"
     "      error_after: {count: 1, period: day}\n"
     "    tables:\n"
     "      - name: loads\n"
     "      - name: static\n"
     "        freshness: null\n"},
    {"models/recent.sql", "select * from {{ source('raw', 'loads') }}"},
};

TEST_F(DataTestsTest, FreshnessPassWarnErrorWithAFakeClock) {
  WriteProject(dir_.path(), kFreshness);
  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE TABLE loads (id INTEGER, _loaded_at TEXT); "
                            "CREATE TABLE static (id INTEGER)")
                  .ok());
  auto freshness = [&](const std::string& loaded_at) {
    EXPECT_TRUE(warehouse_->Execute("DELETE FROM loads").ok());
    if (!loaded_at.empty()) {
      EXPECT_TRUE(warehouse_
                      ->Execute("INSERT INTO loads VALUES (1, '2024-05-01T00:00:00Z'), (2, '" +
                                loaded_at + "')")
                      .ok());
    }
    RunResults results = MustRun("test", {.run_id = "fresh-" + loaded_at});
    EXPECT_EQ(results.nodes.size(), 1u);  // 'static' has freshness: null
    return results.nodes.empty() ? NodeResult{} : results.nodes[0];
  };
  // The clock says 2024-06-01T12:00:00Z.
  NodeResult fresh = freshness("2024-06-01T11:00:00Z");
  EXPECT_EQ(fresh.unique_id, "source.shop.raw.loads");
  EXPECT_EQ(fresh.status, NodeStatus::kPass);
  EXPECT_EQ(fresh.message,
            "latest _loaded_at = 2024-06-01T11:00:00Z is 1.0 hours old (warn "
            "after 12 hours, error after 1 day)");
  EXPECT_EQ(freshness("2024-06-01 02:30:00+09:00").status, NodeStatus::kWarn);  // 18.5 h in UTC
  NodeResult stale = freshness("2024-05-31T11:00:00Z");
  EXPECT_EQ(stale.status, NodeStatus::kError);
  EXPECT_EQ(stale.message,
            "latest _loaded_at = 2024-05-31T11:00:00Z is 25.0 hours old (warn "
            "after 12 hours, error after 1 day)");
  NodeResult empty = freshness("");
  EXPECT_EQ(empty.status, NodeStatus::kError);
  EXPECT_EQ(empty.message, "no rows: max(_loaded_at) is NULL");
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT run_id, status, failures, rows_json FROM _sw_test_failures "
                 "WHERE test_id = 'source.shop.raw.loads' ORDER BY run_id"),
            (Strings{"fresh-|error|1|[]",
                     "fresh-2024-05-31T11:00:00Z|error|1|[{\"age_seconds\":90000,"
                     "\"max_loaded_at\":\"2024-05-31T11:00:00Z\"}]",
                     "fresh-2024-06-01 02:30:00+09:00|warn|1|[{\"age_seconds\":66600,"
                     "\"max_loaded_at\":\"2024-06-01 02:30:00+09:00\"}]",
                     "fresh-2024-06-01T11:00:00Z|pass|0|[{\"age_seconds\":3600,\"max_loaded_at\":"
                     "\"2024-06-01T11:00:00Z\"}]"}));
}

TEST_F(DataTestsTest, StaleSourcesDoNotSkipModelsInBuild) {
  WriteProject(dir_.path(), kFreshness);
  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE TABLE loads (id INTEGER, _loaded_at TEXT); "
                            "INSERT INTO loads VALUES (1, '2024-01-01')")
                  .ok());
  RunResults results = MustRun("build");
  EXPECT_EQ(StatusById(results),
            (std::map<std::string, std::string>{{"source.shop.raw.loads", "error"},
                                                {"model.shop.recent", "success"}}));
  EXPECT_FALSE(results.ok());
}

TEST(TimestampTest, ParsesTheFormatsSourcesUse) {
  using std::chrono::system_clock;
  auto parse = [](const Value& value) { return ParseTimestamp(value); };
  const auto noon = At(2024, 6, 1, 12);
  EXPECT_EQ(parse(std::string("2024-06-01T12:00:00Z")), noon);
  EXPECT_EQ(parse(std::string("2024-06-01 12:00:00")), noon);
  EXPECT_EQ(parse(std::string("2024-06-01T21:00:00+09:00")), noon);
  EXPECT_EQ(parse(std::string("2024-06-01T12:00:00.250Z")), noon);  // fraction dropped
  EXPECT_EQ(parse(std::string("2024-06-01T12:00")), noon);
  EXPECT_EQ(parse(std::string("20240601120000")), noon);
  EXPECT_EQ(parse(std::string("2024-06-01")), At(2024, 6, 1));
  EXPECT_EQ(parse(std::string("20240601")), At(2024, 6, 1));
  EXPECT_EQ(parse(int64_t{1717243200}), noon);
  EXPECT_EQ(parse(std::string("2024-02-30")), std::nullopt);
  EXPECT_EQ(parse(std::string("yesterday")), std::nullopt);
  EXPECT_EQ(parse(std::string("2024-06-01T12:00:00 junk")), std::nullopt);
  EXPECT_EQ(parse(Value()), std::nullopt);
}

}  // namespace
}  // namespace silverwork::transform
