// What the layers above the warehouse ask of an engine: every engine spells
// every adapter macro, SQLite's spellings run on any of its connections,
// read-only ones included (with the functions they rely on), and session
// settings apply and come back. That the spellings agree across engines,
// on each engine's own connections, is engine_spellings_test.cc.
#include "warehouse/engine_traits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scoped_temp_dir.h"
#include "warehouse/adapter_macros.h"
#include "warehouse/postgres/postgres_engine.h"
#include "warehouse/session_settings.h"
#include "warehouse/sqlite/sqlite_engine.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Warehouse> OpenSqliteOrDie(const std::string& location, bool read_only = false) {
  auto opened = OpenWarehouse({.engine = "sqlite", .location = location, .read_only = read_only});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

std::vector<std::string> Arguments(const AdapterMacroSignature& macro,
                                   const std::vector<std::string>& samples) {
  return {samples.begin(), samples.begin() + macro.max_args};
}

TEST(EngineTraitsTest, EveryEngineSpellsEveryAdapterMacroWithItsArguments) {
  for (const EngineTraits* traits : {&SqliteTraits(), &PostgresTraits()}) {
    for (const AdapterMacroSignature& macro : AdapterMacroSignatures()) {
      const std::vector<std::string> args = Arguments(macro, {"first_argument", "second_argument"});
      auto expanded = traits->ExpandMacro(macro.name, args);
      ASSERT_TRUE(expanded.ok()) << traits->engine() << " " << macro.name << ": "
                                 << expanded.status().ToString();
      EXPECT_FALSE(expanded->empty()) << traits->engine() << " " << macro.name;
      for (const std::string& arg : args)
        EXPECT_THAT(*expanded, HasSubstr(arg)) << traits->engine() << " " << macro.name;
    }
  }
}

TEST(EngineTraitsTest, AMacroWithoutASpellingIsAnErrorNamingTheEngine) {
  const EngineTraits bare({.engine = "bare"}, SqliteTraits().dialect());
  const std::string args[] = {"x"};
  auto expanded = bare.ExpandMacro("first_word", args);
  EXPECT_EQ(expanded.status().code(), ErrorCode::kUnsupported);
  EXPECT_THAT(expanded.status().message(), HasSubstr("'first_word'"));
  EXPECT_THAT(expanded.status().message(), HasSubstr("'bare'"));
  EXPECT_THAT(expanded.status().hint(), HasSubstr("src/warehouse/bare/"));
}

// Every expansion runs on a plain connection: whatever a spelling calls
// (sw_yyyymmdd_date, say) every connection has.
TEST(EngineTraitsTest, EverySqliteSpellingRunsOnAnyConnection) {
  ScopedTempDir dir;
  auto writer = OpenSqliteOrDie(dir.File("w.db"));
  auto reader = OpenSqliteOrDie(dir.File("w.db"), /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  for (Warehouse* warehouse : {writer.get(), reader.get()}) {
    for (const AdapterMacroSignature& macro : AdapterMacroSignatures()) {
      auto expanded = SqliteTraits().ExpandMacro(macro.name, Arguments(macro, {"'20240131'", "3"}));
      ASSERT_TRUE(expanded.ok()) << expanded.status().ToString();
      auto ran = warehouse->QueryAll("SELECT " + *expanded);
      EXPECT_TRUE(ran.ok()) << macro.name << ": " << ran.status().ToString();
    }
  }
  auto parse = [&](const std::string& text) {
    const std::string args[] = {"'" + text + "'"};
    return ScalarText(*reader,
                      "SELECT " + *SqliteTraits().ExpandMacro("parse_date_yyyymmdd", args));
  };
  EXPECT_EQ(parse("20240229"), "2024-02-29");
  EXPECT_EQ(parse("20230229"), "NULL");
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
