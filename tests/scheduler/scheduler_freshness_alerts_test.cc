// Stale-source alerts: a build whose source freshness check warns or fails
// raises source_stale once per stale episode, and source_fresh when the
// check passes again — not one alert per hourly build while it stays stale,
// and not again after a restart.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "scheduler_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::hours;

constexpr char kPostings[] = "source.silverwork.raw.raw_postings";
constexpr char kProjects[] = "source.silverwork.raw.raw_projects";

FreshnessCheck Check(const char* source, const char* status, double hours_old) {
  return {source, status,
          fmt::format("latest _loaded_at = 2026-11-22T15:00:00Z is {:.1f} hours old (warn after "
                      "3 hours, error after 1 day)",
                      hours_old)};
}

class StaleSourceAlertsTest : public SchedulerTest {
 protected:
  // Runs today's postings_daily run: collect succeeds, then build reports
  // `checks` (and fails when one of them is an error, as the task does).
  void RunDailyWithChecks(std::vector<FreshnessCheck> checks) {
    Tick();
    launcher_.End("collect", kTaskExitSuccess);
    Tick();
    bool error = false;
    for (const FreshnessCheck& check : checks) error |= check.status == "error";
    launcher_.End("build", error ? kTaskExitFailure : kTaskExitSuccess,
                  error ? Status(ErrorCode::kDatabase, "1 node failed: source freshness", "collect")
                        : Status(),
                  std::move(checks));
    Tick();
  }
  void NextDay() { clock_.Advance(hours(24)); }
};

TEST_F(StaleSourceAlertsTest, OneAlertPerEpisodeAndOneWhenFreshAgain) {
  Start();
  RunDailyWithChecks({Check(kPostings, "pass", 1.0)});
  EXPECT_EQ(Alerts(), "") << "a fresh source is not news";

  NextDay();
  RunDailyWithChecks({Check(kPostings, "warn", 4.2), Check(kProjects, "pass", 2.0)});
  EXPECT_EQ(Alerts(), "source_stale");
  const std::string stale = AlertPayload("source_stale");
  EXPECT_NE(stale.find("\"data_source\":\"source.silverwork.raw.raw_postings\""),
            std::string::npos)
      << stale;
  EXPECT_NE(stale.find("is 4.2 hours old (warn after 3 hours, error after 1 day)"),
            std::string::npos)
      << "its age and the configured limit: " << stale;
  EXPECT_NE(stale.find("\"stale_since\":\"2026-11-24T00:"), std::string::npos) << stale;
  EXPECT_NE(stale.find("\"task\":\"build\""), std::string::npos) << stale;

  // Still stale the next day, then worse (error fails the build), after a
  // restart of the scheduler: the same episode, nothing new about it.
  NextDay();
  RunDailyWithChecks({Check(kPostings, "warn", 20.0)});
  ASSERT_TRUE(scheduler_->ReleaseLease().ok());
  scheduler_ = NewScheduler(Options("scheduler-b"));
  NextDay();
  RunDailyWithChecks({Check(kPostings, "error", 44.0)});
  EXPECT_EQ(Alerts(), "source_stale task_failed run_failed");

  // A build that did not check the source says nothing about it.
  NextDay();
  RunDailyWithChecks({});
  EXPECT_EQ(Alerts(), "source_stale task_failed run_failed recovered");

  NextDay();
  RunDailyWithChecks({Check(kPostings, "pass", 0.5)});
  EXPECT_EQ(Alerts(), "source_stale task_failed run_failed recovered source_fresh");
  const std::string fresh = AlertPayload("source_fresh");
  EXPECT_NE(fresh.find("\"stale_since\":\"2026-11-24T00:"), std::string::npos)
      << "names the episode it ends: " << fresh;
  EXPECT_NE(fresh.find("is 0.5 hours old"), std::string::npos) << fresh;

  // A new episode is news again.
  NextDay();
  RunDailyWithChecks({Check(kPostings, "warn", 3.5)});
  EXPECT_EQ(Alerts(),
            "source_stale task_failed run_failed recovered source_fresh source_stale");
}

TEST_F(StaleSourceAlertsTest, TheResultFileCarriesTheChecks) {
  TaskResult result{.exit_code = 0, .status = "success"};
  result.freshness = {Check(kPostings, "warn", 4.2)};
  auto parsed = ParseTaskResult(TaskResultJson(result));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->freshness.size(), 1u);
  EXPECT_EQ(parsed->freshness[0].source, kPostings);
  EXPECT_EQ(parsed->freshness[0].status, "warn");
  EXPECT_EQ(parsed->freshness[0].message, result.freshness[0].message);
  EXPECT_FALSE(ParseTaskResult(R"({"exit_code": 0, "freshness": [{"status": "warn"}]})").ok())
      << "a check without its source is a corrupt file, not a silent pass";
}

TEST_F(StaleSourceAlertsTest, TurnedOffInTheConfigNothingIsQueued) {
  outbox_ = std::make_unique<AlertOutbox>(
      *warehouse_, clock_, std::vector<AlertSink>{WebhookAlertSink("http://127.0.0.1:9/hook")},
      AlertOutboxOptions{.on_stale_source = false});
  Start();
  RunDailyWithChecks({Check(kPostings, "warn", 4.2)});
  NextDay();
  RunDailyWithChecks({Check(kPostings, "pass", 0.5)});
  EXPECT_EQ(Alerts(), "");
}

}  // namespace
}  // namespace silverwork::scheduler
