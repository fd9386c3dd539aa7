#include "sources/envelope.h"

#include <gtest/gtest.h>

namespace silverwork {
namespace {

constexpr const char* kRequest = "GET /getJobList";

TEST(SenuriXml, ParsesAPageOfItemsWithEveryFieldInOrder) {
  const char* body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><header><resultCode>00</resultCode>"
      "<resultMsg>NORMAL SERVICE.</resultMsg></header><body><items>"
      "<item><jobId>K1</jobId><workPlcNm>서울 서초구</workPlcNm><jobcls/><newField>x</newField></item>"
      "<item><jobId>K2</jobId><workPlcNm></workPlcNm></item>"
      "</items><numOfRows>10</numOfRows><pageNo>1</pageNo><totalCount>18</totalCount></body>"
      "</response>";
  auto page = ParseSenuriXml(body, 200, kRequest);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->result_code, "00");
  EXPECT_EQ(page->total_count, 18);
  EXPECT_EQ(page->page_no, 1);
  EXPECT_EQ(page->num_of_rows, 10);
  ASSERT_EQ(page->items.size(), 2u);
  Fields expected{{"jobId", "K1"}, {"workPlcNm", "서울 서초구"}, {"jobcls", ""}, {"newField", "x"}};
  EXPECT_EQ(page->items[0], expected);
  // An empty element is present-but-empty; a missing one is absent.
  ASSERT_NE(FindField(page->items[1], "workPlcNm"), nullptr);
  EXPECT_EQ(FindField(page->items[1], "jobcls"), nullptr);
}

TEST(SenuriXml, SingleItemPage) {
  auto page = ParseSenuriXml(
      "<response><header><resultCode>00</resultCode></header><body><items><item><jobId>K9</jobId>"
      "</item></items><numOfRows>1</numOfRows><pageNo>7</pageNo><totalCount>7</totalCount></body>"
      "</response>",
      200, kRequest);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(*FindField(page->items[0], "jobId"), "K9");
}

TEST(SenuriXml, EmptyItemsInBothSpellings) {
  for (const char* items : {"<items/>", "<items></items>", ""}) {
    std::string body = std::string("<response><header><resultCode>00</resultCode></header><body>") +
                       items + "<numOfRows>10</numOfRows><pageNo>99</pageNo><totalCount>18"
                               "</totalCount></body></response>";
    auto page = ParseSenuriXml(body, 200, kRequest);
    ASSERT_TRUE(page.ok()) << items;
    EXPECT_TRUE(page->items.empty());
    EXPECT_EQ(page->total_count, 18);
  }
}

TEST(SenuriXml, AcceptsEverySuccessCodeSpelling) {
  for (const char* code : {"00", "000", "0000", "0", " 00 "}) {
    std::string body = std::string("<response><header><resultCode>") + code +
                       "</resultCode></header><body><items/></body></response>";
    EXPECT_TRUE(ParseSenuriXml(body, 200, kRequest).ok()) << code;
  }
}

TEST(SenuriXml, NoDataIsAnEmptyResultNotAFailure) {
  auto page = ParseSenuriXml(
      "<response><header><resultCode>03</resultCode><resultMsg>NODATA_ERROR</resultMsg></header>"
      "<body><items/></body></response>",
      200, kRequest);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  // Even without a body.
  EXPECT_TRUE(ParseSenuriXml("<response><header><resultCode>03</resultCode></header></response>",
                             200, kRequest)
                  .ok());
}

TEST(SenuriXml, DetailItemDirectlyUnderBody) {
  auto page = ParseSenuriXml(
      "<response><header><resultCode>00</resultCode></header><body><item><jobId>K1</jobId>"
      "<clltPrnnum>3</clltPrnnum></item></body></response>",
      200, kRequest);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(*FindField(page->items[0], "clltPrnnum"), "3");
}

TEST(SenuriXml, GatewayErrorEnvelopeOverHttp200) {
  auto page = ParseSenuriXml(
      "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>"
      "SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg><returnReasonCode>30</returnReasonCode>"
      "</cmmMsgHeader></OpenAPI_ServiceResponse>",
      200, kRequest);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kAuth);
  EXPECT_NE(page.status().message().find("code 30"), std::string::npos);
  EXPECT_NE(page.status().hint().find("DATA_GO_KR_SERVICE_KEY"), std::string::npos);
  EXPECT_FALSE(IsRetryable(page.status()));
}

struct CodeCase {
  const char* code;
  ErrorCode category;
  bool retryable;
};

class ResultCodes : public testing::TestWithParam<CodeCase> {};

TEST_P(ResultCodes, MapToTheRightCategory) {
  const CodeCase& expected = GetParam();
  std::string body = std::string("<response><header><resultCode>") + expected.code +
                     "</resultCode><resultMsg>X</resultMsg></header></response>";
  auto page = ParseSenuriXml(body, 200, kRequest);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), expected.category) << expected.code;
  EXPECT_EQ(IsRetryable(page.status()), expected.retryable) << expected.code;
  EXPECT_NE(page.status().message().find(kRequest), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    AllCodes, ResultCodes,
    testing::Values(CodeCase{"01", ErrorCode::kRemote, true}, CodeCase{"02", ErrorCode::kRemote, true},
                    CodeCase{"04", ErrorCode::kRemote, true}, CodeCase{"05", ErrorCode::kRemote, true},
                    CodeCase{"99", ErrorCode::kRemote, true},
                    CodeCase{"10", ErrorCode::kInvalidInput, false},
                    CodeCase{"11", ErrorCode::kInvalidInput, false},
                    CodeCase{"12", ErrorCode::kGone, false}, CodeCase{"20", ErrorCode::kAuth, false},
                    CodeCase{"21", ErrorCode::kAuth, false}, CodeCase{"22", ErrorCode::kQuotaExhausted, false},
                    CodeCase{"23", ErrorCode::kRateLimited, true}, CodeCase{"29", ErrorCode::kAuth, false},
                    CodeCase{"30", ErrorCode::kAuth, false}, CodeCase{"31", ErrorCode::kAuth, false},
                    CodeCase{"32", ErrorCode::kAuth, false}, CodeCase{"33", ErrorCode::kAuth, false},
                    CodeCase{"77", ErrorCode::kRemote, true}));

TEST(SenuriXml, EndpointGoneSaysSo) {
  auto page = ParseSenuriXml(
      "<response><header><resultCode>12</resultCode><resultMsg>NO_OPENAPI_SERVICE_ERROR"
      "</resultMsg></header></response>",
      200, kRequest);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().hint().find("retired or moved"), std::string::npos);
}

TEST(SenuriXml, SuccessCodeWithoutBodyIsAServiceErrorToRetry) {
  auto page = ParseSenuriXml(
      "<response><header><resultCode>00</resultCode><resultMsg>SERVICE ERROR</resultMsg>"
      "</header></response>",
      200, kRequest);
  ASSERT_FALSE(page.ok());
  EXPECT_TRUE(IsRetryable(page.status()));
}

TEST(SenuriXml, TruncatedOrGarbageBodiesAreCorruptAndRetryable) {
  for (const char* body : {"<response><header><resultCode>00</resultCode></header><body><items><it",
                           "", "not xml at all", "<html><body>502 Bad Gateway</body></html>"}) {
    auto page = ParseSenuriXml(body, 200, kRequest);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.status().code(), ErrorCode::kCorrupt) << body;
    EXPECT_TRUE(IsRetryable(page.status()));
  }
}

TEST(SenuriXml, HtmlErrorPagesAreExplainedByStatus) {
  auto server = ParseSenuriXml("<html>Service Unavailable</html>", 503, kRequest);
  EXPECT_EQ(server.status().code(), ErrorCode::kRemote);
  EXPECT_TRUE(IsRetryable(server.status()));
  auto forbidden = ParseSenuriXml("Forbidden", 403, kRequest);
  EXPECT_EQ(forbidden.status().code(), ErrorCode::kAuth);
  EXPECT_FALSE(IsRetryable(forbidden.status()));
}

TEST(OdcloudJson, ParsesAPageKeepingColumnOrderAndNumbersAsText) {
  auto page = ParseOdcloudJson(
      R"({"page":2,"perPage":500,"totalCount":11484,"currentCount":2,"matchCount":11484,
          "data":[{"사업번호":"2022-08032","목표일자리수":30,"계속사업시작연도":2008.0,"비고":null},
                  {"사업번호":"2022-08033","목표일자리수":"10"}]})",
      200, "GET projects");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->total_count, 11484);
  EXPECT_EQ(page->page_no, 2);
  EXPECT_EQ(page->num_of_rows, 500);
  ASSERT_EQ(page->items.size(), 2u);
  Fields expected{{"사업번호", "2022-08032"}, {"목표일자리수", "30"}, {"계속사업시작연도", "2008.0"},
                  {"비고", ""}};
  EXPECT_EQ(page->items[0], expected);
}

TEST(OdcloudJson, ResultCodeErrorShape) {
  auto page = ParseOdcloudJson(
      R"({"responseTime":"2023-04-17T10:00:00","resultCode":"10","resultMsg":"INVALID_REQUEST_PARAMETER_ERROR"})",
      200, "GET projects");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kInvalidInput);
}

TEST(OdcloudJson, OdcloudOwnErrorShape) {
  auto page = ParseOdcloudJson(R"({"code":-4,"msg":"등록되지 않은 인증키 입니다."})", 401, "GET projects");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kAuth);
}

TEST(OdcloudJson, XmlErrorFromAJsonApi) {
  auto page = ParseOdcloudJson(
      "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>"
      "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR</returnAuthMsg><returnReasonCode>22"
      "</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>",
      200, "GET projects");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kQuotaExhausted);
}

TEST(OdcloudJson, MalformedJsonIsCorrupt) {
  for (const char* body : {"{\"page\":1,\"data\":[{\"a\":", "[]", "{\"page\":1}", "{\"data\":[1]}"}) {
    auto page = ParseOdcloudJson(body, 200, "GET projects");
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_EQ(page.status().code(), ErrorCode::kCorrupt) << body;
  }
}

TEST(OdcloudJson, Http404IsNotFoundWithAHint) {
  auto page = ParseOdcloudJson("Not Found", 404, "GET projects");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(IsRetryable(page.status()));
}

}  // namespace
}  // namespace silverwork
