// One empty warehouse of a given engine for one test: a SQLite file in a
// temporary folder, or a schema of its own on the shared PostgreSQL test
// server (postgres_test_server.h). Suites parameterised over
// EnginesUnderTest() run one test body against every engine built in.
//
// Thread-safety: for one test's thread.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "scoped_temp_dir.h"
#include "warehouse/warehouse.h"
#ifdef SILVERWORK_HAVE_POSTGRES
#include "postgres_test_server.h"
#endif

namespace silverwork {

inline std::vector<std::string> EnginesUnderTest() {
#ifdef SILVERWORK_HAVE_POSTGRES
  return {"sqlite", "postgres"};
#else
  return {"sqlite"};
#endif
}

// Every row `sql` returns; none, and a test failure, when it fails.
inline std::vector<Row> AllRows(Warehouse& warehouse, const std::string& sql) {
  auto result = warehouse.QueryAll(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? result->rows : std::vector<Row>{};
}

// The single value `sql` gives, rendered; "NULL" for NULL, and a test
// failure when it fails or gives other than one row.
inline std::string ScalarText(Warehouse& warehouse, const std::string& sql) {
  auto result = warehouse.QueryAll(sql);
  EXPECT_TRUE(result.ok()) << sql << ": " << result.status().ToString();
  if (!result.ok() || result->rows.size() != 1) return "<not one row>";
  const Value& value = result->rows.front().front();
  return IsNull(value) ? "NULL" : ValueToString(value);
}

// count(*) of a table; -1 when it cannot be counted.
inline int64_t CountRows(Warehouse& warehouse, const std::string& table) {
  auto rows = AllRows(warehouse, "SELECT count(*) FROM " + table);
  return rows.empty() ? -1 : std::get<int64_t>(rows[0][0]);
}

// The engine of a suite too big to parameterise, run once per engine
// instead: SILVERWORK_TEST_ENGINE, "sqlite" when unset. tests/CMakeLists.txt
// registers such suites (engine_env_suites) a second time with it set to
// "postgres". A value this build cannot test fails the test.
inline std::string EngineFromEnvironment() {
  const char* chosen = std::getenv("SILVERWORK_TEST_ENGINE");
  std::string engine = chosen != nullptr && *chosen != '\0' ? chosen : "sqlite";
  const std::vector<std::string> engines = EnginesUnderTest();
  if (std::find(engines.begin(), engines.end(), engine) == engines.end())
    ADD_FAILURE() << "SILVERWORK_TEST_ENGINE=" << engine << " is not an engine this build tests";
  return engine;
}

// For INSTANTIATE_TEST_SUITE_P: names the test after its engine.
inline std::string EngineTestName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

class WarehouseUnderTest {
 public:
  explicit WarehouseUnderTest(const std::string& engine) : engine_(engine) {
#ifdef SILVERWORK_HAVE_POSTGRES
    if (engine == "postgres") {
      schema_ = std::make_unique<ScopedPostgresSchema>();
      return;
    }
#endif
    dir_ = std::make_unique<ScopedTempDir>();
  }

  const std::string& engine() const { return engine_; }

  WarehouseOptions Options(bool read_only = false) const {
#ifdef SILVERWORK_HAVE_POSTGRES
    if (schema_ != nullptr) return schema_->Options(read_only);
#endif
    return {.engine = engine_, .location = dir_->File("w.db"), .read_only = read_only};
  }

  // Null (and a test failure) when it does not open.
  std::unique_ptr<Warehouse> Open(bool read_only = false) const {
    auto opened = OpenWarehouse(Options(read_only));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

 private:
  std::string engine_;
  std::unique_ptr<ScopedTempDir> dir_;
#ifdef SILVERWORK_HAVE_POSTGRES
  std::unique_ptr<ScopedPostgresSchema> schema_;
#endif
};

}  // namespace silverwork
