// The Slack message and the generic webhook payload of every event kind.
#include "scheduler/alerts_payloads.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "alerts_test_util.h"

namespace silverwork {
namespace {

using nlohmann::json;
using testing::AllAlertKinds;
using testing::SampleEvent;

constexpr const char* kBaseUrl = "https://dash.example";

json Slack(const AlertEvent& event) {
  return json::parse(RenderSlackPayload(PrepareAlert(event, kBaseUrl)));
}
json Webhook(const AlertEvent& event) {
  return json::parse(RenderWebhookPayload(PrepareAlert(event, kBaseUrl)));
}

// The "*label*\nvalue" texts of the fields block.
std::vector<std::string> FieldTexts(const json& slack) {
  std::vector<std::string> texts;
  for (const json& field : slack.at("blocks").at(1).at("fields")) {
    EXPECT_EQ(field.at("type"), "mrkdwn");
    texts.push_back(field.at("text"));
  }
  return texts;
}

bool HasField(const json& slack, const std::string& text) {
  auto texts = FieldTexts(slack);
  return std::find(texts.begin(), texts.end(), text) != texts.end();
}

std::string ContextText(const json& slack) {
  const json& context = slack.at("blocks").back();
  EXPECT_EQ(context.at("type"), "context");
  std::string text;
  for (const json& element : context.at("elements"))
    text += element.at("text").get<std::string>() + "\n";
  return text;
}

TEST(SlackPayloadTest, EveryKindHasTextAndTheSameBlockLayout) {
  for (AlertKind kind : AllAlertKinds()) {
    const AlertEvent event = SampleEvent(kind);
    json slack = Slack(event);
    const std::string title(AlertTitle(kind));
    EXPECT_NE(slack.at("text").get<std::string>().find(title), std::string::npos) << title;
    const json& blocks = slack.at("blocks");
    ASSERT_EQ(blocks.size(), event.error.ok() ? 3u : 4u) << title;
    EXPECT_EQ(blocks[0].at("type"), "section");
    EXPECT_EQ(blocks[0].at("text").at("type"), "mrkdwn");
    EXPECT_NE(blocks[0].at("text").at("text").get<std::string>().find("*" + title + "*"),
              std::string::npos);
    EXPECT_EQ(blocks[1].at("type"), "section");
    EXPECT_LE(blocks[1].at("fields").size(), 10u) << "Block Kit allows 10 fields";
    EXPECT_TRUE(HasField(slack, "*파이프라인 Pipeline*\npostings_daily")) << title;
    EXPECT_TRUE(HasField(slack, "*논리 날짜 Logical date*\n2024-05-01")) << title;
    EXPECT_EQ(blocks.back().at("type"), "context");
    EXPECT_NE(ContextText(slack).find("silverwork · 2024-05-02T09:05:00+09:00"), std::string::npos);
  }
}

TEST(SlackPayloadTest, ATaskFailureSaysTaskTryDurationErrorHintAndLinksTheLog) {
  json slack = Slack(SampleEvent(AlertKind::kTaskFailed));
  EXPECT_TRUE(HasField(slack, "*작업 Task*\ncollect_postings"));
  EXPECT_TRUE(HasField(slack, "*시도 Try*\n3 / 3"));
  EXPECT_TRUE(HasField(slack, "*소요 시간 Duration*\n1m 05s"));
  EXPECT_TRUE(HasField(slack, "*실행 Run*\n20240502T000000.123Z-ab12"));
  const std::string error = slack.at("blocks").at(2).at("text").at("text");
  EXPECT_EQ(
      error,
      "*오류 Error* (network)\nGET apis.data.go.kr/… failed: Timeout was reached\n"
      "*조치 To fix* the service did not answer in time; it is retried, or raise the timeout");
  EXPECT_NE(ContextText(slack).find("<https://dash.example/api/v1/runs/20240502T000000.123Z-ab12/"
                                    "tasks/collect_postings/logs/3|로그 보기 · View log>"),
            std::string::npos)
      << ContextText(slack);
}

TEST(SlackPayloadTest, EachKindShowsWhatIsParticularToIt) {
  json deadline = Slack(SampleEvent(AlertKind::kDeadlineMissed));
  EXPECT_TRUE(HasField(deadline, "*마감 Deadline*\n2024-05-02T07:05:00+09:00"));
  EXPECT_EQ(ContextText(deadline).find('<'), std::string::npos) << "no run, so no link";

  json deferral = Slack(SampleEvent(AlertKind::kLongDeferral));
  EXPECT_TRUE(HasField(deferral, "*연기 시작 Deferred since*\n2024-05-01T07:05:00+09:00"));
  EXPECT_NE(deferral.at("blocks").at(2).at("text").at("text").get<std::string>().find(
                "(quota exhausted)"),
            std::string::npos);

  json recovered = Slack(SampleEvent(AlertKind::kRecovered));
  EXPECT_TRUE(HasField(recovered, "*이전 실패 Failed runs before*\n2"));
  EXPECT_NE(
      ContextText(recovered).find(
          "<https://dash.example/api/v1/runs/20240502T000000.123Z-ab12|실행 보기 · View run>"),
      std::string::npos);

  json succeeded = Slack(SampleEvent(AlertKind::kSucceeded));
  EXPECT_TRUE(HasField(succeeded, "*소요 시간 Duration*\n3m 00s"));
  EXPECT_FALSE(HasField(succeeded, "*작업 Task*\ncollect_postings"));
}

TEST(SlackPayloadTest, UserTextIsEscapedForMrkdwn) {
  EXPECT_EQ(EscapeSlackMrkdwn("a & b <c> d"), "a &amp; b &lt;c&gt; d");
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  event.pipeline = "p&<q>";
  event.task = "t<@U123>";
  event.error = Status(ErrorCode::kRemote, "<!channel> answered <html> & left", "fix <this>");
  const std::string payload = RenderSlackPayload(PrepareAlert(event, kBaseUrl));
  for (const char* raw : {"p&<q>", "<@U123>", "<!channel>", "<html>", "<this>"})
    EXPECT_EQ(payload.find(raw), std::string::npos) << raw;
  json slack = json::parse(payload);
  EXPECT_TRUE(HasField(slack, "*파이프라인 Pipeline*\np&amp;&lt;q&gt;"));
  EXPECT_NE(
      slack.at("text").get<std::string>().find("&lt;!channel&gt; answered &lt;html&gt; &amp;"),
      std::string::npos);
  EXPECT_NE(
      slack.at("blocks").at(2).at("text").at("text").get<std::string>().find("fix &lt;this&gt;"),
      std::string::npos);
}

TEST(SlackPayloadTest, AHugeOrBrokenErrorStillMakesASmallValidMessage) {
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  std::string huge;
  for (int line = 0; line < 5000; ++line) huge += "오류 <&> line " + std::to_string(line) + "\n";
  huge += "\xff\xfe broken utf-8";
  event.error = Status(ErrorCode::kRemote, huge, huge);
  const std::string payload = RenderSlackPayload(PrepareAlert(event, kBaseUrl));
  EXPECT_LT(payload.size(), 6000u) << "long text stays behind the link";
  json slack = json::parse(payload);  // throws on invalid JSON or UTF-8
  const std::string error = slack.at("blocks").at(2).at("text").at("text");
  EXPECT_LE(error.size(), 3000u) << "Slack's limit for a section";
  EXPECT_NE(error.find("…"), std::string::npos);
  // No entity cut in half at the end of the shortened text.
  const std::string message_part = error.substr(0, error.find("\n*조치"));
  const size_t amp = message_part.rfind('&');
  EXPECT_NE(message_part.find(';', amp), std::string::npos) << message_part.substr(amp);

  const std::string webhook = RenderWebhookPayload(PrepareAlert(event, kBaseUrl));
  EXPECT_LT(webhook.size(), 16000u);
  EXPECT_TRUE(json::accept(webhook));
}

TEST(WebhookPayloadTest, VersionedFieldsForEveryKind) {
  for (AlertKind kind : AllAlertKinds()) {
    const AlertEvent event = SampleEvent(kind);
    json payload = Webhook(event);
    EXPECT_EQ(payload.at("version"), kAlertWebhookPayloadVersion);
    EXPECT_EQ(payload.at("source"), "silverwork");
    EXPECT_EQ(payload.at("id"), AlertEventKey(event));
    EXPECT_EQ(payload.at("kind"), AlertKindName(kind));
    EXPECT_EQ(payload.at("title"), AlertTitle(kind));
    EXPECT_EQ(payload.at("occurred_at"), "2024-05-02T00:05:00Z");
    EXPECT_EQ(payload.at("pipeline"), "postings_daily");
    EXPECT_EQ(payload.at("logical_dates"), json({{"first", "2024-05-01"}, {"last", "2024-05-01"}}));
    for (const char* field :
         {"run_id", "task", "try", "max_tries", "duration_ms", "error", "log_url", "deadline",
          "deferred_since", "failures_before", "summary"}) {
      EXPECT_TRUE(payload.contains(field)) << field << " is always present, null when unknown";
    }
    EXPECT_EQ(payload.at("error").is_null(), event.error.ok());
  }
}

TEST(WebhookPayloadTest, ATaskFailureCarriesRawTextAndTheLink) {
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  event.error = Status(ErrorCode::kRemote, "answer <html> & more", "retry later");
  json payload = Webhook(event);
  EXPECT_EQ(payload.at("run_id"), "20240502T000000.123Z-ab12");
  EXPECT_EQ(payload.at("task"), "collect_postings");
  EXPECT_EQ(payload.at("try"), 3);
  EXPECT_EQ(payload.at("max_tries"), 3);
  EXPECT_EQ(payload.at("duration_ms"), 65000);
  EXPECT_EQ(payload.at("error"), json({{"category", "remote_service"},
                                       {"message", "answer <html> & more"},
                                       {"hint", "retry later"}}));
  EXPECT_EQ(payload.at("log_url"),
            "https://dash.example/api/v1/runs/20240502T000000.123Z-ab12/"
            "tasks/collect_postings/logs/3");
  EXPECT_TRUE(payload.at("deadline").is_null());
}

TEST(WebhookPayloadTest, KindSpecificFields) {
  json deadline = Webhook(SampleEvent(AlertKind::kDeadlineMissed));
  EXPECT_EQ(deadline.at("deadline"), "2024-05-01T22:05:00Z");
  EXPECT_TRUE(deadline.at("run_id").is_null());
  EXPECT_TRUE(deadline.at("log_url").is_null());
  json deferral = Webhook(SampleEvent(AlertKind::kLongDeferral));
  EXPECT_EQ(deferral.at("deferred_since"), "2024-04-30T22:05:00Z");
  EXPECT_TRUE(deferral.at("try").is_null());
  json recovered = Webhook(SampleEvent(AlertKind::kRecovered));
  EXPECT_EQ(recovered.at("failures_before"), 2);
  EXPECT_EQ(recovered.at("log_url"), "https://dash.example/api/v1/runs/20240502T000000.123Z-ab12");
  EXPECT_TRUE(Webhook(SampleEvent(AlertKind::kSucceeded)).at("failures_before").is_null());
}

}  // namespace
}  // namespace silverwork
