// CatalogStore: what the dashboard's data catalog shows, kept in the
// warehouse so that every `serve` replica reads the same catalog with its
// snapshot and none needs the build machine's files.
//
//   _sw_catalog(name, document, generated_at)   one row, name 'project'
//
// `document` is JSON: manifest.json's `nodes` and `edges` (descriptions,
// columns with the warehouse's types, configs, tests and what they test)
// with, per node, `row_count` (relations that exist), `raw_sql` (the file a
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
// Functions taking a Warehouse share its (lack of) thread-safety.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "transform/project/artifacts.h"
#include "transform/project/manifest.h"
#include "transform/project/project_files.h"
#include "warehouse/warehouse.h"
#include "warehouse/catalog_table.h"

namespace silverwork::transform {


// The relations of `manifest` that exist in the warehouse: their columns
// (the warehouse's order and types) and row counts. Sources in another
// schema are left out, as catalog.json leaves them.
struct WarehouseCatalog {
  Catalog columns;
  RowCounts row_counts;
};
Result<WarehouseCatalog> ReadWarehouseCatalog(const Manifest& manifest, Warehouse& warehouse);

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
