// dbt projects as they are: dbt_project.yml and its keys, require-dbt-version,
// local packages, macros and dbt's context, and the jaffle_shop fixture built
// end to end with rows worked out by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "transform/project/project_files.h"
#include "transform/transform_project.h"
#include "transform_test_util.h"

namespace silverwork::transform {
namespace {

using testing::Rows;
using testing::TempDir;
using testing::WriteProject;
using Strings = std::vector<std::string>;

std::string ProjectFilesError(const std::map<std::string, std::string>& files) {
  TempDir dir;
  WriteProject(dir.path(), files);
  auto loaded = LoadProjectFiles(dir.path());
  EXPECT_FALSE(loaded.ok());
  return loaded.ok() ? std::string() : loaded.status().message();
}

TEST(DbtProjectTest, DbtProjectYmlIsFoundLikeSilverworkProjectYml) {
  TempDir dir;
  WriteProject(dir.path(), {{"dbt_project.yml", "name: shop\n"}, {"models/a.sql", "select 1"}});
  auto loaded = LoadProjectFiles(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->project_file, "dbt_project.yml");
  EXPECT_EQ(loaded->models.size(), 1u);
}

TEST(DbtProjectTest, BothProjectFilesIsAnErrorSayingWhichToKeep) {
  TempDir dir;
  WriteProject(dir.path(), {{"dbt_project.yml", "name: a\n"}, {"silverwork_project.yml", "name: a\n"}});
  auto loaded = LoadProjectFiles(dir.path());
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(), "both silverwork_project.yml and dbt_project.yml in " +
                                           dir.path().string());
  EXPECT_EQ(loaded.status().hint(),
            "keep one of them: dbt_project.yml for a dbt project copied as it is, else "
            "silverwork_project.yml");
}

TEST(DbtProjectTest, EveryDbtKeyIsAcceptedAndTheUnusedOnesAreListed) {
  TempDir dir;
  WriteProject(dir.path(),
               {{"dbt_project.yml",
                 "name: shop\nversion: '1'\nconfig-version: 2\nprofile: shop\n"
                 "analysis-paths: [analyses]\nmacro-paths: [macros]\ntarget-path: build_out\n"
                 "clean-targets: [target]\nrequire-dbt-version: '>=1.0.0'\n"
                 "packages-install-path: dbt_packages\nlog-path: logs\ndocs-paths: [docs]\n"
                 "asset-paths: [assets]\nquery-comment: x\nquoting: {}\non-run-start: []\n"
                 "on-run-end: []\ndispatch: []\nflags: {}\n"}});
  auto loaded = LoadProjectFiles(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->ignored_keys,
            (Strings{"clean-targets", "packages-install-path", "log-path", "docs-paths",
                     "asset-paths", "query-comment", "quoting", "on-run-start", "on-run-end",
                     "dispatch", "flags"}));
  EXPECT_EQ(loaded->target_path, "build_out");
  EXPECT_EQ(ProjectFilesError({{"dbt_project.yml", "name: shop\nanalysis-path: [a]\n"}}),
            "dbt_project.yml:2: unknown key 'analysis-path' in dbt_project.yml; did you mean "
            "'analysis-paths'?");
}

TEST(DbtProjectTest, ProfilesYmlGivesTheTargetNameAndSchemaOnly) {
  TempDir dir;
  WriteProject(dir.path(),
               {{"dbt_project.yml", "name: shop\nprofile: jaffle\n"},
                {"profiles.yml",
                 "jaffle:\n  target: prod\n  outputs:\n    prod:\n      type: postgres\n"
                 "      schema: analytics\n      password: \"{{ env_var('NOT_READ') }}\"\n"
                 "    dev:\n      schema: scratch\n"}});
  auto loaded = LoadProjectFiles(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->target_name, "prod");
  EXPECT_EQ(loaded->target_schema, "analytics");
  EXPECT_EQ(ProjectFilesError(
                {{"dbt_project.yml", "name: shop\n"}, {"profiles.yml", "other:\n  target: x\n"}}),
            "profiles.yml:1: profiles.yml has no profile 'shop'");
}

TEST(DbtProjectTest, RequireDbtVersionIsCheckedAgainstTheFollowedVersion) {
  EXPECT_EQ(kFollowedDbtVersion, "1.8.0");
  for (const char* admitted : {"'>=1.5.0'", "['>=1.0.0', '<2.0.0']", "'>=1.3.0,<2.0.0'", "'1.8'"}) {
    TempDir dir;
    WriteProject(dir.path(),
                 {{"dbt_project.yml", std::string("name: a\nrequire-dbt-version: ") + admitted}});
    EXPECT_TRUE(LoadProjectFiles(dir.path()).ok()) << admitted;
  }
  EXPECT_EQ(ProjectFilesError(
                {{"dbt_project.yml", "name: a\nrequire-dbt-version: ['>=1.0.0', '<1.5.0']"}}),
            "dbt_project.yml:2: require-dbt-version '<1.5.0' does not admit dbt 1.8.0, the "
            "version silverwork's runner follows");
  EXPECT_EQ(ProjectFilesError({{"dbt_project.yml", "name: a\nrequire-dbt-version: 'soon'"}}),
            "dbt_project.yml:2: require-dbt-version 'soon' is not a version constraint");
}

TEST(DbtProjectTest, PackagesThatNeedADownloadAreRefused) {
  EXPECT_EQ(
      ProjectFilesError(
          {{"dbt_project.yml", "name: a\n"},
           {"packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n"}}),
      "packages.yml:2: package 'dbt-labs/dbt_utils' would need a download; silverwork "
      "installs only local: packages");
}

TEST(DbtProjectTest, MacrosAreNamespacedByPackageAndDefinedOnce) {
  TempDir dir;
  WriteProject(dir.path(), {{"dbt_project.yml", "name: shop\n"},
                            {"macros/a.sql", "{% macro m() %}root{% endmacro %}"},
                            {"packages.yml", "packages:\n  - local: vendor/util\n"},
                            {"vendor/util/dbt_project.yml", "name: util\n"},
                            {"vendor/util/macros/m.sql", "{% macro m() %}util{% endmacro %}"}});
  auto loaded = LoadProjectFiles(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_NE(loaded->macros, nullptr);
  // The built-in package comes last: a project's and its packages' macros come first.
  EXPECT_EQ(loaded->macros->Packages(), (Strings{"shop", "util", "silverwork_builtins"}));
  EXPECT_NE(loaded->macros->Find("util", "m"), nullptr);
  EXPECT_EQ(loaded->macros->Resolve("m", "util")->as_object().AsMacro()->package, "util");
  EXPECT_EQ(loaded->macros->Resolve("m", "shop")->as_object().AsMacro()->package, "shop");
  EXPECT_EQ(ProjectFilesError({{"dbt_project.yml", "name: shop\n"},
                               {"macros/a.sql", "{% macro m() %}{% endmacro %}"},
                               {"macros/b.sql", "\n{% macro m() %}{% endmacro %}"}}),
            "macros/b.sql:2: macro 'm' is defined twice in shop (also in macros/a.sql:1)");
}

// Builds `files` (a dbt_project.yml project) on the engine under test; the run's summary,
// or the error.
std::string BuildSummary(const std::map<std::string, std::string>& files, std::string* model_sql,
                         const std::string& model = "m") {
  TempDir dir;
  WriteProject(dir.path(), files);
  auto project = TransformProject::Load(dir.path());
  if (!project.ok()) return project.status().ToString();
  auto warehouse = testing::OpenTestWarehouse(dir.path() / "w.db");
  FakeClock clock(std::chrono::sys_days(std::chrono::year(2024) / 6 / 1));
  RunOptions options;
  options.warehouse = warehouse.get();
  options.clock = &clock;
  options.show_progress = false;
  auto results = project->Build(options);
  if (!results.ok()) return results.status().ToString();
  if (model_sql)
    *model_sql = testing::ReadFile(dir.path() / "target" / "compiled" / "models" / (model + ".sql"));
  return results->ok() ? "ok" : results->Summary();
}

TEST(DbtContextTest, TargetEnvVarBuiltinsExceptionsAndDispatch) {
  const std::string engine = EngineFromEnvironment();
  const std::string macros =
      "{% macro quoted(x) %}{{ return(adapter.dispatch('quoted')(x)) }}{% endmacro %}\n"
      "{% macro " +
      engine +
      "__quoted(x) %}'lite:{{ x }}'{% endmacro %}\n"
      "{% macro default__quoted(x) %}'any:{{ x }}'{% endmacro %}";
  const std::string only_on_the_engine =
      "{% if target.type != '" + engine +
      "' %}{{ exceptions.raise_compiler_error('no') }}{% endif %}";
  std::string sql;
  EXPECT_EQ(BuildSummary({{"dbt_project.yml", "name: shop\n"},
                          {"profiles.yml", "shop:\n  target: prod\n"},
                          {"macros/q.sql", macros},
                          {"models/a.sql", "select 1 as id"},
                          {"models/m.sql",
                           "-- depends_on: {{ ref('a') }}\n" + only_on_the_engine +
                               "select {{ quoted(target.name) }} as t, '{{ "
                               "env_var('SW_SURELY_UNSET', 'dflt') }}' as e, "
                               "{{ target.threads }} as n, id from {{ builtins.ref('a') }}"}},
                         &sql),
            "ok");
  EXPECT_EQ(sql, "-- depends_on: \"a\"\nselect 'lite:prod' as t, 'dflt' as e, 1 as n, id from \"a\"\n");
}

// A project without macros of its own has the adapter macros (the built-in
// package); its own engine spelling takes the built-in one's place, which
// `silverwork_builtins.` still names.
TEST(DbtContextTest, TheBuiltInAdapterMacrosYieldToTheProjectsOwn) {
  const std::string engine = EngineFromEnvironment();
  // The built-in spellings of first_word and contains_text (macros/adapters.sql).
  const std::map<std::string, std::pair<std::string, std::string>> builtin = {
      {"sqlite", {"substr('a b', 1, instr('a b' || ' ', ' ') - 1)", "(instr('abc', 'b') > 0)"}},
      {"postgres", {"split_part('a b', ' ', 1)", "(strpos('abc', 'b') > 0)"}}};
  const std::string own_macro =
      "{% macro " + engine + "__first_word(expr) %}upper({{ expr }}){% endmacro %}";
  const std::string model = "select {{ first_word(\"'a b'\") }} as mine, {{ silverwork_builtins." +
                            engine + "__first_word(\"'a b'\") }} as builtin, " +
                            "{{ contains_text(\"'abc'\", \"'b'\") }} as found";
  std::string sql;
  EXPECT_EQ(BuildSummary({{"dbt_project.yml", "name: shop\n"},
                          {"macros/words.sql", own_macro},
                          {"models/m.sql", model}},
                         &sql),
            "ok");
  EXPECT_EQ(sql, "select upper('a b') as mine, " + builtin.at(engine).first + " as builtin, " +
                     builtin.at(engine).second + " as found\n");
}

TEST(DbtContextTest, ErrorsOfTheContextNameTheModel) {
  std::string summary = BuildSummary(
      {{"dbt_project.yml", "name: shop\n"},
       {"models/m.sql", "{{ exceptions.raise_compiler_error('bad input') }}select 1"}},
      nullptr);
  EXPECT_NE(summary.find("models/m.sql:1: compilation error: bad input"), std::string::npos)
      << summary;
  summary = BuildSummary({{"dbt_project.yml", "name: shop\n"},
                          {"models/m.sql", "select '{{ env_var('SW_SURELY_UNSET') }}'"}},
                         nullptr);
  EXPECT_NE(summary.find("env_var('SW_SURELY_UNSET'): the variable is not set"), std::string::npos)
      << summary;
  summary = BuildSummary({{"dbt_project.yml", "name: shop\n"},
                          {"macros/r.sql", "{% macro from_a() %}{{ ref('a') }}{% endmacro %}"},
                          {"models/a.sql", "select 1 as id"},
                          {"models/m.sql", "select * from {{ from_a() }}"}},
                         nullptr);
  EXPECT_NE(summary.find("ref('a') is rendered from a macro, but m does not depend on it"),
            std::string::npos)
      << summary;
}

// The fixture's rows, worked out by hand from its seeds: payments in cents
// become dollars through the package's dispatched macro; orders sum them per
// method; customers sum their orders' payments. Amounts are read back as
// whole cents, which both engines print alike.
std::string Cents(const std::string& dollars) {
  return "CAST(round(" + dollars + " * 100) AS INTEGER)";
}

class JaffleShopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::CopyFixture("jaffle_shop", dir_.path());
    warehouse_ = testing::OpenTestWarehouse(dir_.path() / "warehouse.db");
    auto project = TransformProject::Load(dir_.path());
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = std::make_unique<TransformProject>(std::move(project).value());
  }

  RunOptions Options() {
    RunOptions options;
    options.warehouse = warehouse_.get();
    options.clock = &clock_;
    options.run_id = "run-1";
    options.show_progress = false;
    return options;
  }

  TempDir dir_;
  FakeClock clock_{std::chrono::sys_days(std::chrono::year(2024) / 6 / 1)};
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<TransformProject> project_;
};

TEST_F(JaffleShopTest, BuildsGreenWithTheRowsWorkedOutByHand) {
  auto results = project_->Build(Options());
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE(results->ok()) << results->Summary();
  // 3 seeds, 5 models and the package's, 16 schema tests and the package's 2, and the
  // 2 singular tests.
  EXPECT_EQ(results->nodes.size(), 29u) << results->Summary();
  EXPECT_EQ(Rows(*warehouse_, "select payment_id, order_id, payment_method, " + Cents("amount") +
                                  " from stg_payments order by payment_id"),
            (Strings{"1|1|credit_card|1000", "2|2|credit_card|2000", "3|3|coupon|100",
                     "4|3|bank_transfer|2500", "5|4|gift_card|1500", "6|5|credit_card|3000",
                     "7|5|coupon|500"}));
  EXPECT_EQ(
      Rows(*warehouse_,
           "select order_id, customer_id, order_date, status, is_finished, "
           "" + Cents("credit_card_amount") +
               ", " + Cents("coupon_amount") + ", " + Cents("bank_transfer_amount") + ", " +
               Cents("gift_card_amount") + ", " + Cents("amount") +
               " from orders order by order_id"),
      (Strings{
          "1|1|2018-01-01|returned|1|1000|0|0|0|1000", "2|3|2018-01-02|completed|1|2000|0|0|0|2000",
          "3|1|2018-01-04|completed|1|0|100|2500|0|2600", "4|2|2018-01-05|placed|0|0|0|0|1500|1500",
          "5|3|2018-01-07|shipped|0|3000|500|0|0|3500"}));
  EXPECT_EQ(Rows(*warehouse_,
                 "select customer_id, first_name, last_name, first_order, most_recent_order, "
                 "number_of_orders, " +
                     Cents("customer_lifetime_value") + " from customers order by customer_id"),
            (Strings{"1|Michael|P.|2018-01-01|2018-01-04|2|3600",
                     "2|Shawn|M.|2018-01-05|2018-01-05|1|1500",
                     "3|Kathleen|P.|2018-01-02|2018-01-07|2|5500"}));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "target" / "run_results.json"))
      << "target-path is the artifacts folder";
}

// The local package's model is built like the project's: its config from
// the project's `models: money_utils:`, its macro by its bare name, its
// tests, and ref('money_utils', 'payment_totals') from the project's test.
TEST_F(JaffleShopTest, PackageModelsAreBuiltWithTheirTestsAndConfigs) {
  auto results = project_->Build(Options());
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_TRUE(results->ok()) << results->Summary();
  EXPECT_EQ(
      Rows(*warehouse_, "select payment_method, payments, " + Cents("amount") +
                            " from payment_totals order by payment_method"),
      (Strings{"bank_transfer|1|2500", "coupon|2|600", "credit_card|3|6000", "gift_card|1|1500"}));
  EXPECT_EQ(testing::Relations(*warehouse_, "payment\\_totals"), (Strings{"table|payment_totals"}));
  auto status = [&](const std::string& unique_id) {
    const NodeResult* node = results->Find(unique_id);
    return node ? std::string(NodeStatusName(node->status)) : "missing";
  };
  EXPECT_EQ(status("model.money_utils.payment_totals"), "success");
  EXPECT_EQ(status("test.money_utils.unique_payment_totals_payment_method"), "pass");
  EXPECT_EQ(status("test.money_utils.not_null_payment_totals_payment_method"), "pass");
  EXPECT_EQ(status("test.jaffle_shop.assert_payment_totals_match_orders"), "pass");
}

TEST(PackageModelsTest, ARefNamingTheWrongPackageIsAnError) {
  TempDir dir;
  WriteProject(dir.path(), {{"dbt_project.yml", "name: shop\n"},
                            {"packages.yml", "packages:\n  - local: util\n"},
                            {"util/dbt_project.yml", "name: util\n"},
                            {"util/models/u.sql", "select 1 as id"},
                            {"models/m.sql", "select * from {{ ref('shop', 'u') }}"}});
  auto project = TransformProject::Load(dir.path());
  ASSERT_FALSE(project.ok());
  EXPECT_NE(project.status().message().find(
                "models/m.sql:1: ref('shop', 'u'): 'u' is util's, not shop's"),
            std::string::npos)
      << project.status().ToString();
}

TEST_F(JaffleShopTest, CompiledSqlShowsTheMacrosAndContextExpanded) {
  auto results = project_->Build(Options());
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  const std::string orders =
      testing::ReadFile(dir_.path() / "target" / "compiled" / "models" / "orders.sql");
  EXPECT_NE(orders.find("-- built for dev on " + EngineFromEnvironment()), std::string::npos)
      << orders;
  EXPECT_NE(orders.find("orders.status in ('completed', 'return_pending', 'returned')"),
            std::string::npos)
      << orders;
  const std::string payments = testing::ReadFile(dir_.path() / "target" / "compiled" / "models" /
                                                 "staging" / "stg_payments.sql");
  EXPECT_NE(payments.find("round(1.0 * amount / 100, 2) as amount"), std::string::npos) << payments;
}

TEST_F(JaffleShopTest, CompileRendersNodesAndAnalysesWithoutRunningThem) {
  auto written = project_->Compile(Options());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  // 6 models, 18 generic tests, 2 singular tests, 1 analysis.
  ASSERT_EQ(written->size(), 27u);
  EXPECT_EQ(written->back(), "compiled/analyses/payment_method_share.sql");
  EXPECT_EQ(testing::Relations(*warehouse_, "%"), Strings{}) << "compile runs nothing";
  const std::string analysis = testing::ReadFile(dir_.path() / "target" / "compiled" /
                                                 "analyses" / "payment_method_share.sql");
  EXPECT_NE(analysis.find("sum(gift_card_amount) / sum(amount) as gift_card_share\n"),
            std::string::npos)
      << analysis;
  EXPECT_NE(analysis.find("from \"orders\""), std::string::npos) << analysis;
}

TEST_F(JaffleShopTest, DocsWritesACatalogInDbtsShape) {
  ASSERT_TRUE(project_->Build(Options()).ok());
  Status status = project_->Docs(Options());
  ASSERT_TRUE(status.ok()) << status.ToString();
  const auto catalog = nlohmann::json::parse(
      testing::ReadFile(dir_.path() / "target" / "catalog.json"));
  EXPECT_EQ(catalog["metadata"]["dbt_schema_version"],
            "https://schemas.getdbt.com/dbt/catalog/v1.json");
  EXPECT_EQ(catalog["metadata"]["dbt_version"], "1.8.0");
  EXPECT_EQ(catalog["metadata"]["generated_at"], "2024-06-01T00:00:00Z");
  EXPECT_TRUE(catalog["errors"].is_null());
  EXPECT_EQ(catalog["sources"], nlohmann::json::object());
  // 3 seeds and 6 models; tests have no relation.
  EXPECT_EQ(catalog["nodes"].size(), 9u);
  const auto& customers = catalog["nodes"]["model.jaffle_shop.customers"];
  EXPECT_EQ(customers["metadata"],
            nlohmann::json({{"type", "table"},
                            {"schema", "main"},
                            {"name", "customers"},
                            {"database", nullptr},
                            {"comment",
                             "This table has basic information about a customer, as well as some "
                             "derived facts based on a customer's orders"},
                            {"owner", nullptr}}));
  EXPECT_EQ(customers["columns"]["customer_id"],
            nlohmann::json({{"type", "integer"},
                            {"index", 1},
                            {"name", "customer_id"},
                            {"comment", "This is a unique identifier for a customer"}}));
  EXPECT_EQ(customers["columns"]["last_name"]["comment"], "");
  EXPECT_EQ(customers["columns"].size(), 7u);
  EXPECT_EQ(customers["stats"]["row_count"]["value"], 3);
  EXPECT_EQ(customers["stats"]["has_stats"]["value"], true);
  EXPECT_EQ(catalog["nodes"]["model.jaffle_shop.stg_payments"]["metadata"]["type"], "view");
  EXPECT_EQ(catalog["nodes"]["model.jaffle_shop.stg_payments"]["stats"]["row_count"]["value"], 7);
  EXPECT_EQ(catalog["nodes"]["seed.jaffle_shop.raw_orders"]["stats"]["row_count"]["value"], 5);
}

}  // namespace
}  // namespace silverwork::transform
