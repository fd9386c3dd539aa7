// A table swap on PostgreSQL. A reader during the swap waits for its commit
// and then reads the new table (SQLite's readers keep reading the old one
// meanwhile: MaterializationTest.TableSwapKeepsTheOldTableReadableUntilCommit).
// PostgreSQL refuses to drop a relation while a view reads it (SQLSTATE
// 2BP01), so a build that replaces a table (or a view) sets aside the views
// over it and creates them again in the swap's transaction
// (warehouse/dependent_views.h): a view over a view over a rebuilt table
// keeps reading, with its grants and options, with and without
// --full-refresh; a view whose SQL no longer holds fails the build naming
// the view, and the old table and views stay. PostgreSQL only: SQLite drops a
// table under its views without looking at them (the engine-neutral case,
// MaterializationTest.ViewsReadingASwappedTableKeepWorking, runs on both).
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "spy_warehouse.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"
#include "warehouse/grants.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::Scalar;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteProject;
using Strings = std::vector<std::string>;

const char* kRegionTotalsModel =
    "{{ config(materialized='table') }}\n"
    "select region, sum(amount) as amount from {{ source('raw', 'events') }} group by region\n";

// region_totals (table) <- big_regions (view) <- top_region (view over both).
const std::map<std::string, std::string> kViewChainProject = {
    {"silverwork_project.yml", "name: shop\nversion: '1.0'\nconfig-version: 2\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n"},
    {"models/region_totals.sql", kRegionTotalsModel},
    {"models/big_regions.sql",
     "{{ config(materialized='view') }}\n"
     "select region, amount from {{ ref('region_totals') }} where amount >= 20\n"},
    {"models/top_region.sql",
     "{{ config(materialized='view') }}\n"
     "select b.region, t.amount from {{ ref('big_regions') }} as b\n"
     "join {{ ref('region_totals') }} as t on t.region = b.region\n"
     "order by t.amount desc limit 1\n"},
};

class PostgresDependentViews : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenWarehouse(schema_.Options());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    warehouse_ = std::move(opened).value();
    Exec(
        "CREATE TABLE events (region TEXT, amount BIGINT); "
        "INSERT INTO events VALUES ('N', 10), ('S', 20), ('N', 30)");
    WriteProject(dir_.path(), kViewChainProject);
    RunResults first = Build({});
    ASSERT_TRUE(first.ok()) << first.Summary();
  }

  void Exec(const std::string& sql) {
    Status status = warehouse_->Execute(sql);
    ASSERT_TRUE(status.ok()) << sql << ": " << status.ToString();
  }

  RunResults Build(std::vector<std::string> select, bool full_refresh = false) {
    auto project = TransformProject::Load(dir_.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    RunOptions options;
    options.warehouse = warehouse_.get();
    options.show_progress = false;
    options.select = std::move(select);
    options.full_refresh = full_refresh;
    options.use_state = false;  // every selected relation is rebuilt
    auto results = project->Build(options);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *std::move(results) : RunResults{};
  }

  ScopedPostgresSchema schema_;
  TempDir dir_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(PostgresDependentViews, ViewsOverViewsReadTheRebuiltTable) {
  // A view the project does not build (a BI tool's), with an option.
  Exec("CREATE VIEW bi_top WITH (security_barrier) AS SELECT region FROM top_region");
  struct Rebuild {
    bool full_refresh;
    std::string new_event;
    Strings big_regions;
    std::string top_region;
  };
  const Rebuild rebuilds[] = {
      {false, "('E', 70)", {"E|70", "N|40", "S|20"}, "E"},
      {true, "('W', 100)", {"E|70", "N|40", "S|20", "W|100"}, "W"},
  };
  for (const Rebuild& rebuild : rebuilds) {
    SCOPED_TRACE(rebuild.full_refresh ? "--full-refresh" : "build");
    Exec("INSERT INTO events VALUES " + rebuild.new_event);
    RunResults rebuilt = Build({"region_totals"}, rebuild.full_refresh);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();
    EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount FROM big_regions ORDER BY region"),
              rebuild.big_regions);
    EXPECT_EQ(Scalar(*warehouse_, "SELECT region FROM top_region"), rebuild.top_region);
    EXPECT_EQ(Scalar(*warehouse_, "SELECT region FROM bi_top"), rebuild.top_region);
    EXPECT_EQ(Scalar(*warehouse_,
                     "SELECT array_to_string(reloptions, ',') FROM pg_class "
                     "WHERE relname = 'bi_top' AND relnamespace = current_schema()::regnamespace"),
              "security_barrier=true");
  }
}

TEST_F(PostgresDependentViews, AViewRebuiltUnderAnotherViewKeepsIt) {
  WriteFile(dir_.path(), "models/big_regions.sql",
            "{{ config(materialized='view') }}\n"
            "select region, amount from {{ ref('region_totals') }} where amount >= 30\n");
  RunResults rebuilt = Build({"big_regions"});
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount FROM top_region"), (Strings{"N|40"}));
}

TEST_F(PostgresDependentViews, ViewsKeepTheirGrants) {
  ScopedPostgresRole reader(dir_.path().string());
  const std::vector<std::string> granted = {"big_regions", "top_region"};
  ASSERT_TRUE(GrantRead(*warehouse_, reader.name(), granted).ok());
  Exec("GRANT SELECT ON top_region TO PUBLIC");
  RunResults rebuilt = Build({"region_totals"}, /*full_refresh=*/true);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();

  auto big = GrantsOn(*warehouse_, "big_regions");
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  ASSERT_EQ(big->size(), 1u);
  EXPECT_EQ(big->front().privilege, "SELECT");
  EXPECT_EQ(big->front().grantee, reader.name());
  auto top = GrantsOn(*warehouse_, "top_region");
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  Strings grantees;
  for (const RelationGrant& grant : *top) grantees.push_back(grant.privilege + " " + grant.grantee);
  std::sort(grantees.begin(), grantees.end());
  EXPECT_EQ(grantees, (Strings{"SELECT PUBLIC", "SELECT " + reader.name()}));

  auto as_reader = OpenWarehouse(reader.OptionsIn(schema_));
  ASSERT_TRUE(as_reader.ok()) << as_reader.status().ToString();
  // The views read the table as their owner: the reader needs no grant on it.
  EXPECT_EQ(Scalar(**as_reader, "SELECT region FROM top_region"), "N");
  EXPECT_FALSE((*as_reader)->QueryAll("SELECT count(*) FROM region_totals").ok());
}

TEST_F(PostgresDependentViews, AViewThatNoLongerHoldsFailsTheBuildAndKeepsTheOldTable) {
  WriteFile(dir_.path(), "models/region_totals.sql",
            "{{ config(materialized='table') }}\n"
            "select region, count(*) as postings from {{ source('raw', 'events') }} "
            "group by region\n");
  RunResults rebuilt = Build({"region_totals"});
  EXPECT_FALSE(rebuilt.ok());
  const NodeResult* node = rebuilt.Find("model.shop.region_totals");
  ASSERT_NE(node, nullptr) << rebuilt.Summary();
  EXPECT_EQ(node->status, NodeStatus::kError);
  EXPECT_NE(node->message.find("the view " + schema_.name() + ".big_regions no longer works"),
            std::string::npos)
      << node->message;
  EXPECT_NE(node->message.find("amount"), std::string::npos) << node->message;
  // The old table, its views and nothing staged.
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount FROM region_totals ORDER BY region"),
            (Strings{"N|40", "S|20"}));
  EXPECT_EQ(Scalar(*warehouse_, "SELECT region FROM top_region"), "N");
  EXPECT_EQ(Scalar(*warehouse_,
                   "SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_\\_sw\\_%' "
                   "AND relnamespace = current_schema()::regnamespace"),
            "0");
}

// The reader runs on its own connection and thread; the build's callback
// after its DROP (inside the swap's transaction) holds the build until the
// server shows the reader waiting for the table's lock, or the reader is done
// (then it did not wait, and the test fails).
TEST(PostgresTableSwap, AReaderDuringTheSwapWaitsAndThenSeesTheNewTable) {
  ScopedPostgresSchema schema;
  TempDir dir;
  auto open = [&] {
    auto opened = OpenWarehouse(schema.Options());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  };
  auto builder = open(), reader = open(), monitor = open();
  ASSERT_TRUE(builder && reader && monitor);
  WriteProject(dir.path(), {{"silverwork_project.yml", "name: shop\n"},
                            {"models/totals.sql",
                             "{{ config(materialized='table') }}select 'old' as version"}});
  auto build = [&](Warehouse& warehouse) {
    auto project = TransformProject::Load(dir.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return;
    auto results = project->Build({.warehouse = &warehouse, .show_progress = false});
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    EXPECT_TRUE(results->ok()) << results->Summary();
  };
  build(*builder);
  WriteFile(dir.path(), "models/totals.sql",
            "{{ config(materialized='table') }}select 'new' as version");

  std::atomic<bool> reader_done = false;
  std::string read;
  std::thread reading;
  bool reader_waited = false;
  testing::SpyWarehouse spy(*builder);
  spy.after_statement = [&](std::string_view sql) {
    if (!sql.starts_with("DROP TABLE \"totals\"") || reading.joinable()) return;
    reading = std::thread([&] {
      auto rows = reader->QueryAll("SELECT version FROM totals");
      read = rows.ok() && rows->rows.size() == 1 ? ValueToString(rows->rows[0][0])
                                                 : "unreadable: " + rows.status().ToString();
      reader_done = true;
    });
    while (!reader_done && !reader_waited) {
      reader_waited = Scalar(*monitor,
                             "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                             "'Lock' AND query = 'SELECT version FROM totals'") == "1";
    }
  };
  build(spy);
  ASSERT_TRUE(reading.joinable()) << "the build never dropped the old table";
  reading.join();
  EXPECT_TRUE(reader_waited) << "the reader did not wait for the swap: it read " << read;
  EXPECT_EQ(read, "new");
}

}  // namespace
}  // namespace silverwork::transform

#endif  // SILVERWORK_HAVE_POSTGRES
