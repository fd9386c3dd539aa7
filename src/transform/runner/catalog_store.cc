#include "transform/runner/catalog_store.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace silverwork::transform {
namespace {

// The file a model, snapshot or singular test is written in; null for the
// kinds that have none (sources, seeds' CSV, generic tests) or when it
// cannot be read.
nlohmann::json RawSql(const ProjectFiles& files, const Node& node) {
  if (!node.body) return nullptr;
  std::ifstream in(files.root / node.path, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void AddSql(const ProjectFiles& files, const Node& node, const CompileNode& compile,
            nlohmann::json& entry) {
  entry["raw_sql"] = RawSql(files, node);
  entry["compiled_sql"] = nullptr;
  if (!node.body && !node.generic_test) return;
  Result<std::string> compiled = compile(node);
  if (compiled.ok()) {
    entry["compiled_sql"] = *compiled;
  } else {
    entry["compile_error"] = compiled.status().ToString();
  }
}

}  // namespace

bool IsCatalogRelation(const Node& node) {
  return node.kind != ResourceKind::kTest && !IsEphemeral(node) && node.schema.empty();
}

Result<WarehouseCatalog> ReadWarehouseCatalog(const Manifest& manifest, Warehouse& warehouse,
                                              const RowCounts& known) {
  WarehouseCatalog catalog;
  for (const Node& node : manifest.nodes()) {
    if (!IsCatalogRelation(node)) continue;
    SW_ASSIGN_OR_RETURN(bool exists, warehouse.TableExists(node.relation));
    if (!exists) continue;
    SW_ASSIGN_OR_RETURN(catalog.columns[node.unique_id], warehouse.DescribeTable(node.relation));
    if (auto count = known.find(node.unique_id); count != known.end()) {
      catalog.row_counts[node.unique_id] = count->second;
      continue;
    }
    SW_ASSIGN_OR_RETURN(QueryResult count,
                        warehouse.QueryAll("SELECT COUNT(*) AS row_count FROM " +
                                           warehouse.dialect().QuoteIdentifier(node.relation)));
    if (!count.rows.empty() && std::holds_alternative<int64_t>(count.rows[0][0]))
      catalog.row_counts[node.unique_id] = std::get<int64_t>(count.rows[0][0]);
  }
  return catalog;
}

std::map<std::string, StoredRowCount> ReadStoredRowCounts(Warehouse& warehouse) {
  std::map<std::string, StoredRowCount> counts;
  Result<bool> exists = warehouse.TableExists(kCatalogTable);
  if (!exists.ok() || !*exists) return counts;
  const Dialect& sql = warehouse.dialect();
  const Value name[] = {std::string(kCatalogDocumentName)};
  std::string text;
  Status read =
      warehouse.Query(fmt::format("SELECT {} FROM {} WHERE {} = ?", sql.QuoteIdentifier("document"),
                                  sql.QuoteIdentifier(kCatalogTable), sql.QuoteIdentifier("name")),
                      name, [&text](const Row& row) {
                        text = ValueToString(row.at(0));
                        return Status::Ok();
                      });
  nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!read.ok() || !document.is_object() || !document.contains("nodes") ||
      !document["nodes"].is_object())
    return counts;
  for (const auto& [id, entry] : document["nodes"].items()) {
    if (!entry.is_object()) continue;
    auto rows = entry.find("row_count");
    auto version = entry.find("row_count_version");
    if (rows == entry.end() || !rows->is_number_integer() || version == entry.end() ||
        !version->is_string() || version->get_ref<const std::string&>().empty())
      continue;
    counts[id] = {.rows = rows->get<int64_t>(), .version = version->get<std::string>()};
  }
  return counts;
}

nlohmann::json CatalogDocument(const ProjectFiles& files, const Manifest& manifest,
                               const WarehouseCatalog& catalog, const CompileNode& compile,
                               const std::string& generated_at) {
  nlohmann::json document = ManifestJson(manifest, catalog.columns, generated_at);
  for (const Node& node : manifest.nodes()) {
    nlohmann::json& entry = document.at("nodes").at(node.unique_id);
    auto count = catalog.row_counts.find(node.unique_id);
    entry["row_count"] =
        count == catalog.row_counts.end() ? nlohmann::json(nullptr) : nlohmann::json(count->second);
    auto version = catalog.count_versions.find(node.unique_id);
    if (count != catalog.row_counts.end() && version != catalog.count_versions.end())
      entry["row_count_version"] = version->second;
    AddSql(files, node, compile, entry);
  }
  return document;
}

Status StoreCatalogDocument(Warehouse& warehouse, const nlohmann::json& document,
                            const std::string& generated_at) {
  const Dialect& sql = warehouse.dialect();
  const std::string table = sql.QuoteIdentifier(kCatalogTable);
  Transaction transaction(warehouse);
  SW_RETURN_IF_ERROR(transaction.Begin());
  SW_RETURN_IF_ERROR(warehouse.EnsureTable({.name = std::string(kCatalogTable),
                                            .columns = {{.name = "name"},
                                                        {.name = "document", .not_null = true},
                                                        {.name = "generated_at"}},
                                            .primary_key = {"name"}}));
  const Value name[] = {std::string(kCatalogDocumentName)};
  SW_RETURN_IF_ERROR(
      warehouse
          .ExecuteWithParams(
              fmt::format("DELETE FROM {} WHERE {} = ?", table, sql.QuoteIdentifier("name")), name)
          .status());
  const Value row[] = {std::string(kCatalogDocumentName), document.dump(), generated_at};
  SW_RETURN_IF_ERROR(
      warehouse
          .ExecuteWithParams(
              fmt::format("INSERT INTO {}({}, {}, {}) VALUES(?, ?, ?)", table,
                          sql.QuoteIdentifier("name"), sql.QuoteIdentifier("document"),
                          sql.QuoteIdentifier("generated_at")),
              row)
          .status());
  SW_RETURN_IF_ERROR(warehouse.AdvanceBuildGeneration());
  Status committed = transaction.Commit();
  return committed.ok() ? committed : committed.WithContext("cannot store the data catalog");
}

}  // namespace silverwork::transform
