// silverwork db grant-reader, as a BI tool's administrator runs it: a login
// role given read access reads the marts, facts and seeds, and nothing
// else — no raw table, no staging model, no _sw_ state, no write — and
// still reads after a full rebuild, which replaces every table and view. On
// SQLite the command says there are no roles.
#include <gtest/gtest.h>

#include "binary_harness.h"
#include "warehouse_under_test.h"

namespace silverwork::testing {
namespace {

std::string ProjectLines(const BinaryHarness& harness) {
  return "project_dir = \"" + std::string(SILVERWORK_SOURCE_DIR) + "\"\nartifacts_dir = \"" +
         harness.dir.path() + "/artifacts\"\n";
}

TEST(GrantReader, OnSqliteTheCommandSaysThereAreNoRoles) {
  BinaryHarness harness;
  const std::string config =
      harness.WriteConfig("sqlite.toml", harness.WarehousePath(), ProjectLines(harness));
  ASSERT_EQ(harness.RunWith(config, {"seed"}), 0) << harness.Stderr();
  EXPECT_EQ(harness.RunWith(config, {"db", "grant-reader", "superset"}), 1);
  EXPECT_NE(harness.Stderr().find("the sqlite warehouse has no roles"), std::string::npos)
      << harness.Stderr();
  EXPECT_NE(harness.Stderr().find("PostgreSQL"), std::string::npos) << harness.Stderr();
}

#ifdef SILVERWORK_HAVE_POSTGRES

// The statement's failure, or a test failure when it succeeds.
Status Refused(Warehouse& warehouse, const std::string& sql) {
  auto result = warehouse.QueryAll(sql);
  EXPECT_FALSE(result.ok()) << sql << " succeeded for the reader";
  return result.ok() ? Status::Ok() : result.status();
}

void ExpectReadsOnlyTheMarts(Warehouse& reader) {
  for (const char* relation : {"mart_per_capita", "mart_postings_monthly_region",
                               "fct_job_postings", "fct_projects", "provinces"}) {
    SCOPED_TRACE(relation);
    auto count = reader.QueryAll(std::string("SELECT count(*) FROM ") + relation);
    ASSERT_TRUE(count.ok()) << count.status().ToString();
    EXPECT_GT(std::get<int64_t>(count->rows.at(0).at(0)), 0);
  }
  for (const char* relation :
       {"raw_postings", "raw_projects", "stg_projects", "int_posting_preferences", "_sw_state",
        "_sw_runs", "_sw_relation_state"}) {
    SCOPED_TRACE(relation);
    Status refused = Refused(reader, std::string("SELECT count(*) FROM ") + relation);
    EXPECT_NE(refused.message().find("permission denied"), std::string::npos)
        << refused.ToString();
  }
  Status write = Refused(reader, "DELETE FROM mart_per_capita RETURNING 1");
  EXPECT_NE(write.message().find("permission denied"), std::string::npos) << write.ToString();
  Status create = reader.Execute("CREATE TABLE mine (one integer)");
  EXPECT_NE(create.message().find("permission denied"), std::string::npos) << create.ToString();
}

TEST(GrantReader, AReaderReadsTheMartsAndNothingElseAcrossRebuilds) {
  BinaryHarness harness;
  ScopedPostgresSchema schema;
  ScopedPostgresRole reader(harness.dir.path());
  const std::string config =
      harness.WritePostgresConfig("postgres.toml", schema.Options(), ProjectLines(harness));
  ASSERT_EQ(harness.RunWith(config, {"collect", "postings", "--from", kToday.AddDays(-1).Iso(),
                                     "--to", kToday.Iso()}),
            0)
      << harness.Stderr();
  ASSERT_EQ(harness.RunWith(config, {"collect", "projects"}), 0) << harness.Stderr();
  // Before a build there is nothing to grant.
  EXPECT_EQ(harness.RunWith(config, {"db", "grant-reader", reader.name()}), 1);
  EXPECT_NE(harness.Stderr().find("not built yet"), std::string::npos) << harness.Stderr();
  ASSERT_EQ(harness.RunWith(config, {"build"}), 0) << harness.Stdout() << harness.Stderr();

  ASSERT_EQ(harness.RunWith(config, {"db", "grant-reader", reader.name()}), 0) << harness.Stderr();
  EXPECT_NE(harness.Stdout().find("  mart_per_capita\n"), std::string::npos) << harness.Stdout();
  EXPECT_EQ(harness.Stdout().find("raw_postings"), std::string::npos) << harness.Stdout();
  {
    auto connection = OpenWarehouse(reader.OptionsIn(schema));
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    ExpectReadsOnlyTheMarts(**connection);
  }
  // A full rebuild drops and replaces every table and view.
  ASSERT_EQ(harness.RunWith(config, {"build", "--full-refresh"}), 0) << harness.Stderr();
  auto connection = OpenWarehouse(reader.OptionsIn(schema));
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  ExpectReadsOnlyTheMarts(**connection);
}

TEST(GrantReader, AnUnknownRoleFailsNamingIt) {
  BinaryHarness harness;
  ScopedPostgresSchema schema;
  const std::string config =
      harness.WritePostgresConfig("postgres.toml", schema.Options(), ProjectLines(harness));
  ASSERT_EQ(harness.RunWith(config, {"seed"}), 0) << harness.Stderr();
  EXPECT_EQ(harness.RunWith(config, {"db", "grant-reader", "no_such_role_here",
                                     "--select", "resource_type:seed"}),
            1);
  EXPECT_NE(harness.Stderr().find("role \"no_such_role_here\" does not exist"), std::string::npos)
      << harness.Stderr();
}

#endif  // SILVERWORK_HAVE_POSTGRES

}  // namespace
}  // namespace silverwork::testing
