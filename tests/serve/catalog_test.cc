// DataCatalog on hand-made documents (the shape transform's catalog_store.h
// writes): links between nodes and tests, search, lineage by depth and
// direction, the tests' newest results, and a stored document that is not
// what the build writes.
#include "serve/catalog.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "warehouse_under_test.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;
using Names = std::vector<std::string>;

json Node(const std::string& kind, const std::string& name, const Names& depends_on,
          const json& extra = json::object()) {
  json node = {{"unique_id", kind + ".shop." + name},
               {"resource_type", kind},
               {"name", name},
               {"path", kind + "s/" + name + ".sql"},
               {"description", ""},
               {"columns", json::array()},
               {"depends_on", depends_on}};
  node.update(extra);
  return node;
}

// raw -> stg -> facts -> (mart_a, mart_b); seed -> mart_a; a test on facts.
std::string Document() {
  json nodes = json::object();
  auto add = [&nodes](json node) { nodes[node["unique_id"].get<std::string>()] = node; };
  add(Node("source", "raw.events", {}, {{"description", "Raw events"}}));
  add(Node("model", "stg", {"source.shop.raw.events"},
           {{"materialized", "view"},
            {"columns", {{{"name", "Region_Code"}, {"description", "지역 코드"}}}}}));
  add(Node("model", "facts", {"model.shop.stg"},
           {{"materialized", "table"},
            {"row_count", 42},
            {"description", "One row per EVENT"},
            {"compiled_sql", "select 1"},
            {"raw_sql", "select {{ 1 }}"},
            {"columns",
             {{{"name", "amount"}, {"description", ""}, {"data_type", "integer"}},
              {{"name", "region_code"}, {"description", ""}, {"data_type", "text"}}}}}));
  add(Node("seed", "regions", {}));
  add(Node("model", "mart_a", {"model.shop.facts", "seed.shop.regions"}));
  add(Node("model", "mart_b", {"model.shop.facts"}));
  add(Node("test", "not_null_facts_amount", {"model.shop.facts"},
           {{"tests", {"model.shop.facts"}},
            {"test_kind", "not_null"},
            {"column", "amount"},
            {"severity", "error"}}));
  return json{{"metadata", {{"project", "shop"}, {"generated_at", "2026-03-31T09:00:00Z"}}},
              {"nodes", nodes},
              {"edges", json::array()}}
      .dump();
}

DataCatalog Catalog(std::map<std::string, CatalogTestResult> results = {}) {
  auto catalog = DataCatalog::FromDocument(Document(), std::move(results));
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? std::move(catalog).value() : DataCatalog();
}

Names SearchNames(const DataCatalog& catalog, std::string_view query,
                  std::optional<std::string_view> kind = std::nullopt) {
  Names names;
  for (const auto& match : catalog.Search(query, kind))
    names.push_back(catalog.nodes()[match.node].name);
  return names;
}

// name:distance for each node of the lineage, in its order.
Names LineageNames(const DataCatalog& catalog, std::string_view id, int depth,
                   LineageDirection direction) {
  Names names;
  for (const auto& entry : catalog.LineageOf(*catalog.Find(id), depth, direction).nodes)
    names.push_back(catalog.nodes()[entry.node].name + ":" + std::to_string(entry.distance));
  return names;
}

TEST(DataCatalogTest, TestsHangOffTheirNodeAndCarryTheirNewestResult) {
  DataCatalog catalog =
      Catalog({{"test.shop.not_null_facts_amount",
                {.status = "fail", .failures = 3, .executed_at = "t", .run_id = "r"}}});
  EXPECT_EQ(catalog.project(), "shop");
  const CatalogNode& facts = catalog.nodes()[*catalog.Find("model.shop.facts")];
  EXPECT_EQ(facts.row_count, 42);
  EXPECT_EQ(facts.compiled_sql, "select 1");
  ASSERT_EQ(facts.tests.size(), 1u);
  const CatalogNode& test = catalog.nodes()[facts.tests[0]];
  EXPECT_EQ(test.column, "amount");
  ASSERT_TRUE(test.last_result.has_value());
  EXPECT_EQ(test.last_result->failures, 3);
  // The test is not a child in the lineage: mart_a and mart_b are.
  Names children;
  for (size_t child : facts.children) children.push_back(catalog.nodes()[child].name);
  EXPECT_EQ(children, (Names{"mart_a", "mart_b"}));
  EXPECT_FALSE(catalog.nodes()[*catalog.Find("model.shop.stg")].row_count.has_value());
}

TEST(DataCatalogTest, SearchLooksAtNamesDescriptionsPathsAndColumns) {
  DataCatalog catalog = Catalog();
  // Ordered by kind, then name; tests are never listed.
  EXPECT_EQ(SearchNames(catalog, ""),
            (Names{"facts", "mart_a", "mart_b", "stg", "regions", "raw.events"}));
  EXPECT_EQ(SearchNames(catalog, "event"), (Names{"facts", "raw.events"}));
  EXPECT_EQ(SearchNames(catalog, "REGION_code"), (Names{"facts", "stg"}));
  EXPECT_EQ(SearchNames(catalog, "지역"), (Names{"stg"}));
  EXPECT_EQ(SearchNames(catalog, "seeds/"), (Names{"regions"}));
  EXPECT_EQ(SearchNames(catalog, "not_null"), Names{});
  EXPECT_EQ(SearchNames(catalog, "mart", "model"), (Names{"mart_a", "mart_b"}));
  EXPECT_EQ(SearchNames(catalog, "mart", "seed"), Names{});
  const auto matches = catalog.Search("region", std::nullopt);
  ASSERT_FALSE(matches.empty());
  EXPECT_EQ(matches[0].columns, (Names{"region_code"}));
}

TEST(DataCatalogTest, LineageGoesAsFarAsTheDepthInTheDirectionAsked) {
  DataCatalog catalog = Catalog();
  EXPECT_EQ(LineageNames(catalog, "model.shop.facts", 0, LineageDirection::kBoth),
            (Names{"facts:0"}));
  EXPECT_EQ(LineageNames(catalog, "model.shop.facts", 1, LineageDirection::kBoth),
            (Names{"facts:0", "stg:-1", "mart_a:1", "mart_b:1"}));
  EXPECT_EQ(LineageNames(catalog, "model.shop.facts", 5, LineageDirection::kUpstream),
            (Names{"facts:0", "stg:-1", "raw.events:-2"}));
  EXPECT_EQ(LineageNames(catalog, "seed.shop.regions", 5, LineageDirection::kDownstream),
            (Names{"regions:0", "mart_a:1"}));
  // Edges join the nodes shown.
  const Lineage lineage =
      catalog.LineageOf(*catalog.Find("model.shop.mart_a"), 1, LineageDirection::kUpstream);
  EXPECT_EQ(lineage.edges.size(), 2u);
  const Lineage wider =
      catalog.LineageOf(*catalog.Find("model.shop.mart_b"), 2, LineageDirection::kUpstream);
  EXPECT_EQ(wider.nodes.size(), 3u);  // mart_b, facts, stg
  EXPECT_EQ(wider.edges.size(), 2u);
}

TEST(DataCatalogTest, ADocumentThatIsNotTheBuildsIsAnError) {
  for (const char* document :
       {"", "[]", R"({"nodes": 3})", R"({"metadata": {}, "nodes": {"x": {}}})"}) {
    auto catalog = DataCatalog::FromDocument(document, {});
    EXPECT_FALSE(catalog.ok()) << document;
  }
}

TEST(DataCatalogTest, LoadReadsTheStoredRowAndTheNewestTestResults) {
  WarehouseUnderTest place(EngineFromEnvironment());
  auto opened = place.Open();
  ASSERT_NE(opened, nullptr);
  Warehouse& warehouse = *opened;
  auto empty = LoadDataCatalog(warehouse);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE((*empty)->empty());
  EXPECT_TRUE((*empty)->problem().empty());

  ASSERT_TRUE(warehouse
                  .Execute("CREATE TABLE _sw_catalog (name TEXT PRIMARY KEY, document TEXT, "
                           "generated_at TEXT); CREATE TABLE _sw_test_failures (run_id TEXT, "
                           "test_id TEXT, status TEXT, failures INTEGER, rows_json TEXT, "
                           "executed_at TEXT)")
                  .ok());
  const Value row[] = {Document()};
  ASSERT_TRUE(
      warehouse.ExecuteWithParams("INSERT INTO _sw_catalog VALUES ('project', ?, 'x')", row).ok());
  ASSERT_TRUE(warehouse
                  .Execute("INSERT INTO _sw_test_failures VALUES "
                           "('r1', 'test.shop.not_null_facts_amount', 'fail', 2, '[]', 't1'), "
                           "('r3', 'test.shop.not_null_facts_amount', 'pass', 0, '[]', 't2'), "
                           "('r2', 'test.shop.not_null_facts_amount', 'warn', 1, '[]', 't2')")
                  .ok());
  auto loaded = LoadDataCatalog(warehouse);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const DataCatalog& catalog = **loaded;
  ASSERT_FALSE(catalog.empty());
  const CatalogNode& test = catalog.nodes()[*catalog.Find("test.shop.not_null_facts_amount")];
  ASSERT_TRUE(test.last_result.has_value());
  EXPECT_EQ(test.last_result->status, "pass");  // the newest; on a tie, the later run
  EXPECT_EQ(test.last_result->run_id, "r3");

  ASSERT_TRUE(warehouse.Execute("UPDATE _sw_catalog SET document = '{not json'").ok());
  auto unreadable = LoadDataCatalog(warehouse);
  ASSERT_TRUE(unreadable.ok()) << unreadable.status().ToString();
  EXPECT_TRUE((*unreadable)->empty());
  EXPECT_EQ((*unreadable)->problem(), "the stored data catalog is not the JSON the build writes");
}

}  // namespace
}  // namespace silverwork::serve
