// SchedulerStore: the reads behind serve's pipelines API and the scheduler's
// figures in /metrics. Read-only; portable SQL like the rest of the store.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "scheduler/scheduler_store.h"
#include "scheduler/store_rows.h"

namespace silverwork::scheduler {

using namespace store_rows;  // NOLINT(google-build-using-namespace): this file is the store

Result<std::vector<TaskSummary>> SchedulerStore::ListTaskSummaries(
    std::string_view pipeline, std::span<const std::string> run_ids) {
  std::vector<TaskSummary> summaries;
  if (run_ids.empty()) return summaries;
  // Run ids sort by creation, so a page of runs lies in one range of the
  // primary key; runs of the range not on the page are skipped.
  const auto [lowest, highest] = std::minmax_element(run_ids.begin(), run_ids.end());
  const std::set<std::string_view> wanted(run_ids.begin(), run_ids.end());
  const std::vector<Value> params{Text(*lowest), Text(*highest), Text(std::string(pipeline))};
  Status status = warehouse_.Query(
      fmt::format("SELECT run_id, task, task_order, state, try_number, started_at, ended_at "
                  "FROM {} WHERE run_id >= ? AND run_id <= ? AND pipeline = ? "
                  "ORDER BY run_id, task_order",
                  kTaskInstances),
      params, [&](const Row& row) -> Status {
        const auto* run_id = std::get_if<std::string>(&row[0]);
        if (run_id == nullptr || !wanted.contains(*run_id)) return Status::Ok();
        TaskSummary summary;
        summary.run_id = AsText(row[0]);
        summary.task = AsText(row[1]);
        summary.position = static_cast<int>(AsInteger(row[2]).value_or(0));
        SW_ASSIGN_OR_RETURN(summary.state, ParseTaskState(AsText(row[3])));
        summary.try_number = static_cast<int>(AsInteger(row[4]).value_or(0));
        SW_ASSIGN_OR_RETURN(summary.started_at, AsOptionalTime(row[5]));
        SW_ASSIGN_OR_RETURN(summary.ended_at, AsOptionalTime(row[6]));
        summaries.push_back(std::move(summary));
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return summaries;
}

Result<std::vector<RunStateCount>> SchedulerStore::CountRunsByState() {
  return QueryRecords<RunStateCount>(
      warehouse_,
      fmt::format("SELECT pipeline, state, COUNT(*) FROM {} GROUP BY pipeline, state "
                  "ORDER BY pipeline, state",
                  kRuns),
      {}, [](const Row& row) -> Result<RunStateCount> {
        RunStateCount count;
        count.pipeline = AsText(row[0]);
        SW_ASSIGN_OR_RETURN(count.state, ParseRunState(AsText(row[1])));
        count.runs = AsInteger(row[2]).value_or(0);
        return count;
      });
}

Result<std::vector<TryTiming>> SchedulerStore::EndedTryTimings() {
  return QueryRecords<TryTiming>(
      warehouse_,
      fmt::format("SELECT i.pipeline, t.task, t.state, t.started_at, t.ended_at FROM {} t "
                  "JOIN {} i ON i.run_id = t.run_id AND i.task = t.task "
                  "WHERE t.ended_at IS NOT NULL ORDER BY i.pipeline, t.task",
                  kTries, kTaskInstances),
      {}, [](const Row& row) -> Result<TryTiming> {
        TryTiming timing;
        timing.pipeline = AsText(row[0]);
        timing.task = AsText(row[1]);
        SW_ASSIGN_OR_RETURN(timing.state, ParseTryState(AsText(row[2])));
        SW_ASSIGN_OR_RETURN(timing.started_at, ParseStoreTime(AsText(row[3])));
        SW_ASSIGN_OR_RETURN(timing.ended_at, ParseStoreTime(AsText(row[4])));
        return timing;
      });
}

Result<std::vector<DeferralCount>> SchedulerStore::CountDeferrals() {
  return QueryRecords<DeferralCount>(
      warehouse_,
      fmt::format("SELECT i.pipeline, "
                  "(SELECT COUNT(*) FROM {0} t JOIN {1} ti ON ti.run_id = t.run_id AND "
                  "ti.task = t.task WHERE ti.pipeline = i.pipeline AND t.state = 'deferred'), "
                  "SUM(CASE WHEN i.state = 'deferred' THEN 1 ELSE 0 END) "
                  "FROM {1} i GROUP BY i.pipeline ORDER BY i.pipeline",
                  kTries, kTaskInstances),
      {}, [](const Row& row) -> Result<DeferralCount> {
        return DeferralCount{AsText(row[0]), AsInteger(row[1]).value_or(0),
                             AsInteger(row[2]).value_or(0)};
      });
}

}  // namespace silverwork::scheduler
