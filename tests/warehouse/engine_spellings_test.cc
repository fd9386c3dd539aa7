// Every engine's spellings (EngineTraits) run on a connection of that
// engine and mean the same thing: each adapter macro gives the same value
// for the same text on every engine built in (SQLite, and PostgreSQL on the
// shared test server), and the catalog queries, the NULL-safe comparison
// and the setting statements do what the runner and the API server rely on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "warehouse/adapter_macros.h"
#include "warehouse/engine_traits.h"
#include "warehouse/postgres/postgres_engine.h"
#include "warehouse/sqlite/sqlite_engine.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

using ::testing::MatchesRegex;

const EngineTraits& TraitsOf(const std::string& engine) {
  return engine == "postgres" ? PostgresTraits() : SqliteTraits();
}

// A text value as models meet it: typed TEXT, as in a raw table's column.
std::string Text(const std::string& value) { return "CAST('" + value + "' AS TEXT)"; }
const std::string kNullText = "CAST(NULL AS TEXT)";

struct MacroCase {
  std::string macro;
  std::vector<std::string> args;  // SQL fragments
  std::string expected;           // rendered; "NULL" for NULL
  std::string from;               // a FROM clause, for aggregates
};

// Values each engine must agree on, in the shapes the models pass: dates as
// 'YYYY-MM-DD' text or ISO timestamps, numbers of days as literals.
const std::vector<MacroCase>& MacroCases() {
  static const std::vector<MacroCase> cases = {
      {"dbt_date_trunc_month", {Text("2024-03-17")}, "2024-03-01"},
      {"dbt_date_trunc_month", {Text("2024-12-31T23:59:59.999Z")}, "2024-12-01"},
      {"string_agg",
       {"word", "'-'"},
       "a-a",
       "FROM (SELECT CAST('a' AS TEXT) AS word UNION ALL SELECT CAST('a' AS TEXT)) AS words"},
      {"parse_date_yyyymmdd", {Text("20240229")}, "2024-02-29"},
      {"parse_date_yyyymmdd", {Text("20000229")}, "2000-02-29"},
      {"parse_date_yyyymmdd", {Text("20241231")}, "2024-12-31"},
      {"parse_date_yyyymmdd", {Text("20230229")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("19000229")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("20240431")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("20231301")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("20240100")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("2024022")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("2024-02-2")}, "NULL"},
      {"parse_date_yyyymmdd", {Text("")}, "NULL"},
      {"parse_date_yyyymmdd", {kNullText}, "NULL"},
      {"datediff_days", {Text("2024-03-17"), Text("2024-04-02")}, "16"},
      {"datediff_days", {Text("2024-04-02"), Text("2024-03-17")}, "-16"},
      {"dateadd_days", {Text("2024-02-27"), "3"}, "2024-03-01"},
      {"datesub_days", {Text("2024-03-01"), "1"}, "2024-02-29"},
      // As the incremental models call it: max(loaded_at) minus a lookback.
      {"datesub_days", {Text("2024-03-17T10:20:30.123Z"), "3"}, "2024-03-14"},
      {"is_integer_text", {Text(" 42 ")}, "1"},
      {"is_integer_text", {Text("4 2")}, "0"},
      {"is_integer_text", {Text("-1")}, "0"},
      {"is_integer_text", {Text("2008.0")}, "0"},
      {"is_integer_text", {Text("")}, "0"},
      {"is_integer_text", {kNullText}, "NULL"},
      {"is_number_text", {Text("2008.0")}, "1"},
      {"is_number_text", {Text(" 2008 ")}, "1"},
      {"is_number_text", {Text(".5")}, "1"},
      {"is_number_text", {Text("5.")}, "1"},
      {"is_number_text", {Text("1.2.3")}, "0"},
      {"is_number_text", {Text(".")}, "0"},
      {"is_number_text", {Text("-1")}, "0"},
      {"is_number_text", {Text("1e3")}, "0"},
      {"is_number_text", {Text("")}, "0"},
      {"first_word", {Text("서울 종로구 세종대로")}, "서울"},
      {"first_word", {Text("alpha")}, "alpha"},
      {"first_word", {Text(" lead")}, ""},
      {"first_word", {Text("")}, ""},
      {"contains_text", {Text("alpha"), Text("ph")}, "1"},
      {"contains_text", {Text("alpha"), Text("PH")}, "0"},
      {"contains_text", {Text("alpha"), Text("")}, "1"},
      {"contains_text", {Text("alpha"), kNullText}, "NULL"},
  };
  return cases;
}

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

TEST_P(EngineSpellingsTest, EveryAdapterMacroGivesTheSameValueOnEveryEngine) {
  std::set<std::string> covered;
  for (const MacroCase& test : MacroCases()) {
    auto expanded = traits().ExpandMacro(test.macro, test.args);
    ASSERT_TRUE(expanded.ok()) << expanded.status().ToString();
    EXPECT_EQ(Scalar("SELECT " + *expanded + " " + test.from), test.expected)
        << test.macro << "(" << ::testing::PrintToString(test.args) << ") is " << *expanded;
    covered.insert(test.macro);
  }
  for (const AdapterMacroSignature& macro : AdapterMacroSignatures()) {
    if (macro.name == "current_timestamp") continue;  // a moving value: below
    EXPECT_TRUE(covered.contains(std::string(macro.name)))
        << "add cases for " << macro.name << " to MacroCases()";
  }
}

// Models compare what a date macro gives with TEXT columns, e.g.
// `loaded_at >= datesub_days('max(loaded_at)', 3)`: the dates are text.
TEST_P(EngineSpellingsTest, DatesFromMacrosCompareWithTextColumns) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> dates = {
      {"dbt_date_trunc_month", {Text("2024-03-17")}},
      {"parse_date_yyyymmdd", {Text("20240301")}},
      {"dateadd_days", {Text("2024-02-28"), "2"}},
      {"datesub_days", {Text("2024-03-04T10:20:30.123Z"), "3"}},
  };
  ASSERT_TRUE(warehouse_->Execute("CREATE TABLE loads (loaded_at TEXT)").ok());
  const Value stamp[] = {std::string("2024-03-01T00:00:00.000Z")};
  ASSERT_TRUE(warehouse_->ExecuteWithParams("INSERT INTO loads VALUES (?)", stamp).ok());
  for (const auto& [macro, args] : dates) {
    auto expanded = traits().ExpandMacro(macro, args);
    ASSERT_TRUE(expanded.ok()) << expanded.status().ToString();
    EXPECT_EQ(Scalar("SELECT count(*) FROM loads WHERE loaded_at >= " + *expanded), "1") << macro;
    EXPECT_EQ(Scalar("SELECT count(*) FROM loads WHERE substr(loaded_at, 1, 10) = " + *expanded),
              "1")
        << macro;
  }
}

TEST_P(EngineSpellingsTest, TheCurrentTimestampIsIsoTextInUtcWithMilliseconds) {
  auto expanded = traits().ExpandMacro("current_timestamp", {});
  ASSERT_TRUE(expanded.ok()) << expanded.status().ToString();
  EXPECT_THAT(Scalar("SELECT " + *expanded),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
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
