// Sinks from the config, URLs for logs, Slack's answer rules and the
// delivery policy's waits.
#include "scheduler/alerts_sinks.h"

#include <gtest/gtest.h>

#include <string>

#include "common/log.h"
#include "scheduler/alerts_dispatcher.h"

namespace silverwork {
namespace {

using namespace std::chrono_literals;

const AlertSink& TestSink() {
  static const AlertSink sink = SlackAlertSink("https://hooks.slack.com/services/T1/B2/Secret3");
  return sink;
}

HttpResponse SinkResponse(int status, std::string body,
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

TEST(AlertSinksTest, UrlsForLogsKeepOnlyTheHost) {
  EXPECT_EQ(UrlForLogs("https://hooks.slack.com/services/T1/B2/Secret3"), "hooks.slack.com/…");
  EXPECT_EQ(UrlForLogs("https://user:pw@alerts.example:8443/p/secret?token=x"),
            "alerts.example:8443/…");
  EXPECT_EQ(UrlForLogs("http://127.0.0.1:9/x"), "127.0.0.1:9/…");
  EXPECT_EQ(UrlForLogs("https://"), "(webhook)/…");
}

TEST(AlertSinksTest, TheConfigNamesTheSinksAndTheirUrlsBecomeSecrets) {
  AlertsConfig alerts;
  EXPECT_TRUE(AlertSinksFromConfig(alerts).empty());
  alerts.webhook_url = "https://alerts.example/in/Hook-Secret-55";
  auto sinks = AlertSinksFromConfig(alerts);
  ASSERT_EQ(sinks.size(), 1u);
  EXPECT_EQ(sinks[0].name, "webhook");
  alerts.slack_webhook_url = "https://hooks.slack.com/services/T1/B2/Slack-Secret-66";
  sinks = AlertSinksFromConfig(alerts);
  ASSERT_EQ(sinks.size(), 2u);
  EXPECT_EQ(sinks[0].name, "slack");
  EXPECT_EQ(sinks[0].url_for_logs, "hooks.slack.com/…");
  EXPECT_NE(sinks[0].configured_by.find("SILVERWORK_SLACK_WEBHOOK_URL"), std::string::npos);
  EXPECT_NE(sinks[1].configured_by.find("SILVERWORK_ALERT_WEBHOOK_URL"), std::string::npos);
  EXPECT_EQ(RedactSecrets("posting to " + alerts.slack_webhook_url), "posting to ***");
  EXPECT_EQ(RedactSecrets(alerts.webhook_url), "***");
}

TEST(AlertSinksTest, TwoHundredsAreDelivered) {
  for (int status : {200, 201, 204}) {
    DeliveryOutcome outcome = ClassifyDelivery(SinkResponse(status, "ok"), TestSink());
    EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << status;
  }
  EXPECT_EQ(ClassifyDelivery(SinkResponse(200, "ok"), TestSink()).what, "HTTP 200 ok");
}

TEST(AlertSinksTest, A429CarriesItsRetryAfterInSeconds) {
  DeliveryOutcome outcome =
      ClassifyDelivery(SinkResponse(429, "rate_limited", {{"retry-after", "30"}}), TestSink());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRateLimited);
  EXPECT_EQ(outcome.retry_after, 30s);
  for (const char* unusable : {"Wed, 21 Oct 2015 07:28:00 GMT", "", "-1", "9999999999"}) {
    outcome = ClassifyDelivery(SinkResponse(429, "", {{"retry-after", unusable}}), TestSink());
    EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRateLimited);
    EXPECT_FALSE(outcome.retry_after.has_value()) << unusable;
  }
  EXPECT_FALSE(ClassifyDelivery(SinkResponse(429, ""), TestSink()).retry_after.has_value());
}

TEST(AlertSinksTest, ServerErrorsTimeoutsAndTransportFailuresAreRetried) {
  for (int status : {500, 502, 503, 504, 408}) {
    EXPECT_EQ(ClassifyDelivery(SinkResponse(status, "x"), TestSink()).verdict,
              DeliveryVerdict::kRetry)
        << status;
  }
  Result<HttpResponse> timed_out =
      Status(ErrorCode::kNetwork, "POST hooks.slack.com/… failed: Timeout was reached", "raise it");
  DeliveryOutcome outcome = ClassifyDelivery(timed_out, TestSink());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetry);
  EXPECT_EQ(outcome.what, "network: POST hooks.slack.com/… failed: Timeout was reached");
}

TEST(AlertSinksTest, EverythingElseIsRejectedWithWhatToFix) {
  struct Case {
    int status;
    const char* hint;
  };
  const Case cases[] = {{400, "a bug in silverwork"},
                        {401, "create a new webhook"},
                        {403, "create a new webhook"},
                        {404, "create a new webhook"},
                        {410, "channel is gone or archived"},
                        {302, "the webhook URL redirects"},
                        {418, "check that SILVERWORK_SLACK_WEBHOOK_URL"}};
  for (const Case& test : cases) {
    DeliveryOutcome outcome = ClassifyDelivery(SinkResponse(test.status, "why"), TestSink());
    EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRejected) << test.status;
    EXPECT_NE(outcome.hint.find(test.hint), std::string::npos) << outcome.hint;
    EXPECT_EQ(outcome.what, "HTTP " + std::to_string(test.status) + " why");
  }
}

TEST(AlertSinksTest, AnswerTextIsOneShortLineWithoutTheUrl) {
  std::string body = "line one\r\nline two\t" + TestSink().url + " and /services/T1/B2/Secret3 " +
                     std::string(500, 'x');
  DeliveryOutcome outcome = ClassifyDelivery(SinkResponse(400, body), TestSink());
  EXPECT_EQ(outcome.what.find('\n'), std::string::npos);
  EXPECT_EQ(outcome.what.find("Secret3"), std::string::npos) << outcome.what;
  EXPECT_TRUE(outcome.what.starts_with("HTTP 400 line one  line two hooks.slack.com/… and /… xxx"))
      << outcome.what;
  EXPECT_LE(outcome.what.size(), 130u);
}

TEST(AlertDeliveryPolicyTest, BackoffDoublesUpToItsCapAndRetryAfterIsBounded) {
  AlertDeliveryPolicy policy;
  policy.backoff_base = 2s;
  policy.backoff_max = 10s;
  policy.max_retry_after = 60s;
  EXPECT_EQ(policy.BackoffAfter(1), 2s);
  EXPECT_EQ(policy.BackoffAfter(2), 4s);
  EXPECT_EQ(policy.BackoffAfter(3), 8s);
  EXPECT_EQ(policy.BackoffAfter(4), 10s);
  EXPECT_EQ(policy.BackoffAfter(1000), 10s);
  EXPECT_EQ(policy.RateLimitWait(30s, 1), 30s);
  EXPECT_EQ(policy.RateLimitWait(0s, 1), 1s) << "never a busy loop";
  EXPECT_EQ(policy.RateLimitWait(86400s, 1), 60s);
  EXPECT_EQ(policy.RateLimitWait(std::nullopt, 2), 4s) << "no Retry-After: the backoff";

  AlertsConfig alerts;
  alerts.timeout_ms = 1500;
  alerts.max_attempts = 3;
  alerts.backoff_base_ms = 250;
  alerts.backoff_max_ms = 1000;
  AlertDeliveryPolicy configured = AlertDeliveryPolicy::FromConfig(alerts);
  EXPECT_EQ(configured.timeout, 1500ms);
  EXPECT_EQ(configured.max_attempts, 3);
  EXPECT_EQ(configured.BackoffAfter(2), 500ms);
  EXPECT_EQ(configured.BackoffAfter(5), 1000ms);
}

}  // namespace
}  // namespace silverwork
