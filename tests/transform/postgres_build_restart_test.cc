// The server restarts in the middle of a build, while a model's new table is
// being swapped in: that swap's transaction is rolled back (the old table
// stays whole), the node's error says so, what reads it is skipped, and a
// rerun of the build finishes with exact tables. On a private server the
// test restarts (postgres_private_server.h).
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "postgres_private_server.h"
#include "spy_warehouse.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using ::testing::HasSubstr;
using testing::Rows;
using testing::SpyWarehouse;
using testing::TempDir;
using testing::WriteProject;
using Strings = std::vector<std::string>;

const std::map<std::string, std::string> kRestartedProject = {
    {"silverwork_project.yml",
     "name: shop\nversion: '1.0'\nconfig-version: 2\nmodels:\n  shop:\n    +materialized: table\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n"},
    {"models/by_region.sql",
     "select region, count(*) as events, sum(amount) as amount\n"
     "from {{ source('raw', 'events') }} group by region\n"},
    {"models/totals.sql",
     "select sum(events) as events, sum(amount) as amount from {{ ref('by_region') }}\n"},
};

TEST(PostgresBuildRestartTest, ARestartMidBuildRollsBackTheSwapAndTheRerunIsExact) {
  PrivatePostgresServer server;
  ASSERT_TRUE(server.started());
  auto opened = OpenWarehouse(server.Options());
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Warehouse& real = **opened;
  ASSERT_TRUE(real.Execute("CREATE TABLE events (region TEXT, amount BIGINT); "
                           "INSERT INTO events VALUES ('N', 10), ('S', 20), ('N', 30)")
                  .ok());
  TempDir dir;
  WriteProject(dir.path(), kRestartedProject);
  auto project = TransformProject::Load(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  // Before the statement that swaps by_region's new table in (once armed),
  // the server restarts.
  SpyWarehouse warehouse(real);
  bool armed = false;
  bool restarted = false;
  warehouse.before_statement = [&](std::string_view sql) {
    if (armed && !restarted && sql.find("RENAME TO \"by_region\"") != sql.npos) {
      restarted = true;
      EXPECT_TRUE(server.Restart());
    }
  };
  RunOptions options;
  options.warehouse = &warehouse;
  options.artifacts_dir = dir.path() / "artifacts";
  options.show_progress = false;
  auto first = project->Build(options);
  ASSERT_TRUE(first.ok() && first->ok()) << (first.ok() ? first->Summary() : "");

  ASSERT_TRUE(real.Execute("INSERT INTO events VALUES ('S', 5), ('W', 1)").ok());
  armed = true;
  auto interrupted = project->Build(options);
  ASSERT_TRUE(interrupted.ok()) << interrupted.status().ToString();
  ASSERT_TRUE(restarted) << "no statement swapped by_region in";
  EXPECT_FALSE(interrupted->ok());
  std::map<std::string, const NodeResult*> nodes;
  for (const NodeResult& node : interrupted->nodes) nodes[node.unique_id] = &node;
  ASSERT_EQ(nodes.count("model.shop.by_region"), 1u);
  const NodeResult& failed = *nodes["model.shop.by_region"];
  EXPECT_EQ(failed.status, NodeStatus::kError);
  EXPECT_THAT(failed.message, HasSubstr("lost the connection to PostgreSQL"));
  EXPECT_THAT(failed.message, HasSubstr("rolled back"));
  EXPECT_EQ(nodes["model.shop.totals"]->status, NodeStatus::kSkipped);

  // The old tables are whole: the swap never happened.
  auto reader = OpenWarehouse(server.Options());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(Rows(**reader, "SELECT region, events, amount FROM by_region ORDER BY region"),
            (Strings{"N|2|40", "S|1|20"}));

  auto rerun = project->Build(options);
  ASSERT_TRUE(rerun.ok()) << rerun.status().ToString();
  EXPECT_TRUE(rerun->ok()) << rerun->Summary();
  EXPECT_EQ(Rows(**reader, "SELECT region, events, amount FROM by_region ORDER BY region"),
            (Strings{"N|2|40", "S|2|25", "W|1|1"}));
  EXPECT_EQ(Rows(**reader, "SELECT events, amount FROM totals"), (Strings{"5|66"}));
  // Nothing staged is left behind.
  EXPECT_EQ(Rows(**reader,
                 "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                 "current_schema() AND table_name LIKE '%\\_\\_sw%' ORDER BY 1"),
            Strings{});
}

}  // namespace
}  // namespace silverwork::transform

#endif  // SILVERWORK_HAVE_POSTGRES
