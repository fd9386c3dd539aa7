// Helpers for the model runner's tests: temporary project folders,
// warehouses (SQLite files in temp folders, or PostgreSQL schemas when the
// suite runs on the test server), and query results as strings for exact
// asserts.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scoped_temp_dir.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork::transform::testing {

namespace fs = std::filesystem;

// One temporary folder per test (the suites' shared ScopedTempDir).
using TempDir = ScopedTempDir;

inline void WriteFile(const fs::path& root, const std::string& relative,
                      const std::string& content) {
  fs::path path = root / relative;
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes each relative path -> content pair under `root`.
inline void WriteProject(const fs::path& root, const std::map<std::string, std::string>& files) {
  for (const auto& [relative, content] : files) WriteFile(root, relative, content);
}

inline fs::path FixturePath(const std::string& name) {
  return fs::path(SILVERWORK_SOURCE_DIR) / "tests" / "transform" / "fixtures" / name;
}

inline void CopyFixture(const std::string& name, const fs::path& to) {
  fs::copy(FixturePath(name), to,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

// A connection to the test's warehouse on the engine under test
// (SILVERWORK_TEST_ENGINE): the SQLite file `file`, or on PostgreSQL a
// schema of its own standing for that file — the same schema each time the
// same file is opened, dropped when the process ends.
inline std::unique_ptr<Warehouse> OpenTestWarehouse(const fs::path& file) {
  WarehouseOptions options{.engine = "sqlite", .location = file.string()};
  if (EngineFromEnvironment() != "sqlite") {
    // Dropped by an exit handler registered once the first schema exists:
    // handlers run before the statics constructed earlier (the logger's
    // secrets, which opening the admin connection uses) are destroyed.
    using Schemas = std::map<std::string, std::unique_ptr<WarehouseUnderTest>>;
    static Schemas* const schemas = new Schemas();
    auto& schema = (*schemas)[file.string()];
    if (schema == nullptr) {
      schema = std::make_unique<WarehouseUnderTest>(EngineFromEnvironment());
      static const bool registered = std::atexit([] { schemas->clear(); }) == 0;
      EXPECT_TRUE(registered);
    }
    options = schema->Options();
  }
  auto warehouse = OpenWarehouse(options);
  EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  return warehouse.ok() ? std::move(warehouse).value() : nullptr;
}

// Every row of `sql`, values rendered with ValueToString and NULL as "NULL",
// joined with '|'.
inline std::vector<std::string> Rows(Warehouse& warehouse, const std::string& sql) {
  auto result = warehouse.QueryAll(sql);
  EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  std::vector<std::string> rows;
  if (!result.ok()) return rows;
  for (const Row& row : result->rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "|";
      line += IsNull(row[i]) ? "NULL" : ValueToString(row[i]);
    }
    rows.push_back(line);
  }
  return rows;
}

// The single value of a one-row, one-column query.
inline std::string Scalar(Warehouse& warehouse, const std::string& sql) {
  auto rows = Rows(warehouse, sql);
  EXPECT_EQ(rows.size(), 1u) << sql;
  return rows.empty() ? std::string() : rows[0];
}

// The test's own reads of the engine's catalog, spelled for the engine under
// test (SILVERWORK_TEST_ENGINE): what the runner itself asks of a catalog goes
// through EngineTraits instead.

// "table|name" or "view|name" for each table and view (of the test's schema
// on PostgreSQL) whose name matches the LIKE `pattern` (`_` escaped as
// `\_` matches only an underscore), sorted by name.
inline std::vector<std::string> Relations(Warehouse& warehouse, const std::string& pattern) {
  const std::string sql =
      EngineFromEnvironment() == "sqlite"
          ? "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name LIKE " +
                warehouse.dialect().QuoteString(pattern) + " ESCAPE '\\' ORDER BY name"
          : "SELECT CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END, table_name FROM "
            "information_schema.tables WHERE table_schema = current_schema() AND table_name "
            "LIKE " +
                warehouse.dialect().QuoteString(pattern) + " ORDER BY table_name";
  return Rows(warehouse, sql);
}

// "index|column,column" for each index on `table` (primary keys' left out),
// sorted by index name.
inline std::vector<std::string> Indexes(Warehouse& warehouse, const std::string& table) {
  const std::string quoted = warehouse.dialect().QuoteString(table);
  const std::string sql =
      EngineFromEnvironment() == "sqlite"
          ? "SELECT il.name, group_concat(ii.name, ',') FROM pragma_index_list(" + quoted +
                ") AS il JOIN pragma_index_info(il.name) AS ii WHERE il.origin = 'c' "
                "GROUP BY il.name ORDER BY il.name"
          : "SELECT i.relname, string_agg(a.attname, ',' ORDER BY array_position(x.indkey, "
            "a.attnum)) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) "
            "WHERE t.relname = " +
                quoted +
                " AND t.relnamespace = current_schema()::regnamespace AND NOT x.indisprimary "
                "GROUP BY i.relname ORDER BY i.relname";
  return Rows(warehouse, sql);
}

// "text", "integer" or "real": how the warehouse describes `table`'s
// `column` (Warehouse::DescribeTable), "missing" when it has none.
inline std::string ColumnTypeName(Warehouse& warehouse, const std::string& table,
                                  const std::string& column) {
  auto columns = warehouse.DescribeTable(table);
  EXPECT_TRUE(columns.ok()) << table << ": " << columns.status().ToString();
  if (!columns.ok()) return "missing";
  for (const ColumnSpec& spec : *columns) {
    if (spec.name != column) continue;
    switch (spec.type) {
      case ColumnType::kText:
        return "text";
      case ColumnType::kInteger:
        return "integer";
      case ColumnType::kReal:
        return "real";
    }
  }
  return "missing";
}

// What the engine under test says of a column a statement names that its
// table lacks.
inline std::string NoSuchColumnMessage(const std::string& column) {
  return EngineFromEnvironment() == "sqlite" ? "no such column: " + column
                                             : "column \"" + column + "\" does not exist";
}

}  // namespace silverwork::transform::testing
