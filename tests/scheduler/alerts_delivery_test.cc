// The outbox and the dispatcher against a receiver on 127.0.0.1: one message
// per event and sink (across restarts and crashes too), Slack's answer rules,
// and waiting only on the FakeClock.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alerts_test_util.h"
#include "common/log.h"
#include "http/http_client.h"
#include "http_receiver.h"
#include "scheduler/alerts_dispatcher.h"
#include "scheduler/alerts_outbox.h"
#include "scheduler/alerts_payloads.h"

namespace silverwork {
namespace {

using namespace std::chrono_literals;
using testing::LogCapture;
using testing::LoopbackReceiver;
using testing::SampleEvent;
using testing::SampleNow;
using testing::ScriptedAnswer;
using testing::TableText;
using testing::WarehouseFile;

constexpr const char* kSlackPath = "/services/T000/B000/SlackSecretToken";
constexpr const char* kWebhookPath = "/hooks/WebhookSecretToken";

ScriptedAnswer Answer(int status, std::string body, std::string retry_after = "") {
  ScriptedAnswer answer{.status = status, .body = std::move(body)};
  if (!retry_after.empty()) answer.headers.emplace_back("Retry-After", retry_after);
  return answer;
}

class AlertDeliveryTest : public ::testing::Test {
 protected:
  AlertDeliveryPolicy Policy() const {
    AlertDeliveryPolicy policy;
    policy.timeout = 5s;
    policy.max_attempts = 4;
    policy.backoff_base = 2s;
    policy.backoff_max = 60s;
    return policy;
  }
  std::unique_ptr<AlertDispatcher> Dispatcher(std::vector<AlertSink> sinks) {
    return std::make_unique<AlertDispatcher>(*warehouse_, clock_, CreateHttpClient(),
                                             std::move(sinks), Policy());
  }
  int Enqueue(std::vector<AlertSink> sinks, const AlertEvent& event, bool on_success = false) {
    AlertOutbox outbox(*warehouse_, clock_, std::move(sinks),
                       {.base_url = "http://dash.example:8080", .on_success = on_success});
    Result<int> queued = outbox.Enqueue(event);
    EXPECT_TRUE(queued.ok()) << queued.status().ToString();
    return queued.ok() ? *queued : -1;
  }
  // What the outbox row of `sink` for `event` says, as "status|attempts|outcome".
  std::string OutboxRow(const AlertEvent& event, const std::string& sink) {
    const Value params[] = {AlertEventKey(event), sink};
    auto rows = warehouse_->QueryAll(
        "SELECT status, attempts, last_outcome FROM _sw_alert_outbox WHERE event_key = ? AND "
        "sink = ?",
        params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->rows.size() != 1) return "(no row)";
    const Row& row = rows->rows[0];
    return ValueToString(row[0]) + "|" + ValueToString(row[1]) + "|" + ValueToString(row[2]);
  }
  // Restarts the "scheduler": a new connection to the same warehouse file.
  void Reconnect() {
    warehouse_.reset();
    warehouse_ = file_.Open();
  }

  FakeClock clock_{SampleNow()};
  WarehouseFile file_;
  std::unique_ptr<Warehouse> warehouse_ = file_.Open();
};

TEST_F(AlertDeliveryTest, EachEventIsSentOncePerSinkInItsSinksShape) {
  LoopbackReceiver receiver;
  std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath)),
                                  WebhookAlertSink(receiver.Url(kWebhookPath))};
  const AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  EXPECT_EQ(Enqueue(sinks, event), 2);
  EXPECT_EQ(Enqueue(sinks, event), 0) << "the same event again is a no-op";
  auto dispatcher = Dispatcher(sinks);
  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());
  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());

  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  const AlertMessage message = PrepareAlert(event, "http://dash.example:8080");
  EXPECT_EQ(requests[0].path, kSlackPath);
  EXPECT_EQ(requests[0].body, RenderSlackPayload(message));
  EXPECT_EQ(requests[0].content_type, "application/json; charset=utf-8");
  EXPECT_EQ(requests[1].path, kWebhookPath);
  EXPECT_EQ(requests[1].body, RenderWebhookPayload(message));
  EXPECT_EQ(dispatcher->Counts("slack").delivered, 1);
  EXPECT_EQ(dispatcher->Counts("webhook").delivered, 1);
  EXPECT_EQ(OutboxRow(event, "slack"), "delivered|1|HTTP 200 ok");
  EXPECT_EQ(clock_.Elapsed(), 0s);
}

TEST_F(AlertDeliveryTest, AReportedAgainEventIsNotResentAfterARestart) {
  LoopbackReceiver receiver;
  std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath))};
  const AlertEvent first = SampleEvent(AlertKind::kTaskFailed);
  const AlertEvent second = SampleEvent(AlertKind::kRunFailed);
  EXPECT_EQ(Enqueue(sinks, first), 1);
  ASSERT_TRUE(Dispatcher(sinks)->DeliverUntilSettled().ok());

  Reconnect();  // the scheduler restarts and reports what it finds again
  EXPECT_EQ(Enqueue(sinks, first), 0);
  EXPECT_EQ(Enqueue(sinks, second), 1);
  auto dispatcher = Dispatcher(sinks);
  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());

  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].body.find("Task failed"), std::string::npos);
  EXPECT_NE(requests[1].body.find("Run failed"), std::string::npos);
}

TEST_F(AlertDeliveryTest, AnAlertQueuedBeforeACrashIsSentAfterIt) {
  LoopbackReceiver receiver;
  std::vector<AlertSink> sinks = {WebhookAlertSink(receiver.Url(kWebhookPath))};
  const AlertEvent event = SampleEvent(AlertKind::kDeadlineMissed);
  EXPECT_EQ(Enqueue(sinks, event), 1);
  Reconnect();  // gone before any dispatcher ran
  ASSERT_TRUE(Dispatcher(sinks)->DeliverUntilSettled().ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body,
            RenderWebhookPayload(PrepareAlert(event, "http://dash.example:8080")));
}

TEST_F(AlertDeliveryTest, AnAlertCommitsWithTheCallersTransaction) {
  LoopbackReceiver receiver;
  std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath))};
  ASSERT_TRUE(warehouse_->Begin().ok());
  EXPECT_EQ(Enqueue(sinks, SampleEvent(AlertKind::kRunFailed)), 1);
  EXPECT_TRUE(warehouse_->InTransaction()) << "the caller's transaction stays open";
  ASSERT_TRUE(warehouse_->Rollback().ok());
  ASSERT_TRUE(Dispatcher(sinks)->DeliverUntilSettled().ok());
  EXPECT_TRUE(receiver.requests().empty()) << "rolled back with the state it reported";

  ASSERT_TRUE(warehouse_->Begin().ok());
  EXPECT_EQ(Enqueue(sinks, SampleEvent(AlertKind::kRunFailed)), 1);
  ASSERT_TRUE(warehouse_->Commit().ok());
  ASSERT_TRUE(Dispatcher(sinks)->DeliverUntilSettled().ok());
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(AlertDeliveryTest, SuccessesAreSentOnlyWhenAskedAndRecoveriesAlways) {
  LoopbackReceiver receiver;
  std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath))};
  EXPECT_EQ(Enqueue(sinks, SampleEvent(AlertKind::kSucceeded)), 0);
  EXPECT_EQ(Enqueue(sinks, SampleEvent(AlertKind::kRecovered)), 1);
  EXPECT_EQ(Enqueue(sinks, SampleEvent(AlertKind::kSucceeded), /*on_success=*/true), 1);
  EXPECT_EQ(Enqueue({}, SampleEvent(AlertKind::kRunFailed)), 0) << "no sink configured";
  ASSERT_TRUE(Dispatcher(sinks)->DeliverUntilSettled().ok());
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].body.find("Recovered"), std::string::npos);
  EXPECT_NE(requests[1].body.find("Succeeded"), std::string::npos);
}

TEST_F(AlertDeliveryTest, AnIncompleteEventIsRefused) {
  AlertOutbox outbox(*warehouse_, clock_, {SlackAlertSink("https://hooks.slack.com/x")});
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  event.task.clear();
  EXPECT_EQ(outbox.Enqueue(event).status().code(), ErrorCode::kInvalidInput);
}

TEST_F(AlertDeliveryTest, A429WaitsRetryAfterOnTheClockAndHoldsTheWholeSink) {
  LoopbackReceiver receiver(
      LoopbackReceiver::Sequence({Answer(429, "rate_limited", "7"), Answer(200, "ok")}));
  std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath))};
  const AlertEvent first = SampleEvent(AlertKind::kTaskFailed);
  const AlertEvent second = SampleEvent(AlertKind::kRunFailed);
  Enqueue(sinks, first);
  Enqueue(sinks, second);
  LogCapture logs;
  auto dispatcher = Dispatcher(sinks);

  auto pass = dispatcher->DeliverDue();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(receiver.requests().size(), 1u) << "the second alert waits with the first";
  EXPECT_EQ(pass->counts.rate_limited, 1);
  EXPECT_EQ(pass->counts.retried, 1);
  ASSERT_TRUE(pass->next_due.has_value());
  EXPECT_EQ(*pass->next_due, SampleNow() + 7s);
  ASSERT_TRUE(dispatcher->DeliverDue().ok());
  EXPECT_EQ(receiver.requests().size(), 1u) << "nothing is due before Retry-After has passed";

  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());
  EXPECT_EQ(clock_.Elapsed(), 7s);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, requests[1].body) << "the rate-limited alert goes first";
  EXPECT_EQ(OutboxRow(first, "slack"), "delivered|2|HTTP 200 ok");
  EXPECT_EQ(OutboxRow(second, "slack"), "delivered|1|HTTP 200 ok");
  EXPECT_EQ(dispatcher->Counts("slack").delivered, 2);
  EXPECT_EQ(dispatcher->Counts("slack").rate_limited, 1);
  EXPECT_NE(logs.text().find("HTTP 429 rate_limited; sending to it again in 7s"), std::string::npos)
      << logs.text();
}

TEST_F(AlertDeliveryTest, ServerErrorsAreRetriedWithBackoffThenGivenUp) {
  LoopbackReceiver receiver(LoopbackReceiver::Sequence({Answer(503, "service unavailable")}));
  std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath))};
  const AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  Enqueue(sinks, event);
  LogCapture logs;
  auto dispatcher = Dispatcher(sinks);
  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok()) << "an undeliverable alert is no error";

  EXPECT_EQ(receiver.requests().size(), 4u);
  EXPECT_EQ(clock_.Elapsed(), 2s + 4s + 8s);
  AlertDeliveryCounts counts = dispatcher->Counts("slack");
  EXPECT_EQ(counts.retried, 3);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(counts.delivered, 0);
  EXPECT_EQ(OutboxRow(event, "slack"), "failed|4|HTTP 503 service unavailable (after 4 tries)");
  EXPECT_NE(logs.text().find("not delivered: HTTP 503 service unavailable (after 4 tries); "
                             "to fix: check that 127.0.0.1:"),
            std::string::npos)
      << logs.text();
}

TEST_F(AlertDeliveryTest, AServerThatComesBackGetsTheAlert) {
  LoopbackReceiver receiver(LoopbackReceiver::Sequence(
      {Answer(500, "boom"), Answer(502, "bad gateway"), Answer(200, "ok")}));
  std::vector<AlertSink> sinks = {WebhookAlertSink(receiver.Url(kWebhookPath))};
  const AlertEvent event = SampleEvent(AlertKind::kLongDeferral);
  Enqueue(sinks, event);
  auto dispatcher = Dispatcher(sinks);
  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_EQ(clock_.Elapsed(), 2s + 4s);
  EXPECT_EQ(OutboxRow(event, "webhook"), "delivered|3|HTTP 200 ok");
  EXPECT_EQ(dispatcher->Counts("webhook").retried, 2);
}

TEST_F(AlertDeliveryTest, RejectionsAreNotRetriedAndSayWhatToFix) {
  struct Case {
    int status;
    const char* body;
    const char* hint;
  };
  const Case cases[] = {
      {400, "invalid_payload", "a bug in silverwork"},
      {403, "invalid_token",
       "create a new webhook and put its URL in SILVERWORK_SLACK_WEBHOOK_URL"},
      {404, "no_service", "create a new webhook and put its URL in SILVERWORK_SLACK_WEBHOOK_URL"},
      {410, "channel_is_archived", "its channel is gone or archived"},
  };
  for (const Case& test : cases) {
    LoopbackReceiver receiver(LoopbackReceiver::Sequence({Answer(test.status, test.body)}));
    std::vector<AlertSink> sinks = {SlackAlertSink(receiver.Url(kSlackPath))};
    AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
    event.run_id += std::to_string(test.status);  // a new event for each case
    Enqueue(sinks, event);
    LogCapture logs;
    auto dispatcher = Dispatcher(sinks);
    ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());
    EXPECT_EQ(receiver.requests().size(), 1u) << test.status;
    EXPECT_EQ(dispatcher->Counts("slack").failed, 1);
    EXPECT_EQ(dispatcher->Counts("slack").retried, 0);
    EXPECT_EQ(OutboxRow(event, "slack"),
              "failed|1|HTTP " + std::to_string(test.status) + " " + test.body);
    EXPECT_NE(logs.text().find(test.hint), std::string::npos) << logs.text();
  }
  EXPECT_EQ(clock_.Elapsed(), 0s);
}

TEST_F(AlertDeliveryTest, ARefusedConnectionIsRetriedThenGivenUp) {
  const int port = testing::UnusedLoopbackPort();
  std::vector<AlertSink> sinks = {
      SlackAlertSink("http://127.0.0.1:" + std::to_string(port) + kSlackPath)};
  const AlertEvent event = SampleEvent(AlertKind::kRunFailed);
  Enqueue(sinks, event);
  auto dispatcher = Dispatcher(sinks);
  ASSERT_TRUE(dispatcher->DeliverUntilSettled().ok());
  EXPECT_EQ(clock_.Elapsed(), 2s + 4s + 8s);
  EXPECT_EQ(dispatcher->Counts("slack").failed, 1);
  EXPECT_EQ(dispatcher->Counts("slack").retried, 3);
  EXPECT_TRUE(
      OutboxRow(event, "slack")
          .starts_with("failed|4|network: POST 127.0.0.1:" + std::to_string(port) + "/… failed: "))
      << OutboxRow(event, "slack");
}

TEST_F(AlertDeliveryTest, AlertsForASinkNoLongerConfiguredWaitForIt) {
  LoopbackReceiver receiver;
  AlertSink slack = SlackAlertSink(receiver.Url(kSlackPath));
  AlertSink webhook = WebhookAlertSink(receiver.Url(kWebhookPath));
  const AlertEvent event = SampleEvent(AlertKind::kRunFailed);
  EXPECT_EQ(Enqueue({slack, webhook}, event), 2);
  {
    LogCapture logs;
    ASSERT_TRUE(Dispatcher({webhook})->DeliverUntilSettled().ok());
    EXPECT_NE(logs.text().find("1 alert(s) wait for the slack sink"), std::string::npos)
        << logs.text();
  }
  EXPECT_EQ(OutboxRow(event, "slack"), "pending|0|");
  ASSERT_TRUE(Dispatcher({slack})->DeliverUntilSettled().ok());
  EXPECT_EQ(OutboxRow(event, "slack"), "delivered|1|HTTP 200 ok");
  EXPECT_EQ(receiver.requests().size(), 2u);
}

// The webhook URLs and the service key never reach a log line, a payload, an
// error message or the outbox, whatever the receiver answers.
TEST_F(AlertDeliveryTest, SecretsAppearNowhere) {
  const std::string service_key = "ServiceKey+abc/123==";
  RegisterSecret(service_key);  // as the data.go.kr client does
  // A receiver that echoes the path it was asked for, secret and all.
  LoopbackReceiver receiver([](const testing::ReceivedRequest& request, size_t index) {
    if (index == 0) return Answer(200, "ok");
    if (index == 1) return Answer(404, "no_service for " + request.path);
    return Answer(500, "error at " + request.path);
  });
  const int refused_port = testing::UnusedLoopbackPort();
  const std::vector<std::string> urls = {
      receiver.Url(kSlackPath), receiver.Url(kWebhookPath),
      "http://127.0.0.1:" + std::to_string(refused_port) + kSlackPath};
  std::vector<AlertSink> sinks = {SlackAlertSink(urls[0]), WebhookAlertSink(urls[1])};
  std::vector<AlertSink> refused = {SlackAlertSink(urls[2])};

  LogCapture logs;
  std::string seen;
  for (AlertKind kind : testing::AllAlertKinds()) {
    AlertEvent event = SampleEvent(kind);
    event.error =
        Status(ErrorCode::kAuth, "the key " + service_key + " was refused", "check " + service_key);
    Enqueue(sinks, event, /*on_success=*/true);
    Enqueue(refused, event, /*on_success=*/true);
  }
  auto dispatcher = Dispatcher(sinks);
  Status delivered = dispatcher->DeliverUntilSettled();
  seen += delivered.ToString();
  Status refused_delivery = Dispatcher(refused)->DeliverUntilSettled();
  seen += refused_delivery.ToString();
  ASSERT_TRUE(delivered.ok() && refused_delivery.ok()) << seen;
  EXPECT_GT(dispatcher->Counts("slack").failed + dispatcher->Counts("webhook").failed, 0);

  seen += logs.text();
  for (const auto& request : receiver.requests()) seen += request.body;
  seen += TableText(*warehouse_, "_sw_alert_outbox");
  ASSERT_NE(seen.find("\"kind\":\"task_failed\""), std::string::npos) << "payloads were seen";
  ASSERT_NE(seen.find("not delivered"), std::string::npos) << "failures were logged";
  for (const std::string& secret : {urls[0], urls[1], urls[2], std::string("SlackSecretToken"),
                                    std::string("WebhookSecretToken"), service_key}) {
    EXPECT_EQ(seen.find(secret), std::string::npos) << secret << " leaked:\n" << seen;
  }
}

}  // namespace
}  // namespace silverwork
