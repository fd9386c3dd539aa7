// The projects dataset's OpenAPI document: parsing every shape it may take,
// and fetching it without ever sending the service key.
#include "sources/projects_document.h"

#include <gtest/gtest.h>

#include "scripted_http.h"
#include "sources/envelope.h"

namespace silverwork {
namespace {

constexpr const char* kUrl = "https://infuser.test/oas/docs?namespace=15050148/v1";

// Trimmed from the portal's document: two files, a non-file path between.
constexpr const char* kDocument = R"json({
  "swagger": "2.0",
  "info": {"title": "한국노인인력개발원_노인일자리사업 통합정보", "version": "1.0.0"},
  "host": "api.odcloud.kr",
  "basePath": "/api/15050148/v1",
  "paths": {
    "/uddi:c2a15a01-c539-4698-a06d-daa5309264a4": {"get": {
      "summary": "한국노인인력개발원_노인일자리사업 통합정보_20221231",
      "parameters": [{"name": "page", "in": "query"}, {"name": "perPage", "in": "query"}]}},
    "/healthcheck": {"get": {"summary": "상태"}},
    "/uddi:abd1cfb1-5ba2-491f-9729-84bba214f87d": {"get": {
      "summary": "한국노인인력개발원_노인일자리사업 통합정보_20230417"}}
  }
})json";

TEST(ProjectsDocument, ListsEveryUddiPathInOrderWithItsSummaryDate) {
  auto parsed = ParseProjectsDocument(kDocument, 200, kUrl);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->host, "api.odcloud.kr");
  EXPECT_EQ(parsed->base_path, "/api/15050148/v1");
  ASSERT_EQ(parsed->files.size(), 2u);
  EXPECT_EQ(parsed->files[0].file_id, "c2a15a01-c539-4698-a06d-daa5309264a4");
  EXPECT_EQ(parsed->files[0].published_on, Date::FromYmd(2022, 12, 31));
  EXPECT_EQ(parsed->files[1].file_id, "abd1cfb1-5ba2-491f-9729-84bba214f87d");
  EXPECT_EQ(parsed->files[1].summary, "한국노인인력개발원_노인일자리사업 통합정보_20230417");
  EXPECT_EQ(parsed->files[1].published_on, Date::FromYmd(2023, 4, 17));
  EXPECT_NE(parsed->Find("abd1cfb1-5ba2-491f-9729-84bba214f87d"), nullptr);
  EXPECT_EQ(parsed->Find("healthcheck"), nullptr);
}

TEST(ProjectsDocument, SummaryDateIsTheTrailingValidYyyymmdd) {
  EXPECT_EQ(SummaryDate("기관_데이터_20230417"), Date::FromYmd(2023, 4, 17));
  EXPECT_EQ(SummaryDate("기관_데이터_20230417  "), Date::FromYmd(2023, 4, 17));
  EXPECT_EQ(SummaryDate("20240101"), Date::FromYmd(2024, 1, 1));
  EXPECT_EQ(SummaryDate("기관_데이터"), std::nullopt);
  EXPECT_EQ(SummaryDate("기관_데이터_20230230"), std::nullopt);   // no such day
  EXPECT_EQ(SummaryDate("기관_데이터_120230417"), std::nullopt);  // a longer number
  EXPECT_EQ(SummaryDate("기관_데이터_2023-04-17"), std::nullopt);
  EXPECT_EQ(SummaryDate(""), std::nullopt);
}

TEST(ProjectsDocument, AFileWithoutASummaryDateIsKeptWithoutOne) {
  auto parsed = ParseProjectsDocument(
      R"({"paths": {"/uddi:f1": {"get": {"summary": "새 파일"}}, "/uddi:f2": {}}})", 200, kUrl);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->files.size(), 2u);
  EXPECT_EQ(parsed->files[0].published_on, std::nullopt);
  EXPECT_EQ(parsed->files[1].summary, "");
}

struct MalformedCase {
  const char* name;
  const char* body;
  int http_status;
  ErrorCode code;
  const char* says;
};

class MalformedDocument : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedDocument, IsAClearErrorNamingTheUrl) {
  const MalformedCase& param = GetParam();
  auto parsed = ParseProjectsDocument(param.body, param.http_status, kUrl);
  ASSERT_FALSE(parsed.ok()) << param.name;
  EXPECT_EQ(parsed.status().code(), param.code) << param.name;
  EXPECT_NE(parsed.status().message().find(kUrl), std::string::npos) << param.name;
  EXPECT_NE(parsed.status().message().find(param.says), std::string::npos)
      << param.name << ": " << parsed.status().message();
  EXPECT_NE(parsed.status().hint().find("[projects.files]"), std::string::npos) << param.name;
}

INSTANTIATE_TEST_SUITE_P(
    EveryShape, MalformedDocument,
    ::testing::Values(
        MalformedCase{"html", "<html><body>점검 중</body></html>", 200, ErrorCode::kCorrupt,
                      "not JSON"},
        MalformedCase{"cut", R"({"swagger": "2.0", "paths": {"/uddi:a)", 200, ErrorCode::kCorrupt,
                      "not JSON"},
        MalformedCase{"array", "[1, 2]", 200, ErrorCode::kCorrupt, "not JSON"},
        MalformedCase{"no_paths", R"({"swagger": "2.0"})", 200, ErrorCode::kGone,
                      "not a Swagger document"},
        MalformedCase{"paths_not_object", R"({"paths": []})", 200, ErrorCode::kGone,
                      "not a Swagger document"},
        MalformedCase{"no_uddi_path", R"({"paths": {"/healthcheck": {}, "/uddi:": {}}})", 200,
                      ErrorCode::kGone, "lists no /uddi: file"},
        MalformedCase{"unavailable", "<html>503</html>", 503, ErrorCode::kRemote, "HTTP 503"},
        MalformedCase{"not_found", "Not Found", 404, ErrorCode::kNotFound, "HTTP 404"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
      return std::string(param_info.param.name);
    });

// Lends a client that outlives the fetch (which owns and drops its client).
class BorrowedHttpClient final : public HttpClient {
 public:
  explicit BorrowedHttpClient(HttpClient& target) : target_(target) {}
  Result<HttpResponse> Get(const std::string& url, std::string_view shown,
                           std::chrono::milliseconds timeout) override {
    return target_.Get(url, shown, timeout);
  }
  Result<HttpResponse> Post(const std::string& url, std::string_view shown,
                            std::string_view content_type, std::string_view body,
                            std::chrono::milliseconds timeout) override {
    return target_.Post(url, shown, content_type, body, timeout);
  }

 private:
  HttpClient& target_;
};

struct FetchHarness {
  explicit FetchHarness(std::deque<Result<HttpResponse>> script)
      : clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000))),
        budget({}, clock),
        http(std::move(script), HttpResponse{200, "application/json", kDocument}) {}
  Result<FetchedProjectsDocument> Fetch(const std::string& url = kUrl) {
    ApiCallerOptions caller;
    caller.base_url = "http://ignored.test";
    caller.jitter_seed = 7;
    caller.retry.max_attempts = 3;
    return FetchProjectsDocument(url, caller, budget, &sink, clock,
                                 std::make_unique<BorrowedHttpClient>(http));
  }
  FakeClock clock;
  RateBudget budget;
  RecordingSink sink;
  ScriptedHttpClient http;
};

TEST(FetchProjectsDocument, NeverSendsTheKeyAndLandsTheDocument) {
  FetchHarness harness({});
  auto fetched = harness.Fetch();
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->document.files.size(), 2u);
  EXPECT_EQ(fetched->fetched_at, FormatUtcTimestamp(harness.clock.Now()));
  ASSERT_EQ(harness.http.urls.size(), 1u);
  EXPECT_EQ(harness.http.urls[0], kUrl) << "the URL as configured, nothing added";
  ASSERT_EQ(harness.sink.records.size(), 1u);
  EXPECT_EQ(harness.sink.records[0].rfind("projects_document /oas/docs?namespace=15050148/v1 {", 0),
            0u);
}

TEST(FetchProjectsDocument, RetriesACutTransferThenSucceeds) {
  FetchHarness harness({HttpResponse{200, "application/json", R"({"paths": {"/uddi)"},
                        Status(ErrorCode::kNetwork, "connection reset")});
  auto fetched = harness.Fetch();
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(harness.http.urls.size(), 3u);
  EXPECT_EQ(harness.sink.records.size(), 2u) << "both answers landed, the reset one was none";
}

TEST(FetchProjectsDocument, AnUnreachableDocumentSaysWhatToDo) {
  FetchHarness harness({Status(ErrorCode::kNetwork, "connection refused"),
                        Status(ErrorCode::kNetwork, "connection refused"),
                        Status(ErrorCode::kNetwork, "connection refused")});
  auto fetched = harness.Fetch();
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), ErrorCode::kNetwork);
  EXPECT_NE(fetched.status().message().find("OpenAPI document could not be read"),
            std::string::npos);
  EXPECT_NE(fetched.status().message().find("gave up after 3 attempts"), std::string::npos);
  EXPECT_NE(fetched.status().hint().find("openapi_url"), std::string::npos);
  EXPECT_NE(fetched.status().hint().find("[projects.files]"), std::string::npos);
}

TEST(FetchProjectsDocument, ADocumentWithoutFilesIsNotRetried) {
  FetchHarness harness({HttpResponse{200, "application/json", R"({"paths": {}})"}});
  auto fetched = harness.Fetch();
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), ErrorCode::kGone);
  EXPECT_EQ(harness.http.urls.size(), 1u);
}

TEST(FetchProjectsDocument, AUrlWithoutAPathIsRejectedBeforeAnyCall) {
  FetchHarness harness({});
  auto fetched = harness.Fetch("infuser.odcloud.kr");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.status().code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(harness.http.urls.empty());
}

TEST(OdcloudJson, A404WithCodeMinus4IsAnUnpublishedFileNotAKeyProblem) {
  auto page = ParseOdcloudJson(R"({"code":-4,"msg":"등록되지 않은 인증키 입니다."})", 404,
                               "/api/15050148/v1/uddi:gone");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(IsRetryable(page.status()));
  EXPECT_NE(page.status().message().find("HTTP 404 with code -4"), std::string::npos);
  EXPECT_NE(page.status().hint().find("does not publish this file"), std::string::npos);
  EXPECT_EQ(page.status().hint().find("DATA_GO_KR_SERVICE_KEY"), std::string::npos);
  EXPECT_NE(page.status().hint().find("[projects.files]"), std::string::npos);
}

}  // namespace
}  // namespace silverwork
