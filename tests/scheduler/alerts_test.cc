// Alert events: validation, stable keys, log links and the shared wording.
#include "scheduler/alerts.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "alerts_test_util.h"
#include "common/log.h"

namespace silverwork {
namespace {

using testing::AllAlertKinds;
using testing::SampleEvent;
using namespace std::chrono_literals;

TEST(AlertEventTest, EverySampleEventIsCompleteAndEachKindHasItsOwnKey) {
  std::set<std::string> keys;
  for (AlertKind kind : AllAlertKinds()) {
    AlertEvent event = SampleEvent(kind);
    EXPECT_TRUE(ValidateAlertEvent(event).ok()) << ValidateAlertEvent(event).ToString();
    EXPECT_TRUE(AlertEventKey(event).starts_with(std::string(AlertKindName(kind)) + "/"));
    keys.insert(AlertEventKey(event));
  }
  EXPECT_EQ(keys.size(), AllAlertKinds().size());
}

TEST(AlertEventTest, AnEventLackingWhatItsKindNeedsIsRefusedByName) {
  struct Case {
    AlertKind kind;
    void (*spoil)(AlertEvent&);
    const char* named;
  };
  const Case cases[] = {
      {AlertKind::kTaskFailed, [](AlertEvent& e) { e.pipeline.clear(); }, "pipeline"},
      {AlertKind::kTaskFailed, [](AlertEvent& e) { e.task.clear(); }, "task"},
      {AlertKind::kTaskFailed, [](AlertEvent& e) { e.try_number = 0; }, "try number"},
      {AlertKind::kTaskFailed, [](AlertEvent& e) { e.error = Status(); }, "error"},
      {AlertKind::kRunFailed, [](AlertEvent& e) { e.run_id.clear(); }, "run id"},
      {AlertKind::kDeadlineMissed, [](AlertEvent& e) { e.deadline.reset(); }, "deadline"},
      {AlertKind::kLongDeferral, [](AlertEvent& e) { e.deferred_since.reset(); }, "deferred_since"},
      {AlertKind::kSucceeded, [](AlertEvent& e) { e.occurred_at = {}; }, "occurred_at"},
      {AlertKind::kRecovered, [](AlertEvent& e) { e.dates.last = e.dates.first.AddDays(-1); },
       "first <= last"},
  };
  for (const Case& test : cases) {
    AlertEvent event = SampleEvent(test.kind);
    test.spoil(event);
    Status status = ValidateAlertEvent(event);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidInput) << test.named;
    EXPECT_NE(status.message().find(test.named), std::string::npos) << status.message();
    EXPECT_FALSE(status.hint().empty());
  }
}

TEST(AlertEventTest, TheKeyIgnoresWhenAndHowTheEventWasReported) {
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  AlertEvent reported_again = event;
  reported_again.occurred_at += 10min;
  reported_again.error = Status(ErrorCode::kNetwork, "another wording");
  reported_again.duration = 1s;
  EXPECT_EQ(AlertEventKey(event), AlertEventKey(reported_again));

  AlertEvent next_try = event;
  next_try.try_number = 4;
  EXPECT_NE(AlertEventKey(event), AlertEventKey(next_try));
  AlertEvent other_task = event;
  other_task.task = "build";
  EXPECT_NE(AlertEventKey(event), AlertEventKey(other_task));
}

TEST(AlertEventTest, ASlashInANameCannotMakeTwoEventsShareAKey) {
  AlertEvent first = SampleEvent(AlertKind::kRunFailed);
  first.pipeline = "a/b";
  first.run_id = "c";
  AlertEvent second = SampleEvent(AlertKind::kRunFailed);
  second.pipeline = "a";
  second.run_id = "b/c";
  EXPECT_NE(AlertEventKey(first), AlertEventKey(second));
}

TEST(AlertEventTest, ADeadlineIsKeyedByItsIntervalAndADeferralByItsStart) {
  AlertEvent deadline = SampleEvent(AlertKind::kDeadlineMissed);
  EXPECT_EQ(AlertEventKey(deadline), "deadline_missed/postings_daily/2024-05-01/2024-05-01");
  EXPECT_EQ(AlertEventKey(SampleEvent(AlertKind::kLongDeferral)),
            "long_deferral/postings_daily/20240502T000000.123Z-ab12/collect_postings/"
            "20240430T220500Z");
  AlertEvent later_deferral = SampleEvent(AlertKind::kLongDeferral);
  *later_deferral.deferred_since += 48h;
  EXPECT_NE(AlertEventKey(SampleEvent(AlertKind::kLongDeferral)), AlertEventKey(later_deferral));
}

TEST(AlertEventTest, TheLogLinkFollowsTheApisScheme) {
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  EXPECT_EQ(AlertLogUrl("http://dash.example:8080/", event),
            "http://dash.example:8080/api/v1/runs/20240502T000000.123Z-ab12/tasks/"
            "collect_postings/logs/3");
  event.task = "build marts";
  EXPECT_EQ(AlertLogUrl("https://d.example", event),
            "https://d.example/api/v1/runs/20240502T000000.123Z-ab12/tasks/build%20marts/logs/3");

  AlertEvent recovered = SampleEvent(AlertKind::kRecovered);
  EXPECT_EQ(AlertLogUrl("https://d.example", recovered),
            "https://d.example/api/v1/runs/20240502T000000.123Z-ab12");
  EXPECT_EQ(AlertLogUrl("https://d.example", SampleEvent(AlertKind::kDeadlineMissed)), "");
  EXPECT_EQ(AlertLogUrl("", event), "");
}

TEST(AlertEventTest, PreparingRedactsRegisteredSecretsFromTheError) {
  RegisterSecret("svc-key-0123456789abcdef");
  AlertEvent event = SampleEvent(AlertKind::kTaskFailed);
  event.error = Status(ErrorCode::kAuth, "key svc-key-0123456789abcdef was refused",
                       "check svc-key-0123456789abcdef");
  AlertMessage message = PrepareAlert(event, "https://d.example");
  EXPECT_EQ(message.event.error.message(), "key *** was refused");
  EXPECT_EQ(message.event.error.hint(), "check ***");
  EXPECT_EQ(message.event.error.code(), ErrorCode::kAuth);
  EXPECT_EQ(message.key, AlertEventKey(event));
  EXPECT_EQ(message.log_url, AlertLogUrl("https://d.example", event));
}

TEST(AlertWordingTest, DatesDurationsAndSummaries) {
  EXPECT_EQ(FormatLogicalDates({Date::FromYmd(2024, 5, 1), Date::FromYmd(2024, 5, 1)}),
            "2024-05-01");
  EXPECT_EQ(FormatLogicalDates({Date::FromYmd(2024, 4, 29), Date::FromYmd(2024, 5, 1)}),
            "2024-04-29 ~ 2024-05-01 (3일)");
  EXPECT_EQ(FormatAlertDuration(850ms), "850ms");
  EXPECT_EQ(FormatAlertDuration(42s), "42s");
  EXPECT_EQ(FormatAlertDuration(185s), "3m 05s");
  EXPECT_EQ(FormatAlertDuration(2h + 4min + 9s), "2h 04m");
  EXPECT_EQ(AlertSummary(PrepareAlert(SampleEvent(AlertKind::kTaskFailed), "")),
            "[silverwork] 작업 실패 · Task failed: postings_daily › collect_postings · "
            "2024-05-01 · try 3/3 — network: GET apis.data.go.kr/… failed: Timeout was reached");
}

TEST(AlertWordingTest, TruncationNeverSplitsAKoreanCharacter) {
  const std::string text = "가나다라마바사";  // 3 bytes each
  for (size_t limit = 0; limit <= text.size() + 1; ++limit) {
    std::string cut = TruncateUtf8(text, limit);
    if (limit >= text.size()) {
      EXPECT_EQ(cut, text);
      continue;
    }
    EXPECT_LE(cut.size(), std::max<size_t>(limit, 3));
    EXPECT_TRUE(cut.ends_with("…")) << cut;
    std::string kept = cut.substr(0, cut.size() - 3);
    EXPECT_EQ(kept.size() % 3, 0u) << limit;
    EXPECT_TRUE(text.starts_with(kept));
  }
}

}  // namespace
}  // namespace silverwork
