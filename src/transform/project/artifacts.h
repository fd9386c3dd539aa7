// Artifacts: the files a run leaves in the artifacts folder (default
// <project>/target):
//
//   compiled/<path of the node's file>   the SQL each node ran
//   run_results.json                     per-node status, timing, rows, message
//   manifest.json                        (docs) nodes, descriptions, columns,
//                                        configs and dependency edges
//   catalog.json                         (docs, with a warehouse) dbt's catalog
//                                        v1: each relation's columns with
//                                        types, row count, YAML descriptions
//   lineage.dot                          (docs) Graphviz graph sources -> models -> tests
//
// Functions here only format and write; thread-compatible.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "transform/project/manifest.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// Writes `content` to `path`, creating parent folders.
Status WriteTextFile(const std::filesystem::path& path, std::string_view content);

// Where a node's compiled SQL goes, relative to the artifacts folder:
// compiled/<file> for models, analyses and singular tests; snapshot files
// may hold several snapshots and generic tests live in a properties file,
// so theirs is compiled/<file>/<name>.sql.
std::filesystem::path CompiledPath(const Node& node);

// Column types of relations that exist in the warehouse, by unique id (docs
// show documented columns and the ones the warehouse actually has).
using Catalog = std::map<std::string, std::vector<ColumnSpec>, std::less<>>;

nlohmann::json ManifestJson(const Manifest& manifest, const Catalog& catalog,
                            const std::string& generated_at);

// Rows of relations that exist in the warehouse, by unique id.
using RowCounts = std::map<std::string, int64_t, std::less<>>;

// dbt's catalog.json (schema v1): metadata, nodes (models, seeds,
// snapshots), sources and errors; each entry's metadata {type, schema,
// name, database, comment, owner}, columns {name: {type, index, name,
// comment}} in the warehouse's order, and stats (has_stats, row_count).
// Only relations in `catalog` appear, as in dbt.
nlohmann::json CatalogJson(const Manifest& manifest, const Catalog& catalog,
                           const RowCounts& row_counts, const std::string& generated_at);

// digraph with one node per source, seed, snapshot, model and test
// (ephemeral models dashed) and an edge from each node to what reads it.
std::string LineageDot(const Manifest& manifest);

}  // namespace silverwork::transform
