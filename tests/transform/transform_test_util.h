// Helpers for the model runner's tests: temporary project folders, SQLite
// warehouses in temp files, and query results as strings for exact asserts.
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

inline std::unique_ptr<Warehouse> OpenSqlite(const fs::path& file) {
  auto warehouse = OpenWarehouse({.engine = "sqlite", .location = file.string()});
  EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
  return std::move(warehouse).value();
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

}  // namespace silverwork::transform::testing
