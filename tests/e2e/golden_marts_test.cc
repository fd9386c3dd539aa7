// The golden test: a small hand-written raw fixture, the real SQL project,
// and every mart value computed by hand (see the comments) and asserted
// exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "project_warehouse.h"
#include "serve/catalog.h"

namespace silverwork::testing {
namespace {

constexpr const char* kLoadedAt = "2025-03-05T00:00:00Z";

// jobId, frDd, deadline, emplymShp, emplymShpNm, workPlcNm, plDetAddr, clltPrnnum, etcItm, ageLim
const std::vector<std::vector<const char*>> kPostings = {
    {"K1", "20240105", "마감", "CM0105", "기타", "서울 서초구",
     "06500 서울특별시 서초구 반포대로 1", "2", "장애인, 보훈취업지원대상자", "Y"},
    {"K2", "20240110", "마감", "CM0103", "시간제일자리", "",
     "07274 서울특별시 영등포구 양산로 16, 2층", "1", "(준)고령자(50세이상)", nullptr},
    {"K3", "20240203", "마감", "CM0105", "기타", "경기 용인시 기흥구",
     "16900 경기도 용인시 기흥구 1", "3", "운전면허 소지자, 인근 거주자", "N"},
    {"K4", "20240215", "마감", "CM0101", "정규직", "", "24000 강원도 춘천시 중앙로 1", "abc", "",
     nullptr},
    {"K5", "20250301", "접수중", "CM0105", "기타", "세종", "30100 세종특별자치시 한누리대로 1",
     "10", "여성, 주말 근무 가능자, 장애인", "제한"},
    {"K6", "20250302", "접수중", "CM0102", "계약직", "", "", "1", nullptr, nullptr},
};

// projNo, projYear, changeNo, projType, 사업유형코드, contProjYn, contProjStartYear, admProvNm,
// targetEmployment, delYn, projStartDd, planStatusCd
const std::vector<std::vector<const char*>> kProjects = {
    {"2024-00001", "2024", "1", "공익활동형", "노노케어(A-01)", "Y", "2020.0", "서울특별시", "30",
     "N", "2024-01-02", "102PC"},
    // The plan in force is the highest change number: 40 target jobs, not 30.
    {"2024-00001", "2024", "2", "공익활동형", "노노케어(A-01)", "Y", "2020.0", "서울특별시", "40",
     "N", "2024-01-02", "102PC"},
    // Old province name, YYYYMMDD date, plan status written as a name (2022 style).
    {"2024-00002", "2024", "1", "시장형", "카페 운영(E-03)", "N", "", "강원도", "20", "N",
     "20240301", "승인완료"},
    // Deleted: counted nowhere.
    {"2024-00003", "2024", "1", "사회서비스형", "노인시설 지원(B-01)", "Y", "2024", "경기도", "50",
     "Y", "2024-02-01", "102PC"},
    // 공공형 is the newer name of 공익활동형.
    {"2025-00001", "2025", "0", "공공형", "노노케어(A-01)", "Y", "2023", "세종특별자치시", "10",
     "N", "2025-03-01", "102PC"},
};

Value Text(const char* text) { return text == nullptr ? Value{} : Value{std::string(text)}; }

// A raw row's values (null where nullptr), then its _loaded_at.
std::vector<Value> RawRow(const std::vector<const char*>& values, const char* loaded_at) {
  std::vector<Value> row;
  row.reserve(values.size() + 1);
  for (const char* value : values) row.push_back(Text(value));
  row.emplace_back(std::string(loaded_at));
  return row;
}

// On every engine, built by one worker and by three side by side (each on
// its own connection; on SQLite computing tables privately before copying
// them in): the same hand-computed values every way.
struct GoldenBuild {
  std::string engine;
  int threads;
};

void PrintTo(const GoldenBuild& build, std::ostream* out) {
  *out << build.engine << ", " << build.threads << " threads";
}

class GoldenMarts : public ::testing::TestWithParam<GoldenBuild> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(::testing::Test::HasFailure());
    for (const auto& posting : kPostings) InsertPosting(posting, kLoadedAt);
    for (const auto& project : kProjects) {
      project_.Execute(
          "INSERT INTO raw_projects(projNo, projYear, projPlanChangeNo, projType, projTypeCdNm, "
          "contProjYn, contProjStartYear, admProvNm, targetEmployment, delYn, projStartDd, "
          "planStatusCd, _loaded_at, _run_id, _file_year) VALUES "
          "(?,?,?,?,?,?,?,?,?,?,?,?,?,'golden',"
          "?2)",
          RawRow(project, kLoadedAt));
    }
    Build();
  }

  void InsertPosting(const std::vector<const char*>& posting, const char* loaded_at) {
    project_.Execute(
        "INSERT INTO raw_postings(jobId, frDd, deadline, emplymShp, emplymShpNm, workPlcNm, "
        "plDetAddr, clltPrnnum, etcItm, ageLim, _loaded_at, toDd, _detail_status, _run_id) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?, '20250401', 'ok', 'golden')",
        RawRow(posting, loaded_at));
  }

  // Builds as of `hour` (UTC) on `day` of March 2025; the fixture was loaded on the 5th.
  // Freshness is judged against that time, not today: raw_postings' check errors
  // (and the build fails) once the newest load is a day old.
  void Build(unsigned day = 5, int hour = 12) {
    project_.Build(std::chrono::sys_days(std::chrono::year_month_day(
                       std::chrono::year(2025), std::chrono::month(3), std::chrono::day(day))) +
                       std::chrono::hours(hour),
                   GetParam().threads);
  }

  std::vector<std::string> Rows(const std::string& sql) { return project_.Rows(sql); }

  using Lines = std::vector<std::string>;
  TempDir dir_;
  ProjectWarehouse project_{dir_, GetParam().engine};
};

TEST_P(GoldenMarts, StagingResolvesRegionsAndTypes) {
  // Staging is inlined into the facts. K1 from workPlcNm; K2 and K4 from the
  // address (K4 by the old name 강원도); K6 has neither. K4's headcount 'abc'
  // is not a number, so the facts count one position (not 0).
  EXPECT_EQ(Rows("SELECT job_id, iso_code, region_source, headcount, has_age_limit, start_date "
                 "FROM fct_job_postings ORDER BY job_id"),
            (Lines{"K1|KR-11|workPlcNm|2|1|2024-01-05", "K2|KR-11|plDetAddr|1|0|2024-01-10",
                   "K3|KR-41|workPlcNm|3|0|2024-02-03", "K4|KR-42|plDetAddr|1|0|2024-02-15",
                   "K5|KR-50|workPlcNm|10|1|2025-03-01", "K6|NULL|NULL|1|0|2025-03-02"}));
  EXPECT_EQ(Rows("SELECT proj_no, plan_change_no, project_type_code, project_type_name, "
                 "project_type_group, continuing_since, iso_code, start_date, plan_status_code "
                 "FROM stg_projects ORDER BY proj_no, plan_change_no"),
            (Lines{"2024-00001|1|A-01|노노케어|공익활동형|2020|KR-11|2024-01-02|102PC",
                   "2024-00001|2|A-01|노노케어|공익활동형|2020|KR-11|2024-01-02|102PC",
                   "2024-00002|1|E-03|카페 운영|시장형|NULL|KR-42|2024-03-01|102PC",
                   "2024-00003|1|B-01|노인시설 지원|사회서비스형|2024|KR-41|2024-02-01|102PC",
                   "2025-00001|0|A-01|노노케어|공익활동형|2023|KR-50|2025-03-01|102PC"}));
}

TEST_P(GoldenMarts, PostingsPerMonthRegionAndShape) {
  // K4's unreadable headcount counts as 1 position in the facts.
  EXPECT_EQ(
      Rows("SELECT month, iso_code, employment_shape_code, postings, headcount, open_postings "
           "FROM mart_postings_monthly_region ORDER BY month, iso_code, employment_shape_code"),
      (Lines{"2024-01|KR-11|CM0103|1|1|0", "2024-01|KR-11|CM0105|1|2|0",
             "2024-02|KR-41|CM0105|1|3|0", "2024-02|KR-42|CM0101|1|1|0",
             "2025-03|KR-50|CM0105|1|10|1", "2025-03|unknown|CM0102|1|1|1"}));
  EXPECT_EQ(Rows("SELECT year, employment_shape_name, postings, share_pct FROM "
                 "mart_postings_by_shape_year ORDER BY year, postings DESC, employment_shape_name"),
            (Lines{"2024|기타|2|50", "2024|시간제일자리|1|25", "2024|정규직|1|25",
                   "2025|계약직|1|50", "2025|기타|1|50"}));
}

TEST_P(GoldenMarts, PreferencesAreClassifiedManyToMany) {
  // K1: 장애인 + 보훈; K2: 고령자 -> 취업 취약 계층; K3: 운전 + 인근; K5: 여성 + 주말 + 장애인.
  EXPECT_EQ(
      Rows("SELECT job_id, category_id FROM int_posting_preferences ORDER BY job_id, category_id"),
      (Lines{"K1|3", "K1|4", "K2|9", "K3|2", "K3|13", "K5|3", "K5|16", "K5|17"}));
  EXPECT_EQ(Rows("SELECT category, SUM(postings) FROM mart_preference_counts GROUP BY category "
                 "ORDER BY SUM(postings) DESC, category LIMIT 2"),
            (Lines{"장애인|2", "국가유공자 및 보훈취업지원대상자|1"}));
  EXPECT_EQ(Rows("SELECT year, iso_code, COUNT(*), SUM(postings) FROM mart_preference_counts "
                 "GROUP BY year, iso_code ORDER BY year, iso_code"),
            (Lines{"2024|KR-11|3|3", "2024|KR-41|2|2", "2025|KR-50|3|3"}));
}

TEST_P(GoldenMarts, ProjectsTargetJobsAndContinuity) {
  EXPECT_EQ(Rows("SELECT year, iso_code, project_type_group, projects, target_jobs FROM "
                 "mart_projects_region_year ORDER BY year, iso_code"),
            (Lines{"2024|KR-11|공익활동형|1|40", "2024|KR-42|시장형|1|20",
                   "2025|KR-50|공익활동형|1|10"}));
  // 2024 - 2020 + 1 = 5 years; a new project is in its first year; 2025 - 2023 + 1 = 3.
  EXPECT_EQ(Rows("SELECT year, iso_code, continuation_years, projects, target_jobs FROM "
                 "mart_continuity ORDER BY year, iso_code"),
            (Lines{"2024|KR-11|5|1|40", "2024|KR-42|1|1|20", "2025|KR-50|3|1|10"}));
  EXPECT_EQ(Rows("SELECT year, project_type_code, project_type_name, category_name, projects, "
                 "target_jobs FROM mart_project_types ORDER BY year, project_type_code"),
            (Lines{"2024|A-01|노노케어|공익활동|1|40", "2024|E-03|카페 운영|시장형|1|20",
                   "2025|A-01|노노케어|공익활동|1|10"}));
  EXPECT_EQ(Rows("SELECT year, month, projects, share_pct FROM mart_projects_monthly_share "
                 "ORDER BY year, month"),
            (Lines{"2024|2024-01|1|50", "2024|2024-03|1|50", "2025|2025-03|1|100"}));
}

TEST_P(GoldenMarts, TargetJobsAgainstPostingsTopRegionsAndPerCapita) {
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM mart_jobs_vs_postings"), (Lines{"34"}));  // 2 years x 17
  EXPECT_EQ(
      Rows("SELECT year, iso_code, projects, target_jobs, postings, headcount FROM "
           "mart_jobs_vs_postings WHERE projects > 0 OR postings > 0 ORDER BY year, iso_code"),
      (Lines{"2024|KR-11|1|40|2|3", "2024|KR-41|0|0|1|3", "2024|KR-42|1|20|1|1",
             "2025|KR-50|1|10|1|10"}));
  EXPECT_EQ(Rows("SELECT iso_code, postings_rank, target_jobs_rank FROM mart_top_regions WHERE "
                 "year = 2024 AND postings_rank <= 2 ORDER BY postings_rank, iso_code"),
            (Lines{"KR-11|1|1", "KR-41|2|3", "KR-42|2|2"}));
  // 1000 x 2 / 1,813,648 = 0.0011; 1000 x 40 / 1,813,648 = 0.0221. 2025 uses the
  // newest population (2024): 1000 x 1 / 45,301 = 0.0221; 1000 x 10 / 45,301 = 0.2207.
  EXPECT_EQ(
      Rows("SELECT year, iso_code, population_year, population_65_plus, postings_per_1000, "
           "target_jobs_per_1000 FROM mart_per_capita WHERE (year = 2024 AND iso_code = "
           "'KR-11') OR (year = 2025 AND iso_code = 'KR-50') ORDER BY year"),
      (Lines{"2024|KR-11|2024|1813648|0.0011|0.0221", "2025|KR-50|2024|45301|0.0221|0.2207"}));
}

TEST_P(GoldenMarts, DataQualityNamesWhatCouldNotBeMapped) {
  EXPECT_EQ(Rows("SELECT source, detail, rows_count FROM mart_data_quality WHERE check_name IN "
                 "('unmapped_region', 'unknown_code') ORDER BY source, detail"),
            (Lines{"raw_postings|(empty workPlcNm and unmatched address)|1"}));
  EXPECT_EQ(Rows("SELECT detail, rows_count FROM mart_data_quality WHERE check_name = "
                 "'missing_district_code' ORDER BY detail"),
            (Lines{"강원특별자치도|1", "경기도|1", "서울특별시|2", "세종특별자치시|1"}));
  EXPECT_EQ(Rows("SELECT COUNT(*), SUM(rows_count) FROM mart_data_quality WHERE check_name = "
                 "'rows_per_day' AND source = 'raw_postings'"),
            (Lines{"6|6"}));
}

TEST_P(GoldenMarts, AnIncrementalBuildAddsTheNewDay) {
  InsertPosting({"K7", "20250303", "접수중", "CM0105", "기타", "부산 해운대구", "", "4",
                 "경력자 우대", nullptr},
                "2025-03-06T00:00:00Z");
  Build();
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM fct_job_postings"), (Lines{"7"}));
  EXPECT_EQ(Rows("SELECT month, iso_code, postings, headcount FROM mart_postings_monthly_region "
                 "WHERE iso_code = 'KR-26'"),
            (Lines{"2025-03|KR-26|1|4"}));
  EXPECT_EQ(Rows("SELECT category_id FROM int_posting_preferences WHERE job_id = 'K7'"),
            (Lines{"5"}));
}

TEST_P(GoldenMarts, TheSnapshotKeepsAPostingsHistoryWhenItCloses) {
  // The first build recorded one version of each posting, all current.
  EXPECT_EQ(Rows("SELECT COUNT(*), COUNT(*) - COUNT(dbt_valid_to) FROM snap_postings"),
            (Lines{"6|6"}));
  // On the 10th the portal lists K5 as closed; the load rewrites its row.
  auto closed = project_.warehouse().Execute(
      "UPDATE raw_postings SET deadline = '마감', _loaded_at = '2025-03-10T00:00:00Z' "
      "WHERE jobId = 'K5'");
  ASSERT_TRUE(closed.ok()) << closed.ToString();
  Build(10);
  // K5 now has two versions: 접수중 until the second build, 마감 from then on.
  EXPECT_EQ(Rows("SELECT deadline, dbt_valid_to IS NULL FROM snap_postings WHERE jobId = 'K5' "
                 "ORDER BY dbt_valid_from"),
            (Lines{"접수중|0", "마감|1"}));
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM snap_postings old JOIN snap_postings new ON "
                 "new.jobId = old.jobId AND new.dbt_valid_from = old.dbt_valid_to "
                 "WHERE old.jobId = 'K5' AND old.deadline = '접수중' AND new.deadline = '마감'"),
            (Lines{"1"}));
  // Nobody else changed: still one current version each.
  EXPECT_EQ(Rows("SELECT COUNT(*), COUNT(*) - COUNT(dbt_valid_to) FROM snap_postings WHERE "
                 "jobId <> 'K5'"),
            (Lines{"5|5"}));
  // A third build with nothing new adds no version (later the same day: by the
  // 11th the postings would fail their freshness check, nothing having been loaded).
  Build(10, 20);
  EXPECT_EQ(Rows("SELECT COUNT(*) FROM snap_postings"), (Lines{"7"}));
}

// The catalog the build stored reads back through serve's loader on every
// engine: the writer (transform) and the reader (serve) agree.
TEST_P(GoldenMarts, ServeReadsTheCatalogTheBuildStored) {
  auto loaded = serve::LoadDataCatalog(project_.warehouse());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const serve::DataCatalog& catalog = **loaded;
  ASSERT_FALSE(catalog.empty()) << catalog.problem();
  EXPECT_EQ(catalog.project(), "silverwork");
  const auto facts = catalog.Find("model.silverwork.fct_job_postings");
  ASSERT_TRUE(facts.has_value());
  const serve::CatalogNode& node = catalog.nodes()[*facts];
  EXPECT_EQ(node.row_count, 6);  // K1 … K6
  EXPECT_FALSE(node.compiled_sql.empty());
  ASSERT_FALSE(node.tests.empty());
  for (size_t test : node.tests) {
    const serve::CatalogNode& entry = catalog.nodes()[test];
    ASSERT_TRUE(entry.last_result.has_value()) << entry.unique_id;
    EXPECT_EQ(entry.last_result->run_id, project_.last_results().run_id) << entry.unique_id;
    EXPECT_EQ(entry.last_result->status, "pass") << entry.unique_id;
  }
  Lines upstream;
  const auto per_capita = catalog.Find("model.silverwork.mart_per_capita");
  ASSERT_TRUE(per_capita.has_value());
  for (const auto& entry :
       catalog.LineageOf(*per_capita, 1, serve::LineageDirection::kUpstream).nodes)
    upstream.push_back(catalog.nodes()[entry.node].name);
  std::sort(upstream.begin(), upstream.end());
  EXPECT_EQ(upstream,
            (Lines{"mart_jobs_vs_postings", "mart_per_capita", "population_by_province"}));
}

std::vector<GoldenBuild> GoldenBuilds() {
  std::vector<GoldenBuild> builds;
  for (const std::string& engine : EnginesUnderTest())
    for (int threads : {1, 3}) builds.push_back({engine, threads});
  return builds;
}

INSTANTIATE_TEST_SUITE_P(Engines, GoldenMarts, ::testing::ValuesIn(GoldenBuilds()),
                         [](const ::testing::TestParamInfo<GoldenBuild>& param) {
                           return param.param.engine + "_" + std::to_string(param.param.threads) +
                                  "_threads";
                         });

}  // namespace
}  // namespace silverwork::testing
