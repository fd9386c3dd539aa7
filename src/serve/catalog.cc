#include "serve/catalog.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <nlohmann/json.hpp>
#include <tuple>

namespace silverwork::serve {
namespace {

using nlohmann::json;

// A text field; "" when missing or null.
std::string Text(const json& entry, std::string_view key) {
  auto found = entry.find(key);
  return found == entry.end() || !found->is_string() ? std::string() : found->get<std::string>();
}

std::vector<std::string> Texts(const json& entry, std::string_view key) {
  std::vector<std::string> out;
  auto found = entry.find(key);
  if (found == entry.end() || !found->is_array()) return out;
  for (const json& item : *found)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

CatalogNode NodeFrom(const json& entry) {
  CatalogNode node{
      .unique_id = entry.at("unique_id").get<std::string>(),
      .kind = entry.at("resource_type").get<std::string>(),
      .name = Text(entry, "name"),
      .path = Text(entry, "path"),
      .description = Text(entry, "description"),
      .materialized = Text(entry, "materialized"),
      .relation = Text(entry, "relation"),
      .tags = Texts(entry, "tags"),
      .raw_sql = Text(entry, "raw_sql"),
      .compiled_sql = Text(entry, "compiled_sql"),
      .compile_error = Text(entry, "compile_error"),
      .severity = Text(entry, "severity"),
      .test_kind = Text(entry, "test_kind"),
      .column = Text(entry, "column"),
  };
  if (auto count = entry.find("row_count"); count != entry.end() && count->is_number_integer())
    node.row_count = count->get<int64_t>();
  if (auto columns = entry.find("columns"); columns != entry.end() && columns->is_array()) {
    for (const json& column : *columns)
      node.columns.push_back({.name = Text(column, "name"),
                              .type = Text(column, "data_type"),
                              .description = Text(column, "description")});
  }
  return node;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool Contains(std::string_view text, std::string_view lowered_query) {
  return AsciiLower(text).find(lowered_query) != std::string::npos;
}

// The newest audit row of each test (ties on executed_at: the later run).
Result<std::map<std::string, CatalogTestResult>> LoadLastResults(Warehouse& warehouse) {
  std::map<std::string, CatalogTestResult> results;
  SW_ASSIGN_OR_RETURN(bool exists, warehouse.TableExists("_sw_test_failures"));
  if (!exists) return results;
  SW_RETURN_IF_ERROR(warehouse.Query(
      "SELECT f.test_id, f.status, f.failures, f.executed_at, f.run_id "
      "FROM _sw_test_failures f JOIN (SELECT test_id, MAX(executed_at) AS executed_at "
      "FROM _sw_test_failures GROUP BY test_id) newest "
      "ON newest.test_id = f.test_id AND newest.executed_at = f.executed_at",
      {}, [&results](const Row& row) {
        CatalogTestResult result{.status = ValueToString(row.at(1)),
                                 .failures = std::holds_alternative<int64_t>(row.at(2))
                                                 ? std::get<int64_t>(row.at(2))
                                                 : 0,
                                 .executed_at = ValueToString(row.at(3)),
                                 .run_id = ValueToString(row.at(4))};
        auto [slot, added] = results.try_emplace(ValueToString(row.at(0)), result);
        if (!added && slot->second.run_id < result.run_id) slot->second = std::move(result);
        return Status::Ok();
      }));
  return results;
}

}  // namespace

Result<DataCatalog> DataCatalog::FromDocument(std::string_view document,
                                              std::map<std::string, CatalogTestResult> results) {
  const json parsed = json::parse(document, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains("nodes"))
    return Status(ErrorCode::kIO, "the stored data catalog is not the JSON the build writes",
                  "run `silverwork docs` (or a build) to store it again");
  DataCatalog catalog;
  try {
    catalog.project_ = Text(parsed.at("metadata"), "project");
    catalog.generated_at_ = Text(parsed.at("metadata"), "generated_at");
    for (const auto& [id, entry] : parsed.at("nodes").items()) {
      catalog.by_id_.emplace(id, catalog.nodes_.size());
      catalog.nodes_.push_back(NodeFrom(entry));
      if (auto result = results.find(id); result != results.end())
        catalog.nodes_.back().last_result = std::move(result->second);
    }
    for (const auto& [id, entry] : parsed.at("nodes").items()) {
      const size_t child = catalog.by_id_.at(id);
      for (const std::string& parent_id : Texts(entry, "depends_on")) {
        auto parent = catalog.by_id_.find(parent_id);
        if (parent == catalog.by_id_.end()) continue;
        if (catalog.nodes_[child].kind == "test") continue;  // tests hang off `tests`
        catalog.nodes_[child].parents.push_back(parent->second);
        catalog.nodes_[parent->second].children.push_back(child);
      }
      for (const std::string& tested_id : Texts(entry, "tests")) {
        auto tested = catalog.by_id_.find(tested_id);
        if (tested == catalog.by_id_.end()) continue;
        catalog.nodes_[child].tested.push_back(tested->second);
        catalog.nodes_[tested->second].tests.push_back(child);
      }
    }
  } catch (const json::exception& error) {
    return Status(ErrorCode::kIO,
                  fmt::format("the stored data catalog is malformed: {}", error.what()),
                  "run `silverwork docs` (or a build) to store it again");
  }
  return catalog;
}

DataCatalog DataCatalog::Unreadable(std::string why) {
  DataCatalog catalog;
  catalog.problem_ = std::move(why);
  return catalog;
}

std::optional<size_t> DataCatalog::Find(std::string_view unique_id) const {
  auto found = by_id_.find(unique_id);
  if (found == by_id_.end()) return std::nullopt;
  return found->second;
}

std::vector<DataCatalog::Match> DataCatalog::Search(std::string_view query,
                                                    std::optional<std::string_view> kind) const {
  const std::string lowered = AsciiLower(query);
  std::vector<Match> matches;
  for (size_t index = 0; index < nodes_.size(); ++index) {
    const CatalogNode& node = nodes_[index];
    if (node.kind == "test" || (kind && node.kind != *kind)) continue;
    Match match{.node = index, .columns = {}};
    for (const CatalogColumn& column : node.columns)
      if (!lowered.empty() &&
          (Contains(column.name, lowered) || Contains(column.description, lowered)))
        match.columns.push_back(column.name);
    if (lowered.empty() || !match.columns.empty() || Contains(node.name, lowered) ||
        Contains(node.description, lowered) || Contains(node.path, lowered))
      matches.push_back(std::move(match));
  }
  std::stable_sort(matches.begin(), matches.end(), [this](const Match& a, const Match& b) {
    const CatalogNode &left = nodes_[a.node], &right = nodes_[b.node];
    return std::tie(left.kind, left.name) < std::tie(right.kind, right.name);
  });
  return matches;
}

Lineage DataCatalog::LineageOf(size_t node, int depth, LineageDirection direction) const {
  Lineage lineage;
  std::map<size_t, int> distance = {{node, 0}};
  lineage.nodes.push_back({node, 0});
  auto walk = [&](bool upstream) {
    std::deque<size_t> queue = {node};
    while (!queue.empty()) {
      const size_t current = queue.front();
      queue.pop_front();
      const int steps = std::abs(distance.at(current));
      if (steps >= depth) continue;
      const CatalogNode& here = nodes_[current];
      for (size_t next : upstream ? here.parents : here.children) {
        if (distance.contains(next)) continue;
        distance[next] = upstream ? -(steps + 1) : steps + 1;
        lineage.nodes.push_back({next, distance[next]});
        queue.push_back(next);
      }
    }
  };
  if (direction != LineageDirection::kDownstream) walk(true);
  if (direction != LineageDirection::kUpstream) walk(false);
  for (const auto& [child, unused] : distance)
    for (size_t parent : nodes_[child].parents)
      if (distance.contains(parent)) lineage.edges.emplace_back(parent, child);
  return lineage;
}

Result<std::shared_ptr<const DataCatalog>> LoadDataCatalog(Warehouse& warehouse) {
  SW_ASSIGN_OR_RETURN(bool exists, warehouse.TableExists(kCatalogTable));
  if (!exists) return std::make_shared<const DataCatalog>();
  std::optional<std::string> document;
  const Value params[] = {std::string(kCatalogDocumentName)};
  SW_RETURN_IF_ERROR(warehouse.Query(
      fmt::format("SELECT {} FROM {} WHERE {} = ?", warehouse.dialect().QuoteIdentifier("document"),
                  warehouse.dialect().QuoteIdentifier(kCatalogTable),
                  warehouse.dialect().QuoteIdentifier("name")),
      params, [&document](const Row& row) {
        document = ValueToString(row.at(0));
        return Status::Ok();
      }));
  if (!document) return std::make_shared<const DataCatalog>();
  SW_ASSIGN_OR_RETURN(auto results, LoadLastResults(warehouse));
  Result<DataCatalog> catalog = DataCatalog::FromDocument(*document, std::move(results));
  if (!catalog.ok()) {
    spdlog::warn("serve: the data catalog is left empty: {}", catalog.status().ToString());
    return std::make_shared<const DataCatalog>(DataCatalog::Unreadable(catalog.status().message()));
  }
  return std::make_shared<const DataCatalog>(std::move(catalog).value());
}

}  // namespace silverwork::serve
