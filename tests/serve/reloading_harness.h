// Reloading tests' fixture: a copy of the shared fixture warehouse the test
// changes the way a build, a collection or the scheduler would, with the
// server reading the copy; and CheckLog, what the server's reloader thread
// reports (ServeOptions::on_warehouse_check), for tests to wait on.
// On either engine (FixtureCopy: a file on SQLite, a schema on PostgreSQL). Not thread-safe but for
// CheckLog, whose recorder runs on the reloader's thread.
#pragma once

#include <fmt/format.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "serve/serve_harness.h"

namespace silverwork::serve::testing {

// A copy of the fixture the test may change, and a connection to write it.
class Reloading : public ServerTest {
 protected:
  std::unique_ptr<Warehouse> Writer() { return copy_.Open(); }
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
  // in the same warehouse (on SQLite, the file grows and gets a write-ahead
  // log).
  void WriteOtherThanABuild(int index) {
    auto warehouse = Writer();
    ASSERT_NE(warehouse, nullptr);
    ASSERT_TRUE(warehouse->PutState("scheduler.cursor", std::to_string(index)).ok());
    const std::string padding = fmt::format(
        "CREATE TABLE padding_{} AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
        "FROM n WHERE i < 1000) SELECT i, '{:x<64}' AS bytes FROM n",
        index, "");
    Status padded = warehouse->Execute(padding);
    ASSERT_TRUE(padded.ok()) << padded.ToString();
  }
  int64_t CopyCount(const std::string& sql) { return SqlInteger(copy_.options(true), sql); }
  std::string ReloadCounts() {
    const std::string metrics = client_->Get("/metrics")->body;
    const size_t from = metrics.find("silverwork_snapshot_reloads_total{");
    return metrics.substr(from, metrics.find("# HELP", from) - from);
  }

  FixtureCopy copy_;
};

// What the reloader thread reports, for tests to wait on. The recorder
// shares what it records with the log, so it stays valid on the reloader's
// thread after a test's CheckLog is gone (a test's locals end before
// TearDown stops the server).
class CheckLog {
 public:
  std::function<void(WarehouseCheck)> Recorder() {
    return [seen = seen_](WarehouseCheck check) {
      {
        std::lock_guard lock(seen->mutex);
        seen->checks.push_back(check);
      }
      seen->changed.notify_all();
    };
  }
  // Blocks until `done` holds for the checks so far; returns them.
  std::vector<WarehouseCheck> WaitUntil(
      const std::function<bool(const std::vector<WarehouseCheck>&)>& done) {
    std::unique_lock lock(seen_->mutex);
    seen_->changed.wait(lock, [&] { return done(seen_->checks); });
    return seen_->checks;
  }

 private:
  struct Seen {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<WarehouseCheck> checks;
  };
  std::shared_ptr<Seen> seen_ = std::make_shared<Seen>();
};

}  // namespace silverwork::serve::testing
