// The Warehouse contract, one test body run against every engine built in
// (SQLite, and PostgreSQL on the shared test server). What only one engine
// does is tested in that engine's own file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "people_table.h"
#include "warehouse/engine_contract.h"
#include "warehouse/warehouse.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class WarehouseContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = place_.Open();
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(warehouse_->EnsureTable(kPeople).ok());
  }

  std::vector<Row> All(const std::string& sql) { return AllRows(*warehouse_, sql); }
  int64_t Count(const std::string& table) { return CountRows(*warehouse_, table); }

  Status Put(const std::vector<Row>& rows) {
    return warehouse_->Upsert("people", kPeopleColumns, kId, rows);
  }

  WarehouseUnderTest place_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
};

INSTANTIATE_TEST_SUITE_P(Engines, WarehouseContractTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

TEST_P(WarehouseContractTest, RoundTripsEveryValueType) {
  const std::string korean = "서울특별시 강남구 — 입찰공고";
  const std::string awkward = "tab\there\nnew line \\N back\\slash \r 'quote' \"double\"";
  const std::vector<Row> rows = {
      {int64_t{1}, korean, 0.1, std::monostate{}},
      {std::numeric_limits<int64_t>::max(), awkward, -1.5e300, std::string()},
      {std::numeric_limits<int64_t>::min(), std::monostate{}, 3.0, "x"},
  };
  ASSERT_TRUE(Put(rows).ok());

  auto result = warehouse_->QueryAll("SELECT id, name, score, note FROM people ORDER BY id DESC");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_THAT(result->columns, ElementsAre("id", "name", "score", "note"));
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0], rows[1]);
  EXPECT_EQ(result->rows[1], rows[0]);
  EXPECT_EQ(result->rows[2], rows[2]);
}

TEST_P(WarehouseContractTest, BindsParametersOfEveryType) {
  const Value insert[] = {int64_t{7}, std::string("이름"), 2.25, std::monostate{}};
  auto changed = warehouse_->ExecuteWithParams(
      "INSERT INTO people(id, name, score, note) VALUES(?, ?, ?, ?)", insert);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, 1);

  const Value where[] = {std::string("이름"), 2.25};
  auto result = warehouse_->QueryAll(
      "SELECT id, note IS NULL, score FROM people WHERE name = ? AND score = ?", where);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows, (std::vector<Row>{{int64_t{7}, int64_t{1}, 2.25}}));

  // Numbered placeholders reuse one value; a `?` inside quotes is text.
  const Value twice[] = {int64_t{7}};
  auto numbered =
      warehouse_->QueryAll("SELECT '?', id FROM people WHERE id = ?1 AND ?1 = 7", twice);
  ASSERT_TRUE(numbered.ok()) << numbered.status().ToString();
  EXPECT_EQ(numbered->rows, (std::vector<Row>{{std::string("?"), int64_t{7}}}));
}

TEST_P(WarehouseContractTest, UpsertUpdatesOnlyListedColumns) {
  ASSERT_TRUE(Put({{int64_t{1}, "kim", 1.0, "first"}}).ok());
  const std::vector<std::string> partial = {"id", "score"};
  ASSERT_TRUE(
      warehouse_
          ->Upsert("people", partial, kId, std::vector<Row>{{int64_t{1}, 9.5}, {int64_t{2}, 4.0}})
          .ok());
  EXPECT_EQ(All("SELECT id, name, score, note FROM people ORDER BY id"),
            (std::vector<Row>{{int64_t{1}, "kim", 9.5, "first"},
                              {int64_t{2}, std::monostate{}, 4.0, std::monostate{}}}));
}

TEST_P(WarehouseContractTest, UpsertIsIdempotent) {
  const std::vector<Row> rows = {{int64_t{1}, "a", 1.0, "x"}, {int64_t{2}, "b", 2.0, "y"}};
  for (int attempt = 0; attempt < 3; ++attempt) ASSERT_TRUE(Put(rows).ok());
  EXPECT_EQ(All("SELECT id, name, score, note FROM people ORDER BY id"), rows);
}

TEST_P(WarehouseContractTest, UpsertKeepsTheLastRowOfAKeyGivenTwice) {
  ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}, {int64_t{1}, "b", 2.0, "y"}}).ok());
  EXPECT_EQ(All("SELECT id, name, score, note FROM people"),
            (std::vector<Row>{{int64_t{1}, "b", 2.0, "y"}}));
}

TEST_P(WarehouseContractTest, UpsertWithOnlyKeyColumnsKeepsExistingRows) {
  ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}}).ok());
  ASSERT_TRUE(
      warehouse_->Upsert("people", kId, kId, std::vector<Row>{{int64_t{1}}, {int64_t{2}}}).ok());
  EXPECT_EQ(All("SELECT id, name FROM people ORDER BY id"),
            (std::vector<Row>{{int64_t{1}, "a"}, {int64_t{2}, std::monostate{}}}));
}

TEST_P(WarehouseContractTest, UpsertWithoutKeysAppends) {
  const TableSpec log = {.name = "log", .columns = {{.name = "line"}}};
  ASSERT_TRUE(warehouse_->EnsureTable(log).ok());
  const std::vector<std::string> columns = {"line"};
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(warehouse_->Upsert("log", columns, {}, std::vector<Row>{{"a"}, {"b"}}).ok());
  }
  EXPECT_EQ(Count("log"), 4);
}

TEST_P(WarehouseContractTest, UpsertValidatesItsArguments) {
  Status wrong_width = Put({{int64_t{1}, "a"}});
  EXPECT_EQ(wrong_width.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(wrong_width.message(), HasSubstr("row 0 has 2 values for 4 columns"));

  const std::vector<std::string> missing_key = {"name"};
  Status bad_key = warehouse_->Upsert("people", missing_key, kId, std::vector<Row>{{"a"}});
  EXPECT_EQ(bad_key.code(), ErrorCode::kInvalidInput);
}

TEST_P(WarehouseContractTest, UpsertIsAllOrNothingPerCall) {
  ASSERT_TRUE(warehouse_
                  ->EnsureTable({.name = "codes",
                                 .columns = {{.name = "code"}, {.name = "label", .not_null = true}},
                                 .primary_key = {"code"}})
                  .ok());
  const std::vector<std::string> columns = {"code", "label"};
  const std::vector<std::string> key = {"code"};
  // The second row breaks NOT NULL on label.
  Status status = warehouse_->Upsert("codes", columns, key,
                                     std::vector<Row>{{"a", "A"}, {"b", std::monostate{}}});
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("codes"));
  EXPECT_THAT(status.message(), HasSubstr("label"));
  // SQLite writes row by row and names the row; PostgreSQL's merge cannot
  // (it names the row when COPY refuses a value: postgres_warehouse_test).
  if (GetParam() == "sqlite") {
    EXPECT_THAT(status.message(), HasSubstr("row 1"));
  }
  EXPECT_FALSE(status.hint().empty());
  EXPECT_EQ(Count("codes"), 0);

  // Inside a caller's transaction the failed call is undone, earlier work is kept.
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Upsert("codes", columns, key, std::vector<Row>{{"c", "C"}}).ok());
  EXPECT_FALSE(
      warehouse_
          ->Upsert("codes", columns, key, std::vector<Row>{{"d", "D"}, {"e", std::monostate{}}})
          .ok());
  ASSERT_TRUE(warehouse_->InTransaction());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(All("SELECT code FROM codes"), (std::vector<Row>{{"c"}}));
}

TEST_P(WarehouseContractTest, AppendInsertsRowsAsGiven) {
  const std::vector<Row> rows = {
      {int64_t{1}, "tab\there \\N", 0.5, std::monostate{}},
      {int64_t{2}, std::monostate{}, -2.0, "서울"},
  };
  ASSERT_TRUE(warehouse_->Append("people", kPeopleColumns, rows).ok());
  const std::vector<std::string> some = {"id", "name"};
  ASSERT_TRUE(warehouse_->Append("people", some, std::vector<Row>{{int64_t{3}, "c"}}).ok());
  EXPECT_EQ(All("SELECT id, name, score, note FROM people ORDER BY id"),
            (std::vector<Row>{rows[0], rows[1],
                              {int64_t{3}, "c", std::monostate{}, std::monostate{}}}));
  EXPECT_TRUE(warehouse_->Append("people", kPeopleColumns, {}).ok());
  EXPECT_EQ(warehouse_->Append("people", kPeopleColumns, std::vector<Row>{{int64_t{4}}}).code(),
            ErrorCode::kInvalidInput);
}

TEST_P(WarehouseContractTest, AppendOfAnExistingKeyFailsAndKeepsNothingOfTheCall) {
  ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}}).ok());
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(Put({{int64_t{2}, "b", 2.0, "y"}}).ok());
  // Row 1 of the call is new, row 2 repeats id 1: nothing of it may stay,
  // and id 1 keeps its row (an append never merges).
  Status status = warehouse_->Append(
      "people", kPeopleColumns,
      std::vector<Row>{{int64_t{3}, "c", 3.0, "z"}, {int64_t{1}, "dup", 9.0, "w"}});
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("people"));
  EXPECT_FALSE(status.hint().empty());
  ASSERT_TRUE(warehouse_->InTransaction());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(All("SELECT id, name FROM people ORDER BY id"),
            (std::vector<Row>{{int64_t{1}, "a"}, {int64_t{2}, "b"}}));

  // A key twice within one call fails as well.
  EXPECT_EQ(warehouse_
                ->Append("people", kPeopleColumns,
                         std::vector<Row>{{int64_t{5}, "e", 5.0, "v"}, {int64_t{5}, "f", 6.0, "u"}})
                .code(),
            ErrorCode::kDatabase);
  EXPECT_EQ(Count("people"), 2);
}

TEST_P(WarehouseContractTest, RollbackDiscardsAndCommitKeeps) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  EXPECT_TRUE(warehouse_->InTransaction());
  ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}}).ok());
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(Count("people"), 0);

  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(Put({{int64_t{2}, "b", 1.0, "x"}}).ok());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(Count("people"), 1);
}

TEST_P(WarehouseContractTest, RaiiTransactionRollsBackUnlessCommitted) {
  {
    Transaction transaction(*warehouse_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}}).ok());
  }
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(Count("people"), 0);
  {
    Transaction transaction(*warehouse_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}}).ok());
    ASSERT_TRUE(transaction.Commit().ok());
  }
  EXPECT_EQ(Count("people"), 1);
}

TEST_P(WarehouseContractTest, TransactionsDoNotNest) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  EXPECT_EQ(warehouse_->Begin().code(), ErrorCode::kInternal);
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_EQ(warehouse_->Commit().code(), ErrorCode::kInternal);
  EXPECT_TRUE(warehouse_->Rollback().ok());  // nothing open: a no-op
}

TEST_P(WarehouseContractTest, EnsureTableAddsMissingColumnsAndKeepsData) {
  ASSERT_TRUE(Put({{int64_t{1}, "a", 1.0, "x"}}).ok());
  TableSpec wider = kPeople;
  wider.columns.push_back({.name = "age", .type = ColumnType::kInteger});
  wider.columns.push_back({.name = "NAME"});  // same column, other case: not added twice
  ASSERT_TRUE(warehouse_->EnsureTable(wider).ok());
  ASSERT_TRUE(warehouse_->EnsureTable(wider).ok());  // idempotent

  auto columns = warehouse_->DescribeTable("people");
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  std::vector<std::string> names;
  for (const ColumnSpec& column : *columns) names.push_back(column.name);
  EXPECT_THAT(names, ElementsAre("id", "name", "score", "note", "age"));
  EXPECT_EQ(columns->back().type, ColumnType::kInteger);
  EXPECT_EQ(All("SELECT name, age FROM people"), (std::vector<Row>{{"a", std::monostate{}}}));
}

// Names are case-insensitive on every engine, as SQLite's are: the raw
// tables' camelCase columns (frDd), created and loaded by name, are read
// bare in models in any case, and quoted through the dialect. (PostgreSQL
// folds them to lower case, so catalogs may answer in another case.)
TEST_P(WarehouseContractTest, NamesAreCaseInsensitive) {
  const TableSpec raw = {.name = "raw_things",
                         .columns = {{.name = "jobId"}, {.name = "frDd"}},
                         .primary_key = {"jobId"}};
  ASSERT_TRUE(warehouse_->EnsureTable(raw).ok());
  const std::vector<std::string> columns = {"jobId", "frDd"};
  const std::vector<std::string> key = {"jobId"};
  ASSERT_TRUE(
      warehouse_->Upsert("raw_things", columns, key, std::vector<Row>{{"J1", "20240101"}}).ok());
  ASSERT_TRUE(warehouse_->EnsureTable(raw).ok());  // finds both columns present
  auto described = warehouse_->DescribeTable("raw_things");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  ASSERT_EQ(described->size(), 2u);
  EXPECT_TRUE(SameColumnName((*described)[0].name, "jobId")) << (*described)[0].name;
  EXPECT_TRUE(SameColumnName((*described)[1].name, "FRDD")) << (*described)[1].name;
  EXPECT_EQ(All("SELECT frDd, FRDD, frdd FROM raw_things WHERE jobId = 'J1'"),
            (std::vector<Row>{{"20240101", "20240101", "20240101"}}));
  const Dialect& sql = warehouse_->dialect();
  EXPECT_EQ(All("SELECT " + sql.QuoteIdentifier("frDd") + " FROM " +
                sql.QuoteIdentifier("raw_things") + " WHERE " + sql.QuoteIdentifier("JOBID") +
                " = 'J1'"),
            (std::vector<Row>{{"20240101"}}));
}

TEST_P(WarehouseContractTest, DescribeTableReportsTypesForTablesAndViews) {
  auto columns = warehouse_->DescribeTable("people");
  ASSERT_TRUE(columns.ok());
  ASSERT_EQ(columns->size(), 4u);
  EXPECT_EQ((*columns)[0].type, ColumnType::kInteger);
  EXPECT_TRUE((*columns)[0].not_null);  // primary key
  EXPECT_EQ((*columns)[1].type, ColumnType::kText);
  EXPECT_FALSE((*columns)[1].not_null);
  EXPECT_EQ((*columns)[2].type, ColumnType::kReal);

  ASSERT_TRUE(
      warehouse_->Execute("CREATE VIEW top AS SELECT id, score * 2 AS doubled FROM people").ok());
  auto view = warehouse_->DescribeTable("top");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(view->size(), 2u);
  EXPECT_EQ((*view)[0].name, "id");
  EXPECT_EQ((*view)[1].name, "doubled");

  EXPECT_TRUE(warehouse_->DescribeTable("missing").status().IsNotFound());
}

TEST_P(WarehouseContractTest, TableExistsForTablesAndViews) {
  ASSERT_TRUE(warehouse_->Execute("CREATE VIEW v AS SELECT 1 AS one").ok());
  EXPECT_TRUE(*warehouse_->TableExists("people"));
  EXPECT_TRUE(*warehouse_->TableExists("v"));
  EXPECT_TRUE(*warehouse_->TableExists("PEOPLE"));  // as an unquoted name would find it
  EXPECT_FALSE(*warehouse_->TableExists("nope"));
}

TEST_P(WarehouseContractTest, ExecuteRunsSeveralStatements) {
  ASSERT_TRUE(warehouse_
                  ->Execute(R"sql(
      -- a comment first
      CREATE TABLE a(x INTEGER);
      INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);
      /* and one last */ ;
  )sql")
                  .ok());
  EXPECT_EQ(Count("a"), 2);
}

TEST_P(WarehouseContractTest, BadSqlCarriesTheEngineMessageAndTheSql) {
  Status status = warehouse_->Execute("SELEC id FROM people");
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("syntax error"));
  EXPECT_THAT(status.message(), HasSubstr("SELEC id FROM people"));

  auto query = warehouse_->QueryAll("SELECT nope FROM people");
  EXPECT_EQ(query.status().code(), ErrorCode::kDatabase);
  EXPECT_THAT(query.status().message(), HasSubstr("nope"));

  // Long SQL is cut in the message.
  std::string long_sql = "SELECT " + std::string(1000, 'x') + " FROM nowhere";
  Status long_status = warehouse_->Execute(long_sql);
  EXPECT_LT(long_status.message().size(), 400u);
}

TEST_P(WarehouseContractTest, ConstraintViolationsAreClear) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'a')").ok());
  Status status = warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'b')");
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("people"));
  EXPECT_THAT(status.hint(), HasSubstr("constraint"));
}

TEST_P(WarehouseContractTest, QueryTakesExactlyOneStatementAndMatchingParameters) {
  EXPECT_EQ(warehouse_->QueryAll("SELECT 1; SELECT 2").status().code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(warehouse_->QueryAll("SELECT 1; -- trailing comment\n").ok());
  const Value one[] = {int64_t{1}};
  EXPECT_EQ(warehouse_->QueryAll("SELECT ?, ?", one).status().code(), ErrorCode::kInvalidInput);
}

TEST_P(WarehouseContractTest, CallbackErrorStopsTheQuery) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id) VALUES (1), (2), (3)").ok());
  int seen = 0;
  Status status = warehouse_->Query("SELECT id FROM people", {}, [&seen](const Row&) {
    ++seen;
    return Status(ErrorCode::kCancelled, "enough");
  });
  EXPECT_EQ(status.code(), ErrorCode::kCancelled);
  EXPECT_EQ(seen, 1);
  // The connection is ready for the next statement.
  EXPECT_EQ(All("SELECT id FROM people").size(), 3u);
}

TEST_P(WarehouseContractTest, QueriesMayRunFromInsideARowCallback) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id) VALUES (1), (2)").ok());
  const std::string sql = "SELECT id FROM people ORDER BY id";
  std::vector<int64_t> pairs;
  Status status = warehouse_->Query(sql, {}, [&](const Row& outer) {
    return warehouse_->Query(sql, {}, [&](const Row& inner) {
      pairs.push_back(std::get<int64_t>(outer[0]) * 10 + std::get<int64_t>(inner[0]));
      return Status::Ok();
    });
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_THAT(pairs, ElementsAre(11, 12, 21, 22));
}

TEST_P(WarehouseContractTest, WritesMayRunFromInsideARowCallbackInATransaction) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id) VALUES (1), (2), (3)").ok());
  ASSERT_TRUE(warehouse_->Begin().ok());
  Status status = warehouse_->Query("SELECT id FROM people ORDER BY id", {}, [&](const Row& row) {
    EXPECT_TRUE(warehouse_->InTransaction());
    const Value params[] = {std::get<int64_t>(row[0]) * 10};
    return warehouse_->ExecuteWithParams("UPDATE people SET score = ? WHERE id = 1", params)
        .status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(All("SELECT score FROM people WHERE id = 1"), (std::vector<Row>{{30.0}}));
}

TEST_P(WarehouseContractTest, CurrentTimestampAndRename) {
  const Dialect& dialect = warehouse_->dialect();
  EXPECT_EQ(warehouse_->engine(), GetParam());
  EXPECT_EQ(dialect.QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(dialect.QuoteString("it's"), "'it''s'");
  EXPECT_EQ(dialect.RenameTable("a", "b"), "ALTER TABLE \"a\" RENAME TO \"b\"");

  ASSERT_TRUE(warehouse_->Execute(dialect.RenameTable("people", "persons")).ok());
  EXPECT_TRUE(*warehouse_->TableExists("persons"));
  auto now = warehouse_->QueryAll("SELECT " + dialect.CurrentTimestamp());
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  const std::string stamp = std::get<std::string>(now->rows[0][0]);
  EXPECT_EQ(stamp.size(), 24u) << stamp;  // 2026-11-25T01:00:09.123Z
  EXPECT_EQ(stamp[10], 'T') << stamp;
  EXPECT_EQ(stamp.back(), 'Z');
}

TEST_P(WarehouseContractTest, APeerIsAnotherConnectionToTheSameWarehouse) {
  ASSERT_TRUE(Put({{int64_t{1}, "a", 1.5, {}}}).ok());
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  EXPECT_EQ((*peer)->engine(), GetParam());
  auto names = (*peer)->QueryAll("SELECT name FROM people");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(names->rows, (std::vector<Row>{{std::string("a")}}));
  // What one connection has not committed, the other does not see.
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (2, 'b')").ok());
  EXPECT_EQ((*peer)->QueryAll("SELECT count(*) FROM people")->rows[0][0], Value(int64_t{1}));
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ((*peer)->QueryAll("SELECT count(*) FROM people")->rows[0][0], Value(int64_t{2}));
  ASSERT_TRUE((*peer)->Execute("INSERT INTO people(id, name) VALUES (3, 'c')").ok());
  EXPECT_EQ(Count("people"), 3);
}

TEST_P(WarehouseContractTest, ReadOnlyRefusesWrites) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'a')").ok());
  std::unique_ptr<Warehouse> reader = place_.Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  auto rows = reader->QueryAll("SELECT name FROM people");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->rows, (std::vector<Row>{{"a"}}));

  Status insert = reader->Execute("INSERT INTO people(id, name) VALUES (2, 'b')");
  EXPECT_EQ(insert.code(), ErrorCode::kDatabase);
  EXPECT_FALSE(
      reader->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{3}, "c", 1.0, "x"}})
          .ok());
  EXPECT_FALSE(reader->EnsureTable({.name = "other", .columns = {{.name = "x"}}}).ok());
  EXPECT_EQ(Count("people"), 1);
  // A peer of a read-only connection is read-only too.
  auto reading_peer = reader->OpenPeer();
  ASSERT_TRUE(reading_peer.ok()) << reading_peer.status().ToString();
  EXPECT_FALSE((*reading_peer)->Execute("DELETE FROM people").ok());
}

}  // namespace
}  // namespace silverwork
