// The projects API end to end: envelope, paging and the yearly column drift.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "simulator_test_util.h"

namespace silverwork::testing {
namespace {

std::string FileIdFor(int year) {
  for (const auto& [file_year, file_id] : KnownProjectFiles()) {
    if (file_year == year) return file_id;
  }
  ADD_FAILURE() << "no file for " << year;
  return {};
}

class ProjectsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    simulator_ = StartOrDie(SmallWorld());
    ASSERT_NE(simulator_, nullptr);
  }
  nlohmann::json Page(int year, int64_t page, int64_t per_page) {
    auto response = Fetch(ProjectsUrl(*simulator_, FileIdFor(year), page, per_page));
    if (!response.ok()) {
      ADD_FAILURE() << response.status().ToString();
      return {};
    }
    EXPECT_EQ(response->status, 200);
    return nlohmann::json::parse(response->body);
  }
  std::unique_ptr<Simulator> simulator_;
};

TEST_F(ProjectsApiTest, EnvelopeAndPaging) {
  nlohmann::json first = Page(2022, 1, 100);
  int64_t total = first.at("totalCount");
  EXPECT_GT(total, 250);
  EXPECT_LT(total, 340);
  EXPECT_EQ(first.at("matchCount"), total);
  EXPECT_EQ(first.at("page"), 1);
  EXPECT_EQ(first.at("perPage"), 100);
  EXPECT_EQ(first.at("currentCount"), 100);
  EXPECT_EQ(first.at("data").size(), 100u);

  int64_t last_page = (total + 99) / 100;
  nlohmann::json last = Page(2022, last_page, 100);
  EXPECT_EQ(last.at("currentCount"), total - (last_page - 1) * 100);
  EXPECT_TRUE(Page(2022, last_page + 1, 100).at("data").empty());
}

TEST_F(ProjectsApiTest, ColumnNamesDriftByYear) {
  nlohmann::json row2018 = Page(2018, 1, 1).at("data").at(0);
  EXPECT_TRUE(row2018.contains("사업유형상세"));
  EXPECT_TRUE(row2018.contains("특수사업코드"));
  EXPECT_TRUE(row2018.contains("계속사업시작년도"));
  EXPECT_FALSE(row2018.contains("사업유형코드"));
  EXPECT_EQ(row2018.at("사업기간시작일").get<std::string>().size(), 8u);  // YYYYMMDD

  nlohmann::json row2020 = Page(2020, 1, 1).at("data").at(0);
  EXPECT_TRUE(row2020.contains("예산구분"));
  EXPECT_FALSE(row2020.contains("비예산여부"));
  EXPECT_TRUE(row2020.at("예산구분").get<std::string>().starts_with("1010"));

  nlohmann::json row2023 = Page(2023, 1, 1).at("data").at(0);
  EXPECT_TRUE(row2023.contains("관활시도명"));
  EXPECT_FALSE(row2023.contains("관할시도명"));
  EXPECT_TRUE(row2023.contains("기관아이디"));

  nlohmann::json row2024 = Page(2024, 1, 1).at("data").at(0);
  EXPECT_TRUE(row2024.contains("사업내용"));
  EXPECT_TRUE(row2024.contains("위탁여부"));
  EXPECT_EQ(row2024.at("사업기간시작일").get<std::string>().size(), 10u);  // YYYY-MM-DD
}

TEST_F(ProjectsApiTest, ValuesLookLikeTheRealFiles) {
  nlohmann::json rows2022 = Page(2022, 1, 300).at("data");
  std::map<std::string, int> types;
  int with_district_code = 0;
  for (const auto& row : rows2022) {
    ++types[row.at("사업유형").get<std::string>()];
    std::string status = row.at("사업계획서상태코드");
    EXPECT_FALSE(status.starts_with("102")) << "2022 carries status names";
    EXPECT_TRUE(row.at("사업번호").get<std::string>().starts_with("2022-"));
    std::string type_code = row.at("사업유형코드");
    EXPECT_TRUE(type_code.ends_with(")")) << type_code;
    std::string district_code = row.at("시군구코드");
    EXPECT_TRUE(district_code.empty() || district_code.size() == 10u) << district_code;
    with_district_code += !district_code.empty();
    int target = row.at("목표일자리수");
    EXPECT_GE(target, 10);
    EXPECT_LE(target, 500);
  }
  EXPECT_GT(types["공익활동형"], types["시장형"]);
  EXPECT_GT(types["시장형"], 0);
  EXPECT_GT(types["사회서비스형"], 0);
  EXPECT_GT(with_district_code, static_cast<int>(rows2022.size()) * 7 / 10);

  nlohmann::json page2020 = Page(2020, 1, 50);
  for (const auto& row : page2020.at("data")) {
    EXPECT_TRUE(row.at("사업계획서상태코드").get<std::string>().starts_with("102"));
  }
  std::map<std::string, int> newer_types;
  nlohmann::json page2024 = Page(2024, 1, 300);
  for (const auto& row : page2024.at("data")) {
    ++newer_types[row.at("사업유형").get<std::string>()];
  }
  EXPECT_GT(newer_types["공공형"], 0);
  EXPECT_EQ(newer_types.count("공익활동형"), 0u);
}

TEST_F(ProjectsApiTest, UnknownFileAndBadParameters) {
  auto unknown = Fetch(ProjectsUrl(*simulator_, "00000000-0000-0000-0000-000000000000", 1, 10));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  // odcloud's own shape, with the code a bad key earns too.
  EXPECT_EQ(nlohmann::json::parse(unknown->body).at("code"), -4);

  auto bad_page = Fetch(simulator_->base_url() + kSimulatorProjectsPath +
                        "/uddi:" + FileIdFor(2022) + "?page=zero&serviceKey=" + EncodedDemoKey());
  ASSERT_TRUE(bad_page.ok());
  nlohmann::json error = nlohmann::json::parse(bad_page->body);
  EXPECT_EQ(error.at("resultCode"), "10");
  EXPECT_TRUE(error.contains("responseTime"));
  EXPECT_TRUE(error.contains("resultMsg"));

  auto defaults = Fetch(simulator_->base_url() + kSimulatorProjectsPath +
                        "/uddi:" + FileIdFor(2022) + "?serviceKey=" + EncodedDemoKey());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(nlohmann::json::parse(defaults->body).at("perPage"), 10);
}

TEST_F(ProjectsApiTest, KeyErrorsComeAsTheXmlGatewayEnvelope) {
  auto response = Fetch(simulator_->base_url() + kSimulatorProjectsPath +
                        "/uddi:" + FileIdFor(2022) + "?page=1&perPage=10&serviceKey=wrong");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("<returnReasonCode>30</returnReasonCode>"), std::string::npos);
}

}  // namespace
}  // namespace silverwork::testing
