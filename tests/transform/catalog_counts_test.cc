// The row counts of the stored data catalog (catalog_store.h) on every
// engine: a build keeps the stored counts of what it left alone, takes
// those of what it built from the build, counts only the rest (views over
// changed inputs), and every stored count equals a fresh count of its
// relation after any sequence of builds.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/clock.h"
#include "spy_warehouse.h"
#include "transform/runner/catalog_store.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using testing::TempDir;
using testing::WriteProject;
using RelationNames = std::set<std::string>;

// Two sources that change independently, and one node of each kind over
// them: tables, an incremental model, views, a seed and a snapshot.
const std::map<std::string, std::string> kTallyProject = {
    {"silverwork_project.yml", "name: tally\nversion: '1.0'\nconfig-version: 2\n"},
    {"seeds/region_names.csv", "region,name\nN,North\nS,South\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    loaded_at_field: loaded_at\n    tables:\n"
     "      - name: events\n      - name: sites\n"},
    {"models/events_by_region.sql",
     "{{ config(materialized='table') }}\n"
     "select region, count(*) as events from {{ source('raw', 'events') }} group by region\n"},
    {"models/site_list.sql",
     "{{ config(materialized='table') }}\nselect site, region from {{ source('raw', 'sites') }}\n"},
    {"models/events_log.sql",
     "{{ config(materialized='incremental', unique_key='id') }}\n"
     "select id, region, amount, loaded_at from {{ source('raw', 'events') }}\n"
     "{% if is_incremental() %}\n"
     "where loaded_at > (select max(loaded_at) from {{ this }})\n"
     "{% endif %}\n"},
    {"models/big_events.sql",
     "{{ config(materialized='view') }}\n"
     "select * from {{ source('raw', 'events') }} where amount > 15\n"},
    {"models/site_view.sql",
     "{{ config(materialized='view') }}\nselect site from {{ source('raw', 'sites') }}\n"},
    {"snapshots/site_history.sql",
     "{% snapshot site_history %}\n"
     "{{ config(unique_key='site', strategy='check', check_cols=['region']) }}\n"
     "select site, region from {{ source('raw', 'sites') }}\n"
     "{% endsnapshot %}\n"},
};

// Every relation the project's catalog counts.
const std::vector<std::string> kTallyRelations = {"events",           "sites",     "region_names",
                                                  "events_by_region", "site_list", "events_log",
                                                  "big_events",       "site_view", "site_history"};

const std::string kCatalogCountPrefix = "SELECT COUNT(*) AS row_count FROM ";

class CatalogCountsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    warehouse_ = under_test_.Open();
    ASSERT_NE(warehouse_, nullptr);
    WriteProject(dir_.path(), kTallyProject);
    Load(
        "CREATE TABLE events (id INTEGER, region TEXT, amount INTEGER, loaded_at TEXT); "
        "CREATE TABLE sites (site TEXT, region TEXT, loaded_at TEXT); "
        "INSERT INTO events VALUES (1, 'N', 10, '2026-03-30T01:00:00Z'), "
        "(2, 'S', 20, '2026-03-30T01:00:00Z'), (3, 'N', 30, '2026-03-30T01:00:00Z'); "
        "INSERT INTO sites VALUES ('a', 'N', '2026-03-30T01:00:00Z'), "
        "('b', 'S', '2026-03-30T01:00:00Z')");
  }

  void Load(const std::string& sql) {
    Status status = warehouse_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Builds through a spy; returns the relations the catalog step counted
  // (its own `SELECT COUNT(*) AS row_count FROM "name"`, not the counts the
  // materializer takes of what it builds).
  RelationNames Build(bool full_refresh = false) {
    clock_.Advance(std::chrono::hours(1));
    auto project = TransformProject::Load(dir_.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    testing::SpyWarehouse spy(*warehouse_);
    RelationNames counted;
    spy.before_statement = [&counted](std::string_view sql) {
      if (!sql.starts_with(kCatalogCountPrefix)) return;
      std::string name(sql.substr(kCatalogCountPrefix.size()));
      std::erase(name, '"');
      std::erase(name, '`');
      counted.insert(name);
    };
    RunOptions options{.full_refresh = full_refresh,
                       .warehouse = &spy,
                       .artifacts_dir = dir_.path() / "target",
                       .clock = &clock_};
    auto results = project->Build(options);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    if (results.ok()) {
      EXPECT_TRUE(results->ok()) << results->Summary();
    }
    return counted;
  }

  // relation -> the stored document's row_count (-1 when it has none).
  std::map<std::string, int64_t> StoredCounts() {
    std::map<std::string, int64_t> counts;
    auto rows = warehouse_->QueryAll("SELECT document FROM _sw_catalog WHERE name = 'project'");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->rows.size() != 1) return counts;
    auto document = nlohmann::json::parse(ValueToString(rows->rows[0][0]));
    for (const auto& [id, node] : document.at("nodes").items()) {
      if (node.at("resource_type") == "test") continue;
      const std::string relation = id.substr(id.rfind('.') + 1);
      counts[relation] =
          node["row_count"].is_number_integer() ? node["row_count"].get<int64_t>() : -1;
    }
    return counts;
  }

  // Every stored count equals a fresh count of its relation.
  void ExpectStoredCountsAreExact(const std::string& after) {
    std::map<std::string, int64_t> stored = StoredCounts();
    for (const std::string& relation : kTallyRelations) {
      ASSERT_TRUE(stored.contains(relation)) << relation << " after " << after;
      EXPECT_EQ(stored[relation], CountRows(*warehouse_, relation))
          << relation << " after " << after;
    }
  }

  WarehouseUnderTest under_test_{GetParam()};
  std::unique_ptr<Warehouse> warehouse_;
  TempDir dir_;
  FakeClock clock_{std::chrono::sys_days(std::chrono::year(2026) / 3 / 31) + std::chrono::hours(9)};
};

TEST_P(CatalogCountsTest, TheFirstBuildCountsOnlyTheViews) {
  // The runner read each source's count (and newest loaded_at) to version
  // it; tables, the seed and the snapshot were counted as they were built.
  EXPECT_EQ(Build(), (RelationNames{"big_events", "site_view"}));
  ExpectStoredCountsAreExact("the first build");
}

TEST_P(CatalogCountsTest, ADailyBuildCountsOnlyTheViewsOverWhatChanged) {
  Build();
  Load("INSERT INTO events VALUES (4, 'S', 40, '2026-03-31T01:00:00Z')");
  // events_by_region rebuilt, events_log merged into, site_history
  // snapshotted (every run stamps it): their builds say how many rows they
  // hold. big_events reads new rows; the seed, the tables and the view over
  // the unchanged sites keep their stored counts.
  EXPECT_EQ(Build(), (RelationNames{"big_events"}));
  ExpectStoredCountsAreExact("new events");
  EXPECT_EQ(StoredCounts()["events"], 4);
  EXPECT_EQ(StoredCounts()["big_events"], 3);

  EXPECT_EQ(Build(), RelationNames{}) << "nothing new";
  ExpectStoredCountsAreExact("nothing new");
}

TEST_P(CatalogCountsTest, StoredCountsStayExactThroughBuildsAndAFullRefresh) {
  Build();
  Load("INSERT INTO sites VALUES ('c', 'N', '2026-03-31T01:00:00Z')");
  Build();
  ExpectStoredCountsAreExact("new sites");
  EXPECT_EQ(StoredCounts()["site_list"], 3);

  Load("INSERT INTO events VALUES (4, 'W', 50, '2026-03-31T02:00:00Z')");
  RelationNames refreshed = Build(/*full_refresh=*/true);
  // Without the build state nothing is vouched for: everything is counted.
  EXPECT_EQ(refreshed.size(), kTallyRelations.size()) << ::testing::PrintToString(refreshed);
  ExpectStoredCountsAreExact("a full refresh");

  // The full refresh stored no versions: the next build counts what it did
  // not build, the one after only the views over what changed.
  Load(
      "DELETE FROM events WHERE id = 1; UPDATE sites SET region = 'S', "
      "loaded_at = '2026-03-31T03:00:00Z' WHERE site = 'a'");
  Build();
  ExpectStoredCountsAreExact("a deletion and an update");
  Load("INSERT INTO events VALUES (5, 'N', 60, '2026-03-31T04:00:00Z')");
  EXPECT_EQ(Build(), (RelationNames{"big_events"}));
  ExpectStoredCountsAreExact("new events");

  // A merge that replaces a row (id 2 loaded again) and a snapshot that
  // closes a version and adds its successor: their counts follow from the
  // stored ones and the rows each build added.
  Load(
      "INSERT INTO events VALUES (2, 'S', 25, '2026-03-31T05:00:00Z'); UPDATE sites SET "
      "region = 'N', loaded_at = '2026-03-31T05:00:00Z' WHERE site = 'b'");
  EXPECT_EQ(Build(), (RelationNames{"big_events", "site_view"}));
  ExpectStoredCountsAreExact("a replaced row and a new version");
  EXPECT_EQ(StoredCounts()["events_log"], 5);
}

INSTANTIATE_TEST_SUITE_P(Engines, CatalogCountsTest, ::testing::ValuesIn(EnginesUnderTest()),
                         EngineTestName);

}  // namespace
}  // namespace silverwork::transform
