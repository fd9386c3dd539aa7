// The data catalog the build stores in the warehouse (catalog_store.h), on
// every engine: what `serve` replicas read instead of the build's files.
#include "transform/runner/catalog_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "spy_warehouse.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::WriteProject;

const std::map<std::string, std::string> kCatalogProject = {
    {"silverwork_project.yml", "name: shop\nversion: '1.0'\nconfig-version: 2\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n"
     "        description: 지역별 사건\n"},
    {"models/by_region.sql",
     "{{ config(materialized='table') }}\n"
     "select region, cast(count(*) as integer) as events from {{ source('raw', 'events') }} group "
     "by region\n"},
    {"models/totals.sql",
     "{{ config(materialized='table') }}\n"
     "select sum(events) as events from {{ ref('by_region') }}\n"},
    // A view reads only the source: PostgreSQL refuses to drop a table a view
    // depends on, which a rebuild of by_region does.
    {"models/big_events.sql", "select * from {{ source('raw', 'events') }} where amount > 15\n"},
    {"models/_models.yml",
     "version: 2\nmodels:\n  - name: by_region\n    description: Events per region\n"
     "    columns:\n      - name: region\n        description: 지역 이름\n"
     "        tests: [not_null]\n"},
    {"tests/assert_few_events_per_region.sql",
     "select * from {{ ref('by_region') }} where events > 5\n"},
};

class CatalogStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = under_test_.Open();
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(warehouse_
                    ->Execute("CREATE TABLE events (region TEXT, amount INTEGER); "
                              "INSERT INTO events VALUES ('N', 10), ('S', 20), ('N', 30)")
                    .ok());
    WriteProject(dir_.path(), kCatalogProject);
  }

  RunOptions Options(Warehouse& warehouse) {
    return {.warehouse = &warehouse, .artifacts_dir = dir_.path() / "target", .clock = &clock_};
  }

  // The stored document, parsed; null when there is none.
  json StoredDocument() {
    auto rows = warehouse_->QueryAll("SELECT document FROM _sw_catalog WHERE name = 'project'");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->rows.size() != 1) return nullptr;
    return json::parse(ValueToString(rows->rows[0][0]));
  }

  WarehouseUnderTest under_test_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
  TempDir dir_;
  FakeClock clock_{std::chrono::sys_days(std::chrono::year(2026) / 3 / 31) + std::chrono::hours(9)};
};

TEST_P(CatalogStoreTest, ABuildStoresNodesColumnsRowCountsAndSql) {
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto results = project->Build(Options(*warehouse_));
  ASSERT_TRUE(results.ok()) << results.status().ToString();

  json document = StoredDocument();
  ASSERT_TRUE(document.is_object());
  EXPECT_EQ(document["metadata"]["project"], "shop");
  EXPECT_EQ(document["metadata"]["generated_at"], "2026-03-31T09:00:00Z");
  const json& by_region = document["nodes"]["model.shop.by_region"];
  EXPECT_EQ(by_region["description"], "Events per region");
  EXPECT_EQ(by_region["materialized"], "table");
  EXPECT_EQ(by_region["row_count"], 2);  // N and S
  EXPECT_EQ(by_region["raw_sql"], kCatalogProject.at("models/by_region.sql"));
  EXPECT_NE(by_region["compiled_sql"].get<std::string>().find("\"events\""), std::string::npos)
      << by_region["compiled_sql"];
  ASSERT_EQ(by_region["columns"].size(), 2u);
  EXPECT_EQ(by_region["columns"][0],
            (json{{"name", "region"}, {"description", "지역 이름"}, {"data_type", "text"}}));
  EXPECT_EQ(by_region["columns"][1],
            (json{{"name", "events"}, {"description", ""}, {"data_type", "integer"}}));

  const json& totals = document["nodes"]["model.shop.totals"];
  EXPECT_EQ(totals["row_count"], 1);
  EXPECT_EQ(totals["depends_on"], json::array({"model.shop.by_region"}));

  const json& big_events = document["nodes"]["model.shop.big_events"];
  EXPECT_EQ(big_events["materialized"], "view");
  EXPECT_EQ(big_events["row_count"], 2);  // 20 and 30

  const json& source = document["nodes"]["source.shop.raw.events"];
  EXPECT_EQ(source["description"], "지역별 사건");
  EXPECT_EQ(source["row_count"], 3);
  EXPECT_TRUE(source["compiled_sql"].is_null());

  const json& singular = document["nodes"]["test.shop.assert_few_events_per_region"];
  EXPECT_EQ(singular["test_kind"], "singular");
  EXPECT_EQ(singular["raw_sql"], kCatalogProject.at("tests/assert_few_events_per_region.sql"));
  EXPECT_NE(singular["compiled_sql"].get<std::string>().find("events > 5"), std::string::npos);
  int generic_tests = 0;
  for (const auto& [id, node] : document["nodes"].items()) {
    if (node["test_kind"] != "not_null") continue;
    ++generic_tests;
    EXPECT_EQ(node["tests"], json::array({"model.shop.by_region"}));
    EXPECT_EQ(node["column"], "region");
    EXPECT_TRUE(node["raw_sql"].is_null());
    EXPECT_NE(node["compiled_sql"].get<std::string>().find("region"), std::string::npos);
  }
  EXPECT_EQ(generic_tests, 1);
}

TEST_P(CatalogStoreTest, ANewBuildReplacesTheDocumentAndAdvancesTheGeneration) {
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  ASSERT_TRUE(project->Build(Options(*warehouse_)).ok());
  auto first = warehouse_->BuildGeneration();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO events VALUES ('E', 5)").ok());
  clock_.Advance(std::chrono::hours(1));
  auto rebuilt = project->Build(Options(*warehouse_));
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_TRUE(rebuilt->ok()) << rebuilt->Summary();
  auto second = warehouse_->BuildGeneration();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_EQ(CountRows(*warehouse_, "_sw_catalog"), 1);
  json document = StoredDocument();
  EXPECT_EQ(document["nodes"]["model.shop.by_region"]["row_count"], 3);
  EXPECT_EQ(document["metadata"]["generated_at"], "2026-03-31T10:00:00Z");
}

TEST_P(CatalogStoreTest, TheCatalogAndTheGenerationCommitTogether) {
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  testing::SpyWarehouse spy(*warehouse_);
  std::vector<std::string> statements;
  spy.before_statement = [&statements](std::string_view sql) {
    if (sql == "BEGIN" || sql == "COMMIT" || sql.find("_sw_catalog") != sql.npos ||
        sql.find("_sw_state") != sql.npos)
      statements.emplace_back(sql.substr(0, 30));
  };
  ASSERT_TRUE(project->Build(Options(spy)).ok());
  // The last transaction holds the catalog's write and the generation's.
  auto begin = std::find(statements.rbegin(), statements.rend(), "BEGIN");
  ASSERT_NE(begin, statements.rend());
  std::vector<std::string> last(begin.base() - 1, statements.end());
  ASSERT_GE(last.size(), 4u) << ::testing::PrintToString(statements);
  EXPECT_EQ(last.back(), "COMMIT");
  EXPECT_TRUE(std::any_of(last.begin(), last.end(), [](const std::string& sql) {
    return sql.starts_with("INSERT INTO \"_sw_catalog\"");
  })) << ::testing::PrintToString(last);
  EXPECT_TRUE(std::any_of(last.begin(), last.end(), [](const std::string& sql) {
    return sql.starts_with("INSERT INTO \"_sw_state\"");
  })) << ::testing::PrintToString(last);
}

TEST_P(CatalogStoreTest, DocsStoresTheCatalogToo) {
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  RunOptions options = Options(*warehouse_);
  options.select = {"by_region"};
  ASSERT_TRUE(project->Run(options).ok());
  ASSERT_TRUE(warehouse_->Execute("DELETE FROM _sw_catalog").ok());
  clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(project->Docs(Options(*warehouse_)).ok());
  json document = StoredDocument();
  ASSERT_TRUE(document.is_object());
  EXPECT_EQ(document["metadata"]["generated_at"], "2026-03-31T09:05:00Z");
  EXPECT_EQ(document["nodes"]["model.shop.by_region"]["row_count"], 2);
  // totals was never built: no row count, its SQL all the same.
  EXPECT_TRUE(document["nodes"]["model.shop.totals"]["row_count"].is_null());
  EXPECT_EQ(document["nodes"]["model.shop.totals"]["raw_sql"],
            kCatalogProject.at("models/totals.sql"));
}

INSTANTIATE_TEST_SUITE_P(Engines, CatalogStoreTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

}  // namespace
}  // namespace silverwork::transform
