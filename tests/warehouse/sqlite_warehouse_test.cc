#include "warehouse/sqlite/sqlite_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "scoped_temp_dir.h"

namespace silverwork {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<SqliteWarehouse> OpenOrDie(const std::string& path, bool read_only = false) {
  auto opened = SqliteWarehouse::Open({.location = path, .read_only = read_only});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

const TableSpec kPeople = {.name = "people",
                           .columns = {{.name = "id", .type = ColumnType::kInteger},
                                       {.name = "name"},
                                       {.name = "score", .type = ColumnType::kReal},
                                       {.name = "note"}},
                           .primary_key = {"id"}};
const std::vector<std::string> kPeopleColumns = {"id", "name", "score", "note"};
const std::vector<std::string> kId = {"id"};

class SqliteWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = OpenOrDie(dir_.File("w.db"));
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(warehouse_->EnsureTable(kPeople).ok());
  }

  std::vector<Row> All(const std::string& sql) {
    auto result = warehouse_->QueryAll(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->rows : std::vector<Row>{};
  }

  int64_t Count(const std::string& table) {
    auto rows = All("SELECT count(*) FROM " + table);
    return rows.empty() ? -1 : std::get<int64_t>(rows[0][0]);
  }

  ScopedTempDir dir_;
  std::unique_ptr<SqliteWarehouse> warehouse_;
};

TEST_F(SqliteWarehouseTest, RoundTripsEveryValueType) {
  const std::string korean = "서울특별시 강남구 — 입찰공고";
  const std::string with_nul("a\0b", 3);
  const std::vector<Row> rows = {
      {int64_t{1}, korean, 0.1, std::monostate{}},
      {std::numeric_limits<int64_t>::max(), with_nul, -1.5e300, std::string()},
      {std::numeric_limits<int64_t>::min(), std::monostate{}, 3.0, "x"},
  };
  ASSERT_TRUE(warehouse_->Upsert("people", kPeopleColumns, kId, rows).ok());

  auto result = warehouse_->QueryAll("SELECT id, name, score, note FROM people ORDER BY id DESC");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_THAT(result->columns, ElementsAre("id", "name", "score", "note"));
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0], rows[1]);
  EXPECT_EQ(result->rows[1], rows[0]);
  EXPECT_EQ(result->rows[2], rows[2]);
}

TEST_F(SqliteWarehouseTest, BindsParametersOfEveryType) {
  const Value insert[] = {int64_t{7}, std::string("이름"), 2.25, std::monostate{}};
  auto changed = warehouse_->ExecuteWithParams(
      "INSERT INTO people(id, name, score, note) VALUES(?, ?, ?, ?)", insert);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_EQ(*changed, 1);

  const Value where[] = {std::string("이름"), 2.25};
  auto result = warehouse_->QueryAll(
      "SELECT id, note IS NULL, typeof(score) FROM people WHERE name = ? AND score = ?", where);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(result->rows[0], (Row{int64_t{7}, int64_t{1}, std::string("real")}));
}

TEST_F(SqliteWarehouseTest, UpsertUpdatesOnlyListedColumns) {
  ASSERT_TRUE(warehouse_
                  ->Upsert("people", kPeopleColumns, kId,
                           std::vector<Row>{{int64_t{1}, "kim", 1.0, "first"}})
                  .ok());
  const std::vector<std::string> partial = {"id", "score"};
  ASSERT_TRUE(
      warehouse_
          ->Upsert("people", partial, kId, std::vector<Row>{{int64_t{1}, 9.5}, {int64_t{2}, 4.0}})
          .ok());
  EXPECT_EQ(All("SELECT id, name, score, note FROM people ORDER BY id"),
            (std::vector<Row>{{int64_t{1}, "kim", 9.5, "first"},
                              {int64_t{2}, std::monostate{}, 4.0, std::monostate{}}}));
}

TEST_F(SqliteWarehouseTest, UpsertIsIdempotent) {
  const std::vector<Row> rows = {{int64_t{1}, "a", 1.0, "x"}, {int64_t{2}, "b", 2.0, "y"}};
  for (int attempt = 0; attempt < 3; ++attempt) {
    ASSERT_TRUE(warehouse_->Upsert("people", kPeopleColumns, kId, rows).ok());
  }
  EXPECT_EQ(All("SELECT id, name, score, note FROM people ORDER BY id"), rows);
}

TEST_F(SqliteWarehouseTest, UpsertWithOnlyKeyColumnsKeepsExistingRows) {
  ASSERT_TRUE(
      warehouse_
          ->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{1}, "a", 1.0, "x"}})
          .ok());
  ASSERT_TRUE(
      warehouse_->Upsert("people", kId, kId, std::vector<Row>{{int64_t{1}}, {int64_t{2}}}).ok());
  EXPECT_EQ(All("SELECT id, name FROM people ORDER BY id"),
            (std::vector<Row>{{int64_t{1}, "a"}, {int64_t{2}, std::monostate{}}}));
}

TEST_F(SqliteWarehouseTest, UpsertValidatesItsArguments) {
  Status wrong_width =
      warehouse_->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{1}, "a"}});
  EXPECT_EQ(wrong_width.code(), ErrorCode::kInvalidInput);
  EXPECT_THAT(wrong_width.message(), HasSubstr("row 0 has 2 values for 4 columns"));

  const std::vector<std::string> missing_key = {"name"};
  Status bad_key = warehouse_->Upsert("people", missing_key, kId, std::vector<Row>{{"a"}});
  EXPECT_EQ(bad_key.code(), ErrorCode::kInvalidInput);
}

TEST_F(SqliteWarehouseTest, UpsertIsAllOrNothingPerCall) {
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
  EXPECT_THAT(status.message(), HasSubstr("NOT NULL constraint failed: codes.label"));
  EXPECT_THAT(status.message(), HasSubstr("row 1"));
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

TEST_F(SqliteWarehouseTest, RollbackDiscardsAndCommitKeeps) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  EXPECT_TRUE(warehouse_->InTransaction());
  ASSERT_TRUE(
      warehouse_
          ->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{1}, "a", 1.0, "x"}})
          .ok());
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(Count("people"), 0);

  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(
      warehouse_
          ->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{2}, "b", 1.0, "x"}})
          .ok());
  ASSERT_TRUE(warehouse_->Commit().ok());
  EXPECT_EQ(Count("people"), 1);
}

TEST_F(SqliteWarehouseTest, RaiiTransactionRollsBackUnlessCommitted) {
  {
    Transaction transaction(*warehouse_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(
        warehouse_
            ->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{1}, "a", 1.0, "x"}})
            .ok());
  }
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(Count("people"), 0);
  {
    Transaction transaction(*warehouse_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(
        warehouse_
            ->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{1}, "a", 1.0, "x"}})
            .ok());
    ASSERT_TRUE(transaction.Commit().ok());
  }
  EXPECT_EQ(Count("people"), 1);
}

TEST_F(SqliteWarehouseTest, TransactionsDoNotNest) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  EXPECT_EQ(warehouse_->Begin().code(), ErrorCode::kInternal);
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_EQ(warehouse_->Commit().code(), ErrorCode::kInternal);
  EXPECT_TRUE(warehouse_->Rollback().ok());  // nothing open: a no-op
}

TEST_F(SqliteWarehouseTest, EnsureTableAddsMissingColumnsAndKeepsData) {
  ASSERT_TRUE(
      warehouse_
          ->Upsert("people", kPeopleColumns, kId, std::vector<Row>{{int64_t{1}, "a", 1.0, "x"}})
          .ok());
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

TEST_F(SqliteWarehouseTest, DescribeTableReportsTypesForTablesAndViews) {
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

TEST_F(SqliteWarehouseTest, TableExistsForTablesAndViews) {
  ASSERT_TRUE(warehouse_->Execute("CREATE VIEW v AS SELECT 1 AS one").ok());
  EXPECT_TRUE(*warehouse_->TableExists("people"));
  EXPECT_TRUE(*warehouse_->TableExists("v"));
  EXPECT_FALSE(*warehouse_->TableExists("nope"));
}

TEST_F(SqliteWarehouseTest, ExecuteRunsSeveralStatements) {
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

TEST_F(SqliteWarehouseTest, BadSqlCarriesTheEngineMessageAndTheSql) {
  Status status = warehouse_->Execute("SELEC id FROM people");
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("near \"SELEC\": syntax error"));
  EXPECT_THAT(status.message(), HasSubstr("SELEC id FROM people"));

  auto query = warehouse_->QueryAll("SELECT nope FROM people");
  EXPECT_EQ(query.status().code(), ErrorCode::kDatabase);
  EXPECT_THAT(query.status().message(), HasSubstr("no such column: nope"));

  // Long SQL is cut in the message.
  std::string long_sql = "SELECT " + std::string(1000, 'x') + " FROM nowhere";
  Status long_status = warehouse_->Execute(long_sql);
  EXPECT_LT(long_status.message().size(), 400u);
}

TEST_F(SqliteWarehouseTest, ConstraintViolationsAreClear) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'a')").ok());
  Status status = warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'b')");
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("UNIQUE constraint failed: people.id"));
  EXPECT_THAT(status.hint(), HasSubstr("constraint"));
}

TEST_F(SqliteWarehouseTest, QueryTakesExactlyOneStatementAndMatchingParameters) {
  EXPECT_EQ(warehouse_->QueryAll("SELECT 1; SELECT 2").status().code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(warehouse_->QueryAll("SELECT 1; -- trailing comment\n").ok());
  const Value one[] = {int64_t{1}};
  EXPECT_EQ(warehouse_->QueryAll("SELECT ?, ?", one).status().code(), ErrorCode::kInvalidInput);
}

TEST_F(SqliteWarehouseTest, CallbackErrorStopsTheQuery) {
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id) VALUES (1), (2), (3)").ok());
  int seen = 0;
  Status status = warehouse_->Query("SELECT id FROM people", {}, [&seen](const Row&) {
    ++seen;
    return Status(ErrorCode::kCancelled, "enough");
  });
  EXPECT_EQ(status.code(), ErrorCode::kCancelled);
  EXPECT_EQ(seen, 1);
  // The cached statement was reset and works again.
  EXPECT_EQ(All("SELECT id FROM people").size(), 3u);
}

TEST_F(SqliteWarehouseTest, QueriesMayRunFromInsideARowCallback) {
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

TEST_F(SqliteWarehouseTest, StatementCacheEvictsWithoutBreakingQueries) {
  for (size_t round = 0; round < 2; ++round) {
    for (size_t index = 0; index < 3 * SqliteWarehouse::kStatementCacheCapacity; ++index) {
      auto rows = All("SELECT " + std::to_string(index));
      ASSERT_EQ(rows.size(), 1u);
      EXPECT_EQ(rows[0][0], Value(static_cast<int64_t>(index)));
    }
  }
}

TEST_F(SqliteWarehouseTest, RegexpOperator) {
  ASSERT_TRUE(warehouse_
                  ->Execute("INSERT INTO people(id, name) VALUES (1, 'R-2024-001'), "
                            "(2, 'note'), (3, NULL)")
                  .ok());
  EXPECT_EQ(All("SELECT id FROM people WHERE name REGEXP '^R-[0-9]{4}-' ORDER BY id"),
            (std::vector<Row>{{int64_t{1}}}));
  EXPECT_EQ(All("SELECT name REGEXP 'x' FROM people WHERE id = 3"),
            (std::vector<Row>{{std::monostate{}}}));
  auto bad = warehouse_->QueryAll("SELECT 'a' REGEXP '('");
  EXPECT_EQ(bad.status().code(), ErrorCode::kDatabase);
  EXPECT_THAT(bad.status().message(), HasSubstr("regexp"));
}

TEST_F(SqliteWarehouseTest, CheckpointsRunInTheBackgroundWhileAHandleLives) {
  EXPECT_EQ(All("PRAGMA wal_autocheckpoint"), (std::vector<Row>{{int64_t{1000}}}));
  const std::string file = dir_.File("w.db");
  const auto size_before = std::filesystem::file_size(file);
  {
    std::unique_ptr<BackgroundWork> checkpoints = warehouse_->MaintainInBackground();
    ASSERT_NE(checkpoints, nullptr);
    // The building connection no longer checkpoints by itself ...
    EXPECT_EQ(All("PRAGMA wal_autocheckpoint"), (std::vector<Row>{{int64_t{0}}}));
    ASSERT_TRUE(warehouse_
                    ->Execute("CREATE TABLE big AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                              "SELECT i + 1 FROM n WHERE i < 20000) "
                              "SELECT i, printf('%0200d', i) AS pad FROM n")
                    .ok());
    // ... yet the rows reach the database file, copied by the other thread.
    for (int i = 0; i < 100 && std::filesystem::file_size(file) < size_before + 4'000'000; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_GE(std::filesystem::file_size(file), size_before + 4'000'000);
  }
  EXPECT_EQ(All("PRAGMA wal_autocheckpoint"), (std::vector<Row>{{int64_t{1000}}}));
  EXPECT_EQ(Count("big"), 20000);
  // Nothing to do without a file, or without the right to write it.
  auto memory = OpenOrDie(":memory:");
  EXPECT_EQ(memory->MaintainInBackground(), nullptr);
  auto reader = OpenOrDie(file, /*read_only=*/true);
  EXPECT_EQ(reader->MaintainInBackground(), nullptr);
}

TEST_F(SqliteWarehouseTest, APeerIsAnotherConnectionToTheSameFile) {
  ASSERT_TRUE(
      warehouse_->Upsert("people", kPeopleColumns, kId, {{Row{int64_t{1}, "a", 1.5, {}}}}).ok());
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  auto names = (*peer)->QueryAll("SELECT name FROM people");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(names->rows, (std::vector<Row>{{std::string("a")}}));
  // It writes too, and waits for the other connection's transaction.
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (2, 'b')").ok());
  std::thread committer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(warehouse_->Commit().ok());
  });
  EXPECT_TRUE((*peer)->Execute("INSERT INTO people(id, name) VALUES (3, 'c')").ok());
  committer.join();
  EXPECT_EQ(Count("people"), 3);
  // With checkpoints moved off the connection, the peer's commits do not
  // checkpoint either.
  {
    std::unique_ptr<BackgroundWork> checkpoints = warehouse_->MaintainInBackground();
    ASSERT_NE(checkpoints, nullptr);
    auto quiet = warehouse_->OpenPeer();
    ASSERT_TRUE(quiet.ok());
    auto threshold = (*quiet)->QueryAll("PRAGMA wal_autocheckpoint");
    ASSERT_TRUE(threshold.ok());
    EXPECT_EQ(threshold->rows, (std::vector<Row>{{int64_t{0}}}));
  }
  // A peer of a read-only connection is read-only; memory cannot be shared.
  auto reader = OpenOrDie(dir_.File("w.db"), /*read_only=*/true);
  auto reading_peer = reader->OpenPeer();
  ASSERT_TRUE(reading_peer.ok());
  EXPECT_FALSE((*reading_peer)->Execute("DELETE FROM people").ok());
  auto memory = OpenOrDie(":memory:");
  auto no_peer = memory->OpenPeer();
  ASSERT_FALSE(no_peer.ok());
  EXPECT_EQ(no_peer.status().code(), ErrorCode::kUnsupported);
}

TEST_F(SqliteWarehouseTest, YyyymmddDateAcceptsOnlyRealDays) {
  auto day = [&](const std::string& literal) {
    auto rows = All("SELECT sw_yyyymmdd_date(" + literal + ")");
    return rows.empty() || IsNull(rows[0][0]) ? std::string("NULL") : ValueToString(rows[0][0]);
  };
  EXPECT_EQ(day("'20240229'"), "2024-02-29");
  EXPECT_EQ(day("20240131"), "2024-01-31");  // a number is read as its digits
  EXPECT_EQ(day("'20000229'"), "2000-02-29");
  EXPECT_EQ(day("'19000229'"), "NULL");  // 1900 was not a leap year
  EXPECT_EQ(day("'20230229'"), "NULL");
  EXPECT_EQ(day("'20240431'"), "NULL");
  EXPECT_EQ(day("'20241301'"), "NULL");
  EXPECT_EQ(day("'20240100'"), "NULL");
  EXPECT_EQ(day("'2024011'"), "NULL");
  EXPECT_EQ(day("'202401011'"), "NULL");
  EXPECT_EQ(day("'2024-1-1'"), "NULL");
  EXPECT_EQ(day("' 2024010'"), "NULL");
  EXPECT_EQ(day("'２０２４０１０１'"), "NULL");  // full-width digits are not digits
  EXPECT_EQ(day("NULL"), "NULL");
  // The same answer as date(iso, '+0 days') = iso, on every day of 2023-2024
  // and the impossible ones around them.
  EXPECT_EQ(All("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2000), "
                "t(x) AS (SELECT printf('%04d%02d%02d', 2023 + i / 1000, (i / 32) % 13 + 1, "
                "i % 32) FROM n), "
                "iso(x, d) AS (SELECT x, substr(x, 1, 4) || '-' || substr(x, 5, 2) || '-' || "
                "substr(x, 7, 2) FROM t) "
                "SELECT count(*) FROM iso WHERE sw_yyyymmdd_date(x) IS NOT "
                "(CASE WHEN date(d, '+0 days') = d THEN d END)"),
            (std::vector<Row>{{int64_t{0}}}));
}

TEST_F(SqliteWarehouseTest, DialectSpellings) {
  const Dialect& dialect = warehouse_->dialect();
  EXPECT_EQ(warehouse_->engine(), "sqlite");
  EXPECT_EQ(dialect.QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(dialect.QuoteString("it's"), "'it''s'");
  EXPECT_EQ(dialect.TypeName(ColumnType::kInteger), "INTEGER");
  EXPECT_EQ(dialect.TypeName(ColumnType::kReal), "REAL");
  EXPECT_EQ(dialect.TypeName(ColumnType::kText), "TEXT");
  EXPECT_EQ(dialect.RenameTable("a", "b"), "ALTER TABLE \"a\" RENAME TO \"b\"");

  ASSERT_TRUE(warehouse_->Execute(dialect.RenameTable("people", "persons")).ok());
  EXPECT_TRUE(*warehouse_->TableExists("persons"));
  auto now = warehouse_->QueryAll("SELECT " + dialect.CurrentTimestamp());
  ASSERT_TRUE(now.ok());
  const std::string stamp = std::get<std::string>(now->rows[0][0]);
  EXPECT_EQ(stamp.size(), 24u) << stamp;  // 2026-11-25T01:00:09.123Z
  EXPECT_EQ(stamp.back(), 'Z');
}

TEST(SqliteWarehouseOpenTest, CreatesParentDirectoriesAndUsesWal) {
  ScopedTempDir dir;
  const std::string path = dir.File("a/b/c/w.db");
  auto warehouse = OpenOrDie(path);
  ASSERT_NE(warehouse, nullptr);
  EXPECT_TRUE(std::filesystem::exists(path));
  auto mode = warehouse->QueryAll("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(mode->rows[0][0], Value(std::string("wal")));
  auto keys = warehouse->QueryAll("PRAGMA foreign_keys");
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->rows[0][0], Value(int64_t{1}));
}

TEST(SqliteWarehouseOpenTest, ReadOnlyRefusesWrites) {
  ScopedTempDir dir;
  const std::string path = dir.File("w.db");
  {
    auto writer = OpenOrDie(path);
    ASSERT_TRUE(writer->EnsureTable(kPeople).ok());
    ASSERT_TRUE(writer->Execute("INSERT INTO people(id, name) VALUES (1, 'a')").ok());
  }
  auto reader = OpenOrDie(path, /*read_only=*/true);
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
  EXPECT_EQ(reader->QueryAll("SELECT count(*) FROM people")->rows[0][0], Value(int64_t{1}));
}

TEST(SqliteWarehouseOpenTest, ReadOnlyOpenOfAMissingFileIsNotFound) {
  ScopedTempDir dir;
  auto opened = SqliteWarehouse::Open({.location = dir.File("none.db"), .read_only = true});
  EXPECT_TRUE(opened.status().IsNotFound());
  EXPECT_FALSE(std::filesystem::exists(dir.File("none.db")));
}

TEST(SqliteWarehouseOpenTest, NotADatabaseIsReported) {
  ScopedTempDir dir;
  const std::string path = dir.File("junk.db");
  {
    std::FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("this is not sqlite, just some text that is long enough to have a header....", file);
    std::fclose(file);
  }
  auto opened = SqliteWarehouse::Open({.location = path});
  EXPECT_EQ(opened.status().code(), ErrorCode::kDatabase);
  EXPECT_THAT(opened.status().message(), HasSubstr("not a database"));
}

}  // namespace
}  // namespace silverwork
