// What the layers above the warehouse ask of an engine: SQLite's own
// functions are on every connection, read-only ones included, and session
// settings apply and come back. That the spellings agree across engines, on
// each engine's own connections, is engine_spellings_test.cc; the adapter
// macros' spellings are tests/transform/adapter_macros_test.cc.
#include "warehouse/engine_traits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scoped_temp_dir.h"
#include "warehouse/postgres/postgres_engine.h"
#include "warehouse/session_settings.h"
#include "warehouse/sqlite/sqlite_engine.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {


std::unique_ptr<Warehouse> OpenSqliteOrDie(const std::string& location, bool read_only = false) {
  auto opened = OpenWarehouse({.engine = "sqlite", .location = location, .read_only = read_only});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TEST(EngineTraitsTest, TheFunctionsSqliteListsAreOnEveryConnection) {
  ScopedTempDir dir;
  auto writer = OpenSqliteOrDie(dir.File("w.db"));
  auto reader = OpenSqliteOrDie(dir.File("w.db"), /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  ASSERT_FALSE(SqliteTraits().functions().empty());
  for (Warehouse* warehouse : {writer.get(), reader.get()}) {
    for (const EngineFunction& function : SqliteTraits().functions()) {
      const Value params[] = {std::string(function.name), int64_t{function.arity}};
      auto found = warehouse->QueryAll(
          "SELECT count(*) FROM pragma_function_list WHERE name = ? AND narg = ?", params);
      ASSERT_TRUE(found.ok()) << found.status().ToString();
      EXPECT_EQ(found->rows, (std::vector<Row>{{int64_t{1}}})) << function.name;
    }
  }
}

TEST(EngineTraitsTest, SmallReadsSettingsTuneAConnectionForGood) {
  ScopedTempDir dir;
  auto warehouse = OpenSqliteOrDie(dir.File("w.db"));
  ASSERT_NE(warehouse, nullptr);
  ASSERT_TRUE(ApplySessionSettings(*warehouse, Workload::kSmallReads).ok());
  EXPECT_EQ(ScalarText(*warehouse, "PRAGMA cache_size"), "-512");
}

TEST(EngineTraitsTest, ATunedSessionPutsTheConnectionsOwnValuesBack) {
  ScopedTempDir dir;
  auto warehouse = OpenSqliteOrDie(dir.File("w.db"));
  ASSERT_NE(warehouse, nullptr);
  ASSERT_TRUE(warehouse->Execute("PRAGMA cache_size = -3000").ok());
  {
    TunedSession tuned(*warehouse, Workload::kBulkBuild);
    EXPECT_EQ(ScalarText(*warehouse, "PRAGMA cache_size"), "-262144");
    EXPECT_EQ(ScalarText(*warehouse, "PRAGMA busy_timeout"), "600000");
  }
  EXPECT_EQ(ScalarText(*warehouse, "PRAGMA cache_size"), "-3000");
  EXPECT_EQ(ScalarText(*warehouse, "PRAGMA busy_timeout"), "5000");
}

TEST(EngineTraitsTest, OnlyAnEngineWithOneWriterStagesItsSelects) {
  EXPECT_TRUE(SqliteTraits().stages_selects());
  EXPECT_EQ(SqliteTraits().StagedRelationSql("\"x\""), "temp.\"x\"");
  EXPECT_FALSE(PostgresTraits().stages_selects());
  EXPECT_EQ(PostgresTraits().Differs("a", "b"), "(a IS DISTINCT FROM b)");
}

}  // namespace
}  // namespace silverwork
