// A process killed mid-transaction must leave only committed data behind.
// Each test forks a child that writes through its own connection and dies
// before committing; the parent then reopens the file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "scoped_temp_dir.h"
#include "warehouse/sqlite/sqlite_warehouse.h"

namespace silverwork {
namespace {

const TableSpec kRaw = {.name = "raw",
                        .columns = {{.name = "id", .type = ColumnType::kInteger}, {.name = "body"}},
                        .primary_key = {"id"}};
const std::vector<std::string> kColumns = {"id", "body"};
const std::vector<std::string> kKey = {"id"};

std::vector<Row> Rows(int64_t first, int64_t count) {
  std::vector<Row> rows;
  for (int64_t id = first; id < first + count; ++id) {
    rows.push_back({id, std::string(200, static_cast<char>('a' + id % 26))});
  }
  return rows;
}

// Runs in the child: commits ids [0, 1000), then upserts ids [1000, 51000)
// (enough to spill uncommitted pages into the WAL) without committing, then
// signals `ready_fd` and calls `die`. Exit code 2 means a setup step failed.
[[noreturn]] void ChildWritesThenDies(const std::string& path, int ready_fd, void (*die)()) {
  auto opened = SqliteWarehouse::Open({.location = path});
  if (!opened.ok()) _exit(2);
  Warehouse& warehouse = **opened;
  if (!warehouse.EnsureTable(kRaw).ok()) _exit(2);
  if (!warehouse.Begin().ok()) _exit(2);
  if (!warehouse.Upsert("raw", kColumns, kKey, Rows(0, 1000)).ok()) _exit(2);
  if (!warehouse.PutState("cursor", "committed").ok()) _exit(2);
  if (!warehouse.Commit().ok()) _exit(2);

  if (!warehouse.Begin().ok()) _exit(2);
  if (!warehouse.Upsert("raw", kColumns, kKey, Rows(1000, 50000)).ok()) _exit(2);
  if (!warehouse
           .Upsert("raw", kColumns, kKey,
                   std::vector<Row>{{int64_t{0}, std::string("overwritten")}})
           .ok()) {
    _exit(2);
  }
  if (!warehouse.PutState("cursor", "uncommitted").ok()) _exit(2);
  const char ready = 'r';
  if (write(ready_fd, &ready, 1) != 1) _exit(2);
  die();
  _exit(3);
}

void ExpectOnlyCommittedData(const std::string& path) {
  auto opened = SqliteWarehouse::Open({.location = path});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Warehouse& warehouse = **opened;
  auto integrity = warehouse.QueryAll("PRAGMA integrity_check");
  ASSERT_TRUE(integrity.ok());
  EXPECT_EQ(integrity->rows[0][0], Value(std::string("ok")));
  auto counts = warehouse.QueryAll("SELECT count(*), max(id) FROM raw");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->rows[0], (Row{int64_t{1000}, int64_t{999}}));
  auto first = warehouse.QueryAll("SELECT body FROM raw WHERE id = 0");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->rows[0][0], Value(std::string(200, 'a')));
  auto cursor = warehouse.GetState("cursor");
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(*cursor, "committed");
  // The recovered file takes new writes.
  EXPECT_TRUE(warehouse.Upsert("raw", kColumns, kKey, Rows(1000, 10)).ok());
}

void RunCrashScenario(void (*die)(), bool parent_kills) {
  ScopedTempDir dir;
  const std::string path = dir.File("w.db");
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    ChildWritesThenDies(path, pipe_fds[1], die);
  }
  close(pipe_fds[1]);
  char ready = 0;
  const ssize_t got = read(pipe_fds[0], &ready, 1);
  close(pipe_fds[0]);
  if (parent_kills && got == 1) kill(child, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_EQ(got, 1) << "child failed before the uncommitted transaction, status " << wait_status;
  ExpectOnlyCommittedData(path);
}

void ExitWithoutCommitting() { _exit(0); }
void WaitToBeKilled() {
  for (;;) pause();
}

TEST(CrashSafetyTest, ExitBeforeCommitKeepsOnlyCommittedData) {
  RunCrashScenario(&ExitWithoutCommitting, /*parent_kills=*/false);
}

TEST(CrashSafetyTest, SigkillBeforeCommitKeepsOnlyCommittedData) {
  RunCrashScenario(&WaitToBeKilled, /*parent_kills=*/true);
}

}  // namespace
}  // namespace silverwork
