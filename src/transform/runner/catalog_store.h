// CatalogStore: what the dashboard's data catalog shows, kept in the
// warehouse so that every `serve` replica reads the same catalog with its
// snapshot and none needs the build machine's files.
//
//   _sw_catalog(name, document, generated_at)   one row, name 'project'
//
// `document` is JSON: manifest.json's `nodes` and `edges` (descriptions,
// columns with the warehouse's types, configs, tests and what they test)
// with, per node, `row_count` (relations that exist) and the version of the
// rows it was counted at (`row_count_version`, build_state.h; absent when
// unknown), `raw_sql` (the file a
// model, snapshot or singular test is written in) and `compiled_sql` (what
// the warehouse runs; `compile_error` instead when it does not compile).
// Tests' results are not in it: serve reads them from the audit table
// (_sw_test_failures), which every test run appends to.
//
// The runner stores the document at the end of a command that built
// something, in the transaction that advances the build generation (so a
// reader that sees the new generation sees the new catalog); `silverwork
// docs` stores it the same way.
//
// A build keeps the stored counts of relations whose version is unchanged,
// takes those of what it built or read from the run itself (sources' from
// their version's read, tables' and snapshots' from their builds, merges'
// as the stored count plus the rows added: ChangeTracker::LearntRows), and
// counts the rest (views over changed inputs, relations without a known
// version). invocation.cc decides which counts are known.
//
// Functions taking a Warehouse share its (lack of) thread-safety.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "transform/project/artifacts.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "warehouse/catalog_table.h"
#include "warehouse/warehouse.h"

namespace silverwork::transform {

// The relations of `manifest` that exist in the warehouse: their columns
// (the warehouse's order and types) and row counts, with the version of
// the rows each count was taken at where it is known (unique_id -> version).
// Sources in another schema are left out, as catalog.json leaves them.
struct WarehouseCatalog {
  Catalog columns;
  RowCounts row_counts;
  std::map<std::string, std::string> count_versions;
};
// Whether the catalog describes the node's relation (not tests, ephemeral
// models or sources in another schema).
bool IsCatalogRelation(const Node& node);
// Counts the rows of every relation but those in `known`, whose counts are
// taken as they are (the caller vouches for them).
Result<WarehouseCatalog> ReadWarehouseCatalog(const Manifest& manifest, Warehouse& warehouse,
                                              const RowCounts& known = {});

// A row count of the stored document and the version of the rows it was
// taken at.
struct StoredRowCount {
  int64_t rows = 0;
  std::string version;
};
// unique_id -> the stored document's counts that carry a version; empty
// when there is no document (or no readable one: everything is counted).
std::map<std::string, StoredRowCount> ReadStoredRowCounts(Warehouse& warehouse);

// A node's compiled SQL (the full form for incremental models).
using CompileNode = std::function<Result<std::string>(const Node& node)>;

nlohmann::json CatalogDocument(const ProjectFiles& files, const Manifest& manifest,
                               const WarehouseCatalog& catalog, const CompileNode& compile,
                               const std::string& generated_at);

// Replaces the stored document (creating the table when missing) and
// advances the build generation, in one transaction of `warehouse`.
// REQUIRES: no transaction open on `warehouse`.
Status StoreCatalogDocument(Warehouse& warehouse, const nlohmann::json& document,
                            const std::string& generated_at);

}  // namespace silverwork::transform
