// DataCatalog: the SQL project as the 데이터 카탈로그 tab shows it — every
// model, source, seed, snapshot and test with its description, columns
// (the warehouse's types), row count, SQL (raw and compiled), tests with
// their last result, and the lineage between them.
//
// The build stores the catalog in the warehouse (`_sw_catalog`, written by
// transform/runner/catalog_store.h in the transaction that advances the
// build generation); tests' last results come from the audit table
// (`_sw_test_failures`). Serve loads both with its snapshot, so replicas
// sharing one warehouse serve the same catalog and never read the build
// machine's files. A warehouse built before the catalog was stored loads an
// empty catalog.
//
// Immutable once loaded; shared between server threads through the
// snapshot (std::shared_ptr<const DataCatalog>).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "warehouse/warehouse.h"
#include "warehouse/catalog_table.h"

namespace silverwork::serve {


struct CatalogColumn {
  std::string name;
  std::string type;  // the warehouse's (integer, real, text); empty when not built
  std::string description;
};

// A test's newest row in the audit table.
struct CatalogTestResult {
  std::string status;  // pass, fail, warn, error
  int64_t failures = 0;
  std::string executed_at;
  std::string run_id;
};

struct CatalogNode {
  std::string unique_id;
  std::string kind;  // model, source, seed, snapshot, test
  std::string name;
  std::string path;
  std::string description;
  std::string materialized;  // models: view, table, incremental, ephemeral
  std::string relation;      // empty for tests and ephemeral models
  std::vector<std::string> tags;
  std::vector<CatalogColumn> columns;
  std::optional<int64_t> row_count;
  std::string raw_sql;
  std::string compiled_sql;
  std::string compile_error;
  // Indices into DataCatalog::nodes(). Lineage edges leave tests out: a
  // test's node lists what it tests in `tested`, and the tested node lists
  // it in `tests`.
  std::vector<size_t> parents;
  std::vector<size_t> children;
  std::vector<size_t> tests;
  std::vector<size_t> tested;
  // Tests only.
  std::string severity;   // error, warn
  std::string test_kind;  // not_null, unique, ..., singular
  std::string column;     // the column a generic test checks, if any
  std::optional<CatalogTestResult> last_result;
};

enum class LineageDirection { kUpstream, kDownstream, kBoth };

// The nodes within `depth` edges of a node, and the edges between them.
struct Lineage {
  struct Entry {
    size_t node;
    int distance;  // negative upstream, positive downstream, 0 the node itself
  };
  std::vector<Entry> nodes;                      // the node first, then nearest first
  std::vector<std::pair<size_t, size_t>> edges;  // parent -> child
};

class DataCatalog {
 public:
  // An empty catalog (nothing stored yet).
  DataCatalog() = default;
  // Reads the stored document; `results` by test unique id.
  static Result<DataCatalog> FromDocument(std::string_view document,
                                          std::map<std::string, CatalogTestResult> results);

  // A catalog the stored document could not give (`why` says so): empty,
  // so the rest of the snapshot still serves.
  static DataCatalog Unreadable(std::string why);

  bool empty() const { return nodes_.empty(); }
  // Why the stored catalog could not be read; empty when it could (or none is stored).
  const std::string& problem() const { return problem_; }
  const std::string& project() const { return project_; }
  const std::string& generated_at() const { return generated_at_; }
  const std::vector<CatalogNode>& nodes() const { return nodes_; }
  std::optional<size_t> Find(std::string_view unique_id) const;

  struct Match {
    size_t node;
    std::vector<std::string> columns;  // the columns whose name or description matched
  };
  // Nodes other than tests whose name, description, path or any column's
  // name or description contains `query` (ASCII letters case-insensitively;
  // empty matches all), of `kind` when given, ordered by kind then name.
  std::vector<Match> Search(std::string_view query, std::optional<std::string_view> kind) const;

  // REQUIRES: node < nodes().size(), depth >= 0.
  Lineage LineageOf(size_t node, int depth, LineageDirection direction) const;

 private:
  std::string project_;
  std::string generated_at_;
  std::string problem_;
  std::vector<CatalogNode> nodes_;
  std::map<std::string, size_t, std::less<>> by_id_;
};

// Loads the stored catalog and the tests' last results; an empty catalog when
// the build never stored one, and an Unreadable one (logged) when the stored
// document is not what the build writes. Fails only when the warehouse does.
Result<std::shared_ptr<const DataCatalog>> LoadDataCatalog(Warehouse& warehouse);

}  // namespace silverwork::serve
