// Loading projects and building the graph: configs, properties, errors.
#include "transform/project/manifest.h"

#include <gtest/gtest.h>

#include "transform/project/project_files.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::TempDir;
using testing::WriteProject;

const std::string kProjectYml = "name: demo\n";

// Loads the project in `root` and builds its manifest with its own vars.
struct Loaded {
  std::unique_ptr<ProjectFiles> files;
  std::unique_ptr<Manifest> manifest;
};

Result<Loaded> Load(const std::filesystem::path& root) {
  SW_ASSIGN_OR_RETURN(ProjectFiles files, LoadProjectFiles(root));
  Loaded loaded;
  loaded.files = std::make_unique<ProjectFiles>(std::move(files));
  SW_ASSIGN_OR_RETURN(Manifest manifest, Manifest::Build(*loaded.files, loaded.files->vars));
  loaded.manifest = std::make_unique<Manifest>(std::move(manifest));
  return loaded;
}

std::string LoadError(const std::map<std::string, std::string>& files) {
  TempDir dir;
  WriteProject(dir.path(), files);
  auto loaded = Load(dir.path());
  EXPECT_FALSE(loaded.ok());
  return loaded.ok() ? std::string() : loaded.status().message();
}

const Node& NodeNamed(const Manifest& manifest, const std::string& unique_id) {
  int index = manifest.FindUniqueId(unique_id);
  EXPECT_GE(index, 0) << unique_id;
  return manifest.node(std::max(index, 0));
}

TEST(ManifestTest, FixtureProjectResolvesConfigsFromEveryLayer) {
  auto loaded = Load(testing::FixturePath("jobs"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Manifest& manifest = *loaded->manifest;
  EXPECT_EQ(manifest.project_name(), "jobs");

  const Node& staging = NodeNamed(manifest, "model.jobs.stg_postings");
  EXPECT_EQ(staging.config.materialized, Materialization::kView);
  EXPECT_EQ(staging.config.tags, std::vector<std::string>{"staging"});
  EXPECT_EQ(staging.description, "Cleaned postings.");
  ASSERT_EQ(staging.columns.size(), 3u);
  EXPECT_EQ(staging.columns[0].description, "The posting's id at data.go.kr.");

  const Node& summary = NodeNamed(manifest, "model.jobs.region_summary");
  EXPECT_EQ(summary.config.materialized, Materialization::kTable);
  EXPECT_EQ(summary.config.tags, (std::vector<std::string>{"marts", "summary"}));

  const Node& monthly = NodeNamed(manifest, "model.jobs.postings_by_month");
  EXPECT_EQ(monthly.config.materialized, Materialization::kIncremental);
  EXPECT_EQ(monthly.config.unique_key, (std::vector<std::string>{"region_code", "posted_month"}));

  EXPECT_EQ(NodeNamed(manifest, "model.jobs.int_open_postings").config.materialized,
            Materialization::kEphemeral);

  const Node& seed = NodeNamed(manifest, "seed.jobs.regions");
  EXPECT_EQ(seed.config.tags, std::vector<std::string>{"reference"});
  ASSERT_EQ(seed.config.column_types.size(), 1u);
  EXPECT_EQ(seed.config.column_types[0].first, "region_code");
  EXPECT_EQ(seed.config.column_types[0].second, ColumnType::kText);

  const Node& snapshot = NodeNamed(manifest, "snapshot.jobs.regions_snapshot");
  EXPECT_EQ(snapshot.config.strategy, "check");
  EXPECT_EQ(snapshot.config.check_cols, std::vector<std::string>{"population"});
  EXPECT_EQ(snapshot.path, "snapshots/regions_snapshot.sql");

  const Node& source = NodeNamed(manifest, "source.jobs.raw.postings");
  EXPECT_EQ(source.relation, "raw_postings");
  EXPECT_EQ(source.source_table->loaded_at_field, "_loaded_at");
  ASSERT_TRUE(source.source_table->freshness.has_value());
  EXPECT_EQ(source.source_table->freshness->error_after->count, 24);

  const Node& relationship = NodeNamed(
      manifest, "test.jobs.relationships_stg_postings_region_code__stg_regions_region_code");
  ASSERT_TRUE(relationship.generic_test.has_value());
  EXPECT_EQ(relationship.generic_test->field, "region_code");
  EXPECT_EQ(relationship.parents,
            (std::vector<int>{staging.index, NodeNamed(manifest, "model.jobs.stg_regions").index}));
  EXPECT_EQ(relationship.tested, std::vector<int>{staging.index});
}

TEST(ManifestTest, DependenciesComeFromRefsAndSourcesWithoutRendering) {
  auto loaded = Load(testing::FixturePath("jobs"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const Manifest& manifest = *loaded->manifest;
  auto parents = [&](const std::string& id) {
    std::vector<std::string> names;
    for (int parent : NodeNamed(manifest, id).parents)
      names.push_back(manifest.node(parent).unique_id);
    return names;
  };
  EXPECT_EQ(parents("model.jobs.stg_postings"),
            std::vector<std::string>{"source.jobs.raw.postings"});
  EXPECT_EQ(parents("model.jobs.region_summary"),
            (std::vector<std::string>{"model.jobs.int_open_postings", "model.jobs.stg_regions"}));
  // The ref inside {% if is_incremental() %} counts too.
  EXPECT_EQ(parents("model.jobs.postings_by_month"),
            std::vector<std::string>{"model.jobs.stg_postings"});
  EXPECT_EQ(parents("test.jobs.assert_wages_positive"),
            std::vector<std::string>{"model.jobs.stg_postings"});
}

TEST(ManifestTest, ListGivesTheDagOrderWithTestsRightAfterTheirModels) {
  auto project = TransformProject::Load(testing::FixturePath("jobs"));
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto ids = project->List({});
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(*ids, (std::vector<std::string>{
                      "source.jobs.raw.postings",
                      "test.jobs.not_null_source_raw_postings_posting_id",
                      "seed.jobs.regions",
                      "test.jobs.unique_regions_region_code",
                      "test.jobs.not_null_regions_region_code",
                      "snapshot.jobs.regions_snapshot",
                      "model.jobs.stg_postings",
                      "test.jobs.assert_wages_positive",
                      "test.jobs.unique_stg_postings_posting_id",
                      "test.jobs.not_null_stg_postings_posting_id",
                      "test.jobs.accepted_values_stg_postings_status",
                      "model.jobs.int_open_postings",
                      "model.jobs.postings_by_month",
                      "model.jobs.stg_regions",
                      "test.jobs.relationships_stg_postings_region_code__stg_regions_region_code",
                      "model.jobs.region_summary",
                      "test.jobs.unique_region_summary_region_code",
                  }));
}

TEST(ManifestTest, CycleIsReportedWithItsPath) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "select * from {{ ref('b') }}"},
                       {"models/b.sql", "select * from {{ ref('c') }}"},
                       {"models/c.sql", "select * from {{ ref('a') }}"},
                       {"models/d.sql", "select * from {{ ref('a') }}"}}),
            "dependency cycle: a -> b -> c -> a");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/self.sql", "select * from {{ ref('self') }}"}}),
            "dependency cycle: self -> self");
}

TEST(ManifestTest, MissingRefSuggestsTheClosestModel) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/stg_orders.sql", "select 1 as id"},
                       {"models/stg_customers.sql", "select 1 as id"},
                       {"models/marts/orders.sql", "select *\nfrom {{ ref('stg_ordrs') }}"}}),
            "models/marts/orders.sql:2: ref('stg_ordrs') does not match any model, seed or "
            "snapshot; did you mean 'stg_orders'?");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "select * from {{ ref('zzzzzz') }}"}}),
            "models/a.sql:1: ref('zzzzzz') does not match any model, seed or snapshot");
}

TEST(ManifestTest, MissingSourceSuggestsTheClosestTable) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/schema.yml",
                        "sources:\n  - name: raw\n    tables:\n      - name: postings\n"},
                       {"models/a.sql", "select * from {{ source('raw', 'posting') }}"}}),
            "models/a.sql:1: source('raw', 'posting') is not declared in any sources: block; did "
            "you mean 'raw.postings'?");
}

TEST(ManifestTest, UnknownKeysAreRejectedWithSuggestions) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", "name: demo\nmodel-path: [models]\n"}}),
            "silverwork_project.yml:2: unknown key 'model-path' in silverwork_project.yml; did "
            "you mean 'model-paths'?");
  EXPECT_EQ(LoadError({{"silverwork_project.yml",
                        "name: demo\nmodels:\n  demo:\n    +materialised: table\n"}}),
            "silverwork_project.yml:4: unknown model config 'materialised'; did you mean "
            "'materialized'?");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "select 1\n{{ config(unique_keys='id') }}"}}),
            "models/a.sql:2: unknown model config 'unique_keys'; did you mean 'unique_key'?");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "select 1 as id"},
                       {"models/schema.yml",
                        "models:\n  - name: a\n    columns:\n      - name: id\n        tests: "
                        "[uniqe]\n"}}),
            "models/schema.yml:5: unknown generic test 'uniqe'; did you mean 'unique'?");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "select 1 as id"},
                       {"models/schema.yml", "models:\n  - name: a\n    descripton: x\n"}}),
            "models/schema.yml:3: unknown key 'descripton' in a model entry; did you mean "
            "'description'?");
}

TEST(ManifestTest, InvalidConfigValuesNameWhereTheyWereSet) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "{{ config(materialized='tabel') }}\nselect 1"}}),
            "models/a.sql:1: materialized 'tabel' is not one of view, table, incremental, "
            "ephemeral; did you mean 'table'?");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"snapshots/s.sql",
                        "{% snapshot s %}{{ config(strategy='timestamp', updated_at='u') }}"
                        "select 1{% endsnapshot %}"}}),
            "snapshots/s.sql: snapshot 's' needs config(unique_key=...)");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "select 1 as id"},
                       {"models/schema.yml",
                        "models:\n  - name: a\n    columns:\n      - name: id\n        tests:\n"
                        "          - not_null:\n              config: {severity: fatal}\n"}}),
            "models/schema.yml:7: severity 'fatal' must be error or warn");
}

TEST(ManifestTest, IndexesAreColumnsOrColumnLists) {
  TempDir dir;
  WriteProject(dir.path(),
               {{"silverwork_project.yml", kProjectYml},
                {"models/a.sql",
                 "{{ config(materialized='table', indexes=['day', ['region', 'day']]) }}\n"
                 "select 1 as day, 'x' as region"}});
  auto loaded = Load(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(NodeNamed(*loaded->manifest, "model.demo.a").config.indexes,
            (std::vector<std::vector<std::string>>{{"day"}, {"region", "day"}}));
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/a.sql", "{{ config(indexes='day') }}\nselect 1 as day"}}),
            "models/a.sql:1: config 'indexes' must be a list of column names or of lists of "
            "column names, got day");
}

TEST(ManifestTest, RelationshipTargetsAreCheckedWithTheirYamlLine) {
  const std::string yml_head =
      "models:\n  - name: orders\n    columns:\n      - name: customer_id\n        tests:\n"
      "          - relationships:\n";
  EXPECT_EQ(
      LoadError({{"silverwork_project.yml", kProjectYml},
                 {"models/orders.sql", "select 1 as customer_id"},
                 {"models/customers.sql", "select 1 as id"},
                 {"models/schema.yml",
                  yml_head + "              to: ref('customer')\n              field: id\n"}}),
      "models/schema.yml:6: ref('customer') does not match any model, seed or snapshot; "
      "did you mean 'customers'?");
  EXPECT_EQ(
      LoadError({{"silverwork_project.yml", kProjectYml},
                 {"models/orders.sql", "select 1 as customer_id"},
                 {"models/schema.yml",
                  yml_head + "              to: \"source('raw')\"\n              field: id\n"}}),
      "models/schema.yml:7: source() takes 2 arguments, got 1");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/orders.sql", "select 1 as customer_id"},
                       {"models/schema.yml",
                        yml_head + "              to: \"ref('x\"\n              field: id\n"}}),
            "models/schema.yml:7: string literal is never closed");
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/orders.sql", "select 1 as customer_id"},
                       {"models/schema.yml", yml_head + "              field: id\n"}}),
            "models/schema.yml:6: relationships needs 'to: ref(...)' and 'field: column'");
}

TEST(ManifestTest, PropertiesForAnUnknownModelAreAnError) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"models/orders.sql", "select 1 as id"},
                       {"models/schema.yml", "models:\n  - name: order\n"}}),
            "models/schema.yml:2: properties for 'order', which is not a model, seed or snapshot "
            "in this project; did you mean 'orders'?");
}

TEST(ManifestTest, DuplicateNamesAcrossResourceKinds) {
  EXPECT_EQ(LoadError({{"silverwork_project.yml", kProjectYml},
                       {"seeds/orders.csv", "id\n1\n"},
                       {"models/orders.sql", "select 1 as id"}}),
            "two resources are named 'orders': seeds/orders.csv and models/orders.sql");
}

TEST(ManifestTest, DisabledModelsLeaveTheGraph) {
  TempDir dir;
  WriteProject(dir.path(), {{"silverwork_project.yml",
                             "name: demo\nmodels:\n  demo:\n    legacy:\n      +enabled: false\n"},
                            {"models/legacy/old.sql", "select 1 as id"},
                            {"models/new.sql", "select 2 as id"}});
  auto loaded = Load(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->manifest->nodes().size(), 1u);
  EXPECT_EQ(loaded->manifest->FindRef("old"), -1);

  WriteProject(dir.path(), {{"models/user.sql", "select * from {{ ref('old') }}"}});
  auto broken = Load(dir.path());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().message(), "models/user.sql:1: ref('old') names a disabled resource");
}

TEST(ManifestTest, ConfigArgumentsMayUseVars) {
  TempDir dir;
  WriteProject(dir.path(), {{"silverwork_project.yml", "name: demo\nvars:\n  kind: table\n"},
                            {"models/a.sql", "{{ config(materialized=var('kind')) }}select 1"}});
  auto files = LoadProjectFiles(dir.path());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  auto manifest = Manifest::Build(*files, files->vars);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_EQ(manifest->node(0).config.materialized, Materialization::kTable);
  VarMap overridden = files->vars;
  overridden["kind"] = TemplateValue("view");
  auto rebuilt = Manifest::Build(*files, overridden);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->node(0).config.materialized, Materialization::kView);
}

TEST(ManifestTest, UnsupportedTemplateConstructFailsTheLoad) {
  TempDir dir;
  WriteProject(dir.path(), {{"silverwork_project.yml", kProjectYml},
                            {"models/staging/x.sql",
                             "select\n  1 as a,\n  2 as b,\n  3 as c,\n  4 as d,\n  5 as e,\n"
                             "  6 as f,\n  7 as g,\n  8 as h,\n  9 as i,\n  10 as j\n"
                             "{% include 'extra.sql' %}"}});
  auto project = TransformProject::Load(dir.path());
  ASSERT_FALSE(project.ok());
  EXPECT_EQ(project.status().message(),
            "models/staging/x.sql:12: unsupported template construct 'include'");
}

TEST(ManifestTest, MissingProjectFileSaysWhere) {
  TempDir dir;
  auto project = TransformProject::Load(dir.path());
  ASSERT_FALSE(project.ok());
  EXPECT_TRUE(project.status().IsNotFound());
  EXPECT_EQ(project.status().message(),
            "no silverwork_project.yml or dbt_project.yml in " + dir.path().string());
}

}  // namespace
}  // namespace silverwork::transform
