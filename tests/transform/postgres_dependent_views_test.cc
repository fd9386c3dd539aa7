// Views around a swap on PostgreSQL, beyond one table and its views
// (postgres_table_swap_test.cc): two tables rebuilt at once on two workers
// under one view, a swap that loses a deadlock to a reader tried again, the
// owner and comments a view created again keeps, and a materialized view
// over a rebuilt table (warehouse/dependent_views.h).
//
// The parallel swaps are made to overlap deterministically: the spy holds
// the first worker at a chosen step of its swap until the server shows the
// other worker waiting for a lock (or, for the step before any lock is
// taken, until the other worker's swap committed). No sleeps.
#ifdef SILVERWORK_HAVE_POSTGRES

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "serve/log_capture.h"
#include "spy_warehouse.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"
#include "warehouse_under_test.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::Scalar;
using testing::TempDir;
using testing::WriteProject;
using Strings = std::vector<std::string>;

// totals and counts: two independent tables; both_regions, a view over both.
const std::map<std::string, std::string> kTwoTablesProject = {
    {"silverwork_project.yml", "name: shop\nversion: '1.0'\nconfig-version: 2\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n"},
    {"models/totals.sql",
     "{{ config(materialized='table') }}\n"
     "select region, sum(amount) as amount from {{ source('raw', 'events') }} group by region\n"},
    {"models/counts.sql",
     "{{ config(materialized='table') }}\n"
     "select region, count(*) as events from {{ source('raw', 'events') }} group by region\n"},
    {"models/both_regions.sql",
     "{{ config(materialized='view') }}\n"
     "select t.region, t.amount, c.events from {{ ref('totals') }} as t\n"
     "join {{ ref('counts') }} as c on c.region = t.region\n"},
};

class PostgresViewsAroundSwaps : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = Open();
    ASSERT_NE(warehouse_, nullptr);
    Exec(*warehouse_,
         "CREATE TABLE events (region TEXT, amount BIGINT); "
         "INSERT INTO events VALUES ('N', 10), ('S', 20), ('N', 30)");
    WriteProject(dir_.path(), kTwoTablesProject);
    RunResults first = Build(*warehouse_, {}, 1);
    ASSERT_TRUE(first.ok()) << first.Summary();
  }

  std::unique_ptr<Warehouse> Open() {
    auto opened = OpenWarehouse(schema_.Options());
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  static void Exec(Warehouse& warehouse, const std::string& sql) {
    Status status = warehouse.Execute(sql);
    ASSERT_TRUE(status.ok()) << sql << ": " << status.ToString();
  }

  RunResults Build(Warehouse& warehouse, std::vector<std::string> select, int threads) {
    auto project = TransformProject::Load(dir_.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    RunOptions options;
    options.warehouse = &warehouse;
    options.show_progress = false;
    options.select = std::move(select);
    options.use_state = false;  // every selected relation is rebuilt
    options.threads = threads;
    auto results = project->Build(options);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *std::move(results) : RunResults{};
  }

  std::string Comment(const std::string& sql) { return Scalar(*warehouse_, sql); }

  ScopedPostgresSchema schema_;
  TempDir dir_;
  std::unique_ptr<Warehouse> warehouse_;
};

// Where the first worker to get there is held, and what the other does
// meanwhile: commits its own swap, or waits for a lock the held one has.
struct Overlap {
  const char* name;
  const char* held_after;  // the start of the statement it has just run
  bool other_waits;
};
void PrintTo(const Overlap& overlap, std::ostream* out) { *out << overlap.name; }

// Backends waiting for a lock held by one that holds a lock on a relation
// of the test's schema (the held worker does, but for the first catalog read).
const char* kWaitingForThisTest =
    "SELECT count(*) FROM pg_stat_activity AS waiting WHERE waiting.wait_event_type = 'Lock' "
    "AND EXISTS (SELECT 1 FROM pg_locks AS held JOIN pg_class AS c ON c.oid = held.relation "
    "WHERE held.pid = ANY(pg_blocking_pids(waiting.pid)) AND held.granted "
    "AND c.relnamespace = current_schema()::regnamespace)";

class PostgresParallelSwaps : public PostgresViewsAroundSwaps,
                              public ::testing::WithParamInterface<Overlap> {};

// Both workers run through one spy (its peers share the callbacks). The
// first to run `held_after` is held there; the other goes on.
TEST_P(PostgresParallelSwaps, TwoTablesRebuiltAtOnceUnderOneViewBothShow) {
  const Overlap overlap = GetParam();
  Exec(*warehouse_, "CREATE VIEW bi_both AS SELECT region, amount, events FROM both_regions");
  Exec(*warehouse_, "INSERT INTO events VALUES ('E', 70), ('S', 5)");
  auto monitor = Open();
  ASSERT_NE(monitor, nullptr);

  std::mutex mutex;
  std::thread::id held;
  bool other_in_swap = false;
  std::atomic<bool> other_committed = false;
  bool other_waited = false;
  bool other_committed_meanwhile = false;
  testing::SpyWarehouse spy(*warehouse_);
  spy.after_statement = [&](std::string_view sql) {
    const std::thread::id me = std::this_thread::get_id();
    {
      std::lock_guard lock(mutex);
      if (held != std::thread::id() && held != me) {
        if (sql.starts_with("DROP VIEW")) other_in_swap = true;
        if (sql == "COMMIT" && other_in_swap) other_committed = true;
        return;
      }
      if (held == me || !sql.starts_with(overlap.held_after)) return;
      held = me;
    }
    // Until the other swap commits or waits for this one: without either,
    // ctest's timeout ends the test.
    while (!other_committed && !other_waited) {
      std::this_thread::yield();
      other_waited = Scalar(*monitor, kWaitingForThisTest) != "0";
    }
    other_committed_meanwhile = other_committed;
  };
  RunResults rebuilt = Build(spy, {"totals counts"}, 2);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();
  EXPECT_NE(held, std::thread::id()) << "no worker ran " << overlap.held_after;
  EXPECT_EQ(other_waited, overlap.other_waits);
  EXPECT_EQ(other_committed_meanwhile, !overlap.other_waits);
  const Strings expected = {"E|70|1", "N|40|2", "S|25|2"};
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount, events FROM both_regions ORDER BY region"),
            expected);
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount, events FROM bi_both ORDER BY region"),
            expected);
}

INSTANTIATE_TEST_SUITE_P(Interleavings, PostgresParallelSwaps,
                         ::testing::Values(
                             // It has read the catalog (the views' definitions lock them): the
                             // other swaps first, and it then drops the views the other created
                             // again. Two swaps that both read the definitions before either
                             // drops a view would deadlock (SQLSTATE 40P01) without the views'
                             // keys (WaitForSwapsUnderTheSameViews).
                             Overlap{"AfterTheFirstCatalogRead", "WITH RECURSIVE readers", false},
                             // It holds the views: the other waits for them.
                             Overlap{"AfterDroppingTheView", "DROP VIEW", true},
                             // It holds the views and its table, and will read the other's table.
                             Overlap{"AfterDroppingTheTable", "DROP TABLE \"", true}),
                         [](const ::testing::TestParamInfo<Overlap>& overlap) {
                           return overlap.param.name;
                         });

// A session reads totals, then (same transaction) the view over it that the
// swap has set aside, while the swap waits for totals: a deadlock, which the
// server breaks by failing the swap (the reader never checks: its
// deadlock_timeout is an hour). The swap is tried again once the reader is
// done, and the build finishes exact.
TEST_F(PostgresViewsAroundSwaps, ASwapThatLosesADeadlockToAReaderIsTriedAgain) {
  auto reader = Open();
  ASSERT_NE(reader, nullptr);
  Exec(*reader, "SET deadlock_timeout = '1h'");
  ASSERT_TRUE(reader->Begin().ok());
  ASSERT_EQ(Scalar(*reader, "SELECT count(*) FROM totals"), "2");
  Exec(*warehouse_, "INSERT INTO events VALUES ('N', 5)");

  std::thread reading;
  std::string read;
  testing::SpyWarehouse spy(*warehouse_);
  spy.after_statement = [&](std::string_view sql) {
    if (!sql.starts_with("DROP VIEW") || reading.joinable()) return;
    // The swap holds the view, and will wait for totals, which the reader holds.
    reading = std::thread([&] {
      auto rows = reader->QueryAll("SELECT count(*) FROM both_regions");
      read = rows.ok() ? ValueToString(rows->rows.at(0).at(0)) : rows.status().ToString();
      Status committed = reader->Commit();
      EXPECT_TRUE(committed.ok()) << committed.ToString();
    });
  };
  serve::testing::LogCapture log;
  RunResults rebuilt = Build(spy, {"totals"}, 1);
  ASSERT_TRUE(reading.joinable()) << "the swap set no view aside";
  reading.join();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();
  EXPECT_EQ(read, "2") << "the reader read the old tables once the swap gave way";
  EXPECT_EQ(log.Count("putting the rebuilt totals in place lost a deadlock with another session "
                      "(try 1 of 3)"),
            1);
  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount, events FROM both_regions ORDER BY region"),
            (Strings{"N|45|2", "S|20|1"}));
}

std::string OwnerOf(Warehouse& warehouse, const std::string& relation) {
  return Scalar(warehouse, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = '" +
                               relation + "' AND relnamespace = current_schema()::regnamespace");
}

TEST_F(PostgresViewsAroundSwaps, ARecreatedViewKeepsItsOwnerAndComments) {
  ScopedPostgresRole analyst(dir_.path().string());
  Exec(*warehouse_,
       "GRANT SELECT ON totals TO " + analyst.name() +
           "; "  // a view reads as its owner
           "CREATE VIEW bi_totals AS SELECT region, amount FROM totals; "
           "COMMENT ON VIEW bi_totals IS 'totals for the BI team'; "
           "COMMENT ON COLUMN bi_totals.amount IS 'won, summed'; "
           "ALTER VIEW bi_totals OWNER TO " +
           analyst.name() +
           "; "
           "COMMENT ON VIEW both_regions IS 'it''s both'");
  Exec(*warehouse_, "INSERT INTO events VALUES ('E', 70)");
  RunResults rebuilt = Build(*warehouse_, {"totals"}, 1);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();

  EXPECT_EQ(Rows(*warehouse_, "SELECT region, amount FROM bi_totals ORDER BY region"),
            (Strings{"E|70", "N|40", "S|20"}));
  EXPECT_EQ(OwnerOf(*warehouse_, "bi_totals"), analyst.name());
  EXPECT_EQ(Comment("SELECT obj_description('bi_totals'::regclass, 'pg_class')"),
            "totals for the BI team");
  EXPECT_EQ(Comment("SELECT col_description('bi_totals'::regclass, 2)"), "won, summed");
  EXPECT_EQ(Comment("SELECT obj_description('both_regions'::regclass, 'pg_class')"), "it's both");
}

// The build's role (not a superuser) may drop the analyst's view, as a
// member of the analyst's role, but may not give it back: the analyst may
// not create in the schema. The build goes on and says so, once.
TEST_F(PostgresViewsAroundSwaps, AnOwnerTheBuildMayNotGiveBackIsWarnedOnce) {
  std::filesystem::create_directory(dir_.path() / "builder");  // its password file
  ScopedPostgresRole builder((dir_.path() / "builder").string());
  ScopedPostgresRole analyst(dir_.path().string());
  const std::string schema = schema_.name();
  Exec(*warehouse_, "GRANT USAGE, CREATE ON SCHEMA " + schema + " TO " + builder.name() +
                        "; GRANT USAGE ON SCHEMA " + schema + " TO " + analyst.name() + "; GRANT " +
                        analyst.name() + " TO " + builder.name() + "; GRANT SELECT ON events TO " +
                        builder.name() + "; GRANT SELECT ON totals TO " + analyst.name());
  // Everything the build wrote so far becomes the builder's.
  Exec(*warehouse_,
       "DO $$ DECLARE r record; BEGIN FOR r IN SELECT relname, relkind FROM pg_class "
       "WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', "
       "'v') AND relname <> 'events' LOOP EXECUTE format('ALTER %s %I OWNER TO " +
           builder.name() +
           "', CASE r.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.relname); "
           "END LOOP; END $$");
  Exec(*warehouse_,
       "CREATE VIEW bi_totals AS SELECT region, amount FROM totals; "
       "ALTER VIEW bi_totals OWNER TO " +
           analyst.name());
  auto as_builder = OpenWarehouse(builder.OptionsIn(schema_));
  ASSERT_TRUE(as_builder.ok()) << as_builder.status().ToString();

  serve::testing::LogCapture log;
  for (int build = 0; build < 2; ++build) {
    RunResults rebuilt = Build(**as_builder, {"totals"}, 1);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.Summary();
  }
  EXPECT_EQ(OwnerOf(*warehouse_, "bi_totals"), builder.name());
  EXPECT_EQ(Rows(*warehouse_, "SELECT region FROM bi_totals ORDER BY region"), (Strings{"N", "S"}));
  EXPECT_EQ(log.Count("now belongs to the build's role"), 1) << log.Find("bi_totals");
  EXPECT_NE(log.Find("ALTER VIEW " + schema + ".bi_totals OWNER TO " + analyst.name()), "");
}

// A BI tool's materialized view over a mart, with a view over it in turn.
TEST_F(PostgresViewsAroundSwaps, AMaterializedViewOverARebuiltTableIsKeptAndRefreshed) {
  ScopedPostgresRole analyst(dir_.path().string());
  Exec(*warehouse_,
       "CREATE MATERIALIZED VIEW mv_totals WITH (fillfactor = 70) AS "
       "SELECT region, amount FROM totals; "
       "CREATE UNIQUE INDEX mv_totals_region ON mv_totals (region); "
       "COMMENT ON MATERIALIZED VIEW mv_totals IS 'refreshed nightly'; "
       "COMMENT ON COLUMN mv_totals.region IS 'the region'; "
       "GRANT SELECT ON mv_totals TO PUBLIC; "
       "ALTER MATERIALIZED VIEW mv_totals OWNER TO " +
           analyst.name() +
           "; "
           "CREATE VIEW big_totals AS SELECT region FROM mv_totals WHERE amount >= 40");
  for (const bool full_refresh : {false, true}) {
    SCOPED_TRACE(full_refresh ? "--full-refresh" : "build");
    Exec(*warehouse_, full_refresh ? "INSERT INTO events VALUES ('W', 100)"
                                   : "INSERT INTO events VALUES ('E', 70)");
    auto project = TransformProject::Load(dir_.path());
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    auto results = project->Build({.select = {"totals"},
                                   .full_refresh = full_refresh,
                                   .use_state = false,
                                   .warehouse = warehouse_.get(),
                                   .show_progress = false});
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    ASSERT_TRUE(results->ok()) << results->Summary();

    EXPECT_EQ(Rows(*warehouse_, "SELECT region FROM big_totals ORDER BY region"),
              full_refresh ? (Strings{"E", "N", "W"}) : (Strings{"E", "N"}));
    EXPECT_EQ(Scalar(*warehouse_,
                     "SELECT indexdef FROM pg_indexes WHERE tablename = 'mv_totals' "
                     "AND schemaname = current_schema()"),
              "CREATE UNIQUE INDEX mv_totals_region ON " + schema_.name() +
                  ".mv_totals USING btree (region)");
    EXPECT_EQ(Scalar(*warehouse_,
                     "SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = "
                     "'mv_totals' AND relnamespace = current_schema()::regnamespace"),
              "fillfactor=70");
    EXPECT_EQ(OwnerOf(*warehouse_, "mv_totals"), analyst.name());
    EXPECT_EQ(Comment("SELECT obj_description('mv_totals'::regclass, 'pg_class')"),
              "refreshed nightly");
    EXPECT_EQ(Comment("SELECT col_description('mv_totals'::regclass, 1)"), "the region");
    EXPECT_EQ(Scalar(*warehouse_, "SELECT has_table_privilege('public', 'mv_totals', 'SELECT')"),
              "1");
  }
  Exec(*warehouse_, "DROP MATERIALIZED VIEW mv_totals CASCADE");  // before its owner goes
}

}  // namespace
}  // namespace silverwork::transform

#endif  // SILVERWORK_HAVE_POSTGRES
