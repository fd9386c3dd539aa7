// End to end on the fixture project: build, artifacts, vars, docs, overhead.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::ReadFile;
using testing::Rows;
using testing::TempDir;
using testing::WriteProject;
using Strings = std::vector<std::string>;

std::chrono::system_clock::time_point At(int year, unsigned month, unsigned day, int hour) {
  return std::chrono::sys_days(std::chrono::year(year) / month / day) + std::chrono::hours(hour);
}

class JobsProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::CopyFixture("jobs", dir_.path());
    warehouse_ = testing::OpenTestWarehouse(dir_.path() / "warehouse.db");
    Status status = warehouse_->Execute(
        "CREATE TABLE raw_postings (posting_id INTEGER, region_code TEXT, title TEXT, wage "
        "INTEGER, status TEXT, posted_yyyymmdd TEXT, _loaded_at TEXT);"
        "INSERT INTO raw_postings VALUES "
        "(1, '11', ' Park keeper ', 10000, 'open', '20240105', '2024-06-01T06:00:00Z'),"
        "(2, '11', 'Library aide', 9000, 'open', '20240120', '2024-06-01T06:00:00Z'),"
        "(3, '26', 'Crossing guard', 12000, 'closed', '20240203', '2024-06-01T06:00:00Z'),"
        "(4, '26', 'Meal delivery', 11000, 'open', '20240210', '2024-06-01T06:00:00Z')");
    ASSERT_TRUE(status.ok()) << status.ToString();
    auto project = TransformProject::Load(dir_.path());
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = std::make_unique<TransformProject>(std::move(project).value());
  }

  RunOptions Options() {
    RunOptions options;
    options.warehouse = warehouse_.get();
    options.clock = &clock_;
    options.run_id = "run-1";
    options.artifacts_dir = dir_.path() / "artifacts";
    options.show_progress = false;
    return options;
  }

  TempDir dir_;
  FakeClock clock_{At(2024, 6, 1, 12)};
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<TransformProject> project_;
};

TEST_F(JobsProjectTest, BuildSettingsLastOnlyAsLongAsTheCommand) {
  ASSERT_TRUE(warehouse_->Execute("PRAGMA cache_size = -3000").ok());
  Strings before = Rows(*warehouse_, "PRAGMA temp_store");
  auto results = project_->Build(Options());
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE(results->ok()) << results->Summary();
  // The connection is the caller's: its own settings are back afterwards.
  EXPECT_EQ(Rows(*warehouse_, "PRAGMA cache_size"), Strings{"-3000"});
  EXPECT_EQ(Rows(*warehouse_, "PRAGMA temp_store"), before);
}

TEST_F(JobsProjectTest, BuildRunsEverythingInDagOrder) {
  auto results = project_->Build(Options());
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE(results->ok()) << results->Summary();
  Strings order;
  for (const NodeResult& node : results->nodes)
    order.push_back(node.unique_id + "=" + NodeStatusName(node.status));
  // NOLINTBEGIN(bugprone-suspicious-missing-comma): one id too long for a
  // line is split on purpose; the check cannot count concatenations inside
  // std::string initializers, so it calls every split suspicious.
  EXPECT_EQ(order, (Strings{
                       "source.jobs.raw.postings=pass",
                       "test.jobs.not_null_source_raw_postings_posting_id=pass",
                       "seed.jobs.regions=success",
                       "test.jobs.unique_regions_region_code=pass",
                       "test.jobs.not_null_regions_region_code=pass",
                       "snapshot.jobs.regions_snapshot=success",
                       "model.jobs.stg_postings=success",
                       "test.jobs.assert_wages_positive=pass",
                       "test.jobs.unique_stg_postings_posting_id=pass",
                       "test.jobs.not_null_stg_postings_posting_id=pass",
                       "test.jobs.accepted_values_stg_postings_status=pass",
                       "model.jobs.postings_by_month=success",
                       "model.jobs.stg_regions=success",
                       "test.jobs.relationships_stg_postings_region_code__stg_regions_region_code="
                       "pass",
                       "model.jobs.region_summary=success",
                       "test.jobs.unique_region_summary_region_code=pass",
                   }));
  // NOLINTEND(bugprone-suspicious-missing-comma)
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM region_summary ORDER BY region_code"),
            (Strings{"11|Seoul|1|10000", "26|Busan|1|11000", "27|Daegu|0|0"}));
  EXPECT_EQ(Rows(*warehouse_, "SELECT * FROM postings_by_month ORDER BY region_code"),
            (Strings{"11|2024-01-01|2", "26|2024-02-01|2"}));
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT region_code, legacy_code FROM regions ORDER BY region_code LIMIT 1"),
            Strings{"11|0101"});
  EXPECT_EQ(testing::ColumnTypeName(*warehouse_, "regions", "region_code"), "text");
  EXPECT_EQ(testing::ColumnTypeName(*warehouse_, "regions", "population"), "integer");
  EXPECT_EQ(testing::ColumnTypeName(*warehouse_, "regions", "elderly_share"), "real");
  EXPECT_EQ(Rows(*warehouse_,
                 "SELECT posting_id, title, posted_on FROM stg_postings WHERE "
                 "posting_id = 1"),
            Strings{"1|Park keeper|2024-01-05"});
}

TEST_F(JobsProjectTest, RunResultsJsonAndCompiledSql) {
  auto results = project_->Build(Options());
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  const auto artifacts = dir_.path() / "artifacts";
  auto json = nlohmann::json::parse(ReadFile(artifacts / "run_results.json"));
  EXPECT_EQ(json["metadata"]["command"], "build");
  EXPECT_EQ(json["metadata"]["run_id"], "run-1");
  EXPECT_EQ(json["metadata"]["generated_at"], "2024-06-01T12:00:00Z");
  EXPECT_EQ(json["success"], true);
  ASSERT_EQ(json["results"].size(), 16u);

  const nlohmann::json* summary = nullptr;
  const nlohmann::json* seed = nullptr;
  const nlohmann::json* test = nullptr;
  for (const auto& node : json["results"]) {
    if (node["unique_id"] == "model.jobs.region_summary") summary = &node;
    if (node["unique_id"] == "seed.jobs.regions") seed = &node;
    if (node["unique_id"] == "test.jobs.unique_stg_postings_posting_id") test = &node;
  }
  ASSERT_TRUE(summary && seed && test);
  EXPECT_EQ((*summary)["status"], "success");
  EXPECT_EQ((*summary)["resource_type"], "model");
  EXPECT_EQ((*summary)["path"], "models/marts/region_summary.sql");
  EXPECT_EQ((*summary)["rows_affected"], 3);
  EXPECT_EQ((*summary)["message"], "table built, 3 rows");
  EXPECT_EQ((*summary)["compiled_path"], "compiled/models/marts/region_summary.sql");
  EXPECT_TRUE((*summary)["timing"]["execute_seconds"].is_number());
  EXPECT_TRUE((*summary)["timing"]["compile_seconds"].is_number());
  EXPECT_EQ((*seed)["rows_affected"], 3);
  EXPECT_TRUE((*seed)["compiled_path"].is_null());
  EXPECT_EQ((*test)["status"], "pass");
  EXPECT_EQ((*test)["rows_affected"], 0);
  EXPECT_EQ((*test)["compiled_path"],
            "compiled/models/schema.yml/unique_stg_postings_posting_id.sql");

  EXPECT_EQ(ReadFile(artifacts / "compiled/models/marts/region_summary.sql"),
            "with \"__sw_ephemeral__int_open_postings\" as (\n"
            "select *\nfrom \"stg_postings\"\nwhere status = 'open'\n  and wage >= 9860\n)\n\n"
            "select\n  r.region_code,\n  r.region_name,\n  count(p.posting_id) as open_postings,\n"
            "  coalesce(max(p.wage), 0) as max_wage\nfrom \"stg_regions\" as r\n"
            "left join \"__sw_ephemeral__int_open_postings\" as p on p.region_code = "
            "r.region_code\ngroup by r.region_code, r.region_name\n");
  EXPECT_EQ(
      ReadFile(artifacts / "compiled/models/schema.yml/unique_stg_postings_posting_id.sql"),
      "select posting_id as unique_field, count(*) as n_records\nfrom \"stg_postings\" as tested\n"
      "where posting_id is not null\ngroup by posting_id\nhaving count(*) > 1\n");
  EXPECT_EQ(
      ReadFile(artifacts / "compiled/models/schema.yml/"
                           "relationships_stg_postings_region_code__stg_regions_region_code.sql"),
      "select child.region_code as from_field\nfrom \"stg_postings\" as child\n"
      "left join \"stg_regions\" as parent on child.region_code = parent.region_code\n"
      "where child.region_code is not null and parent.region_code is null\n");
  EXPECT_EQ(
      ReadFile(artifacts / "compiled/models/schema.yml/accepted_values_stg_postings_status.sql"),
      "select status as value_field, count(*) as n_records\nfrom \"stg_postings\" as tested\n"
      "where status is not null and status not in ('open', 'closed')\ngroup by status\n");
}

TEST_F(JobsProjectTest, VarsOverrideProjectVars) {
  RunOptions options = Options();
  options.vars = {"min_wage=8000"};
  options.select = {"+region_summary"};
  auto results = project_->Build(options);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE(results->ok()) << results->Summary();
  EXPECT_EQ(Rows(*warehouse_, "SELECT region_code, open_postings FROM region_summary ORDER BY 1"),
            (Strings{"11|2", "26|1", "27|0"}));
  EXPECT_NE(ReadFile(dir_.path() / "artifacts/compiled/models/marts/region_summary.sql")
                .find("and wage >= 8000"),
            std::string::npos);

  options.vars = {"min_wage"};
  auto bad = project_->Build(options);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--vars 'min_wage' is not key=value");
}

TEST_F(JobsProjectTest, RunTestSeedAndSnapshotCommandsSplitTheWork) {
  auto seeded = project_->Seed(Options());
  ASSERT_TRUE(seeded.ok());
  EXPECT_EQ(seeded->nodes.size(), 1u);
  auto snapshotted = project_->Snapshot(Options());
  ASSERT_TRUE(snapshotted.ok());
  EXPECT_EQ(snapshotted->nodes.size(), 1u);
  auto ran = project_->Run(Options());
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(ran->nodes.size(), 4u);  // the ephemeral model is not run
  EXPECT_EQ(ran->Count(NodeStatus::kSuccess), 4) << ran->Summary();
  auto tested = project_->Test(Options());
  ASSERT_TRUE(tested.ok());
  EXPECT_EQ(tested->nodes.size(), 10u);  // 9 data tests and one freshness check
  EXPECT_EQ(tested->Count(NodeStatus::kPass), 10) << tested->Summary();
}

TEST_F(JobsProjectTest, CommandsNeedAWarehouse) {
  auto results = project_->Build({});
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().message(), "no warehouse given to run the project in");
}

TEST_F(JobsProjectTest, DocsWritesManifestAndLineage) {
  ASSERT_TRUE(project_->Build(Options()).ok());
  Status status = project_->Docs(Options());
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto manifest = nlohmann::json::parse(ReadFile(dir_.path() / "artifacts/manifest.json"));
  EXPECT_EQ(manifest["metadata"]["project"], "jobs");
  EXPECT_EQ(manifest["nodes"].size(), 17u);
  const auto& staging = manifest["nodes"]["model.jobs.stg_postings"];
  EXPECT_EQ(staging["description"], "Cleaned postings.");
  EXPECT_EQ(staging["materialized"], "view");
  EXPECT_EQ(staging["depends_on"], nlohmann::json::array({"source.jobs.raw.postings"}));
  EXPECT_EQ(staging["columns"][0],
            nlohmann::json({{"name", "posting_id"},
                            {"description", "The posting's id at data.go.kr."},
                            {"data_type", "integer"}}));
  const auto& summary = manifest["nodes"]["model.jobs.region_summary"];
  EXPECT_EQ(summary["columns"][0],
            nlohmann::json({{"name", "region_code"}, {"description", ""}, {"data_type", "text"}}));
  EXPECT_EQ(summary["columns"][1]["name"], "open_postings");
  EXPECT_EQ(summary["columns"][1]["description"], "Postings still open.");
  // Undocumented columns come from the warehouse.
  EXPECT_EQ(summary["columns"][2],
            nlohmann::json({{"name", "region_name"}, {"description", ""}, {"data_type", "text"}}));
  EXPECT_EQ(manifest["nodes"]["model.jobs.int_open_postings"]["materialized"], "ephemeral");
  EXPECT_EQ(manifest["nodes"]["test.jobs.unique_region_summary_region_code"]["tests"],
            nlohmann::json::array({"model.jobs.region_summary"}));
  EXPECT_EQ(manifest["nodes"]["source.jobs.raw.postings"]["relation"], "raw_postings");
  EXPECT_EQ(manifest["edges"].size(), 17u);
  EXPECT_NE(std::find(manifest["edges"].begin(), manifest["edges"].end(),
                      nlohmann::json({{"from", "model.jobs.int_open_postings"},
                                      {"to", "model.jobs.region_summary"}})),
            manifest["edges"].end());

  const std::string dot = ReadFile(dir_.path() / "artifacts/lineage.dot");
  EXPECT_NE(dot.find("  \"source.jobs.raw.postings\" [label=\"raw.postings\", shape=cylinder, "
                     "style=filled, fillcolor=\"#dbeafe\"];\n"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("  \"model.jobs.int_open_postings\" [label=\"int_open_postings\", "
                     "shape=box, style=dashed];\n"),
            std::string::npos);
  EXPECT_NE(dot.find("  \"source.jobs.raw.postings\" -> \"model.jobs.stg_postings\";\n"),
            std::string::npos);
}

TEST(DocsTest, LineageDotForASmallProject) {
  TempDir dir;
  WriteProject(
      dir.path(),
      {{"silverwork_project.yml", "name: tiny\n"},
       {"models/sources.yml",
        "sources:\n  - name: raw\n    tables:\n      - name: t\n        columns:\n"
        "          - name: id\n            tests: [unique]\n"},
       {"models/a.sql", "select * from {{ source('raw', 't') }}"},
       {"models/b.sql", "{{ config(materialized='table') }}select * from {{ ref('a') }}"}});
  auto project = TransformProject::Load(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  ASSERT_TRUE(project->Docs({.artifacts_dir = dir.path() / "docs"}).ok());
  EXPECT_EQ(ReadFile(dir.path() / "docs/lineage.dot"),
            "digraph silverwork {\n"
            "  rankdir=LR;\n"
            "  node [fontname=\"Helvetica\"];\n"
            "  \"source.tiny.raw.t\" [label=\"raw.t\", shape=cylinder, style=filled, "
            "fillcolor=\"#dbeafe\"];\n"
            "  \"test.tiny.unique_source_raw_t_id\" [label=\"unique_source_raw_t_id\", "
            "shape=diamond, fontsize=10];\n"
            "  \"model.tiny.a\" [label=\"a\", shape=box, style=filled, fillcolor=\"#dcfce7\"];\n"
            "  \"model.tiny.b\" [label=\"b\", shape=box, style=filled, fillcolor=\"#dcfce7\"];\n"
            "  \"source.tiny.raw.t\" -> \"test.tiny.unique_source_raw_t_id\";\n"
            "  \"source.tiny.raw.t\" -> \"model.tiny.a\";\n"
            "  \"model.tiny.a\" -> \"model.tiny.b\";\n"
            "}\n");
  auto manifest = nlohmann::json::parse(ReadFile(dir.path() / "docs/manifest.json"));
  EXPECT_EQ(manifest["edges"], nlohmann::json::parse(R"([
    {"from": "source.tiny.raw.t", "to": "test.tiny.unique_source_raw_t_id"},
    {"from": "source.tiny.raw.t", "to": "model.tiny.a"},
    {"from": "model.tiny.a", "to": "model.tiny.b"}])"));
  EXPECT_EQ(manifest["nodes"]["model.tiny.b"]["columns"], nlohmann::json::array());
}

// The runner's own work (templating, graph, bookkeeping, artifacts) must stay
// under 10% of the engine's on a project where the engine does real work.
// The runner accounts the engine's time apart from its own; how small its own
// share is (< 10%) is measured by bench/transform_build.sh, not here.
TEST(RunnerOverheadTest, EngineTimeIsAccountedApartFromTheRunners) {
  TempDir dir;
  std::map<std::string, std::string> files{{"silverwork_project.yml", "name: perf\n"}};
  auto warehouse = testing::OpenTestWarehouse(dir.path() / "warehouse.db");
  std::string insert =
      "CREATE TABLE events (id INTEGER, region INTEGER, amount INTEGER, day TEXT);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
      "50000) INSERT INTO events SELECT i, i % 17, (i * 7919) % 1000, "
      "CASE WHEN i % 12 < 9 THEN '2024-0' ELSE '2024-' END || (1 + i % 12) || '-15' FROM n";
  ASSERT_TRUE(warehouse->Execute(insert).ok());
  files["models/sources.yml"] = "sources:\n  - name: raw\n    tables:\n      - name: events\n";
  files["models/base.sql"] =
      "{{ config(materialized='table') }}select * from {{ source('raw', 'events') }}";
  for (int model = 0; model < 20; ++model) {
    files[fmt::format("models/agg_{}.sql", model)] = fmt::format(
        "{{{{ config(materialized='table') }}}}\n"
        "select region, {{{{ dbt_date_trunc_month('day') }}}} as month,\n"
        "{{% for c in ['amount', 'id'] %}}  sum({{{{ c }}}}) as {{{{ c }}}}_total"
        "{{% if not loop.last %}},{{% endif %}}\n{{% endfor %}}"
        "from {{{{ ref('base') }}}} where amount > {} group by 1, 2",
        model * 10);
  }
  WriteProject(dir.path(), files);
  auto project = TransformProject::Load(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto results = project->Build({.warehouse = warehouse.get(), .show_progress = false});
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_TRUE(results->ok()) << results->Summary();
  // One worker: its engine time is part of the build's elapsed time.
  EXPECT_GT(results->engine_seconds, 0.0);
  EXPECT_LE(results->engine_seconds, results->elapsed_seconds)
      << "engine " << results->engine_seconds << " s, elapsed " << results->elapsed_seconds << " s";
}

}  // namespace
}  // namespace silverwork::transform
