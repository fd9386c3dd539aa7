// A loading process killed with SIGKILL at any point leaves whole batches:
// each batch commits together with its checkpoint, so after the kill the
// table holds exactly the batches the checkpoint counts, and a rerun from
// the checkpoint finishes with exact tables. On every engine.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "warehouse_under_test.h"

namespace silverwork {
namespace {

constexpr int64_t kRowsPerBatch = 200;
const TableSpec kLoaderTable = {.name = "raw_items",
                                .columns = {{.name = "itemId", .type = ColumnType::kInteger},
                                            {.name = "body"},
                                            {.name = "batch", .type = ColumnType::kInteger}},
                                .primary_key = {"itemId"}};
const std::vector<std::string> kLoaderColumns = {"itemId", "body", "batch"};
const std::vector<std::string> kLoaderKey = {"itemId"};

// Batch n writes its own rows and rewrites row -1, which names the last batch.
std::vector<Row> BatchRows(int64_t batch) {
  std::vector<Row> rows;
  for (int64_t offset = 0; offset < kRowsPerBatch; ++offset) {
    const int64_t id = batch * kRowsPerBatch + offset;
    rows.push_back({id, "item " + std::to_string(id) + std::string(100, 'x'), batch});
  }
  rows.push_back({int64_t{-1}, "last batch", batch});
  return rows;
}

Result<int64_t> NextBatch(Warehouse& warehouse) {
  SW_ASSIGN_OR_RETURN(std::optional<std::string> next, warehouse.GetState("next_batch"));
  return next ? std::stoll(*next) : int64_t{0};
}

// Loads from the checkpoint up to batch `last` (exclusive); after each step
// writes a byte to `progress_fd` (-1: none).
Status LoadBatches(Warehouse& warehouse, int64_t last, int progress_fd) {
  auto step = [progress_fd] {
    const char done = '.';
    if (progress_fd >= 0 && write(progress_fd, &done, 1) != 1) _exit(4);
  };
  SW_ASSIGN_OR_RETURN(int64_t batch, NextBatch(warehouse));
  for (; batch < last; ++batch) {
    Transaction transaction(warehouse);
    SW_RETURN_IF_ERROR(transaction.Begin());
    step();
    SW_RETURN_IF_ERROR(
        warehouse.Upsert(kLoaderTable.name, kLoaderColumns, kLoaderKey, BatchRows(batch)));
    step();
    SW_RETURN_IF_ERROR(warehouse.PutState("next_batch", std::to_string(batch + 1)));
    step();
    SW_RETURN_IF_ERROR(transaction.Commit());
    step();
  }
  return Status::Ok();
}

[[noreturn]] void ChildLoadsUntilKilled(const WarehouseOptions& options, int progress_fd) {
  auto opened = OpenWarehouse(options);
  if (!opened.ok()) _exit(2);
  // Far more batches than the parent lets it finish.
  Status status = LoadBatches(**opened, 1'000'000, progress_fd);
  _exit(status.ok() ? 0 : 3);
}

void ExpectWholeBatches(Warehouse& warehouse, int64_t expected_batches) {
  auto next = NextBatch(warehouse);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  if (expected_batches >= 0) {
    EXPECT_EQ(*next, expected_batches);
  }
  auto counts = warehouse.QueryAll(
      "SELECT count(*), COALESCE(max(itemId), -1), "
      "count(DISTINCT batch) FROM raw_items WHERE itemId >= 0");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->rows[0], (Row{*next * kRowsPerBatch, *next * kRowsPerBatch - 1, *next}))
      << "checkpoint says " << *next << " batches";
  auto last = warehouse.QueryAll("SELECT batch FROM raw_items WHERE itemId = -1");
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  if (*next == 0) {
    EXPECT_TRUE(last->rows.empty());
  } else {
    EXPECT_EQ(last->rows, (std::vector<Row>{{*next - 1}}));
  }
}

class KilledLoaderTest : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Engines, KilledLoaderTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

TEST_P(KilledLoaderTest, SigkillAtAnyPointLeavesWholeBatchesAndARerunCompletes) {
  WarehouseUnderTest place(GetParam());
  std::unique_ptr<Warehouse> warehouse = place.Open();
  ASSERT_NE(warehouse, nullptr);
  ASSERT_TRUE(warehouse->EnsureTable(kLoaderTable).ok());

  // Steps after which the kill is sent: inside a batch at each of its
  // stages, and while later batches run. The child keeps running between
  // the report and the signal, so the kill lands wherever it is by then.
  for (int steps_before_kill : {1, 2, 3, 6, 7, 12, 17}) {
    SCOPED_TRACE("killed after step " + std::to_string(steps_before_kill));
    int pipe_fds[2];
    ASSERT_EQ(pipe(pipe_fds), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fds[0]);
      ChildLoadsUntilKilled(place.Options(), pipe_fds[1]);
    }
    close(pipe_fds[1]);
    int seen = 0;
    char byte = 0;
    while (seen < steps_before_kill && read(pipe_fds[0], &byte, 1) == 1) ++seen;
    kill(child, SIGKILL);
    close(pipe_fds[0]);
    int wait_status = 0;
    ASSERT_EQ(waitpid(child, &wait_status, 0), child);
    ASSERT_EQ(seen, steps_before_kill) << "the child stopped early, status " << wait_status;
    ASSERT_TRUE(WIFSIGNALED(wait_status));

    std::unique_ptr<Warehouse> reopened = place.Open();
    ASSERT_NE(reopened, nullptr);
    ExpectWholeBatches(*reopened, /*expected_batches=*/-1);
  }

  // The rerun starts from the checkpoint and ends with exact tables.
  auto next = NextBatch(*warehouse);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_TRUE(LoadBatches(*warehouse, *next + 3, /*progress_fd=*/-1).ok());
  ExpectWholeBatches(*warehouse, *next + 3);
}

}  // namespace
}  // namespace silverwork
