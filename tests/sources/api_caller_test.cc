#include <gtest/gtest.h>

#include <deque>

#include "common/log.h"
#include "scripted_http.h"
#include "sources/datagokr_client.h"

namespace silverwork {
namespace {

constexpr const char* kOkPage =
    "<response><header><resultCode>00</resultCode></header><body><items><item><jobId>K1</jobId>"
    "</item></items><numOfRows>1</numOfRows><pageNo>1</pageNo><totalCount>1</totalCount></body>"
    "</response>";

std::string CodePage(const std::string& code) {
  return "<response><header><resultCode>" + code + "</resultCode><resultMsg>X</resultMsg>"
         "</header></response>";
}

struct Harness {
  explicit Harness(std::deque<Result<HttpResponse>> script, RateBudgetOptions budget_options = {})
      : clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000))),
        key("abc+def/ghi=="),
        budget(budget_options, clock) {
    auto client = std::make_unique<ScriptedHttpClient>(std::move(script),
                                                       HttpResponse{200, "text/xml", kOkPage});
    http = client.get();
    ApiCallerOptions options;
    options.base_url = "http://127.0.0.1:9";
    options.jitter_seed = 42;
    senuri = std::make_unique<SenuriClient>(
        std::make_unique<ApiCaller>(options, key, budget, &sink, clock, std::move(client)));
  }
  FakeClock clock;
  ServiceKey key;
  RateBudget budget;
  RecordingSink sink;
  ScriptedHttpClient* http = nullptr;
  std::unique_ptr<SenuriClient> senuri;
};

HttpResponse Ok(std::string body) { return HttpResponse{200, "text/xml", std::move(body)}; }

TEST(ApiCaller, EncodesTheKeyExactlyOnceWhicheverFormIsGiven) {
  for (const char* form : {"abc+def/ghi==", "abc%2Bdef%2Fghi%3D%3D"}) {
    Harness harness({});
    ServiceKey key(form);
    EXPECT_EQ(key.ForUrl(), "abc%2Bdef%2Fghi%3D%3D") << form;
  }
  Harness harness({});
  ASSERT_TRUE(harness.senuri->ListPage(1, 10).ok());
  ASSERT_EQ(harness.http->urls.size(), 1u);
  EXPECT_EQ(harness.http->urls[0],
            "http://127.0.0.1:9/B552474/SenuriService/getJobList?pageNo=1&numOfRows=10"
            "&serviceKey=abc%2Bdef%2Fghi%3D%3D");
}

TEST(ApiCaller, LandsEveryResponseWithoutTheKey) {
  Harness harness({Ok(CodePage("01")), Ok(kOkPage)});
  ASSERT_TRUE(harness.senuri->Detail("K1").ok());
  ASSERT_EQ(harness.sink.records.size(), 2u);
  for (const auto& record : harness.sink.records) {
    EXPECT_EQ(record.find("serviceKey"), std::string::npos);
    EXPECT_EQ(record.find("abc"), std::string::npos);
    EXPECT_EQ(record.rfind("postings_detail /B552474/SenuriService/getJobInfo?id=K1", 0), 0u);
  }
}

TEST(ApiCaller, RetriesRetryableCodesWithGrowingBackoffThenSucceeds) {
  Harness harness({Ok(CodePage("01")), Ok(CodePage("05")), Ok(CodePage("99")), Ok(kOkPage)});
  auto response = harness.senuri->ListPage(1, 10);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 4);
  // Backoff with jitter in [base*2^(n-1)/2, base*2^(n-1)]: 0.25-0.5 + 0.5-1 + 1-2 s.
  auto slept = std::chrono::duration_cast<std::chrono::milliseconds>(harness.clock.Elapsed());
  EXPECT_GE(slept.count(), 1750);
  EXPECT_LE(slept.count(), 3500);
}

TEST(ApiCaller, GivesUpAfterMaxAttempts) {
  std::deque<Result<HttpResponse>> script;
  for (int index = 0; index < 10; ++index) script.push_back(Ok(CodePage("02")));
  Harness harness(std::move(script));
  auto response = harness.senuri->ListPage(1, 10);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(harness.http->urls.size(), static_cast<size_t>(RetryPolicy::kDefaultMaxAttempts));
  EXPECT_NE(response.status().message().find("gave up after 5 attempts"), std::string::npos);
  EXPECT_NE(response.status().message().find("DB_ERROR"), std::string::npos);
}

TEST(ApiCaller, KeyErrorsFailFastWithoutRetry) {
  Harness harness({Ok("<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
                      "<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>"
                      "<returnReasonCode>30</returnReasonCode></cmmMsgHeader>"
                      "</OpenAPI_ServiceResponse>")});
  auto response = harness.senuri->ListPage(1, 10);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kAuth);
  EXPECT_EQ(harness.http->urls.size(), 1u);
  EXPECT_EQ(harness.clock.Elapsed().count(), 0);
}

TEST(ApiCaller, QuotaCodeStopsAndMarksTheBudgetSpent) {
  Harness harness({Ok(CodePage("22"))});
  auto response = harness.senuri->ListPage(1, 10);
  ASSERT_FALSE(response.ok());
  EXPECT_TRUE(response.status().IsQuotaExhausted());
  // The next call is refused locally without reaching the server.
  auto again = harness.senuri->ListPage(2, 10);
  EXPECT_TRUE(again.status().IsQuotaExhausted());
  EXPECT_EQ(harness.http->urls.size(), 1u);
  // ... saying it was the service's quota (no local budget was set), so
  // whichever of the two errors a caller reports names code 22.
  EXPECT_NE(again.status().message().find("code 22"), std::string::npos)
      << again.status().message();
  EXPECT_EQ(again.status().message().find("budget of 0"), std::string::npos);
}

TEST(ApiCaller, TransportErrorsAndServerErrorsAreRetried) {
  Harness harness({Status(ErrorCode::kNetwork, "connection reset"),
                   HttpResponse{503, "text/html", "<html>busy</html>"},
                   HttpResponse{500, "text/html", "oops"}, Ok(kOkPage)});
  auto response = harness.senuri->ListPage(1, 10);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->attempts, 4);
}

TEST(ApiCaller, SuccessIsDecidedFromTheBodyNotTheStatus) {
  // An HTTP 200 carrying an error is a failure...
  Harness failing({Ok(CodePage("12"))});
  EXPECT_EQ(failing.senuri->ListPage(1, 10).status().code(), ErrorCode::kGone);
  // ...and a non-200 status with a valid success envelope is still data.
  Harness odd({HttpResponse{202, "text/xml", kOkPage}});
  EXPECT_TRUE(odd.senuri->ListPage(1, 10).ok());
}

TEST(ApiCaller, RateLimitedCallsBackOffLonger) {
  Harness harness({Ok(CodePage("23")), Ok(kOkPage)});
  ASSERT_TRUE(harness.senuri->ListPage(1, 10).ok());
  EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(harness.clock.Elapsed()).count(),
            500);
}

TEST(RateBudget, DailyQuotaPerOperation) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)));
  RateBudget budget({.calls_per_second = 0, .calls_per_day = 3}, clock);
  budget.SetUsedToday("getJobList", 1);
  EXPECT_TRUE(budget.Acquire("getJobList").ok());
  EXPECT_TRUE(budget.Acquire("getJobList").ok());
  Status spent = budget.Acquire("getJobList");
  EXPECT_TRUE(spent.IsQuotaExhausted());
  EXPECT_NE(spent.hint().find("resume"), std::string::npos);
  EXPECT_TRUE(budget.Acquire("getJobInfo").ok());
  // A new Korean day restores the quota.
  clock.Advance(std::chrono::hours(24));
  EXPECT_TRUE(budget.Acquire("getJobList").ok());
  EXPECT_EQ(budget.UsedToday("getJobList"), 1);
}

TEST(RateBudget, CallsPerSecondAreSpacedOut) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)));
  RateBudget budget({.calls_per_second = 10, .calls_per_day = 0}, clock);
  for (int call = 0; call < 40; ++call) ASSERT_TRUE(budget.Acquire("getJobInfo").ok());
  // 10 free (the bucket starts full), then 30 more at 10 per second.
  double seconds = std::chrono::duration<double>(clock.Elapsed()).count();
  EXPECT_NEAR(seconds, 3.0, 0.2);
}

TEST(ServiceKey, IsRedactedFromLogsInEveryForm) {
  ServiceKey key("Zm9v+YmFy/YmF6==");
  EXPECT_EQ(RedactSecrets("key=Zm9v+YmFy/YmF6== and Zm9v%2BYmFy%2FYmF6%3D%3D"), "key=*** and ***");
}

}  // namespace
}  // namespace silverwork

namespace silverwork {
namespace {

TEST(RateBudget, SlowDownLowersTheRateToBelowWhatWasUsed) {
  FakeClock clock(std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)));
  RateBudget budget({.calls_per_second = 0, .calls_per_day = 0}, clock);
  for (int call = 0; call < 50; ++call) ASSERT_TRUE(budget.Acquire("getJobInfo").ok());
  EXPECT_DOUBLE_EQ(budget.SlowDown(), 35.0);  // 70% of the 50 calls in this second
  EXPECT_DOUBLE_EQ(budget.calls_per_second(), 35.0);
  EXPECT_DOUBLE_EQ(budget.SlowDown(), 35.0) << "at most once a second";
  for (int step = 0; step < 20; ++step) {
    clock.Advance(std::chrono::seconds(2));
    budget.SlowDown();
  }
  EXPECT_DOUBLE_EQ(budget.calls_per_second(), 1.0) << "never below one call per second";
}

}  // namespace
}  // namespace silverwork
