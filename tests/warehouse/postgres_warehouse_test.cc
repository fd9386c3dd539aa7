// What only the PostgreSQL engine does, against the shared test server:
// types, COPY merges, transactions the server aborts, statement timeouts,
// and sessions the server ends. Connection failures and passwords are in
// postgres_connect_test.cc, a server restart mid-load in
// postgres_restart_test.cc.
#ifdef SILVERWORK_HAVE_POSTGRES

#include "warehouse/postgres/postgres_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "postgres_test_server.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

using ::testing::HasSubstr;

const TableSpec kItems = {.name = "items",
                          .columns = {{.name = "itemId", .type = ColumnType::kInteger},
                                      {.name = "title"},
                                      {.name = "price", .type = ColumnType::kReal}},
                          .primary_key = {"itemId"}};
const std::vector<std::string> kItemColumns = {"itemId", "title", "price"};
const std::vector<std::string> kItemKey = {"itemId"};

class PostgresWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = Open(schema_.Options());
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(warehouse_->EnsureTable(kItems).ok());
  }

  static std::unique_ptr<Warehouse> Open(const WarehouseOptions& options) {
    auto opened = OpenWarehouse(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  std::vector<Row> All(Warehouse& warehouse, const std::string& sql) {
    return AllRows(warehouse, sql);
  }
  std::vector<Row> All(const std::string& sql) { return AllRows(*warehouse_, sql); }

  int64_t BackendPid(Warehouse& warehouse) {
    auto rows = All(warehouse, "SELECT pg_backend_pid()");
    return rows.empty() ? -1 : std::get<int64_t>(rows[0][0]);
  }

  // Ends `warehouse`'s server session from another connection, as a server
  // shutdown does.
  void TerminateSessionOf(Warehouse& warehouse) {
    const Value pid[] = {BackendPid(warehouse)};
    std::unique_ptr<Warehouse> admin = Open(schema_.Options());
    ASSERT_NE(admin, nullptr);
    auto ended = admin->QueryAll("SELECT pg_terminate_backend(?::int, 60000)", pid);
    ASSERT_TRUE(ended.ok()) << ended.status().ToString();
    ASSERT_EQ(ended->rows, (std::vector<Row>{{int64_t{1}}}));
  }

  ScopedPostgresSchema schema_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(PostgresWarehouseTest, ResultTypesMapToValues) {
  EXPECT_EQ(All("SELECT 1::int2, 2::int4, 3::int8, true, false, 1.5::float4, 2.5::float8, "
                "12345678901234::numeric, 1.25::numeric, sum(x) FROM (VALUES (1::bigint)) v(x)"),
            (std::vector<Row>{{int64_t{1}, int64_t{2}, int64_t{3}, int64_t{1}, int64_t{0}, 1.5, 2.5,
                               int64_t{12345678901234}, 1.25, int64_t{1}}}));
  EXPECT_EQ(All("SELECT DATE '2024-01-02', NULL::int, 'x'::text, '{\"a\": 1}'::jsonb"),
            (std::vector<Row>{{"2024-01-02", std::monostate{}, "x", "{\"a\": 1}"}}));
  auto special = All("SELECT 'NaN'::float8, '-Infinity'::float8");
  ASSERT_EQ(special.size(), 1u);
  EXPECT_TRUE(std::isnan(std::get<double>(special[0][0])));
  EXPECT_EQ(special[0][1], Value(-std::numeric_limits<double>::infinity()));

  ASSERT_TRUE(warehouse_
                  ->Execute("CREATE TABLE typed (flag boolean, amount numeric(10, 2), "
                            "day date, small smallint)")
                  .ok());
  auto columns = warehouse_->DescribeTable("typed");
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  std::vector<ColumnType> types;
  for (const ColumnSpec& column : *columns) types.push_back(column.type);
  EXPECT_EQ(types, (std::vector<ColumnType>{ColumnType::kInteger, ColumnType::kReal,
                                            ColumnType::kText, ColumnType::kInteger}));
  EXPECT_EQ(warehouse_->dialect().TypeName(ColumnType::kReal), "DOUBLE PRECISION");
  EXPECT_EQ(warehouse_->dialect().TypeName(ColumnType::kInteger), "BIGINT");
}

TEST_F(PostgresWarehouseTest, UpsertMergesAManyRowCopyInTheCallersTransaction) {
  std::vector<Row> rows;
  for (int64_t id = 0; id < 20'000; ++id) {
    rows.push_back({id, "item\t" + std::to_string(id) + "\n\\", static_cast<double>(id) / 4});
  }
  ASSERT_TRUE(warehouse_->Upsert("items", kItemColumns, kItemKey, rows).ok());
  // The second load updates half, adds half; a key given twice keeps its last row.
  std::vector<Row> again;
  for (int64_t id = 10'000; id < 30'000; ++id) again.push_back({id, "new", 1.0});
  again.push_back({int64_t{0}, "first of two", 0.0});
  again.push_back({int64_t{0}, "last of two", 0.5});

  std::unique_ptr<Warehouse> peer = Open(schema_.Options());
  ASSERT_NE(peer, nullptr);
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Upsert("items", kItemColumns, kItemKey, again).ok());
  EXPECT_EQ(All(*peer, "SELECT count(*) FROM items"), (std::vector<Row>{{int64_t{20'000}}}));
  ASSERT_TRUE(warehouse_->Commit().ok());

  EXPECT_EQ(All(*peer, "SELECT count(*), count(*) FILTER (WHERE title = 'new') FROM items"),
            (std::vector<Row>{{int64_t{30'000}, int64_t{20'000}}}));
  EXPECT_EQ(All("SELECT title, price FROM items WHERE itemId IN (0, 9999) ORDER BY 1"),
            (std::vector<Row>{{"item\t9999\n\\", 2499.75}, {"last of two", 0.5}}));
}

TEST_F(PostgresWarehouseTest, UpsertNamesTheRowTheServerRejected) {
  ASSERT_TRUE(
      warehouse_
          ->EnsureTable({.name = "counts",
                         .columns = {{.name = "name"}, {.name = "n", .type = ColumnType::kInteger}},
                         .primary_key = {"name"}})
          .ok());
  const std::vector<std::string> columns = {"name", "n"};
  const std::vector<std::string> key = {"name"};
  Status status = warehouse_->Upsert(
      "counts", columns, key,
      std::vector<Row>{{"a", int64_t{1}}, {"b", int64_t{2}}, {"c", std::string("three")}});
  EXPECT_EQ(status.code(), ErrorCode::kDatabase);
  EXPECT_THAT(status.message(), HasSubstr("Upsert into \"counts\" failed at row 2"));
  EXPECT_THAT(status.message(), HasSubstr("bigint"));
  // Text cannot hold NUL on PostgreSQL: refused, not cut short.
  Status nul = warehouse_->Upsert("counts", columns, key,
                                  std::vector<Row>{{std::string("a\0b", 3), int64_t{1}}});
  EXPECT_EQ(nul.code(), ErrorCode::kDatabase);
  EXPECT_THAT(nul.message(), HasSubstr("row 0"));
  EXPECT_EQ(All("SELECT count(*) FROM counts"), (std::vector<Row>{{int64_t{0}}}));
}

TEST_F(PostgresWarehouseTest, AFailedStatementAbortsTheTransactionAndCommitSaysSo) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO items(itemId, title) VALUES (1, 'a')").ok());
  Status failed = warehouse_->Execute("INSERT INTO items(itemId, title) VALUES ('x', 'b')");
  EXPECT_EQ(failed.code(), ErrorCode::kDatabase);
  Status ignored = warehouse_->Execute("INSERT INTO items(itemId, title) VALUES (2, 'c')");
  EXPECT_THAT(ignored.message(), HasSubstr("25P02"));
  EXPECT_THAT(ignored.hint(), HasSubstr("roll back"));
  EXPECT_TRUE(warehouse_->InTransaction());

  Status commit = warehouse_->Commit();
  EXPECT_EQ(commit.code(), ErrorCode::kDatabase);
  EXPECT_THAT(commit.message(), HasSubstr("rolled back, not committed"));
  EXPECT_THAT(commit.message(), HasSubstr("invalid input syntax for type bigint"));
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(All("SELECT count(*) FROM items"), (std::vector<Row>{{int64_t{0}}}));
}

TEST_F(PostgresWarehouseTest, StatementTimeoutCancelsAStatementThatWaits) {
  WarehouseOptions options = schema_.Options();
  options.statement_timeout_ms = 100;
  std::unique_ptr<Warehouse> impatient = Open(options);
  ASSERT_NE(impatient, nullptr);
  EXPECT_EQ(All(*impatient, "SHOW statement_timeout"), (std::vector<Row>{{"100ms"}}));
  // A lock the other connection holds makes the statement wait until the
  // timeout cancels it: no sleeping, and it would wait forever without one.
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE").ok());
  auto waited = impatient->QueryAll("SELECT count(*) FROM items");
  EXPECT_EQ(waited.status().code(), ErrorCode::kDatabase);
  EXPECT_THAT(waited.status().message(), HasSubstr("statement timeout"));
  EXPECT_THAT(waited.status().hint(), HasSubstr("statement_timeout_ms"));
  ASSERT_TRUE(warehouse_->Rollback().ok());
  EXPECT_EQ(All(*impatient, "SELECT count(*) FROM items"), (std::vector<Row>{{int64_t{0}}}));
}

TEST_F(PostgresWarehouseTest, AnIdleSessionTheServerEndedReconnects) {
  const int64_t before = BackendPid(*warehouse_);
  TerminateSessionOf(*warehouse_);
  EXPECT_EQ(All("SELECT count(*) FROM items"), (std::vector<Row>{{int64_t{0}}}));
  EXPECT_NE(BackendPid(*warehouse_), before);
  // The new session keeps the settings: its schema and read-only mode.
  std::unique_ptr<Warehouse> reader = Open(schema_.Options(/*read_only=*/true));
  ASSERT_NE(reader, nullptr);
  TerminateSessionOf(*reader);
  EXPECT_EQ(All(*reader, "SHOW default_transaction_read_only"), (std::vector<Row>{{"on"}}));
  EXPECT_EQ(All(*reader, "SELECT count(*) FROM items"), (std::vector<Row>{{int64_t{0}}}));
}

TEST_F(PostgresWarehouseTest, ASessionEndedInsideATransactionFailsUntilRolledBack) {
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(
      warehouse_->Upsert("items", kItemColumns, kItemKey, std::vector<Row>{{int64_t{1}, "a", 1.0}})
          .ok());
  TerminateSessionOf(*warehouse_);

  Status lost =
      warehouse_->Upsert("items", kItemColumns, kItemKey, std::vector<Row>{{int64_t{2}, "b", 2.0}});
  EXPECT_EQ(lost.code(), ErrorCode::kNetwork);
  EXPECT_THAT(lost.message(), HasSubstr("lost the connection to PostgreSQL at 127.0.0.1:"));
  EXPECT_THAT(lost.message(), HasSubstr("rolled back the open transaction"));
  EXPECT_THAT(lost.hint(), HasSubstr("run the command again"));
  // Nothing reconnects behind the caller's back while its transaction is gone.
  EXPECT_TRUE(warehouse_->InTransaction());
  EXPECT_EQ(warehouse_->Execute("SELECT 1").code(), ErrorCode::kNetwork);
  EXPECT_EQ(warehouse_->Commit().code(), ErrorCode::kNetwork);
  EXPECT_TRUE(warehouse_->Rollback().ok());
  EXPECT_FALSE(warehouse_->InTransaction());
  EXPECT_EQ(All("SELECT count(*) FROM items"), (std::vector<Row>{{int64_t{0}}}));
}

TEST_F(PostgresWarehouseTest, TablesLiveInTheCurrentSchema) {
  ScopedPostgresSchema other;
  std::unique_ptr<Warehouse> elsewhere = Open(other.Options());
  ASSERT_NE(elsewhere, nullptr);
  EXPECT_TRUE(*warehouse_->TableExists("items"));
  EXPECT_FALSE(*elsewhere->TableExists("items"));
  EXPECT_TRUE(elsewhere->DescribeTable("items").status().IsNotFound());
  // A name PostgreSQL folds finds the folded table; a quoted mixed-case one only itself.
  ASSERT_TRUE(warehouse_->Execute("CREATE TABLE \"MixedCase\" (x int)").ok());
  EXPECT_TRUE(*warehouse_->TableExists("MixedCase"));
  EXPECT_TRUE(*warehouse_->TableExists("ITEMS"));
  EXPECT_FALSE(*warehouse_->TableExists("mixedcase"));
}

}  // namespace
}  // namespace silverwork

#endif  // SILVERWORK_HAVE_POSTGRES
