#include "serve/catalog_api.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>

#include "serve/api_params.h"
#include "serve/responses.h"

namespace silverwork::serve {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 4> kSearchKinds = {"model", "source", "seed", "snapshot"};
constexpr std::array<std::string_view, 3> kDirections = {"upstream", "downstream", "both"};

json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json RowCount(const CatalogNode& node) {
  return node.row_count ? json(*node.row_count) : json(nullptr);
}

json SummaryJson(const CatalogNode& node) {
  return {{"unique_id", node.unique_id},
          {"kind", node.kind},
          {"name", node.name},
          {"description", node.description},
          {"materialized", TextOrNull(node.materialized)},
          {"row_count", RowCount(node)},
          {"columns", node.columns.size()}};
}

json ColumnsJson(const CatalogNode& node) {
  json columns = json::array();
  for (const CatalogColumn& column : node.columns)
    columns.push_back({{"name", column.name},
                       {"type", TextOrNull(column.type)},
                       {"description", column.description}});
  return columns;
}

json ResultJson(const std::optional<CatalogTestResult>& result) {
  if (!result) return nullptr;
  return {{"status", result->status},
          {"failures", result->failures},
          {"executed_at", result->executed_at},
          {"run_id", result->run_id}};
}

json TestJson(const CatalogNode& test) {
  return {{"unique_id", test.unique_id}, {"name", test.name},
          {"test_kind", test.test_kind}, {"column", TextOrNull(test.column)},
          {"severity", test.severity},   {"last_result", ResultJson(test.last_result)}};
}

json DetailJson(const DataCatalog& catalog, const CatalogNode& node) {
  json tests = json::array();
  for (size_t test : node.tests) tests.push_back(TestJson(catalog.nodes()[test]));
  json tested = json::array();
  for (size_t target : node.tested) tested.push_back(catalog.nodes()[target].unique_id);
  json detail = {{"unique_id", node.unique_id},
                 {"kind", node.kind},
                 {"name", node.name},
                 {"path", node.path},
                 {"description", node.description},
                 {"materialized", TextOrNull(node.materialized)},
                 {"relation", TextOrNull(node.relation)},
                 {"tags", node.tags},
                 {"row_count", RowCount(node)},
                 {"columns", ColumnsJson(node)},
                 {"raw_sql", TextOrNull(node.raw_sql)},
                 {"compiled_sql", TextOrNull(node.compiled_sql)},
                 {"compile_error", TextOrNull(node.compile_error)},
                 {"tests", std::move(tests)},
                 {"tested", std::move(tested)}};
  if (node.kind == "test") detail["test"] = TestJson(node);
  return detail;
}

json LineageJson(const DataCatalog& catalog, const Lineage& lineage, int depth,
                 std::string_view direction) {
  json nodes = json::array();
  for (const Lineage::Entry& entry : lineage.nodes) {
    const CatalogNode& node = catalog.nodes()[entry.node];
    nodes.push_back({{"unique_id", node.unique_id},
                     {"name", node.name},
                     {"kind", node.kind},
                     {"materialized", TextOrNull(node.materialized)},
                     {"distance", entry.distance}});
  }
  json edges = json::array();
  for (const auto& [parent, child] : lineage.edges)
    edges.push_back(
        {{"from", catalog.nodes()[parent].unique_id}, {"to", catalog.nodes()[child].unique_id}});
  return {{"depth", depth},
          {"direction", direction},
          {"nodes", std::move(nodes)},
          {"edges", std::move(edges)}};
}

// What to do about an id the catalog lacks.
std::string CatalogHint(const DataCatalog& catalog) {
  if (!catalog.problem().empty())
    return catalog.problem() + "; run `silverwork docs` to store the catalog again";
  if (catalog.empty())
    return "the warehouse holds no catalog yet: run `silverwork build` or `silverwork docs`";
  return "find node ids with GET /api/v1/catalog?q=<name>";
}

LineageDirection DirectionNamed(std::string_view name) {
  if (name == "upstream") return LineageDirection::kUpstream;
  if (name == "downstream") return LineageDirection::kDownstream;
  return LineageDirection::kBoth;
}

}  // namespace

void ServeCatalogSearch(const DataCatalog& catalog, const httplib::Request& req,
                        httplib::Response& res) {
  ParamReader params(req.params, {"q", "kind", "limit"});
  const std::string query = params.Text("q").value_or("");
  const std::optional<std::string> kind = params.Choice("kind", kSearchKinds);
  const int64_t limit =
      params.Integer("limit", 1, kMaxCatalogResults).value_or(kDefaultCatalogResults);
  if (params.bad()) return SendBadParameter(res, *params.bad());
  const std::vector<DataCatalog::Match> matches = catalog.Search(query, kind);
  json nodes = json::array();
  for (const DataCatalog::Match& match : matches) {
    if (std::ssize(nodes) == limit) break;
    json entry = SummaryJson(catalog.nodes()[match.node]);
    entry["matched_columns"] = match.columns;
    nodes.push_back(std::move(entry));
  }
  SendJson(res, 200,
           {{"data",
             {{"project", TextOrNull(catalog.project())},
              {"generated_at", TextOrNull(catalog.generated_at())},
              {"problem", TextOrNull(catalog.problem())},
              {"total", matches.size()},
              {"nodes", std::move(nodes)}}},
            {"filters",
             {{"q", TextOrNull(query)},
              {"kind", kind ? json(*kind) : json(nullptr)},
              {"limit", limit}}}});
}

void ServeCatalogNode(const DataCatalog& catalog, const httplib::Request& req,
                      httplib::Response& res) {
  ParamReader params(req.params, {"depth", "direction"});
  const int depth =
      static_cast<int>(params.Integer("depth", 0, kMaxLineageDepth).value_or(kDefaultLineageDepth));
  const std::string direction = params.Choice("direction", kDirections).value_or("both");
  if (params.bad()) return SendBadParameter(res, *params.bad());
  const std::string unique_id = req.matches[1];
  const std::optional<size_t> index = catalog.Find(unique_id);
  if (!index) {
    return SendError(res, 404, "not_found",
                     fmt::format("no node '{}' in the data catalog", unique_id),
                     CatalogHint(catalog));
  }
  const CatalogNode& node = catalog.nodes()[*index];
  SendJson(res, 200,
           {{"data",
             {{"node", DetailJson(catalog, node)},
              {"lineage",
               LineageJson(catalog, catalog.LineageOf(*index, depth, DirectionNamed(direction)),
                           depth, direction)}}}});
}

}  // namespace silverwork::serve
