// The projects dataset's OpenAPI document as the simulator serves it, and
// files appearing, changing and going over simulated time.
#include "sources/projects_document.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "simulator/projects.h"
#include "simulator_test_util.h"

namespace silverwork::testing {
namespace {

constexpr const char* kLateFile = "0d5e8b1c-7f3a-4c2e-9b6d-51a0e4c7f2b9";
const Date kToday = Date::FromYmd(2025, 6, 30);

std::string DocumentUrl(const Simulator& simulator) {
  return simulator.base_url() + kSimulatorProjectsDocumentPath;
}

ProjectsDocument FetchDocument(const Simulator& simulator) {
  auto response = Fetch(DocumentUrl(simulator));
  if (!response.ok()) {
    ADD_FAILURE() << response.status().ToString();
    return {};
  }
  auto parsed = ParseProjectsDocument(response->body, response->status, "simulator");
  if (!parsed.ok()) ADD_FAILURE() << parsed.status().ToString();
  return parsed.ok() ? *parsed : ProjectsDocument{};
}

nlohmann::json FirstPage(const Simulator& simulator, const std::string& file_id, int64_t rows) {
  auto response = Fetch(ProjectsUrl(simulator, file_id, 1, rows));
  if (!response.ok()) {
    ADD_FAILURE() << response.status().ToString();
    return {};
  }
  nlohmann::json page = nlohmann::json::parse(response->body);
  page["http_status"] = response->status;
  return page;
}

TEST(ProjectsDocumentRoute, ListsEveryServedFileWithItsSummaryDateAndNeedsNoKey) {
  auto simulator = StartOrDie(SmallWorld());
  ASSERT_NE(simulator, nullptr);
  ProjectsDocument document = FetchDocument(*simulator);
  EXPECT_EQ(document.host, "api.odcloud.kr");
  EXPECT_EQ(document.base_path, kSimulatorProjectsPath);
  const auto known = KnownProjectFiles();
  ASSERT_EQ(document.files.size(), known.size());
  for (size_t index = 0; index < document.files.size(); ++index) {
    const std::string& file_id = known[index].second;
    EXPECT_EQ(document.files[index].file_id, file_id);
    EXPECT_TRUE(
        document.files[index].summary.starts_with("한국노인인력개발원_노인일자리사업 통합정보_"));
    ASSERT_TRUE(document.files[index].published_on.has_value()) << file_id;
  }
  EXPECT_EQ(document.Find("abd1cfb1-5ba2-491f-9729-84bba214f87d")->published_on,
            Date::FromYmd(2023, 4, 17));
  SimulatorStats stats = simulator->Stats();
  EXPECT_EQ(stats.document_calls, 1);
  EXPECT_EQ(stats.document_calls_with_key, 0);
  EXPECT_EQ(stats.projects_calls, 0) << "the document is not a gateway call";

  auto with_key = Fetch(DocumentUrl(*simulator) + "&serviceKey=" + EncodedDemoKey());
  ASSERT_TRUE(with_key.ok());
  EXPECT_EQ(simulator->Stats().document_calls_with_key, 1) << "counted, so tests can catch it";
  auto other = Fetch(simulator->base_url() + "/oas/docs?namespace=15015153/v1");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->status, 404);
}

TEST(ProjectsDocumentRoute, ANewFileIsListedAndServedFromItsPublicationDay) {
  SimulatorOptions options = SmallWorld();
  options.data.projects_events.published =
      ProjectsFileEvents::Published{2026, kLateFile, Date::FromYmd(2025, 12, 20)};
  auto simulator = StartOrDie(options);
  ASSERT_NE(simulator, nullptr);
  EXPECT_EQ(FetchDocument(*simulator).Find(kLateFile), nullptr);
  EXPECT_EQ(FirstPage(*simulator, kLateFile, 5).at("http_status"), 404);

  simulator->SetToday(Date::FromYmd(2025, 12, 20));
  ProjectsDocument document = FetchDocument(*simulator);
  ASSERT_NE(document.Find(kLateFile), nullptr);
  EXPECT_EQ(document.Find(kLateFile)->published_on, Date::FromYmd(2025, 12, 20));
  EXPECT_EQ(document.files.size(), KnownProjectFiles().size() + 1);
  nlohmann::json page = FirstPage(*simulator, kLateFile, 5);
  EXPECT_EQ(page.at("http_status"), 200);
  EXPECT_EQ(page.at("data").at(0).at("사업년도"), 2026);
}

TEST(ProjectsDocumentRoute, ARevisedFileHasOtherRowsAndANewSummaryDate) {
  const std::string revised = KnownProjectFiles().back().second;
  SimulatorOptions options = SmallWorld();
  options.data.projects_events.revised =
      ProjectsFileEvents::Revised{revised, Date::FromYmd(2025, 7, 15)};
  auto simulator = StartOrDie(options);
  ASSERT_NE(simulator, nullptr);
  Date before_date = *FetchDocument(*simulator).Find(revised)->published_on;
  nlohmann::json before = FirstPage(*simulator, revised, 300);

  simulator->SetToday(Date::FromYmd(2025, 7, 15));
  EXPECT_EQ(FetchDocument(*simulator).Find(revised)->published_on, Date::FromYmd(2025, 7, 15));
  EXPECT_NE(before_date, Date::FromYmd(2025, 7, 15));
  nlohmann::json after = FirstPage(*simulator, revised, 300);
  EXPECT_LT(after.at("totalCount").get<int64_t>(), before.at("totalCount").get<int64_t>());
  EXPECT_NE(after.at("data"), before.at("data"));
  // Same project numbers, drawn anew: other plan changes and values.
  EXPECT_EQ(after.at("data").at(0).at("사업번호"), before.at("data").at(0).at("사업번호"));
  // The other files are untouched.
  const std::string other = KnownProjectFiles().front().second;
  simulator->SetToday(kToday);
  nlohmann::json other_before = FirstPage(*simulator, other, 50);
  simulator->SetToday(Date::FromYmd(2025, 7, 15));
  EXPECT_EQ(FirstPage(*simulator, other, 50).at("data"), other_before.at("data"));
}

TEST(ProjectsDocumentRoute, ARevisionMayKeepTheSummaryDate) {
  const std::string revised = KnownProjectFiles().back().second;
  SimulatorOptions options = SmallWorld();
  options.data.projects_events.revised =
      ProjectsFileEvents::Revised{revised, Date::FromYmd(2025, 7, 15), /*keep_summary_date=*/true};
  auto simulator = StartOrDie(options);
  ASSERT_NE(simulator, nullptr);
  ProjectsDocument before = FetchDocument(*simulator);
  nlohmann::json rows_before = FirstPage(*simulator, revised, 50);
  simulator->SetToday(Date::FromYmd(2025, 7, 16));
  EXPECT_EQ(FetchDocument(*simulator).Find(revised)->summary, before.Find(revised)->summary);
  EXPECT_NE(FirstPage(*simulator, revised, 50).at("data"), rows_before.at("data"));
}

TEST(ProjectsDocumentRoute, AWithdrawnFileLeavesTheDocumentAndAnswers404MinusFour) {
  const std::string withdrawn = KnownProjectFiles().front().second;
  SimulatorOptions options = SmallWorld();
  options.data.projects_events.withdrawn =
      ProjectsFileEvents::Withdrawn{withdrawn, Date::FromYmd(2025, 8, 1)};
  auto simulator = StartOrDie(options);
  ASSERT_NE(simulator, nullptr);
  EXPECT_EQ(FirstPage(*simulator, withdrawn, 5).at("http_status"), 200);
  simulator->SetToday(Date::FromYmd(2025, 8, 1));
  EXPECT_EQ(FetchDocument(*simulator).Find(withdrawn), nullptr);
  nlohmann::json gone = FirstPage(*simulator, withdrawn, 5);
  EXPECT_EQ(gone.at("http_status"), 404);
  EXPECT_EQ(gone.at("code"), -4);
}

TEST(ProjectsDocumentRoute, DocumentFaultsAreSwitchable) {
  auto simulator = StartOrDie(SmallWorld());
  ASSERT_NE(simulator, nullptr);
  struct Case {
    ProjectsDocumentFault fault;
    int status;
    ErrorCode code;
  };
  for (const Case& fault_case : {Case{ProjectsDocumentFault::kUnavailable, 503, ErrorCode::kRemote},
                                 Case{ProjectsDocumentFault::kNotJson, 200, ErrorCode::kCorrupt},
                                 Case{ProjectsDocumentFault::kNoFiles, 200, ErrorCode::kGone}}) {
    SimulatorFaultOptions faults;
    faults.document_fault = fault_case.fault;
    simulator->SetFaults(faults);
    auto response = Fetch(DocumentUrl(*simulator));
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, fault_case.status);
    auto parsed = ParseProjectsDocument(response->body, response->status, "simulator");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), fault_case.code) << parsed.status().ToString();
  }
  simulator->SetFaults({});
  EXPECT_EQ(FetchDocument(*simulator).files.size(), KnownProjectFiles().size());
  // Gateway faults never reach the document (it is another host).
  SimulatorFaultOptions gateway;
  gateway.http503_rate = 1.0;
  gateway.endpoint_gone = true;
  simulator->SetFaults(gateway);
  EXPECT_EQ(FetchDocument(*simulator).files.size(), KnownProjectFiles().size());
}

}  // namespace
}  // namespace silverwork::testing
