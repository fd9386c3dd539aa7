#include "warehouse/sqlite/sqlite_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "people_table.h"
#include "scoped_temp_dir.h"
#include "warehouse_under_test.h"

namespace silverwork {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<SqliteWarehouse> OpenOrDie(const std::string& path, bool read_only = false) {
  auto opened = SqliteWarehouse::Open({.location = path, .read_only = read_only});
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

class SqliteWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = OpenOrDie(dir_.File("w.db"));
    ASSERT_NE(warehouse_, nullptr);
    ASSERT_TRUE(warehouse_->EnsureTable(kPeople).ok());
  }

  std::vector<Row> All(const std::string& sql) { return AllRows(*warehouse_, sql); }
  int64_t Count(const std::string& table) { return CountRows(*warehouse_, table); }

  ScopedTempDir dir_;
  std::unique_ptr<SqliteWarehouse> warehouse_;
};

// The engine-independent behaviour is in warehouse_contract_test.cc; what
// follows is SQLite's own.

TEST_F(SqliteWarehouseTest, KeepsNulBytesAndStorageClasses) {
  const std::string with_nul("a\0b", 3);
  ASSERT_TRUE(warehouse_
                  ->Upsert("people", kPeopleColumns, kId,
                           std::vector<Row>{{int64_t{1}, with_nul, 2.0, std::monostate{}}})
                  .ok());
  EXPECT_EQ(All("SELECT name, typeof(score), typeof(note) FROM people"),
            (std::vector<Row>{{with_nul, "real", "null"}}));
}

TEST_F(SqliteWarehouseTest, ErrorsCarrySqlitesWords) {
  EXPECT_THAT(warehouse_->Execute("SELEC id FROM people").message(),
              HasSubstr("near \"SELEC\": syntax error"));
  EXPECT_THAT(warehouse_->QueryAll("SELECT nope FROM people").status().message(),
              HasSubstr("no such column: nope"));
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'a')").ok());
  EXPECT_THAT(warehouse_->Execute("INSERT INTO people(id, name) VALUES (1, 'b')").message(),
              HasSubstr("UNIQUE constraint failed: people.id"));
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
    // No deadline here: the check is that it happens at all (ctest's timeout
    // catches a checkpointer that never runs), however busy the machine is.
    while (std::filesystem::file_size(file) < size_before + 4'000'000) std::this_thread::yield();
  }
  EXPECT_EQ(All("PRAGMA wal_autocheckpoint"), (std::vector<Row>{{int64_t{1000}}}));
  EXPECT_EQ(Count("big"), 20000);
  // Nothing to do without a file, or without the right to write it.
  auto memory = OpenOrDie(":memory:");
  EXPECT_EQ(memory->MaintainInBackground(), nullptr);
  auto reader = OpenOrDie(file, /*read_only=*/true);
  EXPECT_EQ(reader->MaintainInBackground(), nullptr);
}

// A thread's scheduling state from /proc ('R' running, 'S' sleeping, ...);
// '?' once the thread has gone.
char ThreadState(pid_t thread) {
  std::ifstream stat("/proc/self/task/" + std::to_string(thread) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() ? '?' : line[paren + 2];
}

TEST_F(SqliteWarehouseTest, APeerWritesToTheSameFileAndWaitsForTheWriter) {
  ASSERT_TRUE(
      warehouse_->Upsert("people", kPeopleColumns, kId, {{Row{int64_t{1}, "a", 1.5, {}}}}).ok());
  auto peer = warehouse_->OpenPeer();
  ASSERT_TRUE(peer.ok()) << peer.status().ToString();
  auto names = (*peer)->QueryAll("SELECT name FROM people");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(names->rows, (std::vector<Row>{{std::string("a")}}));
  // It writes too, and waits for the other connection's transaction.
  // The writer holds the lock, so the peer's insert can only succeed by
  // waiting for the commit: it must see the commit done when it returns.
  ASSERT_TRUE(warehouse_->Begin().ok());
  ASSERT_TRUE(warehouse_->Execute("INSERT INTO people(id, name) VALUES (2, 'b')").ok());
  // The commit comes once the peer's thread is asleep in SQLite's busy wait
  // (its state in /proc turns to S), so the wait itself is exercised.
  std::atomic<bool> committed{false};
  std::atomic<pid_t> peer_thread{0};
  Status peer_insert;
  bool peer_saw_commit = false;
  std::thread inserter([&] {
    peer_thread = static_cast<pid_t>(syscall(SYS_gettid));
    peer_insert = (*peer)->Execute("INSERT INTO people(id, name) VALUES (3, 'c')");
    peer_saw_commit = committed;
  });
  while (peer_thread == 0) std::this_thread::yield();
  for (char state = ThreadState(peer_thread); state != 'S' && state != '?';
       state = ThreadState(peer_thread))
    std::this_thread::yield();
  committed = true;
  EXPECT_TRUE(warehouse_->Commit().ok());
  inserter.join();
  EXPECT_TRUE(peer_insert.ok()) << peer_insert.ToString();
  EXPECT_TRUE(peer_saw_commit);
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
  // Memory cannot be shared.
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

TEST_F(SqliteWarehouseTest, TypeNames) {
  const Dialect& dialect = warehouse_->dialect();
  EXPECT_EQ(dialect.TypeName(ColumnType::kInteger), "INTEGER");
  EXPECT_EQ(dialect.TypeName(ColumnType::kReal), "REAL");
  EXPECT_EQ(dialect.TypeName(ColumnType::kText), "TEXT");
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
