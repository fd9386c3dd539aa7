// Reloading tests' fixture: a copy of the shared fixture warehouse the test
// changes the way a build, a collection or the scheduler would, with the
// server reading the copy; and CheckLog, what the server's reloader thread
// reports (ServeOptions::on_warehouse_check), for tests to wait on.
// SQLite only (the copy is of the fixture's file). Not thread-safe but for
// CheckLog, whose recorder runs on the reloader's thread.
#pragma once

#include <fmt/format.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "serve/serve_harness.h"

namespace silverwork::serve::testing {

// A copy of the fixture the test may change, and a connection to write it.
class Reloading : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    std::filesystem::copy_file(warehouse_path(), copy_path());
  }
  fs::path copy_path() const { return folder_.path() / "copy.db"; }
  std::unique_ptr<Warehouse> Writer() {
    auto warehouse = OpenWarehouse({.engine = "sqlite", .location = copy_path().string()});
    EXPECT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    return warehouse.ok() ? std::move(warehouse).value() : nullptr;
  }
  // What a build in progress writes.
  void Change(const std::string& sql) {
    auto warehouse = Writer();
    ASSERT_NE(warehouse, nullptr);
    ASSERT_TRUE(warehouse->Execute(sql).ok()) << sql;
  }
  // What a build does when it ends (transform's Invocation).
  void FinishBuild() {
    auto warehouse = Writer();
    ASSERT_NE(warehouse, nullptr);
    Status advanced = warehouse->AdvanceBuildGeneration();
    ASSERT_TRUE(advanced.ok()) << advanced.ToString();
  }
  // Writes that are no build: the scheduler's state and collection landing
  // in the same file, which grows and gets a write-ahead log.
  void WriteOtherThanABuild(int index) {
    auto warehouse = Writer();
    ASSERT_NE(warehouse, nullptr);
    ASSERT_TRUE(warehouse->PutState("scheduler.cursor", std::to_string(index)).ok());
    ASSERT_TRUE(warehouse
                    ->Execute(fmt::format(
                        "CREATE TABLE padding_{} AS SELECT randomblob(65536) AS bytes", index))
                    .ok());
  }
  int64_t CopyCount(const std::string& sql) {
    return SqlInteger(SqliteFile(copy_path(), true), sql);
  }
  std::string ReloadCounts() {
    const std::string metrics = client_->Get("/metrics")->body;
    const size_t from = metrics.find("silverwork_snapshot_reloads_total{");
    return metrics.substr(from, metrics.find("# HELP", from) - from);
  }

  TempFolder folder_;
};

// What the reloader thread reports, for tests to wait on.
class CheckLog {
 public:
  std::function<void(WarehouseCheck)> Recorder() {
    return [this](WarehouseCheck check) {
      {
        std::lock_guard lock(mutex_);
        checks_.push_back(check);
      }
      changed_.notify_all();
    };
  }
  // Blocks until `done` holds for the checks so far; returns them.
  std::vector<WarehouseCheck> WaitUntil(
      const std::function<bool(const std::vector<WarehouseCheck>&)>& done) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return done(checks_); });
    return checks_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<WarehouseCheck> checks_;
};

}  // namespace silverwork::serve::testing
