// The real SQL project (models/, seeds/, ...) built over a small hand-written
// warehouse: for tests whose expected values are computed by hand. Not
// thread-safe: one test drives it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "../ingest/ingest_harness.h"
#include "ingest/raw_tables.h"
#include "transform/transform_project.h"

namespace silverwork::testing {

class ProjectWarehouse {
 public:
  // Opens an empty warehouse with the raw tables in `dir` and loads the
  // project; a failure fails the test (check HasFatalFailure()).
  explicit ProjectWarehouse(const TempDir& dir) : dir_(dir) {
    auto opened = OpenWarehouse({.engine = "sqlite", .location = dir_.path() + "/project.db"});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return;
    warehouse_ = std::move(opened).value();
    Status ensured = EnsureRawTables(*warehouse_);
    EXPECT_TRUE(ensured.ok()) << ensured.ToString();
    auto project = transform::TransformProject::Load(SILVERWORK_SOURCE_DIR);
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (project.ok()) {
      project_ = std::make_unique<transform::TransformProject>(std::move(project).value());
    }
  }

  Warehouse& warehouse() { return *warehouse_; }

  // `sql` with `params`; fails the test when it does not run.
  void Execute(const std::string& sql, const std::vector<Value>& params) {
    auto done = warehouse_->ExecuteWithParams(sql, params);
    EXPECT_TRUE(done.ok()) << done.status().ToString();
  }

  // Builds everything as of `now` (freshness is judged against it) on
  // `threads` workers, and expects no node to fail.
  void Build(std::chrono::system_clock::time_point now, int threads = 1) {
    transform::RunOptions options;
    options.warehouse = warehouse_.get();
    options.artifacts_dir = dir_.path() + "/artifacts";
    options.show_progress = false;
    options.threads = threads;
    FakeClock clock(now);
    options.clock = &clock;
    auto results = project_->Build(options);
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    ASSERT_TRUE(results->ok()) << results->Summary();
    last_results_ = std::move(results).value();
  }
  const transform::RunResults& last_results() const { return last_results_; }

  // The query's rows, each rendered as "a|b|c" (NULL as "NULL").
  std::vector<std::string> Rows(const std::string& sql) {
    std::vector<std::string> rows;
    auto status = warehouse_->Query(sql, {}, [&](const Row& row) {
      std::string line;
      for (size_t index = 0; index < row.size(); ++index)
        line += (index == 0 ? "" : "|") +
                (IsNull(row[index]) ? std::string("NULL") : ValueToString(row[index]));
      rows.push_back(line);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return rows;
  }

 private:
  const TempDir& dir_;
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<transform::TransformProject> project_;
  transform::RunResults last_results_;
};

}  // namespace silverwork::testing
