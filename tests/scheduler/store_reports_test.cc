// SchedulerStore's report reads (store_reports.cc), which serve's pipelines
// API and /metrics use: the task instances of many runs at once, runs by
// state, ended tries' timings and deferrals.
#include <algorithm>

#include "store_fixture.h"

namespace silverwork::scheduler {
namespace {

using std::chrono::minutes;

class StoreReportsTest : public StoreTest {};

TEST_F(StoreReportsTest, TaskInstancesOfManyRunsComeBackByRunInPipelineOrder) {
  std::vector<std::string> run_ids;
  const Date first = Day("2024-01-01");
  for (int index = 0; index < 501; ++index) {  // more than one IN list
    run_ids.push_back(Queue(PlanDays({first.AddDays(index).Iso()})));
  }
  std::vector<std::string> asked = run_ids;
  std::reverse(asked.begin(), asked.end());
  asked.push_back("no-such-run");
  auto instances = store_->ListTaskInstancesOf(asked);
  ASSERT_TRUE(instances.ok()) << instances.status().ToString();
  ASSERT_EQ(instances->size(), 2 * run_ids.size());
  for (size_t index = 0; index < run_ids.size(); ++index) {
    EXPECT_EQ((*instances)[2 * index].run_id, run_ids[index]) << "ascending run ids";
    EXPECT_EQ((*instances)[2 * index].task, "collect");
    EXPECT_EQ((*instances)[2 * index + 1].task, "build");
  }
  auto none = store_->ListTaskInstancesOf({});
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
  std::vector<int64_t> seconds;
  for (const TryTiming& timing : *timings) {
    EXPECT_EQ(timing.pipeline, "postings_daily");
    seconds.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(timing.ended_at - timing.started_at)
            .count());
  }
  std::sort(seconds.begin(), seconds.end());
  EXPECT_EQ(seconds, (std::vector<int64_t>{60, 120, 180}));

  auto deferrals = store_->CountDeferrals();
  ASSERT_TRUE(deferrals.ok());
  ASSERT_EQ(deferrals->size(), 1u);
  EXPECT_EQ((*deferrals)[0].deferred_tries, 1);
  EXPECT_EQ((*deferrals)[0].deferred_now, 1);
}

}  // namespace
}  // namespace silverwork::scheduler
