// Every engine's spellings (EngineTraits) run on a connection of that
// engine and mean the same thing on every engine built in (SQLite, and
// PostgreSQL on the shared test server): the catalog queries, the NULL-safe
// comparison and the setting statements do what the runner and the API
// server rely on. (The adapter macros, spelled per engine in
// macros/adapters.sql, are held to the same values by
// tests/transform/adapter_macros_test.cc.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "warehouse/engine_traits.h"
#include "warehouse/postgres/postgres_engine.h"
#include "warehouse/sqlite/sqlite_engine.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {


const EngineTraits& TraitsOf(const std::string& engine) {
  return engine == "postgres" ? PostgresTraits() : SqliteTraits();
}

// A text value as models meet it: typed TEXT, as in a raw table's column.
std::string Text(const std::string& value) { return "CAST('" + value + "' AS TEXT)"; }
const std::string kNullText = "CAST(NULL AS TEXT)";

class EngineSpellingsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
  }

  std::string Scalar(const std::string& sql) { return ScalarText(*warehouse_, sql); }

  const EngineTraits& traits() const { return TraitsOf(GetParam()); }

  WarehouseUnderTest place_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
};

INSTANTIATE_TEST_SUITE_P(Engines, EngineSpellingsTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

TEST_P(EngineSpellingsTest, ConnectionsAnswerWithTheirEnginesTraits) {
  EXPECT_EQ(&warehouse_->traits(), &traits());
  EXPECT_EQ(&warehouse_->dialect(), &traits().dialect());
  EXPECT_EQ(warehouse_->engine(), GetParam());
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  EXPECT_EQ(&(*peer)->traits(), &traits());
}

TEST_P(EngineSpellingsTest, TheRelationKindQueryTellsTablesFromViews) {
  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE TABLE items (code TEXT); "
                            "CREATE VIEW item_codes AS SELECT code FROM items")
                  .ok());
  auto kind = [&](const std::string& name) {
    const Value params[] = {name};
    auto rows = warehouse_->QueryAll(traits().relation_kind_sql(), params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->rows.empty()) return std::string("none");
    EXPECT_EQ(rows->rows.size(), 1u);
    return ValueToString(rows->rows.front().front());
  };
  EXPECT_EQ(kind("items"), "table");
  EXPECT_EQ(kind("item_codes"), "view");
  EXPECT_EQ(kind("missing"), "none");
}

TEST_P(EngineSpellingsTest, TheUniqueIndexQueryListsKeysAndWholeUniqueIndexesOnly) {
  ASSERT_TRUE(warehouse_
                  ->EnsureTable({.name = "items",
                                 .columns = {{.name = "key"}, {.name = "code"}, {.name = "note"}},
                                 .primary_key = {"key"}})
                  .ok());
  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE UNIQUE INDEX items_code ON items (code); "
                            "CREATE UNIQUE INDEX items_note_set ON items (note) "
                            "WHERE note IS NOT NULL; "
                            "CREATE INDEX items_note ON items (note); "
                            "CREATE UNIQUE INDEX items_code_lower ON items (lower(code))")
                  .ok());
  const Value params[] = {std::string("items")};
  auto rows = warehouse_->QueryAll(traits().unique_index_columns_sql(), params);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, std::vector<std::string>> columns_by_index;
  for (const Row& row : rows->rows)
    columns_by_index[ValueToString(row.at(0))].push_back(ValueToString(row.at(1)));
  ASSERT_EQ(columns_by_index.size(), 2u) << ::testing::PrintToString(columns_by_index);
  EXPECT_EQ(columns_by_index["items_code"], std::vector<std::string>{"code"});
  columns_by_index.erase("items_code");
  EXPECT_EQ(columns_by_index.begin()->second, std::vector<std::string>{"key"});  // the primary key
}

TEST_P(EngineSpellingsTest, DiffersTreatsTwoNullsAsEqual) {
  auto differs = [&](const std::string& a, const std::string& b) {
    return Scalar("SELECT CASE WHEN " + traits().Differs(a, b) + " THEN 1 ELSE 0 END");
  };
  EXPECT_EQ(differs(Text("a"), Text("a")), "0");
  EXPECT_EQ(differs(Text("a"), Text("b")), "1");
  EXPECT_EQ(differs(kNullText, kNullText), "0");
  EXPECT_EQ(differs(kNullText, Text("a")), "1");
  EXPECT_EQ(differs(Text("a"), kNullText), "1");
}

TEST_P(EngineSpellingsTest, TheTableSwapStatementsRunInATransaction) {
  Transaction transaction(*warehouse_);
  ASSERT_TRUE(transaction.Begin().ok());
  for (std::string_view statement : {traits().before_swap_sql(), traits().after_swap_sql()}) {
    if (statement.empty()) continue;
    EXPECT_TRUE(warehouse_->Execute(statement).ok()) << statement;
  }
  EXPECT_TRUE(transaction.Commit().ok());
}

// How many columns of `table` the planner has statistics for, on an engine
// that keeps them; empty on one that keeps none.
std::string StatisticsCountSql(const std::string& engine, const std::string& table) {
  if (engine == "postgres")
    return "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = '" +
           table + "'";
  return "";
}

TEST_P(EngineSpellingsTest, TheStatisticsStatementGivesThePlannerATablesStatistics) {
  const std::string count_sql = StatisticsCountSql(GetParam(), "items");
  const std::string analyze_sql = traits().AnalyzeTableSql(traits().dialect().QuoteIdentifier("items"));
  // SQLite plans from its indexes: the build runs nothing there.
  ASSERT_EQ(analyze_sql.empty(), count_sql.empty()) << analyze_sql;
  if (analyze_sql.empty()) return;
  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE TABLE items WITH (autovacuum_enabled = false) AS SELECT 'code ' || CAST(n AS TEXT) AS code, "
                            "n AS amount FROM generate_series(1, 500) AS n")
                  .ok());
  EXPECT_EQ(Scalar(count_sql), "0");  // nobody has analysed the new table yet
  Transaction transaction(*warehouse_);  // a snapshot's build analyses in its transaction
  ASSERT_TRUE(transaction.Begin().ok());
  Status analyzed = warehouse_->Execute(analyze_sql);
  ASSERT_TRUE(analyzed.ok()) << analyzed.ToString();
  ASSERT_TRUE(transaction.Commit().ok());
  EXPECT_EQ(Scalar(count_sql), "2");
}

// A setting the engine has, and a value it is not set to by default.
std::pair<std::string, std::string> SomeSetting(const std::string& engine) {
  if (engine == "postgres") return {"work_mem", "5MB"};
  return {"cache_size", "-1234"};
}

TEST_P(EngineSpellingsTest, ASettingWrittenReadsBackAndTheWorkloadSettingsApply) {
  const auto [name, value] = SomeSetting(GetParam());
  const std::string before = Scalar(traits().ReadSettingSql(name));
  ASSERT_NE(before, value);
  ASSERT_TRUE(warehouse_->Execute(traits().WriteSettingSql(name, value)).ok());
  EXPECT_EQ(Scalar(traits().ReadSettingSql(name)), value);
  // What TunedSession does at its end: the value read before, written back.
  ASSERT_TRUE(warehouse_->Execute(traits().WriteSettingSql(name, before)).ok());
  EXPECT_EQ(Scalar(traits().ReadSettingSql(name)), before);
  for (Workload workload : {Workload::kBulkBuild, Workload::kSmallReads}) {
    for (const EngineTraits::SessionSetting& setting : traits().SessionSettings(workload)) {
      ASSERT_TRUE(warehouse_->Execute(traits().WriteSettingSql(setting.name, setting.value)).ok())
          << setting.name;
      EXPECT_EQ(Scalar(traits().ReadSettingSql(setting.name)), setting.value) << setting.name;
    }
  }
}

}  // namespace
}  // namespace silverwork
