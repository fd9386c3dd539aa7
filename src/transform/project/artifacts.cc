#include "transform/project/artifacts.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace silverwork::transform {
namespace {

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kReal:
      return "real";
    case ColumnType::kText:
      return "text";
  }
  return "text";
}

// A DOT double-quoted string.
std::string DotString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

nlohmann::json ColumnsJson(const Node& node, const Catalog& catalog) {
  nlohmann::json columns = nlohmann::json::array();
  const std::vector<ColumnSpec>* actual = nullptr;
  if (auto found = catalog.find(node.unique_id); found != catalog.end()) actual = &found->second;
  auto type_of = [&](const std::string& name) -> nlohmann::json {
    if (!actual) return nullptr;
    for (const ColumnSpec& column : *actual)
      if (column.name == name) return ColumnTypeName(column.type);
    return nullptr;
  };
  for (const ColumnProperties& column : node.columns)
    columns.push_back({{"name", column.name},
                       {"description", column.description},
                       {"data_type", type_of(column.name)}});
  if (actual) {
    for (const ColumnSpec& column : *actual) {
      bool documented = false;
      for (const ColumnProperties& known : node.columns) documented |= known.name == column.name;
      if (!documented)
        columns.push_back({{"name", column.name},
                           {"description", ""},
                           {"data_type", ColumnTypeName(column.type)}});
    }
  }
  return columns;
}

}  // namespace

Status WriteTextFile(const std::filesystem::path& path, std::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error)
    return Status(ErrorCode::kIO, fmt::format("cannot create folder {}: {}",
                                              path.parent_path().string(), error.message()));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) return Status(ErrorCode::kIO, fmt::format("cannot write {}", path.string()));
  return Status::Ok();
}

std::filesystem::path CompiledPath(const Node& node) {
  std::filesystem::path relative = "compiled";
  if (node.kind == ResourceKind::kModel || (node.kind == ResourceKind::kTest && !node.generic_test))
    return relative / node.path;
  return relative / node.path / (node.name + ".sql");
}

nlohmann::json ManifestJson(const Manifest& manifest, const Catalog& catalog,
                            const std::string& generated_at) {
  nlohmann::json nodes = nlohmann::json::object();
  nlohmann::json edges = nlohmann::json::array();
  for (int index : manifest.order()) {
    const Node& node = manifest.node(index);
    nlohmann::json depends_on = nlohmann::json::array();
    for (int parent : node.parents) {
      depends_on.push_back(manifest.node(parent).unique_id);
      edges.push_back({{"from", manifest.node(parent).unique_id}, {"to", node.unique_id}});
    }
    nlohmann::json entry = {
        {"unique_id", node.unique_id},
        {"resource_type", ResourceKindName(node.kind)},
        {"name", node.name},
        {"path", node.path},
        {"description", node.description},
        {"tags", node.config.tags},
        {"columns", ColumnsJson(node, catalog)},
        {"depends_on", std::move(depends_on)},
    };
    if (node.kind == ResourceKind::kModel) {
      entry["materialized"] = MaterializationName(node.config.materialized);
      if (!node.config.unique_key.empty()) entry["unique_key"] = node.config.unique_key;
    }
    if (node.kind != ResourceKind::kTest && !IsEphemeral(node))
      entry["relation"] = node.schema.empty() ? node.relation : node.schema + "." + node.relation;
    if (node.kind == ResourceKind::kTest) {
      entry["severity"] = node.config.severity == Severity::kWarn ? "warn" : "error";
      entry["test_kind"] = node.generic_test ? node.generic_test->kind : "singular";
      nlohmann::json tested = nlohmann::json::array();
      for (int target : node.tested) tested.push_back(manifest.node(target).unique_id);
      entry["tests"] = std::move(tested);
      if (node.generic_test) entry["column"] = node.generic_test->column;
    }
    if (node.kind == ResourceKind::kSource) {
      entry["source_name"] = node.source_name;
      entry["loaded_at_field"] = node.source_table->loaded_at_field;
      entry["has_freshness"] = node.source_table->freshness.has_value();
    }
    nodes[node.unique_id] = std::move(entry);
  }
  return {{"metadata", {{"project", manifest.project_name()}, {"generated_at", generated_at}}},
          {"nodes", std::move(nodes)},
          {"edges", std::move(edges)}};
}

namespace {

std::string ColumnComment(const Node& node, const std::string& column) {
  for (const ColumnProperties& known : node.columns)
    if (known.name == column) return known.description;
  return "";
}

nlohmann::json CatalogStats(const Node& node, const RowCounts& row_counts) {
  auto count = row_counts.find(node.unique_id);
  const bool has_stats = count != row_counts.end();
  nlohmann::json stats = {{"has_stats",
                           {{"id", "has_stats"},
                            {"label", "Has Stats?"},
                            {"value", has_stats},
                            {"include", false},
                            {"description", "Indicates whether there are statistics for this table"}}}};
  if (has_stats)
    stats["row_count"] = {{"id", "row_count"},
                          {"label", "Row Count"},
                          {"value", count->second},
                          {"include", true},
                          {"description", "Rows in the relation when silverwork docs ran"}};
  return stats;
}

nlohmann::json CatalogEntry(const Node& node, const std::vector<ColumnSpec>& columns,
                            const RowCounts& row_counts) {
  const bool view = node.kind == ResourceKind::kModel &&
                    node.config.materialized == Materialization::kView;
  nlohmann::json column_entries = nlohmann::json::object();
  for (size_t index = 0; index < columns.size(); ++index) {
    const std::string& name = columns[index].name;
    column_entries[name] = {{"type", ColumnTypeName(columns[index].type)},
                            {"index", index + 1},
                            {"name", name},
                            {"comment", ColumnComment(node, name)}};
  }
  return {{"metadata",
           {{"type", view ? "view" : "table"},
            {"schema", node.schema.empty() ? nlohmann::json("main") : nlohmann::json(node.schema)},
            {"name", node.relation},
            {"database", nullptr},
            {"comment", node.description},
            {"owner", nullptr}}},
          {"columns", std::move(column_entries)},
          {"stats", CatalogStats(node, row_counts)},
          {"unique_id", node.unique_id}};
}

}  // namespace

nlohmann::json CatalogJson(const Manifest& manifest, const Catalog& catalog,
                           const RowCounts& row_counts, const std::string& generated_at) {
  nlohmann::json nodes = nlohmann::json::object();
  nlohmann::json sources = nlohmann::json::object();
  for (int index : manifest.order()) {
    const Node& node = manifest.node(index);
    auto columns = catalog.find(node.unique_id);
    if (columns == catalog.end()) continue;
    (node.kind == ResourceKind::kSource ? sources : nodes)[node.unique_id] =
        CatalogEntry(node, columns->second, row_counts);
  }
  return {{"metadata",
           {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/catalog/v1.json"},
            {"dbt_version", kFollowedDbtVersion},
            {"generated_at", generated_at},
            {"invocation_id", nullptr},
            {"env", nlohmann::json::object()}}},
          {"nodes", std::move(nodes)},
          {"sources", std::move(sources)},
          {"errors", nullptr}};
}

std::string LineageDot(const Manifest& manifest) {
  std::string out = "digraph silverwork {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (int index : manifest.order()) {
    const Node& node = manifest.node(index);
    std::string attributes;
    switch (node.kind) {
      case ResourceKind::kSource:
        attributes = "shape=cylinder, style=filled, fillcolor=\"#dbeafe\"";
        break;
      case ResourceKind::kSeed:
        attributes = "shape=folder, style=filled, fillcolor=\"#fef3c7\"";
        break;
      case ResourceKind::kSnapshot:
        attributes = "shape=box3d, style=filled, fillcolor=\"#ede9fe\"";
        break;
      case ResourceKind::kModel:
        attributes = IsEphemeral(node) ? "shape=box, style=dashed"
                                       : "shape=box, style=filled, fillcolor=\"#dcfce7\"";
        break;
      case ResourceKind::kTest:
        attributes = "shape=diamond, fontsize=10";
        break;
    }
    out += fmt::format("  {} [label={}, {}];\n", DotString(node.unique_id), DotString(node.name),
                       attributes);
  }
  for (int index : manifest.order()) {
    const Node& node = manifest.node(index);
    for (int parent : node.parents)
      out += fmt::format("  {} -> {};\n", DotString(manifest.node(parent).unique_id),
                         DotString(node.unique_id));
  }
  return out + "}\n";
}

}  // namespace silverwork::transform
