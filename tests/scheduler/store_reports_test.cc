// SchedulerStore's report reads (store_reports.cc), which serve's pipelines
// API and /metrics use: the task instances of many runs at once, runs by
// state, ended tries' timings and deferrals.
#include <algorithm>

#include "store_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::minutes;

class StoreReportsTest : public StoreTest {};

TEST_F(StoreReportsTest, TaskSummariesOfAPageOfRunsComeBackByRunInPipelineOrder) {
  std::vector<std::string> run_ids;
  const Date first = Day("2024-01-01");
  for (int index = 0; index < 40; ++index) {
    run_ids.push_back(Queue(PlanDays({first.AddDays(index).Iso()})));
    // Another pipeline's run between them, and one of its tasks started.
    auto other = PlanTriggeredRun(Projects(), Now(), std::nullopt);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    Queue(*other);
  }
  Start(run_ids[3], "collect");
  // Every other run, newest first, as a page of ListRuns would not be: the
  // answer is by run id whatever the order asked in.
  std::vector<std::string> asked;
  for (size_t index = run_ids.size(); index-- > 0;)
    if (index % 2 == 1) asked.push_back(run_ids[index]);
  auto summaries = store_->ListTaskSummaries("postings_daily", asked);
  ASSERT_TRUE(summaries.ok()) << summaries.status().ToString();
  ASSERT_EQ(summaries->size(), 2 * asked.size());
  for (size_t index = 0; index < asked.size(); ++index) {
    const std::string& run_id = run_ids[2 * index + 1];
    EXPECT_EQ((*summaries)[2 * index].run_id, run_id);
    EXPECT_EQ((*summaries)[2 * index].task, "collect");
    EXPECT_EQ((*summaries)[2 * index + 1].task, "build");
    EXPECT_EQ((*summaries)[2 * index + 1].position, 1);
  }
  const TaskSummary& started = (*summaries)[2];  // run_ids[3]'s collect
  EXPECT_EQ(started.state, TaskState::kRunning);
  EXPECT_EQ(started.try_number, 1);
  EXPECT_TRUE(started.started_at.has_value());
  EXPECT_FALSE(started.ended_at.has_value());
  EXPECT_EQ((*summaries)[3].state, TaskState::kWaiting);
  auto none = store_->ListTaskSummaries("postings_daily", {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreReportsTest, RunsByStateTimingsAndDeferrals) {
  const std::string done = Queue(PlanDays({"2026-11-20"}));
  Start(done, "collect");
  clock_.Advance(minutes(3));
  Finish(done, "collect", 1, TryOutcome::Exited(0));
  Start(done, "build");
  clock_.Advance(minutes(2));
  Finish(done, "build", 1, TryOutcome::Exited(0));
  const std::string deferred = Queue(PlanDays({"2026-11-21"}));
  Start(deferred, "collect");
  clock_.Advance(minutes(1));
  Finish(deferred, "collect", 1, TryOutcome::Exited(kTaskExitQuota));
  Queue(PlanDays({"2026-11-22"}));

  auto runs = store_->CountRunsByState();
  ASSERT_TRUE(runs.ok());
  std::vector<std::string> seen;
  for (const RunStateCount& count : *runs)
    seen.push_back(count.pipeline + " " + RunStateName(count.state) + " " +
                   std::to_string(count.runs));
  EXPECT_EQ(seen, (std::vector<std::string>{"postings_daily queued 1", "postings_daily running 1",
                                            "postings_daily success 1"}));

  auto timings = store_->EndedTryTimings();
  ASSERT_TRUE(timings.ok());
  ASSERT_EQ(timings->size(), 3u);
  std::vector<int64_t> try_seconds;
  for (const TryTiming& timing : *timings) {
    EXPECT_EQ(timing.pipeline, "postings_daily");
    try_seconds.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(timing.ended_at - timing.started_at)
            .count());
  }
  std::sort(try_seconds.begin(), try_seconds.end());
  EXPECT_EQ(try_seconds, (std::vector<int64_t>{60, 120, 180}));

  auto deferrals = store_->CountDeferrals();
  ASSERT_TRUE(deferrals.ok());
  ASSERT_EQ(deferrals->size(), 1u);
  EXPECT_EQ((*deferrals)[0].deferred_tries, 1);
  EXPECT_EQ((*deferrals)[0].deferred_now, 1);
}

}  // namespace
}  // namespace silverwork::scheduler
