// view, table (atomic swap), incremental and ephemeral, run through the
// runner against the engine under test (SILVERWORK_TEST_ENGINE).
#include <gtest/gtest.h>

#include <algorithm>

#include "spy_warehouse.h"
#include "transform/materializations/materializer.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::Indexes;
using testing::NoSuchColumnMessage;
using testing::ReadFile;
using testing::Relations;
using testing::Rows;
using testing::Scalar;
using testing::SpyWarehouse;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteProject;
using Strings = std::vector<std::string>;

class MaterializationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = testing::OpenTestWarehouse(dir_.path() / "warehouse.db");
    WriteProject(dir_.path(), {{"silverwork_project.yml", "name: demo\n"},
                               {"models/sources.yml",
                                "sources:\n  - name: raw\n    tables:\n      - name: events\n"}});
    Exec("CREATE TABLE events (id INTEGER, region TEXT, amount INTEGER, updated_at TEXT)");
    Exec(
        "INSERT INTO events VALUES (1, 'seoul', 10, '2024-01-01'), (2, 'busan', 20, "
        "'2024-01-02')");
  }

  void Exec(const std::string& sql) {
    Status status = warehouse_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  RunResults Build(RunOptions options = {}, Warehouse* warehouse = nullptr) {
    auto project = TransformProject::Load(dir_.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    options.warehouse = warehouse ? warehouse : warehouse_.get();
    options.show_progress = false;
    auto results = project->Build(options);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *results : RunResults{};
  }

  const NodeResult& Result(const RunResults& results, const std::string& id) {
    const NodeResult* found = results.Find(id);
    EXPECT_NE(found, nullptr) << id;
    static const NodeResult kMissing;
    return found ? *found : kMissing;
  }

  std::string Compiled(const std::string& relative) {
    return ReadFile(dir_.path() / "target" / "compiled" / relative);
  }

  TempDir dir_;
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(MaterializationTest, ViewAndTable) {
  WriteProject(dir_.path(),
               {{"models/events_view.sql", "select id, amount from {{ source('raw', 'events') }}"},
                {"models/events_total.sql",
                 "{{ config(materialized='table') }}\n"
                 "select sum(amount) as total from {{ ref('events_view') }}"}});
  RunResults results = Build();
  EXPECT_TRUE(results.ok()) << results.Summary();
  EXPECT_EQ(Result(results, "model.demo.events_view").message, "view created");
  EXPECT_EQ(Result(results, "model.demo.events_total").message, "table built, 1 rows");
  EXPECT_EQ(Result(results, "model.demo.events_total").rows_affected, 1);
  EXPECT_EQ(Relations(*warehouse_, "events\\_%"),
            (Strings{"table|events_total", "view|events_view"}));
  EXPECT_EQ(Scalar(*warehouse_, "SELECT total FROM events_total"), "30");
}

// What several workers use on SQLite: the rows are computed into a TEMP
// table of the connection and copied in, with the same columns, types and
// rows as a direct build, nothing left behind, and errors as before.
TEST_F(MaterializationTest, StagedBuildsMatchDirectOnes) {
  ASSERT_TRUE(warehouse_->traits().stages_selects());
  Materializer direct(*warehouse_);
  Materializer staged(*warehouse_, /*stage_selects=*/true);
  const std::string sql =
      "SELECT id, upper(region) AS region, amount * 1.5 AS scaled, cast(amount AS text) AS "
      "label FROM events";
  const std::vector<std::string> key = {"id"};
  ASSERT_TRUE(direct.BuildTable("by_direct", sql, {.unique_key = key}).ok());
  auto built = staged.BuildTable("by_stage", sql, {.unique_key = key});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->rows_affected, 2);
  auto direct_columns = warehouse_->DescribeTable("by_direct");
  auto staged_columns = warehouse_->DescribeTable("by_stage");
  ASSERT_TRUE(direct_columns.ok() && staged_columns.ok());
  ASSERT_EQ(staged_columns->size(), direct_columns->size());
  for (size_t at = 0; at < direct_columns->size(); ++at) {
    EXPECT_EQ((*staged_columns)[at].name, (*direct_columns)[at].name);
    EXPECT_EQ((*staged_columns)[at].type, (*direct_columns)[at].type);
  }
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM by_stage ORDER BY id"),
            Rows(*warehouse_, "SELECT * FROM by_direct ORDER BY id"));
  EXPECT_EQ(Rows(*warehouse_, "SELECT name FROM sqlite_master WHERE tbl_name = 'by_stage'"),
            (Strings{"by_stage", "by_stage__unique_key"}));
  EXPECT_EQ(Scalar(*warehouse_, "SELECT count(*) FROM temp.sqlite_master"), "0");

  // A merge stages its increment the same way.
  Exec("INSERT INTO events VALUES (3, 'daegu', 30, '2024-01-03')");
  auto merged = staged.MergeIncrement("by_stage", sql + " WHERE id >= 2", {.unique_key = key});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->merge->inserted, 2);
  EXPECT_EQ(merged->merge->replaced, 1);
  EXPECT_EQ(Scalar(*warehouse_,
                   "SELECT group_concat(region, ',') FROM (SELECT region FROM "
                   "by_stage ORDER BY id)"),
            "SEOUL,BUSAN,DAEGU");

  // A broken SELECT fails with the engine's message and keeps the old table.
  auto broken = staged.BuildTable("by_stage", "SELECT id FROM no_such_table", {});
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("no such table: no_such_table"), std::string::npos)
      << broken.status().ToString();
  EXPECT_EQ(Scalar(*warehouse_, "SELECT count(*) FROM by_stage"), "3");
  EXPECT_EQ(Scalar(*warehouse_, "SELECT count(*) FROM temp.sqlite_master"), "0");
}

TEST_F(MaterializationTest, SwitchingBetweenViewAndTableReplacesTheRelation) {
  WriteProject(dir_.path(), {{"models/m.sql", "select 1 as x"}});
  Build();
  EXPECT_EQ(Relations(*warehouse_, "m"), Strings{"view|m"});
  WriteFile(dir_.path(), "models/m.sql", "{{ config(materialized='table') }}select 2 as x");
  Build();
  EXPECT_EQ(Relations(*warehouse_, "m"), Strings{"table|m"});
  WriteFile(dir_.path(), "models/m.sql", "select 3 as x");
  Build();
  EXPECT_EQ(Relations(*warehouse_, "m"), Strings{"view|m"});
  EXPECT_EQ(Scalar(*warehouse_, "SELECT x FROM m"), "3");
}

TEST_F(MaterializationTest, TableSwapKeepsTheOldTableReadableUntilCommit) {
  WriteProject(dir_.path(), {{"models/totals.sql",
                              "{{ config(materialized='table') }}select 'old' as version"}});
  Build();
  WriteFile(dir_.path(), "models/totals.sql",
            "{{ config(materialized='table') }}select 'new' as version");

  // A second connection reads the table after every statement of the rebuild.
  auto reader = testing::OpenTestWarehouse(dir_.path() / "warehouse.db");
  SpyWarehouse spy(*warehouse_);
  std::vector<std::string> seen;
  spy.after_statement = [&](std::string_view sql) {
    auto rows = reader->QueryAll("SELECT version FROM totals");
    std::string version = rows.ok() && rows->rows.size() == 1
                              ? ValueToString(rows->rows[0][0])
                              : "unreadable: " + rows.status().ToString();
    std::string statement(sql.substr(0, sql.find_first_of(" \n")));
    if (seen.empty() || seen.back() != statement + "=" + version)
      seen.push_back(statement + "=" + version);
  };
  RunResults results = Build({}, &spy);
  EXPECT_TRUE(results.ok()) << results.Summary();
  // Until COMMIT every read sees the old table; right after it, the new one.
  auto commit = std::find(seen.begin(), seen.end(), "COMMIT=new");
  ASSERT_NE(commit, seen.end()) << ::testing::PrintToString(seen);
  for (auto it = seen.begin(); it != commit; ++it)
    EXPECT_TRUE(it->ends_with("=old")) << *it << " in " << ::testing::PrintToString(seen);
  EXPECT_NE(std::find(seen.begin(), commit, "DROP=old"), commit)
      << "the drop happens inside the transaction: " << ::testing::PrintToString(seen);
  EXPECT_EQ(Scalar(*warehouse_, "SELECT version FROM totals"), "new");
}

TEST_F(MaterializationTest, FailedRebuildLeavesTheOldTableAndNamesTheFile) {
  WriteProject(dir_.path(),
               {{"models/marts/totals.sql", "{{ config(materialized='table') }}select 1 as x"}});
  Build();
  WriteFile(dir_.path(), "models/marts/totals.sql",
            "{{ config(materialized='table') }}\nselect no_such_column from "
            "{{ source('raw', 'events') }}");
  RunResults results = Build();
  EXPECT_FALSE(results.ok());
  const NodeResult& failed = Result(results, "model.demo.totals");
  EXPECT_EQ(failed.status, NodeStatus::kError);
  EXPECT_TRUE(failed.message.starts_with("models/marts/totals.sql: ")) << failed.message;
  EXPECT_NE(failed.message.find(NoSuchColumnMessage("no_such_column")), std::string::npos)
      << failed.message;
  EXPECT_EQ(Scalar(*warehouse_, "SELECT x FROM totals"), "1");
  EXPECT_EQ(Relations(*warehouse_, "%sw\\_new"), Strings{});
}

TEST_F(MaterializationTest, BrokenViewFailsTheBuildAndKeepsTheOldView) {
  WriteProject(dir_.path(), {{"models/v.sql", "select id from {{ source('raw', 'events') }}"}});
  Build();
  WriteFile(dir_.path(), "models/v.sql", "select nope from {{ source('raw', 'events') }}");
  RunResults results = Build();
  EXPECT_EQ(Result(results, "model.demo.v").status, NodeStatus::kError);
  EXPECT_NE(Result(results, "model.demo.v").message.find(NoSuchColumnMessage("nope")),
            std::string::npos)
      << Result(results, "model.demo.v").message;
  EXPECT_EQ(Rows(*warehouse_, "SELECT id FROM v ORDER BY id"), (Strings{"1", "2"}));
}

TEST_F(MaterializationTest, ViewsReadingASwappedTableKeepWorking) {
  WriteProject(dir_.path(), {{"models/base.sql", "{{ config(materialized='table') }}select 1 as x"},
                             {"models/reader.sql", "select x from {{ ref('base') }}"}});
  Build();
  WriteFile(dir_.path(), "models/base.sql", "{{ config(materialized='table') }}select 2 as x");
  // Only the table is rebuilt; the view that reads it must survive the swap.
  RunResults results = Build({.select = {"base"}});
  EXPECT_TRUE(results.ok()) << results.Summary();
  EXPECT_EQ(Scalar(*warehouse_, "SELECT x FROM reader"), "2");
}

// Both tables are swapped at once on two connections: SQLite takes the swaps
// one after the other (one writer); PostgreSQL has each wait for the other
// under the shared view (PostgresParallelSwaps.* forces the overlaps).
TEST_F(MaterializationTest, TablesRebuiltOnTwoThreadsUnderOneViewBothShow) {
  WriteProject(dir_.path(), {{"models/a.sql", "{{ config(materialized='table') }}select 1 as x"},
                             {"models/b.sql", "{{ config(materialized='table') }}select 10 as y"},
                             {"models/a_and_b.sql",
                              "select x, y from {{ ref('a') }} cross join {{ ref('b') }}"}});
  Build();
  WriteFile(dir_.path(), "models/a.sql", "{{ config(materialized='table') }}select 2 as x");
  WriteFile(dir_.path(), "models/b.sql", "{{ config(materialized='table') }}select 20 as y");
  RunResults results = Build({.select = {"a b"}, .threads = 2});
  EXPECT_TRUE(results.ok()) << results.Summary();
  EXPECT_EQ(Rows(*warehouse_, "SELECT x, y FROM a_and_b"), (Strings{"2|20"}));
}

const char* kIncrementalModel =
    "{{ config(materialized='incremental', unique_key='id') }}\n"
    "select id, amount, updated_at\n"
    "from {{ source('raw', 'events') }}\n"
    "{% if is_incremental() %}\n"
    "where updated_at > (select max(updated_at) from {{ this }})\n"
    "{% endif %}\n";

TEST_F(MaterializationTest, IncrementalDeletesAndInsertsByUniqueKey) {
  WriteProject(dir_.path(), {{"models/events_inc.sql", kIncrementalModel}});
  RunResults first = Build();
  EXPECT_EQ(Result(first, "model.demo.events_inc").message, "table built, 2 rows");
  EXPECT_EQ(Compiled("models/events_inc.sql"),
            "\nselect id, amount, updated_at\nfrom \"events\"\n");

  Exec("UPDATE events SET amount = 25, updated_at = '2024-01-03' WHERE id = 2");
  Exec("UPDATE events SET amount = 99 WHERE id = 1");  // not newer: not picked up
  Exec("INSERT INTO events VALUES (3, 'daegu', 30, '2024-01-03')");
  RunResults second = Build();
  const NodeResult& merged = Result(second, "model.demo.events_inc");
  EXPECT_EQ(merged.status, NodeStatus::kSuccess) << merged.message;
  EXPECT_EQ(merged.message, "incremental: 2 rows inserted, 1 old rows replaced");
  EXPECT_EQ(merged.rows_affected, 2);
  EXPECT_EQ(Compiled("models/events_inc.sql"),
            "\nselect id, amount, updated_at\nfrom \"events\"\n\nwhere updated_at > (select "
            "max(updated_at) from \"events_inc\")\n");
  EXPECT_EQ(Rows(*warehouse_, "SELECT id, amount FROM events_inc ORDER BY id"),
            (Strings{"1|10", "2|25", "3|30"}));
  EXPECT_EQ(Relations(*warehouse_, "%\\_\\_sw\\_%"), Strings{});  // no working table stays

  RunResults refreshed = Build({.full_refresh = true});
  EXPECT_EQ(Result(refreshed, "model.demo.events_inc").message, "table built, 3 rows");
  EXPECT_EQ(Rows(*warehouse_, "SELECT id, amount FROM events_inc ORDER BY id"),
            (Strings{"1|99", "2|25", "3|30"}));
}

TEST_F(MaterializationTest, IndexesAreBuiltWithTheTableAndKeptAcrossMerges) {
  WriteProject(
      dir_.path(),
      {{"models/events_inc.sql",
        "{{ config(materialized='incremental', unique_key='id',\n"
        "          indexes=['updated_at', ['region', 'amount']]) }}\n"
        "select id, region, amount, updated_at from {{ source('raw', 'events') }}\n"
        "{% if is_incremental() %}\n"
        "where updated_at > (select max(updated_at) from {{ this }})\n"
        "{% endif %}\n"},
       {"models/by_region.sql",
        "{{ config(materialized='table', indexes=['region']) }}\n"
        "select region, sum(amount) as amount from {{ ref('events_inc') }} group by region"}});
  auto indexes = [&] {
    Strings both = Indexes(*warehouse_, "by_region");
    for (std::string& index : Indexes(*warehouse_, "events_inc")) both.push_back(index);
    return both;
  };
  const Strings expected{"by_region__idx_region|region",
                         "events_inc__idx_region_amount|region,amount",
                         "events_inc__idx_updated_at|updated_at", "events_inc__unique_key|id"};
  EXPECT_TRUE(Build().ok());
  EXPECT_EQ(indexes(), expected);

  Exec("INSERT INTO events VALUES (3, 'daegu', 30, '2024-01-03')");
  RunResults merged = Build();
  EXPECT_EQ(Result(merged, "model.demo.events_inc").message,
            "incremental: 1 rows inserted, 0 old rows replaced");
  EXPECT_EQ(indexes(), expected);
  // The key index serves the merge's delete instead of a scan (the plan is
  // SQLite's: PostgreSQL's planner scans tables this small whatever indexes
  // they have).
  if (EngineFromEnvironment() == "sqlite") {
    Strings plan = Rows(*warehouse_,
                        "EXPLAIN QUERY PLAN DELETE FROM events_inc WHERE id IN (SELECT id FROM "
                        "events)");
    EXPECT_TRUE(std::any_of(plan.begin(), plan.end(), [](const std::string& step) {
      return step.ends_with("SEARCH events_inc USING INDEX events_inc__unique_key (id=?)");
    })) << ::testing::PrintToString(plan);
  }

  EXPECT_TRUE(Build({.full_refresh = true}).ok());
  EXPECT_EQ(indexes(), expected);
}

TEST_F(MaterializationTest, AFailedIndexLeavesTheOldTable) {
  WriteProject(dir_.path(), {{"models/totals.sql",
                              "{{ config(materialized='table') }}\n"
                              "select region, amount from {{ source('raw', 'events') }}"}});
  Build();
  WriteFile(dir_.path(), "models/totals.sql",
            "{{ config(materialized='table', indexes=['no_such_column']) }}\n"
            "select region from {{ source('raw', 'events') }}");
  RunResults results = Build();
  const NodeResult& failed = Result(results, "model.demo.totals");
  EXPECT_EQ(failed.status, NodeStatus::kError);
  EXPECT_NE(failed.message.find("no_such_column"), std::string::npos) << failed.message;
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount FROM totals ORDER BY region"),
            (Strings{"busan|20", "seoul|10"}));
  EXPECT_EQ(Relations(*warehouse_, "totals%"), Strings{"table|totals"});
}

TEST_F(MaterializationTest, IncrementalWithACompositeKey) {
  Exec("INSERT INTO events VALUES (3, 'seoul', 5, '2024-01-02')");
  WriteProject(dir_.path(),
               {{"models/daily.sql",
                 "{{ config(materialized='incremental', unique_key=['region', 'day']) }}\n"
                 "select region, updated_at as day, sum(amount) as amount\n"
                 "from {{ source('raw', 'events') }}\n"
                 "{% if is_incremental() %}where updated_at >= '2024-01-02'{% endif %}\n"
                 "group by region, updated_at"}});
  Build();
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, day, amount FROM daily ORDER BY region, day"),
            (Strings{"busan|2024-01-02|20", "seoul|2024-01-01|10", "seoul|2024-01-02|5"}));
  Exec("INSERT INTO events VALUES (4, 'seoul', 7, '2024-01-02'), (5, 'busan', 1, '2024-01-03')");
  Exec("UPDATE events SET amount = 1000 WHERE updated_at = '2024-01-01'");  // outside the window
  RunResults results = Build();
  EXPECT_EQ(Result(results, "model.demo.daily").message,
            "incremental: 3 rows inserted, 2 old rows replaced");
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, day, amount FROM daily ORDER BY region, day"),
            (Strings{"busan|2024-01-02|20", "busan|2024-01-03|1", "seoul|2024-01-01|10",
                     "seoul|2024-01-02|12"}));
}

TEST_F(MaterializationTest, LookbackIsAVarTheModelUses) {
  WriteProject(dir_.path(), {{"models/daily.sql",
                              "{{ config(materialized='incremental', unique_key='id') }}\n"
                              "select id, amount, updated_at from {{ source('raw', 'events') }}\n"
                              "{% if is_incremental() %}\n"
                              "where updated_at >= (select {{ dateadd_days('max(updated_at)', "
                              "var('lookback_days', -1)) }} from {{ this }})\n"
                              "{% endif %}"}});
  Build();
  // Late corrections: one inside the default one-day window, one outside it.
  Exec("UPDATE events SET amount = 11 WHERE id = 1");
  Exec("UPDATE events SET amount = 21 WHERE id = 2");
  RunResults results = Build();
  EXPECT_EQ(Result(results, "model.demo.daily").message,
            "incremental: 2 rows inserted, 2 old rows replaced");
  EXPECT_EQ(Rows(*warehouse_, "SELECT id, amount FROM daily ORDER BY id"),
            (Strings{"1|11", "2|21"}));
  Exec("UPDATE events SET amount = 12 WHERE id = 1");
  Exec("UPDATE events SET amount = 22 WHERE id = 2");
  results = Build({.vars = {"lookback_days=0"}});
  EXPECT_EQ(Result(results, "model.demo.daily").message,
            "incremental: 1 rows inserted, 1 old rows replaced");
  EXPECT_EQ(Rows(*warehouse_, "SELECT id, amount FROM daily ORDER BY id"),
            (Strings{"1|11", "2|22"}));
}

TEST_F(MaterializationTest, IncrementalAddsNewColumns) {
  WriteProject(dir_.path(), {{"models/events_inc.sql", kIncrementalModel}});
  Build();
  WriteFile(dir_.path(), "models/events_inc.sql",
            "{{ config(materialized='incremental', unique_key='id') }}\n"
            "select id, amount, updated_at, region\nfrom {{ source('raw', 'events') }}\n"
            "{% if is_incremental() %}where updated_at > (select max(updated_at) from {{ this }})"
            "{% endif %}");
  Exec("INSERT INTO events VALUES (3, 'daegu', 30, '2024-01-05')");
  RunResults results = Build();
  EXPECT_EQ(Result(results, "model.demo.events_inc").message,
            "incremental: 1 rows inserted, 0 old rows replaced, new columns region");
  EXPECT_EQ(Rows(*warehouse_, "SELECT id, amount, region FROM events_inc ORDER BY id"),
            (Strings{"1|10|NULL", "2|20|NULL", "3|30|daegu"}));
}

TEST_F(MaterializationTest, IncrementalUniqueKeyMustBeAColumn) {
  WriteProject(dir_.path(), {{"models/events_inc.sql",
                              "{{ config(materialized='incremental', unique_key='event_id') }}\n"
                              "select id, amount from {{ source('raw', 'events') }}"}});
  Build();  // the first run is a plain table build
  RunResults results = Build();
  const NodeResult& failed = Result(results, "model.demo.events_inc");
  EXPECT_EQ(failed.status, NodeStatus::kError);
  EXPECT_TRUE(
      failed.message.starts_with("models/events_inc.sql: unique_key column 'event_id' is "
                                 "missing from the model's rows"))
      << failed.message;
  EXPECT_EQ(Scalar(*warehouse_, "SELECT count(*) FROM events_inc"), "2");
}

TEST_F(MaterializationTest, EphemeralModelsAreInlinedAsCtes) {
  WriteProject(
      dir_.path(),
      {{"models/base_events.sql",
        "{{ config(materialized='ephemeral') }}select id, amount from {{ source('raw', 'events') "
        "}}"},
       {"models/big_events.sql",
        "{{ config(materialized='ephemeral') }}select * from {{ ref('base_events') }} where amount "
        "> 15"},
       {"models/report.sql",
        "-- report\nwith extra as (select 1 as one)\nselect b.id, e.one from {{ ref('big_events') "
        "}} "
        "as b, extra as e;"},
       {"models/plain.sql", "select count(*) as n from {{ ref('base_events') }}"}});
  RunResults results = Build();
  EXPECT_TRUE(results.ok()) << results.Summary();
  EXPECT_EQ(results.nodes.size(), 2u);  // ephemerals are not run
  EXPECT_EQ(Compiled("models/report.sql"),
            "-- report\nwith \"__sw_ephemeral__base_events\" as (\nselect id, amount from "
            "\"events\"\n),\n\"__sw_ephemeral__big_events\" as (\nselect * from "
            "\"__sw_ephemeral__base_events\" where amount > 15\n),\nextra as (select 1 as one)\n"
            "select b.id, e.one from \"__sw_ephemeral__big_events\" as b, extra as e\n");
  EXPECT_EQ(Compiled("models/plain.sql"),
            "with \"__sw_ephemeral__base_events\" as (\nselect id, amount from \"events\"\n)\n"
            "select count(*) as n from \"__sw_ephemeral__base_events\"\n");
  EXPECT_EQ(Rows(*warehouse_, "SELECT id, one FROM report"), Strings{"2|1"});
  EXPECT_EQ(Scalar(*warehouse_, "SELECT n FROM plain"), "2");
  EXPECT_EQ(Relations(*warehouse_, "%events"), Strings{"table|events"});
}

TEST_F(MaterializationTest, AdapterMacrosExpandForTheEngine) {
  WriteProject(dir_.path(),
               {{"models/macros.sql",
                 "select {{ dbt_date_trunc_month(\"'2024-03-17'\") }} as month_start,\n"
                 "  {{ parse_date_yyyymmdd(\"'20240229'\") }} as leap_day,\n"
                 "  {{ parse_date_yyyymmdd(\"'20230230'\") }} as impossible,\n"
                 "  {{ datediff_days(\"'2024-01-01'\", \"'2024-03-01'\") }} as days,\n"
                 "  {{ dateadd_days(\"'2024-02-28'\", 2) }} as later,\n"
                 "  (select {{ string_agg('region', \"', '\") }} from (select region from "
                 "{{ source('raw', 'events') }} order by id) as ordered) as regions,\n"
                 "  length({{ current_timestamp() }}) as stamp_length"}});
  RunResults results = Build();
  EXPECT_TRUE(results.ok()) << results.Summary();
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM macros"),
            Strings{"2024-03-01|2024-02-29|NULL|60|2024-03-01|seoul, busan|24"});
}

}  // namespace
}  // namespace silverwork::transform
