// What a build leaves alone and what it tests: nodes whose inputs are
// unchanged since their last build are not run again, tests whose inputs are
// unchanged since they passed are not run again, and tests on a model merged
// in this run look only at the merged rows, yet still catch every failure.
#include "transform/runner/build_state.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::Scalar;
using testing::TempDir;
using testing::WriteFile;
using testing::WriteProject;
using Strings = std::vector<std::string>;

const std::map<std::string, std::string> kProject = {
    {"silverwork_project.yml",
     "name: shop\nversion: '1.0'\nconfig-version: 2\nmodels:\n  shop:\n    +materialized: table\n"},
    {"seeds/regions.csv", "region,region_name\nN,North\nS,South\n"},
    {"models/sources.yml",
     "version: 2\nsources:\n  - name: raw\n    loaded_at_field: loaded_at\n    tables:\n"
     "      - name: events\n"},
    {"models/stg_events.sql",
     "{{ config(materialized='incremental', unique_key='id') }}\n"
     "-- Newer rows only, once built: now and then a row is loaded twice.\n"
     "select id, code, region, amount, loaded_at from {{ source('raw', 'events') }}\n"
     "{% if is_incremental() %}\n"
     "where loaded_at > (select max(loaded_at) from {{ this }})\n"
     "{% endif %}\n"},
    {"models/by_region.sql",
     "select region, count(*) as events, sum(amount) as amount\n"
     "from {{ ref('stg_events') }} group by region\n"},
    {"models/region_names.sql",
     "{{ config(materialized='view') }}\nselect region, upper(region_name) as name\n"
     "from {{ ref('regions') }}\n"},
    {"models/named_totals.sql",
     "select names.name, totals.amount from {{ ref('region_names') }} as names\n"
     "join {{ ref('by_region') }} as totals on totals.region = names.region\n"},
    {"models/stamped.sql",
     "select count(*) as events, date('now') as built_on from {{ ref('stg_events') }}\n"},
    {"models/schema.yml",
     "version: 2\nmodels:\n  - name: stg_events\n    columns:\n"
     "      - name: id\n        tests: [unique, not_null]\n"
     "      - name: code\n        tests: [unique]\n"
     "      - name: amount\n        tests: [not_null]\n"
     "      - name: region\n        tests:\n"
     "          - accepted_values:\n              values: ['N', 'S', 'W']\n"
     "          - relationships:\n              to: ref('regions')\n              field: region\n"
     "  - name: by_region\n    columns:\n      - name: region\n        tests: [unique]\n"},
};

class BuildStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteProject(dir_.path(), kProject);
    warehouse_ = testing::OpenTestWarehouse(dir_.path() / "warehouse.db");
    Load(
        "CREATE TABLE events (id INTEGER, code TEXT, region TEXT, amount INTEGER, loaded_at TEXT);"
        "INSERT INTO events VALUES (1, 'c1', 'N', 10, '2024-06-01T00:00:00Z'),"
        "(2, 'c2', 'S', 20, '2024-06-01T00:00:00Z'), (3, 'c3', 'N', 30, '2024-06-01T00:00:00Z')");
  }

  void Load(const std::string& sql) {
    Status status = warehouse_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  RunResults Build(std::string run_id, bool use_state = true,
                   Result<RunResults> (TransformProject::*command)(const RunOptions&)
                       const = &TransformProject::Build,
                   Strings exclude = {}) {
    auto project = TransformProject::Load(dir_.path());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    if (!project.ok()) return {};
    RunOptions options;
    options.warehouse = warehouse_.get();
    options.clock = &clock_;
    options.run_id = std::move(run_id);
    options.artifacts_dir = dir_.path() / "artifacts";
    options.show_progress = false;
    options.use_state = use_state;
    options.exclude = std::move(exclude);
    auto results = (*project.*command)(options);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *results : RunResults{};
  }

  // "name=status" for each node, with "(up to date)" or "(merged rows)" when
  // the node was left alone or looked only at merged rows.
  static Strings Outcomes(const RunResults& results) {
    Strings outcomes;
    for (const NodeResult& node : results.nodes) {
      std::string name = node.unique_id.substr(node.unique_id.find('.', 0) + 1);
      name = name.substr(name.find('.') + 1);
      std::string line = name + "=" + NodeStatusName(node.status);
      if (node.up_to_date) line += " (up to date)";
      if (node.message.find("merged into") != std::string::npos) line += " (merged rows)";
      outcomes.push_back(line);
    }
    return outcomes;
  }

  // `test` failed, having looked at every row rather than the merged ones.
  static void ExpectFailedOverEveryRow(const RunResults& results, const std::string& test) {
    const NodeResult& node = Node(results, test);
    EXPECT_EQ(node.status, NodeStatus::kFail) << test;
    EXPECT_FALSE(node.up_to_date) << test;
    EXPECT_EQ(node.message.find("merged"), std::string::npos) << test << ": " << node.message;
  }

  static const NodeResult& Node(const RunResults& results, const std::string& suffix) {
    for (const NodeResult& node : results.nodes)
      if (node.unique_id.ends_with(suffix)) return node;
    ADD_FAILURE() << "no node " << suffix;
    static NodeResult none;
    return none;
  }

  TempDir dir_;
  FakeClock clock_{std::chrono::sys_days(std::chrono::year(2024) / 6 / 2)};
  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(BuildStateTest, ASecondBuildLeavesEverythingUnchangedAlone) {
  RunResults first = Build("run-1");
  ASSERT_TRUE(first.ok()) << first.Summary();
  for (const NodeResult& node : first.nodes) EXPECT_FALSE(node.up_to_date) << node.unique_id;

  RunResults second = Build("run-2");
  ASSERT_TRUE(second.ok()) << second.Summary();
  EXPECT_EQ(Outcomes(second),
            (Strings{"regions=success (up to date)", "region_names=success (up to date)",
                     "stg_events=success (up to date)", "unique_stg_events_id=pass (up to date)",
                     "not_null_stg_events_id=pass (up to date)",
                     "unique_stg_events_code=pass (up to date)",
                     "not_null_stg_events_amount=pass (up to date)",
                     "accepted_values_stg_events_region=pass (up to date)",
                     "relationships_stg_events_region__regions_region=pass (up to date)",
                     "by_region=success (up to date)", "unique_by_region_region=pass (up to date)",
                     "named_totals=success (up to date)",
                     // date('now'): never left alone.
                     "stamped=success"}));
  EXPECT_EQ(Node(second, "by_region").message,
            "up to date: nothing it reads changed since run run-1");
  EXPECT_NE(second.Summary().find("12 nodes up to date"), std::string::npos) << second.Summary();
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM named_totals ORDER BY name"),
            (Strings{"NORTH|40", "SOUTH|20"}));
  // Reused passes are in the audit trail too.
  EXPECT_EQ(Scalar(*warehouse_,
                   "SELECT count(*) FROM _sw_test_failures WHERE run_id = 'run-2' AND status = "
                   "'pass'"),
            "7");
}

TEST_F(BuildStateTest, NewSourceRowsRebuildWhatReadsThemAndTestOnlyTheMergedRows) {
  ASSERT_TRUE(Build("run-1").ok());
  Load("INSERT INTO events VALUES (4, 'c4', 'S', 5, '2024-06-02T00:00:00Z')");
  RunResults second = Build("run-2");
  ASSERT_TRUE(second.ok()) << second.Summary();
  EXPECT_EQ(
      Outcomes(second),
      (Strings{
          "regions=success (up to date)", "region_names=success (up to date)", "stg_events=success",
          "unique_stg_events_id=pass (merged rows)", "not_null_stg_events_id=pass (merged rows)",
          "unique_stg_events_code=pass (merged rows)",
          "not_null_stg_events_amount=pass (merged rows)",
          "accepted_values_stg_events_region=pass (merged rows)",
          "relationships_stg_events_region__regions_region=pass (merged rows)", "by_region=success",
          "unique_by_region_region=pass", "named_totals=success", "stamped=success"}));
  EXPECT_EQ(Node(second, "unique_stg_events_id").message,
            "passed (looked at the 1 row merged into stg_events this run; the rest "
            "passed in run run-1)");
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM named_totals ORDER BY name"),
            (Strings{"NORTH|40", "SOUTH|25"}));
  // The merged rows' table is gone once the run is over.
  EXPECT_EQ(testing::Relations(*warehouse_, "%\\_\\_sw\\_tmp%"), Strings{});
}

TEST_F(BuildStateTest, TestsOnMergedRowsStillCatchEveryKindOfFailure) {
  ASSERT_TRUE(Build("run-1").ok());
  // A code already used by an old row, a missing amount, a region outside
  // the accepted values and the seed, and one id loaded twice.
  Load(
      "INSERT INTO events VALUES (4, 'c1', 'X', NULL, '2024-06-02T00:00:00Z'),"
      "(5, 'c5', 'W', 1, '2024-06-02T00:00:00Z'), (5, 'c6', 'N', 1, '2024-06-02T00:00:00Z')");
  RunResults second = Build("run-2");
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(Node(second, "unique_stg_events_id").status, NodeStatus::kFail);
  EXPECT_EQ(Node(second, "unique_stg_events_code").status, NodeStatus::kFail);
  EXPECT_EQ(Node(second, "not_null_stg_events_amount").status, NodeStatus::kFail);
  EXPECT_EQ(Node(second, "accepted_values_stg_events_region").status, NodeStatus::kFail);
  EXPECT_EQ(Node(second, "relationships_stg_events_region__regions_region").status,
            NodeStatus::kFail);
  EXPECT_EQ(Node(second, "relationships_stg_events_region__regions_region").rows_affected, 2);
  EXPECT_EQ(Node(second, "unique_stg_events_code").message.substr(0, 15), "1 failing row (");
  EXPECT_EQ(Node(second, "not_null_stg_events_id").status, NodeStatus::kPass);
  EXPECT_EQ(Node(second, "by_region").status, NodeStatus::kSkipped);

  // Failed tests are not remembered: with nothing changed, they run again in
  // full (and fail again) rather than being reused or narrowed.
  RunResults third = Build("run-3");
  ExpectFailedOverEveryRow(third, "unique_stg_events_code");
  EXPECT_TRUE(Node(third, "not_null_stg_events_id").up_to_date);
}

TEST_F(BuildStateTest, RowsMergedWithoutTestsAreTestedInFullLater) {
  ASSERT_TRUE(Build("run-1").ok());
  Load("INSERT INTO events VALUES (4, 'c4', 'N', NULL, '2024-06-02T00:00:00Z')");
  // `run` merges the row but tests nothing ...
  RunResults run = Build("run-2", true, &TransformProject::Run);
  ASSERT_TRUE(run.ok()) << run.Summary();
  Load("INSERT INTO events VALUES (5, 'c5', 'N', 1, '2024-06-03T00:00:00Z')");
  // ... so the next build's merge is not onto what the tests last passed on:
  // they look at every row, and find the one `run` brought in.
  ExpectFailedOverEveryRow(Build("run-3"), "not_null_stg_events_amount");
}

TEST_F(BuildStateTest, ChangedSqlOrSeedRebuildsWhatDependsOnIt) {
  ASSERT_TRUE(Build("run-1").ok());
  WriteFile(dir_.path(), "models/by_region.sql",
            "select region, count(*) as events, sum(amount) * 2 as amount\n"
            "from {{ ref('stg_events') }} group by region\n");
  RunResults second = Build("run-2");
  EXPECT_TRUE(Node(second, "stg_events").up_to_date);
  EXPECT_FALSE(Node(second, "model.shop.by_region").up_to_date);
  EXPECT_FALSE(Node(second, "unique_by_region_region").up_to_date);
  EXPECT_FALSE(Node(second, "named_totals").up_to_date);
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM named_totals ORDER BY name"),
            (Strings{"NORTH|80", "SOUTH|40"}));

  WriteFile(dir_.path(), "seeds/regions.csv", "region,region_name\nN,North\n");
  RunResults third = Build("run-3");
  EXPECT_FALSE(Node(third, "seed.shop.regions").up_to_date);
  EXPECT_TRUE(Node(third, "stg_events").up_to_date);
  // The seed lost a region: the relationships test must look at every row.
  const NodeResult& relationships = Node(third, "relationships_stg_events_region__regions_region");
  EXPECT_EQ(relationships.status, NodeStatus::kFail);
  EXPECT_EQ(relationships.rows_affected, 1);
  EXPECT_FALSE(Node(third, "region_names").up_to_date);
}

TEST_F(BuildStateTest, MissingRelationOrLostStateIsRebuiltAndTestedInFull) {
  ASSERT_TRUE(Build("run-1").ok());
  Load("DROP TABLE by_region");
  RunResults second = Build("run-2");
  ASSERT_TRUE(second.ok()) << second.Summary();
  EXPECT_FALSE(Node(second, "model.shop.by_region").up_to_date);
  EXPECT_EQ(Scalar(*warehouse_, "SELECT count(*) FROM by_region"), "2");

  // A run that died between a build and its record leaves no state row.
  Load("DELETE FROM _sw_relation_state WHERE relation = 'stg_events'");
  Load("INSERT INTO events VALUES (4, 'c4', 'S', NULL, '2024-06-02T00:00:00Z')");
  ExpectFailedOverEveryRow(Build("run-3"), "not_null_stg_events_amount");
}

TEST_F(BuildStateTest, WithoutStateEverythingRunsInFull) {
  ASSERT_TRUE(Build("run-1").ok());
  RunResults second = Build("run-2", /*use_state=*/false);
  ASSERT_TRUE(second.ok()) << second.Summary();
  for (const NodeResult& node : second.nodes) {
    EXPECT_FALSE(node.up_to_date) << node.unique_id;
    EXPECT_EQ(node.message.find("merged into"), std::string::npos) << node.unique_id;
  }
}

TEST(UniqueIndexTest, AUniqueIndexOnTheColumnAnswersTheUniqueTest) {
  TempDir dir;
  WriteProject(dir.path(),
               {{"silverwork_project.yml", "name: shop\nversion: '1.0'\nconfig-version: 2\n"},
                {"models/sources.yml",
                 "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: events\n"
                 "        columns:\n"
                 "          - name: id\n            tests: [unique]\n"
                 "          - name: code\n            tests: [unique]\n"
                 "          - name: region\n            tests:\n"
                 "              - unique\n"
                 "              - relationships:\n"
                 "                  to: source('raw', 'events')\n"
                 "                  field: code\n"
                 "                  config: {where: 'id > 1'}\n"
                 "          - name: amount\n            tests:\n"
                 "              - unique:\n                  config: {where: 'amount > 1'}\n"}});
  auto warehouse = testing::OpenTestWarehouse(dir.path() / "warehouse.db");
  // id: unique index; code: none (and a duplicate); region: only a partial
  // unique index, which does not cover every row; amount: unique index, but
  // the test filters rows.
  ASSERT_TRUE(warehouse
                  ->Execute("CREATE TABLE events (id INTEGER, code TEXT, region TEXT, amount "
                            "INTEGER);"
                            "CREATE UNIQUE INDEX events_id ON events (id);"
                            "CREATE UNIQUE INDEX events_region ON events (region) WHERE id > 1;"
                            "CREATE UNIQUE INDEX events_amount ON events (amount);"
                            "INSERT INTO events VALUES (1, 'a', 'N', 1), (2, 'a', 'N', 2)")
                  .ok());
  auto project = TransformProject::Load(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  FakeClock clock{std::chrono::sys_days(std::chrono::year(2024) / 6 / 2)};
  RunOptions options{.warehouse = warehouse.get(),
                     .artifacts_dir = dir.path() / "artifacts",
                     .clock = &clock,
                     .run_id = "run-1",
                     .show_progress = false};
  auto results = project->Test(options);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  auto message = [&](const std::string& id) {
    const NodeResult* node = results->Find("test.shop." + id);
    return node ? std::string(NodeStatusName(node->status)) + ": " + node->message : "missing";
  };
  EXPECT_EQ(message("unique_source_raw_events_id"),
            "pass: passed: unique index events_id on id guarantees it");
  EXPECT_EQ(message("unique_source_raw_events_code"), "fail: 1 failing row");
  EXPECT_EQ(message("unique_source_raw_events_region"), "fail: 1 failing row");
  EXPECT_EQ(message("unique_source_raw_events_amount"), "pass: passed");
  // A `where` filter makes the tested relation a subquery; the relationships
  // pattern aliases it itself (row 2's region N is no code).
  EXPECT_EQ(message("relationships_source_raw_events_region__raw_events_code"),
            "fail: 1 failing row");
}

TEST(FingerprintTest, PartsKeepTheirBoundaries) {
  EXPECT_EQ(Fingerprint({"ab", "c"}), Fingerprint({"ab", "c"}));
  EXPECT_NE(Fingerprint({"ab", "c"}), Fingerprint({"a", "bc"}));
  EXPECT_NE(Fingerprint(Strings{"ab", "c"}), Fingerprint(Strings{"a", "bc"}));
  EXPECT_EQ(Fingerprint({"x"}).size(), 16u);
}

TEST(NonDeterministicSqlTest, ClockAndRandomOutsideCommentsAndNames) {
  EXPECT_TRUE(IsNonDeterministic("select date('now')"));
  EXPECT_TRUE(IsNonDeterministic("select DATETIME('NOW', 'localtime')"));
  EXPECT_TRUE(IsNonDeterministic("select current_date"));
  EXPECT_TRUE(IsNonDeterministic("select now()"));
  EXPECT_TRUE(IsNonDeterministic("select abs(random()) % 10"));
  EXPECT_TRUE(IsNonDeterministic("select unixepoch()"));
  EXPECT_FALSE(IsNonDeterministic("select unixepoch(loaded_at)"));
  EXPECT_FALSE(IsNonDeterministic("-- rebuilt now and then\nselect known, nowhere from t"));
  EXPECT_FALSE(IsNonDeterministic("/* random sample? no */ select 'now is' as \"now\" from t"));
  EXPECT_FALSE(IsNonDeterministic("select 'it''s now' from t"));
}

// What serve polls (Warehouse::BuildGeneration): a run that built a relation
// advances it; tests alone, or a build that left everything up to date, do not.
TEST_F(BuildStateTest, OnlyARunThatBuiltSomethingAdvancesTheBuildGeneration) {
  auto generation = [this] {
    auto token = warehouse_->BuildGeneration();
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? token->substr(0, token->find(' ')) : "<unreadable>";
  };
  EXPECT_EQ(generation(), "none");
  ASSERT_TRUE(Build("run-1").ok());
  EXPECT_EQ(generation(), "1");
  ASSERT_TRUE(Build("run-2", true, &TransformProject::Test).ok());
  EXPECT_EQ(generation(), "1");
  // date('now') is never left alone; without it, everything is up to date.
  ASSERT_TRUE(Build("run-3", true, &TransformProject::Build, {"stamped"}).ok());
  EXPECT_EQ(generation(), "1");

  Load("INSERT INTO events VALUES (4, 'c4', 'S', 5, '2024-06-02T00:00:00Z')");
  ASSERT_TRUE(Build("run-4", true, &TransformProject::Build, {"stamped"}).ok());
  EXPECT_EQ(generation(), "2");
}

}  // namespace
}  // namespace silverwork::transform
