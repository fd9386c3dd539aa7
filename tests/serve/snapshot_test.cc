// The snapshot's compaction must not change an answer: charts computed from
// the cubes, from the records alone (the path a query takes when no cube
// holds its dimensions), and straight from the facts in SQL agree for every
// combination of filters that picks a different cube.
#include <map>

#include "serve/charts.h"
#include "serve/serve_harness.h"

namespace silverwork::serve::testing {
namespace {

// One combination of the dashboard's filters, as a query string and as the
// SQL conditions on fct_job_postings that select the same postings.
struct Combination {
  std::string query;
  std::vector<std::string> conditions;
  std::vector<std::string> province_free;  // the conditions without the province's

  std::string Where(bool with_province = true) const {
    const auto& parts = with_province ? conditions : province_free;
    std::string where = "WHERE 1 = 1";
    for (const auto& part : parts) where += " AND " + part;
    return where;
  }
  std::string Url(std::string_view path) const {
    return fmt::format("/api/v1{}{}{}", path, query.empty() ? "" : "?", query);
  }
};

struct Choice {
  std::string query, condition;
};

// Every preference filter (none, one category: its slice; several: the
// combinations or, with month, the records) with every job-class filter and
// year range; provinces and shapes vary along. Each combination matches some
// postings of the fixture (the tests assert it), so no comparison is of
// nothing with nothing.
std::vector<Combination> Combinations() {
  const Choice preferences[] = {
      {"", ""},
      {"preference=9",
       "job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id IN (9))"},
      {"preference=1,17",
       "job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id IN (1, 17))"},
      {"preference=2,5,8",
       "job_id IN (SELECT job_id FROM int_posting_preferences WHERE category_id IN (2, 5, 8))"},
  };
  const Choice job_classes[] = {
      {"", ""},
      {"job_class=unclassified", "job_class_code IS NULL"},
      {"job_class=A02001,A04002,A03002,A01005",
       "job_class_code IN ('A02001', 'A04002', 'A03002', 'A01005')"},
  };
  const Choice years[] = {
      {"", ""},
      {"year_from=2023&year_to=2024", "start_year BETWEEN 2023 AND 2024"},
      {"year_from=2024", "start_year >= 2024"},
  };
  const Choice provinces[] = {
      {"", ""},
      {"province=KR-11", "coalesce(iso_code, 'unknown') IN ('KR-11')"},
      {"province=KR-41,KR-26,unknown",
       "coalesce(iso_code, 'unknown') IN ('KR-41', 'KR-26', 'unknown')"},
  };
  const Choice shapes[] = {
      {"", ""},
      {"shape=CM0102", "employment_shape_code = 'CM0102'"},
      {"shape=CM0103,CM0101", "employment_shape_code IN ('CM0103', 'CM0101')"},
  };
  std::vector<Combination> combinations;
  size_t counter = 0;
  for (const auto& preference : preferences) {
    for (const auto& job_class : job_classes) {
      for (const auto& year : years) {
        const Choice& province = provinces[counter % std::size(provinces)];
        const Choice& shape = shapes[(counter / 2) % std::size(shapes)];
        ++counter;
        Combination combination;
        for (const Choice* choice : {&preference, &job_class, &year, &province, &shape}) {
          if (choice->query.empty()) continue;
          if (!combination.query.empty()) combination.query += '&';
          combination.query += choice->query;
          combination.conditions.push_back(choice->condition);
          if (choice != &province) combination.province_free.push_back(choice->condition);
        }
        combinations.push_back(std::move(combination));
      }
    }
  }
  return combinations;
}

// ---- against SQL --------------------------------------------------------------

class SnapshotAnswers : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    auto warehouse = OpenWarehouse(SharedFixture::Get().options(/*read_only=*/true));
    ASSERT_TRUE(warehouse.ok()) << warehouse.status().ToString();
    warehouse_ = std::move(warehouse).value();
  }

  // The rows of `sql`: the first column (as text) -> the others (integers).
  std::map<std::string, std::vector<int64_t>> Rows(const std::string& sql) {
    auto result = warehouse_->QueryAll(sql);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << sql;
    std::map<std::string, std::vector<int64_t>> rows;
    if (!result.ok()) return rows;
    for (const Row& row : result->rows) {
      auto& values = rows[ValueToString(row[0])];
      for (size_t column = 1; column < row.size(); ++column) {
        values.push_back(IsNull(row[column]) ? 0 : std::get<int64_t>(row[column]));
      }
    }
    return rows;
  }

  std::unique_ptr<Warehouse> warehouse_;
};

TEST_F(SnapshotAnswers, PostingChartsMatchSqlForEveryCube) {
  for (const Combination& combination : Combinations()) {
    SCOPED_TRACE(combination.query);
    const std::string where = combination.Where();

    json kpis = Data(combination.Url("/kpis"));
    const auto totals =
        Rows("SELECT 'all', count(*), sum(headcount), sum(is_open) FROM fct_job_postings " + where);
    // A combination nothing matches would compare empty with empty.
    ASSERT_GT(totals.at("all")[0], 0) << "no posting matches";
    EXPECT_EQ(kpis["postings"], totals.at("all")[0]);
    EXPECT_EQ(kpis["headcount"], totals.at("all")[1]);
    EXPECT_EQ(kpis["open_postings"], totals.at("all")[2]);

    json monthly = Data(combination.Url("/postings/monthly"));
    std::map<std::string, std::vector<int64_t>> months;
    for (size_t index = 0; index < monthly["months"].size(); ++index) {
      if (monthly["postings"][index] == 0) continue;
      months[monthly["months"][index]] = {monthly["postings"][index], monthly["headcount"][index],
                                          monthly["open_postings"][index]};
    }
    EXPECT_EQ(months, Rows("SELECT start_month, count(*), sum(headcount), sum(is_open) "
                           "FROM fct_job_postings " +
                           where + " GROUP BY 1"));

    json classes = Data(combination.Url("/postings/by-job-class"));
    std::map<std::string, std::vector<int64_t>> by_class;
    for (const auto& item : classes["items"])
      by_class[item["code"]] = {item["postings"], item["headcount"]};
    EXPECT_EQ(by_class,
              Rows("SELECT coalesce(job_class_code, 'unclassified'), count(*), sum(headcount) "
                   "FROM fct_job_postings " +
                   where + " GROUP BY 1"));

    json shapes = Data(combination.Url("/postings/by-shape"));
    std::map<std::string, std::vector<int64_t>> by_shape_year;
    for (const auto& shape : shapes["shapes"]) {
      for (size_t index = 0; index < shapes["years"].size(); ++index) {
        if (shape["by_year"][index] == 0) continue;
        by_shape_year[fmt::format("{}/{}", shape["code"].get<std::string>(),
                                  shapes["years"][index].get<int>())] = {shape["by_year"][index]};
      }
    }
    EXPECT_EQ(by_shape_year,
              Rows("SELECT coalesce(employment_shape_code, 'unknown') || '/' || start_year, "
                   "count(*) FROM fct_job_postings " +
                   where + " GROUP BY 1"));

    json preferences = Data(combination.Url("/preferences"));
    std::map<std::string, std::vector<int64_t>> by_category;
    for (const auto& item : preferences["items"]) {
      if (item["postings"] != 0) by_category[item["code"]] = {item["postings"]};
    }
    EXPECT_EQ(by_category,
              Rows("SELECT preferences.category_id, count(DISTINCT postings.job_id) "
                   "FROM (SELECT * FROM fct_job_postings " +
                   where +
                   ") AS postings "
                   "JOIN int_posting_preferences AS preferences USING (job_id) GROUP BY 1"));
    EXPECT_EQ(preferences["postings"], totals.at("all")[0]);
    EXPECT_EQ(preferences["postings_with_preferences"],
              Rows("SELECT 'any', count(*) FROM fct_job_postings " + where +
                   " AND job_id IN (SELECT job_id FROM int_posting_preferences)")
                  .at("any")[0]);

    json map = Data(combination.Url("/postings/map"));
    std::map<std::string, std::vector<int64_t>> by_province;
    for (const auto& item : map["items"]) {
      if (item["postings"] != 0) by_province[item["code"]] = {item["postings"], item["headcount"]};
    }
    EXPECT_EQ(by_province, Rows("SELECT iso_code, count(*), sum(headcount) FROM fct_job_postings " +
                                combination.Where(false) +
                                " AND iso_code IS NOT NULL "
                                "AND iso_code <> 'unknown' GROUP BY 1"));

    json jobs = Data(combination.Url("/jobs-vs-postings"));
    std::map<std::string, std::vector<int64_t>> by_year;
    for (size_t index = 0; index < jobs["years"].size(); ++index) {
      if (jobs["postings"][index] == 0) continue;
      by_year[std::to_string(jobs["years"][index].get<int>())] = {jobs["postings"][index],
                                                                  jobs["headcount"][index]};
    }
    EXPECT_EQ(by_year, Rows("SELECT start_year, count(*), sum(headcount) FROM fct_job_postings " +
                            where + " GROUP BY 1"));
  }
}

// ---- cubes against records ------------------------------------------------------

Result<ServingSnapshot> LoadFixtureSnapshot(const WarehouseOptions& options) {
  SW_ASSIGN_OR_RETURN(auto warehouse, OpenWarehouse(options));
  return LoadSnapshot(*warehouse, DefaultClock());
}

// Every posting chart's data for `combination`, by path.
std::map<std::string, json> PostingCharts(const ServingSnapshot& snapshot,
                                          const Combination& combination) {
  QueryParams params;
  std::string_view rest = combination.query;
  while (!rest.empty()) {
    const std::string_view pair = rest.substr(0, rest.find('&'));
    rest = pair.size() == rest.size() ? std::string_view() : rest.substr(pair.size() + 1);
    const size_t equals = pair.find('=');
    params.emplace(std::string(pair.substr(0, equals)), std::string(pair.substr(equals + 1)));
  }
  std::map<std::string, json> charts;
  for (const ChartSpec& spec : ChartSpecs()) {
    if (!(spec.filters & kFilterPreference)) continue;
    auto parsed = ParseQuery(params, spec.options, snapshot);
    EXPECT_TRUE(std::holds_alternative<ParsedQuery>(parsed)) << spec.path;
    if (!std::holds_alternative<ParsedQuery>(parsed)) continue;
    charts[std::string(spec.path)] =
        spec.compute(snapshot, ServingStatus(), std::get<ParsedQuery>(parsed));
  }
  return charts;
}

TEST(SnapshotCompaction, RecordsAnswerLikeTheCubes) {
  const auto& fixture = SharedFixture::Get();
  ASSERT_TRUE(fixture.status().ok()) << fixture.status().ToString();
  auto cubes = LoadFixtureSnapshot(fixture.options(/*read_only=*/true));
  ASSERT_TRUE(cubes.ok()) << cubes.status().ToString();
  // The monthly cubes with preferences are the ones left out.
  EXPECT_EQ(cubes->CubeFor(kByMonth | kByPreferences), nullptr);
  EXPECT_EQ(cubes->CategoryCubeFor(kByMonth | kByJobClass), nullptr);
  ASSERT_NE(cubes->CubeFor(kByJobClass | kByPreferences), nullptr);
  EXPECT_TRUE(cubes->postings_by_year);

  auto records = LoadFixtureSnapshot(fixture.options(/*read_only=*/true));
  ASSERT_TRUE(records.ok());
  records->posting_cubes.clear();
  records->category_cubes.clear();
  auto unsorted = LoadFixtureSnapshot(fixture.options(/*read_only=*/true));
  ASSERT_TRUE(unsorted.ok());
  unsorted->posting_cubes.clear();
  unsorted->category_cubes.clear();
  unsorted->postings_by_year = false;  // every record scanned, filtered one by one

  for (const Combination& combination : Combinations()) {
    SCOPED_TRACE(combination.query);
    const auto expected = PostingCharts(*cubes, combination);
    ASSERT_GT(expected.at("/kpis")["postings"].get<int64_t>(), 0) << "no posting matches";
    EXPECT_EQ(PostingCharts(*records, combination), expected);
    EXPECT_EQ(PostingCharts(*unsorted, combination), expected);
  }
}

TEST(SnapshotCompaction, MoreThan32PreferenceCategoriesFailClearly) {
  const auto& fixture = SharedFixture::Get();
  ASSERT_TRUE(fixture.status().ok()) << fixture.status().ToString();
  FixtureCopy copy;
  {
    auto warehouse = copy.Open();
    ASSERT_NE(warehouse, nullptr);
    for (int category = 100; category < 116; ++category) {
      ASSERT_TRUE(
          warehouse
              ->Execute(fmt::format("INSERT INTO preference_keywords (category_id, category, "
                                    "keyword) VALUES ({0}, 'extra {0}', 'keyword {0}')",
                                    category))
              .ok());
    }
  }
  auto loaded = LoadFixtureSnapshot(copy.options(/*read_only=*/true));
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), ErrorCode::kUnsupported);
  EXPECT_NE(loaded.status().message().find("33 categories"), std::string::npos)
      << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find("at most 32"), std::string::npos);
  EXPECT_NE(loaded.status().hint().find("seeds/preference_keywords.csv"), std::string::npos);
}

}  // namespace
}  // namespace silverwork::serve::testing
