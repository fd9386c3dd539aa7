#include "transform/materializations/snapshot.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::TempDir;
using testing::WriteProject;
using Strings = std::vector<std::string>;

std::chrono::system_clock::time_point Day(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days(std::chrono::year(year) / month / day);
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = testing::OpenTestWarehouse(dir_.path() / "warehouse.db");
    WriteProject(
        dir_.path(),
        {{"silverwork_project.yml", "name: demo\n"},
         {"models/sources.yml", "sources:\n  - name: raw\n    tables:\n      - name: people\n"},
         {"snapshots/people.sql",
          "{% snapshot people_ts %}\n"
          "{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at',\n"
          "          invalidate_hard_deletes=true) }}\n"
          "select * from {{ source('raw', 'people') }}\n"
          "{% endsnapshot %}\n"
          "\n"
          "{% snapshot people_check %}\n"
          "{{ config(unique_key='id', strategy='check', check_cols=['city']) }}\n"
          "select id, name, city from {{ source('raw', 'people') }}\n"
          "{% endsnapshot %}\n"
          "{% snapshot people_all %}\n"
          "{{ config(unique_key='id', strategy='check', check_cols='all') }}\n"
          "select id, name, city from {{ source('raw', 'people') }}\n"
          "{% endsnapshot %}\n"}});
    Exec("CREATE TABLE people (id INTEGER, name TEXT, city TEXT, updated_at TEXT)");
    Exec(
        "INSERT INTO people VALUES (1, 'Kim', 'Seoul', '2024-04-01'), "
        "(2, 'Lee', 'Busan', '2024-04-01'), (3, 'Park', 'Daegu', '2024-04-01')");
  }

  void Exec(const std::string& sql) {
    Status status = warehouse_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  RunResults Snapshot() {
    auto project = TransformProject::Load(dir_.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    auto results = project->Snapshot(
        {.warehouse = warehouse_.get(), .clock = &clock_, .show_progress = false});
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    if (!results.ok()) return {};
    EXPECT_TRUE(results->ok()) << results->Summary();
    return *results;
  }

  TempDir dir_;
  FakeClock clock_{Day(2024, 5, 1)};
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(SnapshotTest, BothStrategiesAcrossRunsWithAChangedAndARemovedRow) {
  RunResults first = Snapshot();
  ASSERT_EQ(first.nodes.size(), 3u);
  EXPECT_EQ(first.nodes[0].unique_id, "snapshot.demo.people_ts");
  EXPECT_EQ(first.nodes[1].message, "snapshot created, 3 rows");
  EXPECT_EQ(first.nodes[1].compiled_path, "compiled/snapshots/people.sql/people_check.sql");

  clock_.Advance(std::chrono::hours(24));
  Exec("UPDATE people SET city = 'Incheon', updated_at = '2024-04-15' WHERE id = 1");
  Exec("UPDATE people SET name = 'Lee Jr' WHERE id = 2");  // updated_at unchanged
  Exec("DELETE FROM people WHERE id = 3");
  Exec("INSERT INTO people VALUES (4, 'Choi', 'Ulsan', '2024-04-20')");
  RunResults second = Snapshot();

  // timestamp: a new version when updated_at moves; the deleted row is closed.
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT id, name, city, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to "
                 "FROM people_ts ORDER BY id, dbt_valid_from"),
            (Strings{"1|Kim|Seoul|1|2024-04-01|2024-04-01|2024-04-01|2024-04-15",
                     "1|Kim|Incheon|1|2024-04-15|2024-04-15|2024-04-15|NULL",
                     "2|Lee|Busan|2|2024-04-01|2024-04-01|2024-04-01|NULL",
                     "3|Park|Daegu|3|2024-04-01|2024-04-01|2024-04-01|2024-05-02T00:00:00Z",
                     "4|Choi|Ulsan|4|2024-04-20|2024-04-20|2024-04-20|NULL"}));
  EXPECT_EQ(second.Find("snapshot.demo.people_ts")->message,
            "snapshot: 2 new versions, 1 changed, 1 deleted");

  // check on city: the run's time stamps the versions; deleted rows stay current.
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT id, name, city, dbt_updated_at, dbt_valid_from, dbt_valid_to "
                 "FROM people_check ORDER BY id, dbt_valid_from"),
            (Strings{"1|Kim|Seoul|2024-05-01T00:00:00Z|2024-05-01T00:00:00Z|2024-05-02T00:00:00Z",
                     "1|Kim|Incheon|2024-05-02T00:00:00Z|2024-05-02T00:00:00Z|NULL",
                     "2|Lee|Busan|2024-05-01T00:00:00Z|2024-05-01T00:00:00Z|NULL",
                     "3|Park|Daegu|2024-05-01T00:00:00Z|2024-05-01T00:00:00Z|NULL",
                     "4|Choi|Ulsan|2024-05-02T00:00:00Z|2024-05-02T00:00:00Z|NULL"}));
  EXPECT_EQ(Rows(*warehouse_, "SELECT dbt_scd_id FROM people_check WHERE id = 4"),
            Strings{"4|2024-05-02T00:00:00Z"});

  // check 'all': the name change counts too.
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT id, name, dbt_valid_to IS NULL FROM people_all "
                 "ORDER BY id, dbt_valid_from"),
            (Strings{"1|Kim|0", "1|Kim|1", "2|Lee|0", "2|Lee Jr|1", "3|Park|1", "4|Choi|1"}));

  // Nothing changed: nothing written.
  clock_.Advance(std::chrono::hours(24));
  RunResults third = Snapshot();
  for (const NodeResult& node : third.nodes) EXPECT_EQ(node.rows_affected, 0) << node.unique_id;
  EXPECT_EQ(Rows(*warehouse_, "SELECT count(*) FROM people_ts"), Strings{"5"});
}

TEST_F(SnapshotTest, NewSourceColumnsAreAdded) {
  Snapshot();
  Exec("ALTER TABLE people ADD COLUMN email TEXT");
  Exec("UPDATE people SET email = 'kim@example.kr', updated_at = '2024-04-02' WHERE id = 1");
  clock_.Advance(std::chrono::hours(1));
  Snapshot();
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT id, email, dbt_valid_to IS NULL FROM people_ts "
                 "ORDER BY id, dbt_valid_from"),
            (Strings{"1|NULL|0", "1|kim@example.kr|1", "2|NULL|1", "3|NULL|1"}));
}

TEST_F(SnapshotTest, IsIncrementalStagesOnlyRowsThatMayHaveChanged) {
  WriteProject(dir_.path(),
               {{"snapshots/people.sql",
                 "{% snapshot people_check %}\n"
                 "{{ config(unique_key='id', strategy='check', check_cols=['city'],\n"
                 "          indexes=['dbt_updated_at']) }}\n"
                 "select id, name, city, updated_at from {{ source('raw', 'people') }}\n"
                 "{% if is_incremental() %}"
                 "where updated_at > (select max(updated_at) from {{ this }})"
                 "{% endif %}\n"
                 "{% endsnapshot %}\n"}});
  RunResults first = Snapshot();
  EXPECT_EQ(first.nodes.at(0).message, "snapshot created, 3 rows");
  auto compiled = [&](const RunResults& results) {
    return testing::ReadFile(dir_.path() / "target" / results.nodes.at(0).compiled_path);
  };
  EXPECT_EQ(compiled(first).find("where"), std::string::npos) << compiled(first);
  EXPECT_EQ(
      testing::Indexes(*warehouse_, "people_check"),
      (Strings{"people_check__idx_dbt_updated_at|dbt_updated_at", "people_check__unique_key|id"}));

  clock_.Advance(std::chrono::hours(24));
  Exec("UPDATE people SET city = 'Incheon', updated_at = '2024-04-15' WHERE id = 1");
  Exec("INSERT INTO people VALUES (4, 'Choi', 'Ulsan', '2024-04-20')");
  RunResults second = Snapshot();
  EXPECT_NE(
      compiled(second).find("where updated_at > (select max(updated_at) from \"people_check\")"),
      std::string::npos)
      << compiled(second);
  EXPECT_EQ(second.nodes.at(0).message, "snapshot: 2 new versions, 1 changed, 0 deleted");
  // Rows left out of the staged set keep their current version.
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT id, city, dbt_valid_to IS NULL FROM people_check ORDER BY id, "
                 "dbt_valid_from"),
            (Strings{"1|Seoul|0", "1|Incheon|1", "2|Busan|1", "3|Daegu|1", "4|Ulsan|1"}));

  // --full-refresh compares every row again, with the same outcome.
  clock_.Advance(std::chrono::hours(24));
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok());
  auto refreshed = project->Snapshot({.full_refresh = true,
                                      .warehouse = warehouse_.get(),
                                      .clock = &clock_,
                                      .show_progress = false});
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->nodes.at(0).message, "snapshot: 0 new versions, 0 changed, 0 deleted");
}

TEST_F(SnapshotTest, MisnamedColumnsFailInsteadOfComparingConstants) {
  WriteProject(
      dir_.path(),
      {{"snapshots/people.sql",
        "{% snapshot people_ts %}\n"
        "{{ config(unique_key='person_id', strategy='timestamp', updated_at='updated_at') }}\n"
        "select * from {{ source('raw', 'people') }}\n"
        "{% endsnapshot %}\n"}});
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto results = project->Snapshot({.warehouse = warehouse_.get(), .show_progress = false});
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->nodes.size(), 1u);
  EXPECT_EQ(results->nodes[0].status, NodeStatus::kError);
  EXPECT_EQ(results->nodes[0].message,
            "snapshots/people.sql: the snapshot's SELECT has no column 'person_id' named in its "
            "config");
  EXPECT_EQ(testing::Relations(*warehouse_, "people\\_%"), Strings{});
}

}  // namespace
}  // namespace silverwork::transform
