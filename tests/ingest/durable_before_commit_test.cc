// "Every response is made durable before the rows loaded from it commit"
// (README, Lake), tested as an ordering: the collectors run against a lake on
// a RecordingFileSystem and a warehouse that notes, at every commit, what a
// power cut at that instant would leave in the lake and which rows the
// commit made visible. Afterwards each such crash image is reloaded: it must
// hold every row that was committed by then. Removing a collector's
// lake.Sync() before its commit, or the fsync inside Sync(), fails this.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ingest/reloader.h"
#include "ingest_harness.h"
#include "lake/recording_file_system.h"

namespace silverwork::testing {
namespace {

// A warehouse that passes every call to another one and calls `before` just
// before each commit and `after` once it has succeeded.
class CommitWatchingWarehouse final : public Warehouse {
 public:
  CommitWatchingWarehouse(std::unique_ptr<Warehouse> base, std::function<void()> before,
                          std::function<void(Warehouse&)> after)
      : base_(std::move(base)), before_(std::move(before)), after_(std::move(after)) {}

  Status Commit() override {
    before_();
    SW_RETURN_IF_ERROR(base_->Commit());
    after_(*base_);
    return Status::Ok();
  }

  const EngineTraits& traits() const override { return base_->traits(); }
  Status Execute(std::string_view sql) override { return base_->Execute(sql); }
  Result<int64_t> ExecuteWithParams(std::string_view sql, std::span<const Value> params) override {
    return base_->ExecuteWithParams(sql, params);
  }
  Status Query(std::string_view sql, std::span<const Value> params, const RowCallback& on_row,
               std::vector<std::string>* columns) override {
    return base_->Query(sql, params, on_row, columns);
  }
  Status Begin() override { return base_->Begin(); }
  Status Rollback() override { return base_->Rollback(); }
  bool InTransaction() const override { return base_->InTransaction(); }
  Status EnsureTable(const TableSpec& spec) override { return base_->EnsureTable(spec); }
  Status Upsert(std::string_view table, std::span<const std::string> columns,
                std::span<const std::string> key_columns, std::span<const Row> rows) override {
    return base_->Upsert(table, columns, key_columns, rows);
  }
  Result<bool> TableExists(std::string_view name) override { return base_->TableExists(name); }
  Result<std::vector<ColumnSpec>> DescribeTable(std::string_view name) override {
    return base_->DescribeTable(name);
  }

 private:
  std::unique_ptr<Warehouse> base_;
  std::function<void()> before_;
  std::function<void(Warehouse&)> after_;
};

// The rows of the raw tables, by key: what must be rebuildable from the lake.
struct RawKeys {
  std::set<std::string> listed;    // jobIds with a list row
  std::set<std::string> detailed;  // jobIds whose detail was loaded
  std::set<std::string> projects;  // projNo|projYear|projPlanChangeNo

  bool empty() const { return listed.empty() && detailed.empty() && projects.empty(); }
};

RawKeys ReadRawKeys(Warehouse& warehouse) {
  RawKeys keys;
  auto collect = [&](const std::string& sql, std::set<std::string>& into) {
    Status status = warehouse.Query(sql, {}, [&](const Row& row) {
      into.insert(ValueToString(row.at(0)));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
  };
  auto exists = warehouse.TableExists(kRawPostingsTable);
  if (!exists.ok() || !*exists) return keys;
  collect("SELECT jobId FROM raw_postings WHERE _list_hash IS NOT NULL", keys.listed);
  collect("SELECT jobId FROM raw_postings WHERE _detail_status IS NOT NULL", keys.detailed);
  collect("SELECT projNo || '|' || projYear || '|' || projPlanChangeNo FROM raw_projects",
          keys.projects);
  return keys;
}

// Keys of `committed` that `rebuilt` lacks, at most a few, for the message.
std::string Missing(const std::set<std::string>& committed, const std::set<std::string>& rebuilt) {
  std::string missing;
  int shown = 0;
  for (const std::string& key : committed) {
    if (rebuilt.contains(key)) continue;
    if (++shown > 3) return missing + " ...";
    missing += " " + key;
  }
  return missing;
}

struct CommitSeen {
  std::map<std::string, int64_t> durable_lake;  // just before the commit
  RawKeys committed;                            // just after it
};

class DurableBeforeCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    harness_.lake_fsync = true;
    harness_.lake_file_system = &files_;
    harness_.warehouse = std::make_unique<CommitWatchingWarehouse>(
        std::move(harness_.warehouse),
        [this] { durable_before_ = files_.DurableFiles(); },
        [this](Warehouse& committed) {
          commits_.push_back({std::move(durable_before_), ReadRawKeys(committed)});
        });
  }

  // Reloads what a power cut at each commit would have left of the lake and
  // checks that it rebuilds every row committed by then. Returns how many
  // commits had rows to check.
  int CheckEveryCommit() {
    int checked = 0;
    for (size_t index = 0; index < commits_.size(); ++index) {
      const CommitSeen& commit = commits_[index];
      if (commit.committed.empty()) continue;
      const std::string image = harness_.dir.path() + "/crash-" + std::to_string(index);
      std::filesystem::create_directories(image);
      RecordingFileSystem::WriteCrashImage(commit.durable_lake, harness_.LakePath(), image);
      auto rebuilt = OpenWarehouse({.engine = "sqlite", .location = ":memory:"});
      EXPECT_TRUE(rebuilt.ok());
      auto reloaded = ReloadFromLake({.lake_root = image,
                                      .project_files = harness_.Projects().files,
                                      .column_aliases = {},
                                      .loaded_at = "2030-01-01T00:00:00Z"},
                                     **rebuilt);
      EXPECT_TRUE(reloaded.ok()) << reloaded.status().ToString();
      RawKeys after_crash = ReadRawKeys(**rebuilt);
      const RawKeys& committed = commit.committed;
      EXPECT_EQ(Missing(committed.listed, after_crash.listed), "")
          << "commit " << index << " made list rows visible whose page was not durable";
      EXPECT_EQ(Missing(committed.detailed, after_crash.detailed), "")
          << "commit " << index << " made details visible whose response was not durable";
      EXPECT_EQ(Missing(committed.projects, after_crash.projects), "")
          << "commit " << index << " made projects visible whose page was not durable";
      std::filesystem::remove_all(image);
      ++checked;
    }
    return checked;
  }

  IngestHarness harness_;
  RecordingFileSystem files_;
  std::map<std::string, int64_t> durable_before_;
  std::vector<CommitSeen> commits_;
};

TEST_F(DurableBeforeCommit, ListPagesAndDetails) {
  const Date from = kToday.AddDays(-3);
  PostingsCollectorOptions options = harness_.Postings(from, kToday);
  options.batch_size = 25;  // several detail commits
  CollectOutcome outcome = harness_.CollectPostings("20250630T000000Z-0001", options);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  ASSERT_GT(outcome.stats.list_pages, 1);
  ASSERT_GT(outcome.stats.details_loaded, 2 * options.batch_size);
  ASSERT_FALSE(commits_.empty());
  EXPECT_EQ(static_cast<int64_t>(commits_.back().committed.detailed.size()),
            outcome.stats.details_loaded);
  EXPECT_GT(CheckEveryCommit(), outcome.stats.list_pages + 2);
}

TEST_F(DurableBeforeCommit, ProjectsPages) {
  ProjectsOutcome outcome = harness_.CollectProjects("20250630T000000Z-0001", harness_.Projects());
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  ASSERT_GT(outcome.stats.pages, 3);
  ASSERT_FALSE(commits_.empty());
  EXPECT_EQ(static_cast<int64_t>(commits_.back().committed.projects.size()),
            outcome.stats.rows_loaded);
  EXPECT_GE(CheckEveryCommit(), outcome.stats.pages);
}

}  // namespace
}  // namespace silverwork::testing
