// Every chart endpoint against the marts it summarizes: the server's cubes
// must give the numbers the SQL project gives, with and without filters.
#include <map>

#include "serve/serve_harness.h"

namespace silverwork::serve::testing {
namespace {

using ChartsApi = ServerTest;

int64_t Sum(const json& values) {
  int64_t total = 0;
  for (const auto& value : values) total += value.get<int64_t>();
  return total;
}

TEST_F(ChartsApi, FiltersListEveryDimension) {
  json options = GetJson("/api/v1/filters");
  EXPECT_EQ(options["province"].size(), 18u);  // 17 provinces and 'unknown'
  EXPECT_EQ(options["province"][0]["code"], "KR-11");
  EXPECT_EQ(options["province"][0]["name_en"], "Seoul");
  EXPECT_EQ(options["shape"].size(), 5u);
  EXPECT_EQ(options["preference"].size(), 17u);
  EXPECT_EQ(options["job_class"][0]["code"], "unclassified");
  EXPECT_GE(options["project_type"].size(), 5u);
  EXPECT_EQ(options["years"]["min"], 2021);
  EXPECT_EQ(options["years"]["max"], 2025);
}

TEST_F(ChartsApi, KpisMatchTheFacts) {
  json kpis = Data("/api/v1/kpis");
  EXPECT_EQ(kpis["postings"], Sql("SELECT count(*) FROM fct_job_postings"));
  EXPECT_EQ(kpis["headcount"], Sql("SELECT sum(headcount) FROM fct_job_postings"));
  EXPECT_EQ(kpis["open_postings"], Sql("SELECT sum(is_open) FROM fct_job_postings"));
  EXPECT_EQ(kpis["target_jobs"], Sql("SELECT sum(target_jobs) FROM mart_projects_region_year"));
  EXPECT_EQ(kpis["projects"], Sql("SELECT sum(projects) FROM mart_projects_region_year"));
  EXPECT_EQ(kpis["provinces_with_postings"], 17);

  json seoul = Data("/api/v1/kpis?province=KR-11&year_from=2024&year_to=2024");
  EXPECT_EQ(
      seoul["postings"],
      Sql("SELECT count(*) FROM fct_job_postings WHERE iso_code = 'KR-11' AND start_year = 2024"));
  EXPECT_EQ(seoul["target_jobs"], Sql("SELECT sum(target_jobs) FROM mart_projects_region_year "
                                      "WHERE iso_code = 'KR-11' AND year = 2024"));
}

TEST_F(ChartsApi, JobClassAndPreferenceFiltersMatchSql) {
  json kpis = Data("/api/v1/kpis?job_class=A02001,unclassified&preference=3");
  EXPECT_EQ(
      kpis["postings"],
      Sql("SELECT count(*) FROM fct_job_postings "
          "WHERE (job_class_code = 'A02001' OR job_class_code IS NULL) "
          "AND job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id = 3)"));
  json shaped = Data("/api/v1/kpis?shape=CM0102&preference=1,17");
  EXPECT_EQ(shaped["postings"],
            Sql("SELECT count(*) FROM fct_job_postings WHERE employment_shape_code = 'CM0102' "
                "AND job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id IN "
                "(1, 17))"));
}

TEST_F(ChartsApi, MonthlyMatchesTheMonthlyMart) {
  json monthly = Data("/api/v1/postings/monthly?year_from=2023&year_to=2024&province=KR-41");
  ASSERT_FALSE(monthly["months"].empty());
  EXPECT_EQ(monthly["months"][0], "2023-01");
  EXPECT_EQ(monthly["months"].back(), "2024-12");
  EXPECT_EQ(Sum(monthly["postings"]),
            Sql("SELECT sum(postings) FROM mart_postings_monthly_region "
                "WHERE year BETWEEN 2023 AND 2024 AND iso_code = 'KR-41'"));
  EXPECT_EQ(Sum(monthly["headcount"]),
            Sql("SELECT sum(headcount) FROM mart_postings_monthly_region "
                "WHERE year BETWEEN 2023 AND 2024 AND iso_code = 'KR-41'"));
  const auto& months = monthly["months"];
  const auto march = std::find(months.begin(), months.end(), "2024-03") - months.begin();
  EXPECT_EQ(monthly["postings"][march],
            Sql("SELECT sum(postings) FROM mart_postings_monthly_region "
                "WHERE month = '2024-03' AND iso_code = 'KR-41'"));
}

TEST_F(ChartsApi, ShapesMatchTheShapeMart) {
  json shapes = Data("/api/v1/postings/by-shape");
  EXPECT_EQ(shapes["total"], Sql("SELECT count(*) FROM fct_job_postings"));
  ASSERT_EQ(shapes["shapes"].size(), 5u);
  for (const auto& shape : shapes["shapes"]) {
    EXPECT_EQ(shape["total"], Sql("SELECT sum(postings) FROM mart_postings_by_shape_year "
                                  "WHERE employment_shape_code = ?",
                                  {shape["code"].get<std::string>()}))
        << shape;
    EXPECT_EQ(shape["by_year"].size(), shapes["years"].size());
  }
}

TEST_F(ChartsApi, JobClassesAreSortedAndComplete) {
  json classes = Data("/api/v1/postings/by-job-class?year_from=2025");
  int64_t total = 0, previous = INT64_MAX;
  ASSERT_EQ(static_cast<int64_t>(classes["items"].size()),
            Sql("SELECT count(DISTINCT coalesce(job_class_code, '')) FROM fct_job_postings "
                "WHERE start_year = 2025"));
  for (const auto& item : classes["items"]) {
    EXPECT_LE(item["postings"].get<int64_t>(), previous);
    previous = item["postings"];
    total += item["postings"].get<int64_t>();
  }
  EXPECT_EQ(total, Sql("SELECT count(*) FROM fct_job_postings WHERE start_year = 2025"));
}

TEST_F(ChartsApi, PreferencesMatchThePreferenceMart) {
  json preferences = Data("/api/v1/preferences?province=KR-26");
  ASSERT_EQ(preferences["items"].size(), 17u);
  for (const auto& item : preferences["items"]) {
    EXPECT_EQ(item["postings"], Sql("SELECT coalesce(sum(postings), 0) FROM mart_preference_counts "
                                    "WHERE iso_code = 'KR-26' AND category_id = ?",
                                    {std::stoll(item["code"].get<std::string>())}))
        << item;
  }
  EXPECT_EQ(preferences["postings"],
            Sql("SELECT count(*) FROM fct_job_postings WHERE iso_code = 'KR-26'"));
}

TEST_F(ChartsApi, PreferenceFilterCountsTheCategoriesPostingsComeWith) {
  json preferences = Data("/api/v1/preferences?preference=3&year_from=2023");
  ASSERT_EQ(preferences["items"].size(), 17u);
  for (const auto& item : preferences["items"]) {
    EXPECT_EQ(
        item["postings"],
        Sql("SELECT count(*) FROM fct_job_postings WHERE start_year >= 2023 "
            "AND job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id = 3) "
            "AND job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id = ?)",
            {std::stoll(item["code"].get<std::string>())}))
        << item;
  }
  json all = Data("/api/v1/preferences?job_class=unclassified");
  EXPECT_EQ(all["postings_with_preferences"],
            Sql("SELECT count(*) FROM fct_job_postings WHERE job_class_code IS NULL "
                "AND job_id IN (SELECT job_id FROM int_posting_preferences)"));
}

TEST_F(ChartsApi, MapIgnoresItsOwnProvinceFilterAndComputesRates) {
  json body = GetJson(
      "/api/v1/postings/map?province=KR-11&year_from=2024&year_to=2024&metric=postings_per_1000");
  EXPECT_EQ(body["filters"]["province"], "KR-11");
  const json& map = body["data"];
  ASSERT_EQ(map["items"].size(), 17u);
  EXPECT_EQ(map["population_year"], 2024);
  for (const auto& item : map["items"]) {
    const std::string code = item["code"];
    EXPECT_EQ(
        item["postings"],
        Sql("SELECT postings FROM mart_per_capita WHERE year = 2024 AND iso_code = ?", {code}));
    EXPECT_EQ(item["population_65_plus"],
              Sql("SELECT population_65_plus FROM mart_per_capita WHERE year = 2024 "
                  "AND iso_code = ?",
                  {code}));
    // The server rounds to 3 places.
    EXPECT_NEAR(item["value"].get<double>(),
                SqlNumber(SharedFixture::Get().options(true),
                          "SELECT 1000.0 * postings / population_65_plus FROM mart_per_capita "
                          "WHERE year = 2024 AND iso_code = ?",
                          {code}),
                0.0005)
        << code;
  }
  json counts = Data("/api/v1/postings/map?metric=target_jobs&project_type=" +
                     httplib::detail::encode_query_param("시장형"));
  ASSERT_EQ(counts["items"].size(), 17u);
  int64_t jobs = 0;
  for (const auto& item : counts["items"]) jobs += item["value"].get<int64_t>();
  EXPECT_EQ(jobs, Sql("SELECT sum(target_jobs) FROM mart_projects_region_year "
                      "WHERE project_type_group = '시장형' AND iso_code <> 'unknown'"));
}

TEST_F(ChartsApi, JobsVsPostingsMatchesItsMart) {
  json chart = Data("/api/v1/jobs-vs-postings?province=KR-47");
  ASSERT_FALSE(chart["years"].empty());
  for (size_t index = 0; index < chart["years"].size(); ++index) {
    const int64_t year = chart["years"][index];
    EXPECT_EQ(
        chart["target_jobs"][index],
        Sql("SELECT target_jobs FROM mart_jobs_vs_postings WHERE iso_code = 'KR-47' AND year = ?",
            {year}));
    EXPECT_EQ(
        chart["headcount"][index],
        Sql("SELECT headcount FROM mart_jobs_vs_postings WHERE iso_code = 'KR-47' AND year = ?",
            {year}));
  }
}

TEST_F(ChartsApi, ContinuityMatchesTheContinuityMart) {
  json chart = Data("/api/v1/projects/continuity?year_from=2025&year_to=2025");
  ASSERT_FALSE(chart["continuation_years"].empty());
  EXPECT_EQ(chart["continuation_years"][0], 1);
  for (size_t index = 0; index < chart["continuation_years"].size(); ++index) {
    const int64_t years = chart["continuation_years"][index];
    EXPECT_EQ(chart["target_jobs"][index],
              Sql("SELECT coalesce(sum(target_jobs), 0) FROM mart_continuity "
                  "WHERE year = 2025 AND continuation_years = ?",
                  {years}));
  }
  int64_t by_groups = 0;
  for (const auto& group : chart["groups"]) by_groups += Sum(group["target_jobs"]);
  EXPECT_EQ(by_groups, Sum(chart["target_jobs"]));
}

TEST_F(ChartsApi, RegionYearAndTypesMatchTheirMarts) {
  json chart = Data("/api/v1/projects/by-region-year?measure=projects");
  ASSERT_EQ(chart["series"].size(), 5u);  // the fixture's years, 2021 to 2025
  ASSERT_EQ(chart["provinces"].size(), 17u);
  for (const auto& series : chart["series"]) {
    for (size_t index = 0; index < chart["provinces"].size(); ++index) {
      EXPECT_EQ(series["values"][index],
                Sql("SELECT coalesce(sum(projects), 0) FROM mart_projects_region_year "
                    "WHERE year = ? AND iso_code = ?",
                    {series["year"].get<int64_t>(),
                     chart["provinces"][index]["code"].get<std::string>()}));
    }
  }
  json types = Data("/api/v1/projects/types?province=KR-11");
  ASSERT_EQ(static_cast<int64_t>(types["types"].size()),
            Sql("SELECT count(DISTINCT project_type_code) FROM mart_project_types "
                "WHERE iso_code = 'KR-11'"));
  ASSERT_FALSE(types["types"].empty());
  for (const auto& type : types["types"]) {
    EXPECT_EQ(type["target_jobs"], Sql("SELECT sum(target_jobs) FROM mart_project_types "
                                       "WHERE iso_code = 'KR-11' AND project_type_code = ?",
                                       {type["code"].get<std::string>()}));
  }
  EXPECT_EQ(types["target_jobs"],
            Sql("SELECT sum(target_jobs) FROM mart_project_types WHERE iso_code = 'KR-11'"));
}

TEST_F(ChartsApi, MonthlyShareMatchesItsMart) {
  json chart = Data("/api/v1/projects/monthly-share");
  ASSERT_FALSE(chart["series"].empty());
  for (const auto& series : chart["series"]) {
    for (int month = 1; month <= 12; ++month) {
      const int64_t expected =
          Sql("SELECT coalesce(sum(projects), 0) FROM mart_projects_monthly_share WHERE year = ? "
              "AND month = ?",
              {series["year"].get<int64_t>(),
               fmt::format("{}-{:02}", series["year"].get<int>(), month)});
      EXPECT_EQ(series["projects"][month - 1], expected);
    }
  }
}

TEST_F(ChartsApi, StatusTabShowsFreshnessRowsTestsAndUnmappedRegions) {
  json freshness = Data("/api/v1/status/freshness");
  ASSERT_EQ(freshness["sources"].size(), 2u);
  EXPECT_EQ(freshness["sources"][0]["table"], "raw_postings");
  EXPECT_EQ(freshness["sources"][0]["rows"], 3000);
  EXPECT_EQ(freshness["sources"][0]["newest_loaded_at"], "2025-03-31T01:00:00Z");
  EXPECT_EQ(freshness["runs"][0]["command"], "pipeline");

  json rows = Data("/api/v1/status/rows-per-day?year_from=2025");
  ASSERT_FALSE(rows["days"].empty());
  EXPECT_TRUE(rows["days"][0].get<std::string>().starts_with("2025-"));

  json tests = Data("/api/v1/status/tests");
  EXPECT_EQ(tests["run_id"], "fixture-build");
  EXPECT_GT(tests["tests"].size(), 10u);
  EXPECT_GT(tests["counts"]["pass"].get<int>(), 10);

  json quality = Data("/api/v1/status/data-quality");
  ASSERT_FALSE(quality["checks"].empty());
  bool unmapped = false;
  for (const auto& check : quality["checks"]) unmapped |= check["check"] == "unmapped_region";
  EXPECT_TRUE(unmapped);
}

TEST_F(ChartsApi, ResponsesEchoFiltersAndNameTheOnesTheyIgnore) {
  json body = GetJson("/api/v1/projects/continuity?shape=CM0101&province=KR-11,KR-26,KR-11");
  EXPECT_EQ(body["filters"]["province"], "KR-11,KR-26");
  EXPECT_EQ(body["ignored_filters"], json::array({"shape"}));
}

}  // namespace
}  // namespace silverwork::serve::testing
