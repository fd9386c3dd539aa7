// The server restarts in the middle of a load: the load's transaction is
// rolled back, the error says so, and a rerun from the checkpoint finishes
// with exact tables. The test restarts a server of its own (the shared one
// serves other tests at the same time), started by the same script.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "postgres_private_server.h"

namespace silverwork {
namespace {

using ::testing::HasSubstr;

const TableSpec kRestartTable = {.name = "raw_items",
                                 .columns = {{.name = "itemId", .type = ColumnType::kInteger},
                                             {.name = "batch", .type = ColumnType::kInteger}},
                                 .primary_key = {"itemId"}};
const std::vector<std::string> kRestartColumns = {"itemId", "batch"};
const std::vector<std::string> kRestartKey = {"itemId"};
constexpr int64_t kRowsPerRestartBatch = 500;

std::vector<Row> BatchRows(int64_t batch, int64_t first, int64_t count) {
  std::vector<Row> rows;
  for (int64_t id = first; id < first + count; ++id) rows.push_back({id, batch});
  return rows;
}

// Loads whole batches from the checkpoint up to `last` (exclusive), each in
// one transaction with its checkpoint.
Status LoadFromCheckpoint(Warehouse& warehouse, int64_t last) {
  SW_ASSIGN_OR_RETURN(std::optional<std::string> next, warehouse.GetState("next_batch"));
  for (int64_t batch = next ? std::stoll(*next) : 0; batch < last; ++batch) {
    Transaction transaction(warehouse);
    SW_RETURN_IF_ERROR(transaction.Begin());
    SW_RETURN_IF_ERROR(
        warehouse.Upsert(kRestartTable.name, kRestartColumns, kRestartKey,
                         BatchRows(batch, batch * kRowsPerRestartBatch, kRowsPerRestartBatch)));
    SW_RETURN_IF_ERROR(warehouse.PutState("next_batch", std::to_string(batch + 1)));
    SW_RETURN_IF_ERROR(transaction.Commit());
  }
  return Status::Ok();
}

// A server of the test's own, and a connection with raw_items made.
class PostgresRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.started());
    auto opened = OpenWarehouse(server_.Options());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    warehouse_ = std::move(*opened);
    ASSERT_TRUE(warehouse_->EnsureTable(kRestartTable).ok());
  }

  PrivatePostgresServer server_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(PostgresRestartTest, ARestartMidLoadRollsBackAndTheRerunCompletesExactly) {
  Warehouse& warehouse = *warehouse_;
  PrivatePostgresServer& server = server_;
  ASSERT_TRUE(LoadFromCheckpoint(warehouse, 3).ok());

  // Batch 3 is half written when the server restarts.
  {
    Transaction transaction(warehouse);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(warehouse
                    .Upsert(kRestartTable.name, kRestartColumns, kRestartKey,
                            BatchRows(3, 3 * kRowsPerRestartBatch, kRowsPerRestartBatch / 2))
                    .ok());
    ASSERT_TRUE(server.Restart());
    Status lost = warehouse.Upsert(kRestartTable.name, kRestartColumns, kRestartKey,
                                   BatchRows(3, 3 * kRowsPerRestartBatch + kRowsPerRestartBatch / 2,
                                             kRowsPerRestartBatch / 2));
    EXPECT_EQ(lost.code(), ErrorCode::kNetwork);
    EXPECT_THAT(lost.message(), HasSubstr("lost the connection to PostgreSQL at 127.0.0.1:"));
    EXPECT_THAT(lost.message(), HasSubstr("rolled back the open transaction"));
    EXPECT_THAT(lost.hint(), HasSubstr("run the command again"));
    EXPECT_EQ(warehouse.PutState("next_batch", "4").code(), ErrorCode::kNetwork);
    EXPECT_EQ(transaction.Commit().code(), ErrorCode::kNetwork);
  }  // the Transaction rolls back: nothing to do on the server, and no error
  EXPECT_FALSE(warehouse.InTransaction());

  // The same connection object reconnects and the rerun resumes at batch 3.
  ASSERT_TRUE(LoadFromCheckpoint(warehouse, 6).ok());
  auto fresh = OpenWarehouse(server.Options());
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto counts = (*fresh)->QueryAll(
      "SELECT count(*), count(DISTINCT itemId), max(itemId), min(batch), max(batch) "
      "FROM raw_items");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->rows[0], (Row{6 * kRowsPerRestartBatch, 6 * kRowsPerRestartBatch,
                                  6 * kRowsPerRestartBatch - 1, int64_t{0}, int64_t{5}}));
  auto checkpoint = (*fresh)->GetState("next_batch");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, "6");
}

// The server goes away in the middle of an appender's COPY: the stream
// fails with kNetwork (from Add or Finish, whichever notices), the
// transaction is lost whole, and a new stream after reconnecting works.
TEST_F(PostgresRestartTest, ARestartMidStreamFailsTheAppenderAndKeepsNothing) {
  Warehouse& warehouse = *warehouse_;
  PrivatePostgresServer& server = server_;
  {
    Transaction transaction(warehouse);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(warehouse.PutState("next_batch", "1").ok());
    auto appender = warehouse.OpenAppender(kRestartTable.name, kRestartColumns);
    ASSERT_TRUE(appender.ok()) << appender.status().ToString();
    for (const Row& row : BatchRows(0, 0, kRowsPerRestartBatch))
      ASSERT_TRUE((*appender)->Add(row).ok());
    ASSERT_TRUE(server.Restart());
    // Enough rows that some go to the socket before Finish.
    Status lost;
    for (int64_t id = kRowsPerRestartBatch; lost.ok() && id < 100 * kRowsPerRestartBatch; ++id)
      lost = (*appender)->Add(Row{id, int64_t{0}});
    if (lost.ok()) lost = (*appender)->Finish();
    EXPECT_EQ(lost.code(), ErrorCode::kNetwork) << lost.ToString();
    EXPECT_THAT(lost.message(), HasSubstr("rolled back the open transaction"));
    EXPECT_EQ(transaction.Commit().code(), ErrorCode::kNetwork);
  }
  EXPECT_FALSE(warehouse.InTransaction());

  auto again = warehouse.OpenAppender(kRestartTable.name, kRestartColumns);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const Row& row : BatchRows(1, 0, kRowsPerRestartBatch))
    ASSERT_TRUE((*again)->Add(row).ok());
  ASSERT_TRUE((*again)->Finish().ok());
  auto fresh = OpenWarehouse(server.Options());
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  auto counts = (*fresh)->QueryAll("SELECT count(*), min(batch) FROM raw_items");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->rows[0], (Row{kRowsPerRestartBatch, int64_t{1}}));
  auto checkpoint = (*fresh)->GetState("next_batch");
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, std::nullopt);
}

}  // namespace
}  // namespace silverwork

#endif  // SILVERWORK_HAVE_POSTGRES
