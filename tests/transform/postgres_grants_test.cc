// A build that replaces a relation keeps what was granted on it: a role
// given SELECT on a table and on a view (as `silverwork db grant-reader`
// gives it) still reads both after a full rebuild drops and recreates them,
// and gains nothing it did not have (warehouse/grants.h). PostgreSQL only:
// SQLite has no roles.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gtest/gtest.h>

#include "transform/transform_project.h"
#include "transform_test_util.h"
#include "warehouse/grants.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using testing::TempDir;
using testing::WriteProject;

const std::map<std::string, std::string> kGrantsProject = {
    {"silverwork_project.yml", "name: shop\nversion: '1.0'\nconfig-version: 2\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n"},
    {"models/by_region.sql",
     "{{ config(materialized='table') }}\n"
     "select region, sum(amount) as amount from {{ source('raw', 'events') }} group by region\n"},
    // Views over a rebuilt table keep their grants too:
    // postgres_table_swap_test.cc.
    {"models/regions.sql",
     "{{ config(materialized='view') }}\n"
     "select distinct region from {{ source('raw', 'events') }}\n"},
};

void BuildAll(Warehouse& warehouse, const TempDir& dir, bool full_refresh) {
  auto project = TransformProject::Load(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  RunOptions options;
  options.warehouse = &warehouse;
  options.show_progress = false;
  options.full_refresh = full_refresh;
  options.use_state = false;  // every run rebuilds every relation
  auto results = project->Build(options);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_TRUE(results->ok()) << results->Summary();
}

int64_t Count(Warehouse& warehouse, const std::string& relation) {
  auto result = warehouse.QueryAll("SELECT count(*) FROM " + relation);
  EXPECT_TRUE(result.ok()) << relation << ": " << result.status().ToString();
  return result.ok() ? std::get<int64_t>(result->rows.at(0).at(0)) : -1;
}

TEST(PostgresGrants, ARebuiltTableAndViewKeepTheirReaders) {
  ScopedPostgresSchema schema;
  TempDir dir;
  ScopedPostgresRole reader(dir.path().string());
  auto owner = OpenWarehouse(schema.Options());
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  ASSERT_TRUE((*owner)
                  ->Execute("CREATE TABLE events (region TEXT, amount BIGINT); "
                            "INSERT INTO events VALUES ('N', 10), ('S', 20), ('N', 30)")
                  .ok());
  WriteProject(dir.path(), kGrantsProject);
  BuildAll(**owner, dir, /*full_refresh=*/false);
  const std::vector<std::string> granted = {"by_region", "regions"};
  ASSERT_TRUE(GrantRead(**owner, reader.name(), granted).ok());

  for (bool full_refresh : {false, true}) {
    SCOPED_TRACE(full_refresh ? "after a full refresh" : "after a build");
    BuildAll(**owner, dir, full_refresh);
    for (const std::string& relation : granted) {
      auto grants = GrantsOn(**owner, relation);
      ASSERT_TRUE(grants.ok()) << grants.status().ToString();
      ASSERT_EQ(grants->size(), 1u) << relation;
      EXPECT_EQ(grants->front().privilege, "SELECT");
      EXPECT_EQ(grants->front().grantee, reader.name());
    }
    auto as_reader = OpenWarehouse(reader.OptionsIn(schema));
    ASSERT_TRUE(as_reader.ok()) << as_reader.status().ToString();
    EXPECT_EQ(Count(**as_reader, "by_region"), 2);
    EXPECT_EQ(Count(**as_reader, "regions"), 2);
    auto source = (*as_reader)->QueryAll("SELECT count(*) FROM events");
    EXPECT_FALSE(source.ok()) << "the reader reads the source table it was never granted";
  }
}

}  // namespace
}  // namespace silverwork::transform

#endif  // SILVERWORK_HAVE_POSTGRES
