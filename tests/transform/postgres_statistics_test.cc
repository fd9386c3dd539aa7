// The planner's statistics of what a build fills, on PostgreSQL: every table
// a build creates (a table model, an incremental model's first build, a seed,
// a new snapshot) is analysed by the build itself, so what reads it next is
// not planned on the guesses PostgreSQL makes for a table autovacuum has not
// reached yet (a daily build right after a full one: docs/benchmarks.md,
// "PostgreSQL side by side"). PostgreSQL only: SQLite keeps no statistics a
// build would collect (EngineSpellingsTest checks that it has no statement).
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gtest/gtest.h>

#include "transform/transform_project.h"
#include "transform_test_util.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using testing::Scalar;
using testing::TempDir;
using testing::WriteProject;

class PostgresStatistics : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenWarehouse(schema_.Options());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    warehouse_ = std::move(opened).value();
    ASSERT_TRUE(warehouse_
                    ->Execute("CREATE TABLE events (id BIGINT, region TEXT, amount BIGINT); "
                              "INSERT INTO events SELECT n, 'region ' || (n % 7), n "
                              "FROM generate_series(1, 300) AS n")
                    .ok());
    WriteProject(
        dir_.path(),
        {{"silverwork_project.yml", "name: shop\n"},
         {"models/sources.yml",
          "sources:\n  - name: raw\n    tables:\n      - name: events\n"},
         {"models/region_totals.sql",
          "{{ config(materialized='table') }}\n"
          "select region, sum(amount) as amount from {{ source('raw', 'events') }} "
          "group by region\n"},
         {"models/events_merged.sql",
          "{{ config(materialized='incremental', unique_key='id') }}\n"
          "select id, region, amount from {{ source('raw', 'events') }}\n"},
         {"seeds/regions.csv", "region,label\nregion 1,one\nregion 2,two\n"},
         {"snapshots/events.sql",
          "{% snapshot events_history %}\n"
          "{{ config(unique_key='id', strategy='check', check_cols=['amount']) }}\n"
          "select id, amount from {{ source('raw', 'events') }}\n"
          "{% endsnapshot %}\n"}});
  }

  // How many of `table`'s columns the planner has statistics for.
  std::string ColumnsWithStatistics(const std::string& table) {
    return Scalar(*warehouse_,
                  "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() "
                  "AND tablename = '" + table + "'");
  }

  ScopedPostgresSchema schema_;
  TempDir dir_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(PostgresStatistics, EveryTableABuildFillsIsAnalysedByTheBuild) {
  EXPECT_EQ(ColumnsWithStatistics("events"), "0");  // what nobody analysed has none
  auto project = TransformProject::Load(dir_.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  RunOptions options;
  options.warehouse = warehouse_.get();
  options.show_progress = false;
  auto results = project->Build(options);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_TRUE(results->ok()) << results->Summary();
  EXPECT_EQ(ColumnsWithStatistics("region_totals"), "2");
  EXPECT_EQ(ColumnsWithStatistics("events_merged"), "3");
  EXPECT_EQ(ColumnsWithStatistics("regions"), "2");
  // The snapshot's own columns and its four dbt_ ones.
  EXPECT_EQ(ColumnsWithStatistics("events_history"), "6");
}

}  // namespace
}  // namespace silverwork::transform

#endif  // SILVERWORK_HAVE_POSTGRES
